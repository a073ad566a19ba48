//go:build linux

package iouring

import (
	"os"

	"github.com/nlring/netlink/internal/nlsock"
	"github.com/nlring/netlink/internal/uring"
	"golang.org/x/sys/unix"
)

// The receiver: one multishot recvmsg that delivers datagrams into the
// buffer ring until it runs dry, is cancelled or fails, and the completions
// it posts. Everything here runs with Socket.mu held.

// armLocked submits the multishot receive from the calling thread, whose ID
// is tid, unless it runs already or cannot run: the socket is closing, its
// last failure was not yet taken by Recv, or no buffer is free. The caller
// keeps its goroutine locked to the thread. It reports whether it submitted.
func (s *Socket) armLocked(tid int) bool {
	if s.armed || s.closing || s.br == nil || (s.recvFailed && s.queue.errPending) || s.returned == s.consumed {
		return false
	}
	sqe := s.ring.GetSQE()
	if sqe == nil {
		return false
	}
	sqe.PrepRecvmsgMultishot(s.fd, &s.recvMsg, unix.MSG_TRUNC, s.br.Group())
	sqe.UserData = udRecv
	s.armed, s.armedTid, s.cancelling, s.recvFailed = true, tid, false, false
	// On failure the SQE stays queued and goes with the next submission.
	s.ring.Submit()
	return true
}

// cancelRecvLocked asks the kernel to stop the receiver. It takes no further
// datagram from then on; its final completion (-ECANCELED) is posted by the
// thread that armed it.
func (s *Socket) cancelRecvLocked() {
	sqe := s.ring.GetSQE()
	if sqe == nil {
		return
	}
	sqe.PrepCancel(udRecv)
	sqe.UserData = udCancel
	s.cancelling = true
	s.ring.Submit()
}

// reapLocked handles every CQE ready. Only the poller, or anyone while there
// is no poller, may call it.
func (s *Socket) reapLocked() {
	for {
		c, ok := s.ring.PeekCQE()
		if !ok {
			return
		}
		s.ring.CQESeen()
		if c.UserData == udRecv {
			s.completeRecvLocked(c)
		}
	}
}

// completeRecvLocked handles one completion of the receiver.
func (s *Socket) completeRecvLocked(c uring.CQE) {
	if !c.More() {
		s.armed, s.cancelling = false, false
	}
	d, buf, err := decodeRecv(c, &s.bufs)
	if buf >= 0 {
		s.consumed++
		s.out[buf] = true
		s.held++
		// A datagram, or one that did not fit: either way Recv gets it
		// with its buffer (and drops a truncated one).
		s.queue.push(result{d: d, err: err})
		return
	}
	switch {
	case err == unix.ENOBUFS:
		// The buffer ring ran dry (nothing lost: the datagram waits in the
		// socket) or the socket overran (datagrams lost). Only the socket's
		// drop counter tells which: the ring may have been refilled since
		// the kernel looked at it.
		if s.overranLocked() {
			s.queue.report(os.NewSyscallError("recvmsg", unix.ENOBUFS))
		} else {
			s.dryRuns.Add(1)
			if s.returned == s.consumed {
				// The consumer holds every buffer: give the kernel more.
				s.growLocked(s.bufs.count())
			}
		}
	case err == unix.ECANCELED:
		// Migrated, closing, or the thread that armed it exited: the next
		// Recv that waits arms it again.
	default:
		s.recvFailed = true
		s.queue.report(os.NewSyscallError("recvmsg", err))
	}
}

// overranLocked reports whether the socket dropped datagrams since it last
// looked, unless the user asked not to hear of it (NETLINK_NO_ENOBUFS).
func (s *Socket) overranLocked() bool {
	drops, err := s.readDrops()
	if err != nil || drops == s.drops {
		return false
	}
	s.drops = drops
	quiet, err := unix.GetsockoptInt(s.fd, unix.SOL_NETLINK, unix.NETLINK_NO_ENOBUFS)
	return err != nil || quiet == 0
}

// readDrops reads the socket's drop counter (SK_MEMINFO_DROPS).
func (s *Socket) readDrops() (uint32, error) {
	if err := nlsock.MemInfo(s.fd, &s.meminfo); err != nil {
		return 0, err
	}
	return s.meminfo[unix.SK_MEMINFO_DROPS], nil
}
