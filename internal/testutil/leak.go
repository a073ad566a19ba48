package testutil

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// leakWindow is how long the check waits for goroutines to exit after the
// tests: a Close may return before the goroutine it stops has unwound.
const leakWindow = 3 * time.Second

// VerifyTestMain runs the tests and, when they pass, fails the binary if
// goroutines started during the run are still alive after a short wait.
// Use it as the whole of TestMain:
//
//	func TestMain(m *testing.M) { testutil.VerifyTestMain(m) }
func VerifyTestMain(m interface{ Run() int }) {
	before := goroutineIDs(goroutines())
	code := m.Run()
	if code == 0 {
		if leaked := waitForLeaks(before, leakWindow); len(leaked) > 0 {
			fmt.Fprintf(os.Stderr, "testutil: %d goroutine(s) leaked by a passing run:\n\n%s\n",
				len(leaked), strings.Join(leaked, "\n\n"))
			code = 1
		}
	}
	os.Exit(code)
}

// waitForLeaks polls until no goroutine outside before is left, backing
// off up to window, and returns the stacks of those still running then.
func waitForLeaks(before map[int]bool, window time.Duration) []string {
	deadline := time.Now().Add(window)
	sleep := time.Millisecond
	for {
		var leaked []string
		for _, g := range goroutines() {
			if !before[g.id] && !ignored(g) {
				leaked = append(leaked, g.stack)
			}
		}
		if len(leaked) == 0 || time.Now().After(deadline) {
			return leaked
		}
		time.Sleep(sleep)
		sleep = min(2*sleep, 100*time.Millisecond)
	}
}

// A goroutine is one entry of runtime.Stack's dump of all goroutines.
type goroutine struct {
	id    int
	state string // "chan receive", "select", ...
	top   string // the function running, without arguments
	stack string // the whole entry, for the report
}

// goroutines returns every goroutine but the caller's.
func goroutines() []goroutine {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []goroutine
	// The first entry is the calling goroutine.
	for i, entry := range strings.Split(string(bytes.TrimSpace(buf)), "\n\n") {
		if i == 0 {
			continue
		}
		if g, ok := parseGoroutine(entry); ok {
			out = append(out, g)
		}
	}
	return out
}

// parseGoroutine reads an entry starting "goroutine 7 [select]:".
func parseGoroutine(entry string) (goroutine, bool) {
	head, rest, _ := strings.Cut(entry, "\n")
	head, ok := strings.CutPrefix(head, "goroutine ")
	if !ok {
		return goroutine{}, false
	}
	idText, state, ok := strings.Cut(head, " [")
	if !ok {
		return goroutine{}, false
	}
	id, err := strconv.Atoi(idText)
	if err != nil {
		return goroutine{}, false
	}
	state, _, _ = strings.Cut(state, "]")
	// Drop the wait time, as in "chan receive, 2 minutes".
	state, _, _ = strings.Cut(state, ",")
	top, _, _ := strings.Cut(rest, "\n")
	if i := strings.LastIndexByte(top, '('); i > 0 {
		top = top[:i]
	}
	return goroutine{id: id, state: state, top: top, stack: entry}, true
}

// ignored reports goroutines the testing package and the standard library
// start for themselves, which outlive the tests by design.
func ignored(g goroutine) bool {
	switch g.top {
	case "testing.RunTests", "testing.(*T).Run", "testing.(*T).Parallel",
		"testing.runFuzzing", "testing.runFuzzTests":
		// Waiting for tests to finish, or for the next parallel batch.
		return strings.HasPrefix(g.state, "chan receive")
	case "os/signal.signal_recv", "os/signal.loop":
		return true
	}
	return strings.Contains(g.stack, "runtime.ensureSigM") ||
		strings.Contains(g.stack, "\ncreated by runtime.")
}

// goroutineIDs returns the set of ids in gs.
func goroutineIDs(gs []goroutine) map[int]bool {
	ids := make(map[int]bool, len(gs))
	for _, g := range gs {
		ids[g.id] = true
	}
	return ids
}
