package bench

import "sync"

// harnessMallocs is what measure itself allocates (its heap sampler and
// closures), found by measuring nothing. It is subtracted from every sample
// so that a client that allocates nothing shows 0 allocs/msg.
var harnessMallocs = sync.OnceValue(func() uint64 {
	best := ^uint64(0)
	for range 5 {
		s, _ := measureRaw(func() (Counts, error) { return Counts{}, nil })
		best = min(best, s.Mallocs)
	}
	return best
})
