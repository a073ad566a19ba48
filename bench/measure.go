package bench

import (
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// A Sample is one measured run of one client on one workload.
type Sample struct {
	// Time is the workload's metric: wall time, or for event workloads the
	// receiver's CPU time (the installer sets the pace, so wall time says
	// little about the receiver).
	Time time.Duration
	// Wall is the wall time of the run.
	Wall time.Duration
	Msgs int
	// Want is how many events were sent, for event workloads.
	Want int
	// Mallocs is the growth of runtime.MemStats.Mallocs over the run: heap
	// objects allocated by the whole process, the client's goroutines
	// included.
	Mallocs uint64
	// HeapPeak is the largest growth of the Go heap (live and not yet
	// collected objects, runtime/metrics /memory/classes/heap/objects:bytes)
	// over its size after a GC at the start of the run, sampled every
	// heapSampleInterval.
	HeapPeak uint64
	// External and RSSPeak: the client ran in another process, whose peak
	// resident set was RSSPeak bytes.
	External bool
	RSSPeak  int64
	// Syscalls is what the client counted itself or, failing that, the
	// system calls of the whole process during the run (syscallCounter);
	// 0 when neither is known.
	Syscalls int64
}

// measure runs fn once and measures it. Each run starts from a collected
// heap so garbage left by the previous client is not charged to this one.
func measure(fn func() (Counts, error)) (Sample, error) {
	overhead := harnessMallocs()
	s, err := measureRaw(fn)
	s.Mallocs -= min(s.Mallocs, overhead)
	return s, err
}

func measureRaw(fn func() (Counts, error)) (Sample, error) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sc, _ := processSyscalls()
	sysBefore, sysErr := sc.Read()
	heap := startHeapSampler()
	start := time.Now()
	c, err := fn()
	wall := time.Since(start)
	peak := heap.stop()
	sysAfter, sysErr2 := sc.Read()
	runtime.ReadMemStats(&after)
	s := Sample{
		Time:     wall,
		Wall:     wall,
		Msgs:     c.Msgs,
		Mallocs:  after.Mallocs - before.Mallocs,
		HeapPeak: peak,
		External: c.External,
		RSSPeak:  c.PeakRSS,
		Syscalls: c.Syscalls,
	}
	if c.Syscalls == 0 && !c.External && sysErr == nil && sysErr2 == nil {
		// Clients that count their own calls are more precise; for the
		// others the process-wide count is the honest figure.
		s.Syscalls = sysAfter - sysBefore
	}
	return s, err
}

// processCPU is the user and system CPU time of the whole process so far.
func processCPU() time.Duration { return rusageCPU(unix.RUSAGE_SELF) }

// threadCPU is the CPU time of the calling OS thread so far; meaningful only
// under runtime.LockOSThread.
func threadCPU() time.Duration { return rusageCPU(unix.RUSAGE_THREAD) }

func rusageCPU(who int) time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
