//go:build linux

package iouring

import (
	"context"
	"os"
	"runtime"

	"github.com/nlring/netlink/backend"
	"golang.org/x/sys/unix"
)

// Recv waits for the next datagram.
func (s *Socket) Recv() (backend.Datagram, error) { return s.RecvContext(context.Background()) }

// RecvContext is Recv that also returns ctx.Err() when ctx is done first.
func (s *Socket) RecvContext(ctx context.Context) (backend.Datagram, error) {
	s.mu.Lock()
	for {
		if s.closing {
			s.mu.Unlock()
			return backend.Datagram{}, errClosed
		}
		dl := s.rdl.Load()
		if dl.expired() {
			s.mu.Unlock()
			return backend.Datagram{}, os.ErrDeadlineExceeded
		}
		if err := ctx.Err(); err != nil {
			s.mu.Unlock()
			return backend.Datagram{}, err
		}
		if !s.poller {
			s.reapLocked()
		}
		if s.queue.len() > 0 && !s.armed && s.listening.Load() && !s.queue.errPending && s.overranLocked() {
			// While the receiver is stopped (the consumer holds its
			// buffers), events pile up in the socket and may overflow it.
			// The kernel would say so only to the next receive armed, after
			// every datagram already in hand: report it now, to this Recv,
			// as recvmsg on the socket would.
			s.queue.reportFirst(os.NewSyscallError("recvmsg", unix.ENOBUFS))
		}
		if s.queue.len() > 0 {
			r := s.queue.pop()
			s.mu.Unlock()
			return s.take(r)
		}
		if !s.poller {
			if r, ok := s.pollLocked(ctx); ok {
				s.mu.Unlock()
				return s.take(r)
			}
			continue
		}
		// Another Recv is the poller: wait for it to hand over.
		ch := s.notifyLocked()
		s.mu.Unlock()
		select {
		case <-ch:
		case <-dl.ch:
		case <-ctx.Done():
		case <-s.closed:
		}
		s.mu.Lock()
	}
}

// take turns a queued result into what Recv returns. A truncated datagram
// comes with its buffer, which goes straight back.
func (s *Socket) take(r result) (backend.Datagram, error) {
	if r.err == nil {
		return r.d, nil
	}
	if r.d.Ref != 0 {
		s.Release(r.d)
	}
	return backend.Datagram{}, r.err
}

// pollLocked makes the caller the poller until a result is ready (returned
// with ok) or Recv must stop for Close, its deadline or its context. It makes
// sure the receiver runs on the caller's thread, and waits on the ring.
// mu is held on entry and on return, released while waiting.
func (s *Socket) pollLocked(ctx context.Context) (r result, ok bool) {
	s.poller = true
	// The receiver's task work runs on the thread that armed it: arm and
	// wait on the same one.
	runtime.LockOSThread()
	tid := unix.Gettid()
	var stop func() bool
	for {
		s.reapLocked()
		if s.queue.len() > 0 {
			r, ok = s.queue.pop(), true
			break
		}
		if s.closing || s.rdl.Load().expired() || ctx.Err() != nil {
			break
		}
		if s.armed {
			if s.armedTid != tid && !s.cancelling {
				// Migrate: the old receiver stops taking datagrams at once;
				// its final completion comes from its thread, then this
				// thread arms a new one. Nothing is lost or reordered:
				// datagrams not taken wait in the socket.
				s.cancelRecvLocked()
				continue
			}
		} else if s.armLocked(tid) {
			continue // it may have completed inline
		}
		if stop == nil && ctx.Done() != nil {
			stop = context.AfterFunc(ctx, s.kick)
		}
		// Nobody else reads completions while we are the poller, so a
		// completion posted from now on (a datagram, a NOP from kick) is
		// still in the queue when io_uring_enter looks, and ends the wait.
		if err := s.sleepLocked(); err != nil {
			r, ok = result{err: err}, true
			break
		}
	}
	s.poller = false
	s.broadcastLocked()
	runtime.UnlockOSThread()
	if stop != nil {
		stop()
	}
	return r, ok
}

// sleepLocked waits in io_uring_enter for a completion, as the poller,
// with s.mu released meanwhile. While it sleeps, kickLocked can end the
// wait.
func (s *Socket) sleepLocked() error {
	s.sleeping = true
	s.mu.Unlock()
	err := s.ring.Wait(1)
	s.mu.Lock()
	s.sleeping, s.kicked = false, false
	return err
}

// kick wakes the poller, if it waits in io_uring_enter, to look at its
// deadline, context or Close again.
func (s *Socket) kick() {
	s.mu.Lock()
	s.kickLocked()
	s.mu.Unlock()
}

// kickLocked ends the poller's sleep, if it sleeps, with a NOP: it
// completes inline, and its completion ends the wait. One NOP in flight is
// enough.
func (s *Socket) kickLocked() {
	if !s.sleeping || s.kicked {
		return
	}
	sqe := s.ring.GetSQE()
	if sqe == nil {
		return
	}
	sqe.PrepNop()
	sqe.UserData = udNop
	s.kicked = true
	s.ring.Submit()
}

// notifyLocked returns the channel the poller closes when it leaves.
func (s *Socket) notifyLocked() chan struct{} {
	if s.notify == nil {
		s.notify = make(chan struct{})
	}
	return s.notify
}

// broadcastLocked wakes the Recv calls waiting for the poller.
func (s *Socket) broadcastLocked() {
	if s.notify != nil {
		close(s.notify)
		s.notify = nil
	}
}
