package main

import (
	"fmt"
	"io"
	"strings"
)

// counts are the outcomes of one suite or of all.
type counts struct {
	passed, failed, skipped int
	known                   int // failures explained by a knownFailure
}

type explained struct {
	res *result
	k   *knownFailure
}

type totals struct {
	counts
	suites    []string
	perSuite  map[string]counts
	explained []explained
	failures  []*result
	stale     []*knownFailure
}

// summarize counts the leaf tests of each suite: a test with subtests is
// counted through them, unless it failed while they all passed.
func summarize(suites []*suite, known []knownFailure) *totals {
	t := &totals{perSuite: map[string]counts{}}
	for _, s := range suites {
		t.suites = append(t.suites, s.name)
		var c counts
		for _, r := range s.results {
			has, failed := children(s, r)
			if has && (r.action != "fail" || failed) {
				continue
			}
			switch r.action {
			case "pass":
				c.passed++
			case "skip":
				c.skipped++
			case "fail":
				if k := match(known, s.name, r.test); k != nil {
					c.known++
					t.explained = append(t.explained, explained{r, k})
				} else {
					c.failed++
					t.failures = append(t.failures, r)
				}
			}
		}
		t.perSuite[s.name] = c
		t.passed += c.passed
		t.failed += c.failed
		t.skipped += c.skipped
		t.known += c.known
	}
	for i := range known {
		if !known[i].used {
			t.stale = append(t.stale, &known[i])
		}
	}
	return t
}

// children reports whether parent has subtests, and whether one failed. A
// package's tests are its children: a package result only counts when it
// failed with no failed test (a build failure, a crash, a timeout).
func children(s *suite, parent *result) (has, failed bool) {
	for _, r := range s.results {
		if r == parent || r.pkg != parent.pkg {
			continue
		}
		if parent.test == "" || strings.HasPrefix(r.test, parent.test+"/") {
			has = true
			failed = failed || r.action == "fail"
		}
	}
	return has, failed
}

func match(known []knownFailure, suite, test string) *knownFailure {
	for i := range known {
		if known[i].matches(suite, test) {
			known[i].used = true
			return &known[i]
		}
	}
	return nil
}

func (t *totals) print(w io.Writer) {
	for _, name := range t.suites {
		c := t.perSuite[name]
		fmt.Fprintf(w, "%-10s %5d passed %5d failed %5d skipped %5d known\n", name, c.passed, c.failed, c.skipped, c.known)
	}
	for _, kind := range []string{"kernel", "difference"} {
		title := map[string]string{"kernel": "failures caused by this kernel", "difference": "deliberate differences from mdlayher/netlink"}[kind]
		var lines []string
		for _, e := range t.explained {
			if e.k.kind == kind {
				lines = append(lines, fmt.Sprintf("  %s: %s", e.res, e.k.reason))
			}
		}
		if len(lines) > 0 {
			fmt.Fprintf(w, "\n%s (not counted as failures): %d\n%s\n", title, len(lines), strings.Join(lines, "\n"))
		}
	}
	for _, k := range t.stale {
		fmt.Fprintf(w, "\nnote: listed %s failure %s %s did not fail\n", k.kind, k.suite, k.pattern)
	}
	for _, r := range t.failures {
		fmt.Fprintf(w, "\nFAIL %s\n", r)
		for _, line := range r.output {
			fmt.Fprintf(w, "    %s\n", line)
		}
	}
	fmt.Fprintf(w, "\n%d passed, %d failed, %d skipped\n", t.passed, t.failed, t.skipped)
}
