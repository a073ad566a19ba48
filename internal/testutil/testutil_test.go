package testutil

import (
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) { VerifyTestMain(m) }

func TestDiff(t *testing.T) {
	type inner struct {
		n    int
		Data []byte
	}
	type outer struct {
		Name  string
		In    inner
		Ptr   *inner
		List  []inner
		Map   map[string]int
		Iface any
	}
	base := func() outer {
		return outer{
			Name: "a", In: inner{n: 1, Data: []byte{1}}, Ptr: &inner{n: 2},
			List: []inner{{n: 3}}, Map: map[string]int{"x": 1}, Iface: 5,
		}
	}
	tests := []struct {
		name   string
		change func(*outer)
		want   []string // substrings of the report; none when equal
	}{
		{name: "equal", change: func(*outer) {}},
		{name: "field", change: func(o *outer) { o.Name = "b" }, want: []string{".Name:", `-: "a"`, `+: "b"`}},
		{name: "unexported", change: func(o *outer) { o.In.n = 9 }, want: []string{".In.n:", "-: 1", "+: 9"}},
		{name: "bytes", change: func(o *outer) { o.In.Data = []byte{2} }, want: []string{".In.Data:", "0x1", "0x2"}},
		{name: "nil versus empty", change: func(o *outer) { o.In.Data = nil }, want: []string{".In.Data:", "[]uint8(nil)"}},
		{name: "pointer", change: func(o *outer) { o.Ptr = &inner{n: 4} }, want: []string{"(*.Ptr).n:", "+: 4"}},
		{name: "nil pointer", change: func(o *outer) { o.Ptr = nil }, want: []string{".Ptr:"}},
		{name: "longer", change: func(o *outer) { o.List = append(o.List, inner{n: 7}) }, want: []string{".List[1]:", "-: <nil>"}},
		{name: "map value", change: func(o *outer) { o.Map["x"] = 2 }, want: []string{`.Map["x"]:`, "+: 2"}},
		{name: "map key", change: func(o *outer) { o.Map["y"] = 0 }, want: []string{`.Map["y"]:`, "-: <nil>", "+: 0"}},
		{name: "interface type", change: func(o *outer) { o.Iface = "5" }, want: []string{".Iface:", "-: 5", `+: "5"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, g := base(), base()
			tt.change(&g)
			got := Diff(w, g)
			if (got == "") != (len(tt.want) == 0) {
				t.Fatalf("Diff = %q, want a report containing %q", got, tt.want)
			}
			for _, s := range tt.want {
				if !strings.Contains(got, s) {
					t.Errorf("Diff report lacks %q:\n%s", s, got)
				}
			}
		})
	}
}

func TestDiffTopLevel(t *testing.T) {
	if got := Diff([]int(nil), []int{}); !strings.Contains(got, "(value):") {
		t.Errorf("nil and empty slices: Diff = %q, want a report", got)
	}
	if got := Diff(nil, 0); got == "" {
		t.Error("nil and 0: Diff reports no difference")
	}
	f := func() {}
	if got := Diff(f, f); got == "" {
		t.Error("non-nil funcs: Diff reports no difference, DeepEqual does")
	}
}

func TestLeakCheck(t *testing.T) {
	before := goroutineIDs(goroutines())
	stop := make(chan struct{})
	go func() { <-stop }()
	leaked := waitForLeaks(before, 50*time.Millisecond)
	if len(leaked) != 1 || !strings.Contains(leaked[0], "TestLeakCheck") {
		t.Errorf("with a goroutine blocked: leaked = %q, want its stack", leaked)
	}
	close(stop)
	if leaked := waitForLeaks(before, time.Second); len(leaked) != 0 {
		t.Errorf("after it exited: leaked = %q", leaked)
	}

	// A goroutine that exits within the window is no leak.
	go time.Sleep(20 * time.Millisecond)
	if leaked := waitForLeaks(before, time.Second); len(leaked) != 0 {
		t.Errorf("a goroutine exiting late: leaked = %q", leaked)
	}
}

func TestParseGoroutine(t *testing.T) {
	g, ok := parseGoroutine("goroutine 12 [chan receive, 2 minutes]:\ntesting.(*T).Run(0xc000, {0x5, 0x6})\n\t/go/src/testing/testing.go:1\ncreated by main.main in goroutine 1")
	if !ok || g.id != 12 || g.state != "chan receive" || g.top != "testing.(*T).Run" {
		t.Fatalf("parseGoroutine = %+v, %v", g, ok)
	}
	if !ignored(g) {
		t.Error("a testing goroutine waiting on a channel is not ignored")
	}
	if _, ok := parseGoroutine("not a goroutine"); ok {
		t.Error("parseGoroutine accepted garbage")
	}
}
