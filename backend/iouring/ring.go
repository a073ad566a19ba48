package iouring

import (
	"errors"
	"os"
	"runtime"
	"unsafe"

	"github.com/nlring/netlink/internal/uring"
	"golang.org/x/sys/unix"
)

// loopState is the ring goroutine's own state; nothing else touches it.
type loopState struct {
	ring       *uring.Ring
	recvMsg    unix.Msghdr // template of the multishot recvmsg: only Namelen is set
	wakeBuf    [8]byte     // the eventfd read's destination
	recvArmed  bool
	wakeArmed  bool
	recvFailed bool   // the receive failed; re-arm once Recv took the error
	cancels    int    // cancellation requests in flight
	cancelled  bool   // the receive and the eventfd read were cancelled for Close
	drops      uint32 // the socket's drop counter (SK_MEMINFO_DROPS) when last read
	meminfo    [unix.SK_MEMINFO_VARS]uint32

	// What to hand to waiting goroutines at the end of the turn (see flush).
	finished []*request
	results  []result

	pending []*request // FIFO of requests not yet fully submitted
	slots   []*request // requests with SQEs in flight, by slot
	free    []int      // free slots
	inUse   int
}

// run is the ring goroutine. It sets the ring up on its locked thread,
// reports to Open through ready, serves until Close, then tears down.
func (s *Socket) run(ready chan<- error) {
	runtime.LockOSThread()
	// The thread goes back to the runtime only after the ring is closed;
	// nothing of the ring stays attached to it.
	defer runtime.UnlockOSThread()
	l := &s.loop

	ring, err := uring.New(sqEntries, cqEntries, 0)
	if err != nil {
		ready <- err
		return
	}
	br, err := ring.RegisterBufRing(0, numBuffers)
	if err != nil {
		ring.Close()
		ready <- err
		return
	}
	for i := range numBuffers {
		br.Add(s.bufs.buf(uint16(i)), uint16(i), i)
	}
	br.Advance(numBuffers)
	s.returned.Store(numBuffers)
	s.br, s.ring, l.ring = br, ring, ring
	l.recvMsg.Namelen = nameSize
	l.drops, _ = s.readDrops()
	ready <- nil

	s.failure = s.serve()

	s.bufMu.Lock()
	s.br.Unregister()
	s.br = nil
	if s.held == 0 {
		s.unmapLocked()
	}
	s.bufMu.Unlock()
	ring.Close()
	close(s.done)
}

// serve runs the ring until Close has been served, or it fails.
func (s *Socket) serve() error {
	l := &s.loop
	for {
		s.poked.Store(false)
		closing := s.takeQueue()
		if closing {
			s.shutdown()
			if l.inUse == 0 && !l.recvArmed && !l.wakeArmed && l.cancels == 0 {
				s.flush()
				return nil
			}
		} else {
			s.issueSends()
			s.armRecv()
			s.armWake()
		}

		// Block only when there is nothing to do. Setting sleeping before
		// looking at poked pairs with wake (see there).
		var wait uint32
		if l.ring.CQReady() == 0 {
			wait = 1
			s.sleeping.Store(true)
			if s.poked.Load() {
				wait = 0
			}
		}
		s.flush()
		_, err := l.ring.SubmitAndWait(wait)
		s.sleeping.Store(false)
		if err != nil && !errors.Is(err, unix.EBUSY) && !errors.Is(err, unix.EAGAIN) {
			// EBUSY and EAGAIN ask us to reap completions first.
			s.fail(err)
			s.flush()
			return err
		}
		s.reap()
	}
}

// takeQueue moves queued requests to pending and reports whether Close was
// called.
func (s *Socket) takeQueue() bool {
	l := &s.loop
	s.qmu.Lock()
	l.pending = append(l.pending, s.queue...)
	clear(s.queue)
	s.queue = s.queue[:0]
	closing := s.closing
	s.qmu.Unlock()
	return closing
}

