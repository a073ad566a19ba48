//go:build linux

package syscall

import (
	"errors"
	"testing"
)

// TestPool runs sequences of pool operations (no socket needed) and checks
// how many buffers are out and whether one is kept idle after each.
func TestPool(t *testing.T) {
	type state struct {
		Out  int
		Idle bool
	}
	type step struct {
		op   string // get, put, release, stale, close
		slot int    // which held buffer the op is about
		want state
	}
	const small = 4096 // not the default buffer size: the socket keeps one
	tests := []struct {
		name  string
		size  int
		steps []step
	}{
		{"default size: none kept", 1 << 20, []step{
			{"get", 0, state{1, false}},
			{"put", 0, state{0, false}},
			{"get", 0, state{1, false}},
		}},
		{"reuse", small, []step{
			{"get", 0, state{1, false}},
			{"put", 0, state{0, true}},
			{"get", 0, state{1, false}},
		}},
		{"held buffer makes a new one", small, []step{
			{"get", 0, state{1, false}},
			{"get", 1, state{2, false}},
			{"release", 0, state{1, true}},
			{"release", 1, state{0, true}}, // one idle buffer at most
		}},
		{"stale ref ignored", small, []step{
			{"get", 0, state{1, false}},
			{"release", 0, state{0, true}},
			{"get", 1, state{1, false}}, // same slot, new generation
			{"stale", 0, state{1, false}},
			{"release", 1, state{0, true}},
		}},
		{"close drops the idle buffer, held ones on release", small, []step{
			{"get", 0, state{1, false}},
			{"get", 1, state{2, false}},
			{"put", 1, state{1, true}},
			{"close", 0, state{1, false}},
			{"release", 0, state{0, false}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPool(tt.size)
			defer p.close()
			held := make([]*buffer, 2)
			refs := make([]int, 2)
			for i, s := range tt.steps {
				switch s.op {
				case "get":
					b, err := p.get()
					if err != nil {
						t.Fatalf("step %d: get: %v", i, err)
					}
					held[s.slot], refs[s.slot] = b, b.ref()
				case "put":
					p.put(held[s.slot])
				case "release", "stale":
					p.release(refs[s.slot])
				case "close":
					if err := p.close(); err != nil {
						t.Fatalf("step %d: close: %v", i, err)
					}
				}
				out, idle := p.held()
				if got := (state{out, idle}); got != s.want {
					t.Fatalf("after step %d (%s %d): got %+v, want %+v", i, s.op, s.slot, got, s.want)
				}
			}
		})
	}
}

func TestPoolGetAfterClose(t *testing.T) {
	p := newPool(1 << 20)
	if err := p.close(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.get(); !errors.Is(err, errPoolClosed) {
		t.Errorf("get after close = %v, want errPoolClosed", err)
	}
}

// TestSpillTrim checks that a spill area that held a large datagram gives
// its pages past spillResident back when it is returned: its contents there
// read as zero afterwards.
func TestSpillTrim(t *testing.T) {
	const size = 1 << 20
	m := spills.get(size)
	if m == nil {
		t.Fatal("no spill area")
	}
	for i := range m[:512<<10] {
		m[i] = 1
	}
	spills.put(m, 512<<10)
	if m[spillResident-1] != 1 || m[spillResident] != 0 || m[512<<10-1] != 0 {
		t.Errorf("bytes around spillResident = %d %d, last %d; want 1 0 0",
			m[spillResident-1], m[spillResident], m[512<<10-1])
	}
}

func TestRefRoundTrip(t *testing.T) {
	for _, b := range []buffer{
		{index: 0, gen: 1},
		{index: maxBuffers - 1, gen: genMask},
		{index: 5, gen: genMask + 3}, // generation wraps
	} {
		ref := b.ref()
		if ref <= 0 {
			t.Fatalf("ref(%d, %d) = %d, want > 0", b.index, b.gen, ref)
		}
		if i, gen := parseRef(ref); i != b.index || gen != b.gen&genMask {
			t.Errorf("ref(%d, %d) decodes to (%d, %d)", b.index, b.gen, i, gen)
		}
	}
	for _, ref := range []int{0, -1} {
		if i, _ := parseRef(ref); i != -1 {
			t.Errorf("parseRef(%d) names buffer %d, want none", ref, i)
		}
	}
}
