package bench

import (
	"runtime/metrics"
	"time"
)

// heapSampleInterval is how often the heap sampler looks. Reading one
// runtime metric does not stop the world, so sampling this often costs
// well under 1% of a core.
const heapSampleInterval = 2 * time.Millisecond

const heapMetric = "/memory/classes/heap/objects:bytes"

// heapSampler tracks the peak size of the Go heap during a run. The runtime
// only reports the heap as it is now; a peak between samples, shorter than
// heapSampleInterval, is missed.
type heapSampler struct {
	base uint64
	quit chan struct{}
	peak chan uint64
}

func readHeap() uint64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func startHeapSampler() *heapSampler {
	h := &heapSampler{base: readHeap(), quit: make(chan struct{}), peak: make(chan uint64, 1)}
	go func() {
		t := time.NewTicker(heapSampleInterval)
		defer t.Stop()
		s := []metrics.Sample{{Name: heapMetric}}
		peak := h.base
		for {
			select {
			case <-h.quit:
				h.peak <- peak
				return
			case <-t.C:
				metrics.Read(s)
				peak = max(peak, s[0].Value.Uint64())
			}
		}
	}()
	return h
}

// stop ends sampling and returns the peak growth over the starting size.
func (h *heapSampler) stop() uint64 {
	last := readHeap()
	close(h.quit)
	peak := max(<-h.peak, last)
	return peak - h.base
}