// issueSends turns pending requests into SENDMSG SQEs, one per datagram,
// linked within a request. A request larger than the free SQ space goes in
// chunks; the next chunk is queued only after the previous one completed,
// so order and stop-at-first-failure hold across chunks too.
func (s *Socket) issueSends() {
	l := &s.loop
	for len(l.pending) > 0 {
		r := l.pending[0]
		if r.inflight > 0 {
			return
		}
		space := int(l.ring.SQSpace()) - sqReserved
		if space <= 0 {
			return
		}
		if r.slot < 0 {
			s.allocSlot(r)
		}
		n := min(space, len(r.msgs)-r.next)
		for i := range n {
			sqe := l.ring.GetSQE()
			sqe.PrepSendmsg(s.fd, &r.msgs[r.next+i], 0)
			sqe.UserData = udSendBase + uint64(r.slot)
			if i < n-1 {
				sqe.Flags |= uring.IOSQE_IO_LINK
			}
		}
		r.next += n
		r.inflight = n
		if r.next < len(r.msgs) {
			return
		}
		l.popPending()
	}
}

func (l *loopState) popPending() {
	l.pending[0] = nil
	l.pending = l.pending[:copy(l.pending, l.pending[1:])]
}

func (s *Socket) allocSlot(r *request) {
	l := &s.loop
	if n := len(l.free); n > 0 {
		r.slot = l.free[n-1]
		l.free = l.free[:n-1]
		l.slots[r.slot] = r
	} else {
		r.slot = len(l.slots)
		l.slots = append(l.slots, r)
	}
	l.inUse++
}

// finish frees r's slot and schedules it to go back to its caller.
func (s *Socket) finish(r *request) {
	l := &s.loop
	if r.slot >= 0 {
		l.slots[r.slot] = nil
		l.free = append(l.free, r.slot)
		l.inUse--
		r.slot = -1
	}
	l.finished = append(l.finished, r)
}

// flush wakes the goroutines waiting for finished requests and received
// datagrams. It runs just before io_uring_enter, not as completions are
// reaped: a goroutine readied from here goes to the front of this P's run
// queue, and another thread steals it at once only if this goroutine is
// already in a system call; while it still runs, the runtime makes the thief
// back off for a few microseconds, which timer slack turns into ~50 µs
// (measured: 25 µs → 70–125 µs per round trip with 5 µs of work between
// readying and blocking).
func (s *Socket) flush() {
	l := &s.loop
	for i, r := range l.finished {
		l.finished[i] = nil
		r.done <- struct{}{} // r may be reused from here on
	}
	l.finished = l.finished[:0]
	for i, r := range l.results {
		l.results[i] = result{}
		s.recvq <- r
	}
	l.results = l.results[:0]
}

// armRecv (re-)submits the multishot receive when it is not running. After
// the buffer ring ran dry it waits until refill says enough buffers are
// back; Release or Recv then wake the ring goroutine.
func (s *Socket) armRecv() {
	l := &s.loop
	if l.recvArmed || (l.recvFailed && s.errPending.Load()) {
		return
	}
	if !s.refill() {
		s.starved.Store(true)
		// Release and Recv change what refill sees, then check starved:
		// look again after setting it, so one side sees the other.
		if !s.refill() {
			return
		}
		s.starved.Store(false)
	}
	sqe := l.ring.GetSQE()
	sqe.PrepRecvmsgMultishot(s.fd, &l.recvMsg, unix.MSG_TRUNC, s.br.Group())
	sqe.UserData = udRecv
	l.recvArmed, l.recvFailed = true, false
}

// armWake keeps a read armed on the eventfd, so that wake can interrupt
// io_uring_enter.
func (s *Socket) armWake() {
	l := &s.loop
	if l.wakeArmed {
		return
	}
	sqe := l.ring.GetSQE()
	sqe.PrepRead(s.efd, l.wakeBuf[:])
	sqe.UserData = udWake
	l.wakeArmed = true
}

// shutdown serves Close: requests not yet started fail, and the receive and
// the eventfd read are cancelled. serve returns once everything in flight
// has completed, so no request outlives the memory it points to.
func (s *Socket) shutdown() {
	l := &s.loop
	for _, r := range l.pending {
		if r.err == nil {
			r.err = errClosed
		}
		if r.inflight == 0 {
			s.finish(r)
		}
		// A request with a chunk in flight finishes when it completes.
	}
	clear(l.pending)
	l.pending = l.pending[:0]
	if l.cancelled {
		return
	}
	l.cancelled = true
	if l.recvArmed {
		s.cancel(udRecv)
	}
	if l.wakeArmed {
		s.cancel(udWake)
	}
	s.starved.Store(false)
}

