//go:build linux

package iouring

import (
	"sync/atomic"
	"time"
)

// Deadlines here are not the syscall backend's. That backend waits in the
// Go runtime's poller, which keeps a deadline per descriptor and enforces
// it; it only has to share that one deadline fairly between Recv and
// RecvContext calls. This backend waits in io_uring_enter, where no runtime
// timer reaches: it keeps its own deadlines, and a timer that fires wakes
// the poller with a NOP (kick). What the two share is the behaviour of
// package net, which backendtest checks on both.

// A deadline is one setting of a read or write deadline. Its channel is
// closed when it expires or when a newer setting replaces it, which wakes
// waiters so they look again.
type deadline struct {
	ch     chan struct{}
	at     time.Time // zero: none
	isOver bool      // set before ch is closed by expiry
	shut   bool      // ch closed; guarded by Socket.dlMu
	timer  *time.Timer
}

func newDeadline() *deadline { return &deadline{ch: make(chan struct{})} }

// expired reports whether the deadline has passed.
func (d *deadline) expired() bool {
	select {
	case <-d.ch:
		return d.isOver
	default:
		return false
	}
}

// setDeadline replaces the deadline p points to with one at t (zero: none),
// waking whoever waits on the old one, and arms a timer that closes the new
// one's channel and kicks the poller when t comes.
func (s *Socket) setDeadline(p *atomic.Pointer[deadline], t time.Time) {
	s.dlMu.Lock()
	d := newDeadline()
	d.at = t
	switch {
	case t.IsZero():
	case !t.After(time.Now()):
		d.isOver, d.shut = true, true
		close(d.ch)
	default:
		d.timer = time.AfterFunc(time.Until(t), func() {
			s.dlMu.Lock()
			fired := p.Load() == d && !d.shut
			if fired {
				d.isOver, d.shut = true, true
				close(d.ch)
			}
			s.dlMu.Unlock()
			if fired {
				s.kick()
			}
		})
	}
	old := p.Swap(d)
	if old.timer != nil {
		old.timer.Stop()
	}
	if !old.shut {
		old.shut = true
		close(old.ch)
	}
	s.dlMu.Unlock()
	// A poller waiting in io_uring_enter looks at the new deadline.
	s.kick()
}

// SetDeadline sets the read and write deadlines. Once the socket is closed
// it fails with an error wrapping net.ErrClosed, as the syscall backend's
// *os.File does.
func (s *Socket) SetDeadline(t time.Time) error {
	if s.isClosed.Load() {
		return errClosed
	}
	s.setDeadline(&s.rdl, t)
	s.setDeadline(&s.wdl, t)
	return nil
}

// SetReadDeadline sets the deadline for Recv.
func (s *Socket) SetReadDeadline(t time.Time) error {
	if s.isClosed.Load() {
		return errClosed
	}
	s.setDeadline(&s.rdl, t)
	return nil
}

// SetWriteDeadline sets the deadline for Send and RawConn writes.
func (s *Socket) SetWriteDeadline(t time.Time) error {
	if s.isClosed.Load() {
		return errClosed
	}
	s.setDeadline(&s.wdl, t)
	return nil
}
