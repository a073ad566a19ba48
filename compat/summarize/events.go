package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// event is one line of `go test -json` (test2json) output.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// result is the outcome of one test, or of a package when test is empty.
type result struct {
	pkg, test string
	action    string // pass, fail or skip
	output    []string
}

// suite is the results of one suite, in the order the tests ended.
type suite struct {
	name    string
	results []*result
}

// maxOutputLines bounds the output kept per test for the failure report.
const maxOutputLines = 30

// readSuite reads test2json output. Lines that are not JSON (build errors
// printed by go test) are kept as output of the package.
func readSuite(name string, r io.Reader) (*suite, error) {
	s := &suite{name: name}
	byKey := map[[2]string]*result{}
	get := func(pkg, test string) *result {
		k := [2]string{pkg, test}
		if res := byKey[k]; res != nil {
			return res
		}
		res := &result{pkg: pkg, test: test}
		byKey[k] = res
		return res
	}
	var loose []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			loose = append(loose, string(line))
			continue
		}
		res := get(e.Package, e.Test)
		switch e.Action {
		case "output":
			res.output = append(res.output, strings.TrimRight(e.Output, "\n"))
			if len(res.output) > maxOutputLines {
				res.output = res.output[len(res.output)-maxOutputLines:]
			}
		case "pass", "fail", "skip":
			res.action = e.Action
			s.results = append(s.results, res)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(loose) > 0 && len(s.results) == 0 {
		// Nothing ran: a build failure or a crash before test2json.
		s.results = append(s.results, &result{test: "", action: "fail", output: loose})
	}
	return s, nil
}

func (r *result) String() string {
	if r.pkg == "" {
		return "[output without test events]"
	}
	if r.test == "" {
		return fmt.Sprintf("%s [package]", r.pkg)
	}
	return r.pkg + " " + r.test
}
