//go:build linux

package syscall

import (
	"sync"
	"time"
)

// longAgo is a deadline that has always passed.
var longAgo = time.Unix(1, 0)

// readDeadline manages the descriptor's read deadline, which the poller
// keeps per descriptor, not per call.
//
// The only way to wake one goroutine blocked in the poller is to move that
// shared deadline into the past, which wakes every reader. So when a
// RecvContext's context ends, the deadline is moved into the past until that
// call has returned ("interrupted"), and a reader that wakes with a deadline
// error it was not owed retries once the interruption is over. The deadline
// the user set is remembered and restored.
type readDeadline struct {
	f interface{ SetReadDeadline(time.Time) error }

	mu   sync.Mutex
	user time.Time
	// interrupts counts calls whose context has ended and which have not yet
	// returned. While it is not zero the descriptor's deadline is longAgo.
	interrupts int
	// resumed is closed when interrupts drops back to zero.
	resumed chan struct{}
}

// set records and applies the deadline the user chose. During an
// interruption it takes effect when the interruption ends.
func (d *readDeadline) set(t time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.user = t
	if d.interrupts > 0 {
		return nil
	}
	return d.f.SetReadDeadline(t)
}

// interrupt wakes every blocked reader.
func (d *readDeadline) interrupt() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.interrupts == 0 {
		d.resumed = make(chan struct{})
	}
	d.interrupts++
	// An error means the socket is closed, which wakes everyone anyway.
	_ = d.f.SetReadDeadline(longAgo)
}

// resume ends one interruption; the last one restores the user's deadline.
func (d *readDeadline) resume() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.interrupts--
	if d.interrupts == 0 {
		_ = d.f.SetReadDeadline(d.user)
		close(d.resumed)
	}
}

// spurious is asked by a reader whose own context is live and which woke
// with a deadline error. It reports whether that error belonged to someone
// else: then the reader should wait for the returned channel (nil: no need
// to wait) and retry. It returns false when the user's deadline has passed.
func (d *readDeadline) spurious() (wait <-chan struct{}, retry bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.interrupts > 0 {
		return d.resumed, true
	}
	if !d.user.IsZero() && !time.Now().Before(d.user) {
		return nil, false
	}
	// An interruption ended between the wake-up and now. Re-arm the user's
	// deadline: if the poller had already marked it expired, retrying
	// without doing so would spin.
	_ = d.f.SetReadDeadline(d.user)
	return nil, true
}
