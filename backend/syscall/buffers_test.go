package syscall

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPool runs sequences of pool operations (no socket needed) and checks
// how many buffers are mapped and free after each.
func TestPool(t *testing.T) {
	type state struct{ Mapped, Free int }
	type step struct {
		op   string // get, put, release, stale, close
		slot int    // which held buffer the op is about
		want state
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"reuse", []step{
			{"get", 0, state{1, 0}},
			{"put", 0, state{1, 1}},
			{"get", 0, state{1, 0}},
		}},
		{"held buffer makes a new one", []step{
			{"get", 0, state{1, 0}},
			{"get", 1, state{2, 0}},
			{"release", 0, state{2, 1}},
			{"release", 1, state{2, 2}},
		}},
		{"stale ref ignored", []step{
			{"get", 0, state{1, 0}},
			{"release", 0, state{1, 1}},
			{"get", 1, state{1, 0}}, // same buffer, new generation
			{"stale", 0, state{1, 0}},
			{"release", 1, state{1, 1}},
		}},
		{"close unmaps free now, held later", []step{
			{"get", 0, state{1, 0}},
			{"get", 1, state{2, 0}},
			{"put", 1, state{2, 1}},
			{"close", 0, state{1, 0}},
			{"release", 0, state{0, 0}},
		}},
		{"put after close unmaps", []step{
			{"get", 0, state{1, 0}},
			{"close", 0, state{1, 0}},
			{"put", 0, state{0, 0}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPool(1 << 20)
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
				p.mu.Lock()
				got := state{p.mapped, len(p.free)}
				p.mu.Unlock()
				if diff := cmp.Diff(s.want, got); diff != "" {
					t.Fatalf("after step %d (%s %d) (-want +got):\n%s", i, s.op, s.slot, diff)
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

// TestPoolTrim checks that a buffer that held a large datagram gives its
// pages past keepResident back when it is returned, and that its contents
// there read as zero afterwards (the pages were really dropped).
func TestPoolTrim(t *testing.T) {
	p := newPool(1 << 20)
	defer p.close()
	b, err := p.get()
	if err != nil {
		t.Fatal(err)
	}
	for i := range b.mem[:512<<10] {
		b.mem[i] = 1
	}
	b.touched = 512 << 10
	p.put(b)

	if b.touched != keepResident {
		t.Errorf("touched = %d after put, want %d", b.touched, keepResident)
	}
	if b.mem[keepResident-1] != 1 || b.mem[keepResident] != 0 || b.mem[512<<10-1] != 0 {
		t.Errorf("bytes around keepResident = %d %d, last %d; want 1 0 0",
			b.mem[keepResident-1], b.mem[keepResident], b.mem[512<<10-1])
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
