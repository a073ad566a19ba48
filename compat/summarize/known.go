package main

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"strings"
)

// knownFailure is a line of kernel-failures.txt or differences.txt:
//
//	suite TestName reason...
//
// TestName may be a path.Match pattern; it also covers the subtests of the
// tests it matches.
type knownFailure struct {
	kind, suite, pattern, reason string
	used                         bool
}

func readKnown(file, kind string) ([]knownFailure, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []knownFailure
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 3 {
			return nil, fmt.Errorf("%s:%d: want \"suite TestName reason\"", file, n)
		}
		if _, err := path.Match(fields[1], ""); err != nil {
			return nil, fmt.Errorf("%s:%d: bad pattern: %v", file, n, err)
		}
		out = append(out, knownFailure{
			kind:    kind,
			suite:   fields[0],
			pattern: fields[1],
			reason:  strings.Join(fields[2:], " "),
		})
	}
	return out, sc.Err()
}

// matches reports whether k covers test of suite, or a test it is a
// subtest of.
func (k *knownFailure) matches(suite, test string) bool {
	if k.suite != suite || test == "" {
		return false
	}
	for name := test; ; {
		if ok, _ := path.Match(k.pattern, name); ok {
			return true
		}
		i := strings.LastIndexByte(name, '/')
		if i < 0 {
			return false
		}
		name = name[:i]
	}
}