func (s *Socket) cancel(userData uint64) {
	sqe := s.loop.ring.GetSQE()
	sqe.PrepCancel(userData)
	sqe.UserData = udCancel
	s.loop.cancels++
}

// fail ends every request after the ring itself failed.
func (s *Socket) fail(err error) {
	l := &s.loop
	s.qmu.Lock()
	s.closing = true
	s.qmu.Unlock()
	s.takeQueue()
	for _, r := range l.pending {
		if r.slot < 0 {
			r.err = err
			s.finish(r)
		}
	}
	l.pending = l.pending[:0]
	for _, r := range l.slots {
		if r != nil {
			r.err = err
			s.finish(r)
		}
	}
}

// reap handles every CQE ready.
func (s *Socket) reap() {
	l := &s.loop
	for {
		c, ok := l.ring.PeekCQE()
		if !ok {
			return
		}
		l.ring.CQESeen()
		switch {
		case c.UserData == udRecv:
			s.completeRecv(c)
		case c.UserData == udWake:
			l.wakeArmed = false
		case c.UserData == udCancel:
			l.cancels--
		case c.UserData >= udSendBase:
			s.completeSend(c)
		}
	}
}

func (s *Socket) completeSend(c uring.CQE) {
	l := &s.loop
	r := l.slots[c.UserData-udSendBase]
	r.inflight--
	if c.Res >= 0 {
		r.sent++
	} else if errno := unix.Errno(-c.Res); r.err == nil || (errno != unix.ECANCELED && errors.Is(r.err, unix.ECANCELED)) {
		// Links cancel what follows a failed send: report the failure.
		r.err = os.NewSyscallError("sendmsg", errno)
	}
	if r.inflight > 0 || (r.err == nil && r.next < len(r.msgs)) {
		return
	}
	if len(l.pending) > 0 && l.pending[0] == r {
		l.popPending()
	}
	s.finish(r)
}

func (s *Socket) completeRecv(c uring.CQE) {
	l := &s.loop
	if !c.More() {
		l.recvArmed = false
	}
	d, buf, err := decodeRecv(c, &s.bufs)
	if buf >= 0 {
		s.consumed.Add(1)
		s.bufMu.Lock()
		s.out[buf] = true
		s.held++
		s.bufMu.Unlock()
		// A datagram, or one that did not fit: either way Recv gets it
		// with its buffer (and drops a truncated one).
		l.results = append(l.results, result{d: d, err: err})
		return
	}
	switch {
	case err == unix.ENOBUFS:
		// The buffer ring ran dry (nothing lost: the datagram waits in the
		// socket) or the socket overran (datagrams lost). Only the socket's
		// drop counter tells which: the ring may have been refilled since
		// the kernel looked at it.
		if s.overran() {
			s.report(os.NewSyscallError("recvmsg", unix.ENOBUFS))
		} else {
			s.dryRuns.Add(1)
		}
	case err == unix.ECANCELED && l.cancelled:
	default:
		l.recvFailed = true
		s.report(os.NewSyscallError("recvmsg", err))
	}
}

// report queues an error for Recv unless one is already waiting: errors are
// coalesced, which also bounds recvq.
func (s *Socket) report(err error) {
	if s.errPending.CompareAndSwap(false, true) {
		s.loop.results = append(s.loop.results, result{err: err})
	}
}

// overran reports whether the socket dropped datagrams since it last
// looked, unless the user asked not to hear of it (NETLINK_NO_ENOBUFS).
func (s *Socket) overran() bool {
	l := &s.loop
	drops, err := s.readDrops()
	if err != nil || drops == l.drops {
		return false
	}
	l.drops = drops
	quiet, err := unix.GetsockoptInt(s.fd, unix.SOL_NETLINK, unix.NETLINK_NO_ENOBUFS)
	return err != nil || quiet == 0
}

func (s *Socket) readDrops() (uint32, error) {
	l := &s.loop
	size := uint32(unsafe.Sizeof(l.meminfo))
	_, _, errno := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(s.fd), unix.SOL_SOCKET, unix.SO_MEMINFO,
		uintptr(unsafe.Pointer(&l.meminfo)), uintptr(unsafe.Pointer(&size)), 0)
	if errno != 0 {
		return 0, errno
	}
	return l.meminfo[unix.SK_MEMINFO_DROPS], nil
}
