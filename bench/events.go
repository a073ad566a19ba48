package bench

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// eventQuiet is how long a subscription waits for one more event before it
// concludes the rest were lost. The installer sends without pause, so a gap
// this long means the burst is over.
const eventQuiet = 250 * time.Millisecond

// runEvents subscribes c to route events, has the batched raw installer add
// the event route set as fast as the kernel takes it, and counts what c
// receives. The installer runs on a thread of its own whose CPU time is
// subtracted from the process's, so Sample.Time is the receiver's CPU:
// the client's goroutines, and the runtime work they cause.
func runEvents(env *Env, c RouteEventSubscriber) (Sample, error) {
	set := env.eventRoutes()
	sub, err := c.SubscribeRouteEvents()
	if err != nil {
		return Sample{}, err
	}
	var (
		receiverCPU time.Duration
		own         int64 // system calls the client counted itself
	)
	s, err := measure(func() (Counts, error) {
		start := processCPU()
		done := make(chan burstResult, 1)
		go func() { done <- burst(env, set) }()
		counts, err := sub.Receive(len(set.Prefixes), eventQuiet)
		b := <-done
		receiverCPU = processCPU() - start - b.cpu
		own = counts.Syscalls
		return counts, errors.Join(err, b.err)
	})
	s.Time, s.Want = receiverCPU, len(set.Prefixes)
	if own == 0 {
		// The installer runs in this process: a process-wide count would
		// charge its system calls to the receiver.
		s.Syscalls = 0
	}
	err = errors.Join(err, sub.Close())
	if err != nil {
		return s, errors.Join(err, env.flushInstallTable())
	}
	if s.Msgs > s.Want {
		return s, fmt.Errorf("received %d events for %d routes", s.Msgs, s.Want)
	}
	if err := env.deleteRoutes(set); err != nil {
		return s, errors.Join(fmt.Errorf("deleting event routes: %w", err), env.flushInstallTable())
	}
	return s, nil
}

// endOfEvents decides, after one receive of an event loop, whether the
// loop ends and with what error. An overrun (ENOBUFS) goes on: the lost
// events show in the count. The quiet watch ends a loop by moving the read
// deadline, which is no error.
func endOfEvents(err error) (stop bool, _ error) {
	switch {
	case err == nil, errors.Is(err, unix.ENOBUFS):
		return false, nil
	case errors.Is(err, os.ErrDeadlineExceeded):
		return true, nil
	}
	return true, err
}

type burstResult struct {
	cpu time.Duration
	err error
}

// burst adds set with the batched raw writer on a locked thread and reports
// that thread's CPU time. The kernel delivers multicast copies in the
// sender's context, so that cost lands on the installer, not the receiver.
func burst(env *Env, set *routeSet) burstResult {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := threadCPU()
	_, err := env.writer.writeBatched(unix.RTM_NEWROUTE, addFlags, set.Bodies, set.batchBuffer())
	return burstResult{cpu: threadCPU() - start, err: err}
}
