//go:build linux

// Package iouring is nlring's io_uring backend.
//
// Each Socket owns one ring and no goroutine: the goroutines that call it
// drive the ring themselves.
//
// Receiving is one multishot RECVMSG (the receiver) that takes buffers from
// a ring-mapped provided buffer group: the kernel keeps delivering one
// datagram per CQE, through a whole dump, without further submissions.
// Receive buffers are Go memory, a few at first and more as the consumer
// holds them, so a slice a caller keeps never faults. Release puts a buffer
// straight back into the buffer ring.
//
// io_uring runs the deferred work of a request (here: each receive) on the
// OS thread that submitted it, as task work, when that thread next enters or
// leaves the kernel; a thread asleep is woken for it, a running one is
// interrupted. So the receiver is armed from the thread that waits for its
// datagrams, and re-armed (migrated) when a Recv that has to wait runs on
// another thread. A request/response round trip then costs one system call:
// Send is a plain sendto(2) (netlink handles the request inside it and
// queues the reply, which wakes the receiver), the receive runs as task work
// on the way out of that same call, and Recv finds the datagram in the
// completion queue without entering the kernel.
//
// A Recv with nothing to return waits in io_uring_enter on the ring itself
// (the poller; further concurrent Recv calls wait on a channel for it). Close,
// deadlines and contexts wake it by submitting a NOP, whose completion ends
// the wait; Close cancels the receiver and waits for its final completion
// before the buffers can go.
//
// Sends do not use the ring at all: sendto(2) and sendmmsg(2) deliver to the
// kernel synchronously, in order, and stop at the first failure, which is
// everything Send and SendBatch promise, in one system call each.
//
// An open Socket costs three descriptors (socket, ring, an eventfd that
// wakes RawConn waiters at Close) and numBuffers receive buffers.
package iouring

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/nlsock"
	"github.com/nlring/netlink/internal/uring"
	"golang.org/x/sys/unix"
)

// numBuffers is how many receive buffers a socket may have. A dump datagram
// is at most 32 KiB, so 128 of them hold 4 MiB, twenty times what the
// default socket receive buffer (208 KiB) queues: room for the kernel to
// keep building a dump while the consumer parses what it already has. When
// the consumer falls that far behind, the multishot receive ends (nothing is
// lost: datagrams wait in the socket) and restarts once half the buffers
// are back, so a dump of P datagrams costs about P/64 io_uring_enter calls.
//
// A socket starts with initialBuffers and doubles them each time its
// receiver runs out, so a socket that serves requests and events holds a
// few buffers, and one that serves large dumps grows to numBuffers.
const (
	numBuffers     = 128
	initialBuffers = 4
)

// Ring sizes. Only the receiver, its cancellation and wake-up NOPs go
// through the SQ, one at a time. The CQ holds a completion for every receive
// buffer with room to spare (and the kernel does not drop CQEs when it is
// full anyway: IORING_FEAT_NODROP).
const (
	sqEntries = 8
	cqEntries = 512
)

// User data of the ring's requests.
const (
	udRecv = iota + 1
	udCancel
	udNop
)

var (
	errClosed = fmt.Errorf("nlring iouring: %w", net.ErrClosed)

	// wakeValue is what Close writes to the eventfd: a host-endian uint64 1.
	wakeValue = func() (b [8]byte) { binary.NativeEndian.PutUint64(b[:], 1); return b }()
)

// Socket is a netlink socket served by an io_uring ring.
type Socket struct {
	pid  uint32
	fd   int // the socket; the number stays valid until fdOpen is false
	efd  int // eventfd written at Close, read by nobody: wakes RawConn waiters
	ring *uring.Ring

	closed   chan struct{} // closed when Close starts
	done     chan struct{} // closed when Close has finished
	isClosed atomic.Bool
	// listening is set once the socket is in a multicast group: only
	// then can it overflow with nobody reading, so only then does Recv
	// look at the drop counter (see RecvContext).
	listening atomic.Bool

	// fdMu keeps fd and efd open while Send, RawConn and socket options use
	// them.
	fdMu   sync.RWMutex
	fdOpen bool

	// mu guards the ring's queues and everything below.
	mu      sync.Mutex
	closing bool
	torn    bool // the ring is closed

	// The receiver.
	recvMsg    unix.Msghdr // template of the multishot recvmsg: only Namelen is set
	armed      bool        // the multishot receive is in flight
	armedTid   int         // the thread that armed it, which runs its task work
	cancelling bool        // a cancellation of the receiver is in flight
	recvFailed bool        // it failed; re-arm once Recv took the error
	drops      uint32      // the socket's drop counter (SK_MEMINFO_DROPS) when last read
	meminfo    [unix.SK_MEMINFO_VARS]uint32
	dryRuns    atomic.Uint64 // times the buffer ring ran dry (tests look)
	orphaned   atomic.Uint64 // times the kernel ended the receiver: its thread exited (tests look)

	// The poller: the one goroutine allowed to block in io_uring_enter and
	// to read completions while it is active. Other Recv calls wait on
	// notify, which the poller closes when it leaves.
	poller   bool
	sleeping bool // the poller is in (or on its way into) io_uring_enter
	kicked   bool // a NOP to wake it is in flight
	notify   chan struct{}

	// Received datagrams and errors, oldest first. Every element but one
	// error holds a buffer, so numBuffers+1 never overflows.
	res        [numBuffers + 1]result
	resHead    int
	resLen     int
	errPending bool // an error without a buffer is queued

	// Buffers.
	bufs     buffers
	br       *uring.BufRing // nil once the ring is gone
	out      [numBuffers]bool
	held     int
	returned uint32 // buffers ever put into the buffer ring
	consumed uint32 // buffers the kernel ever took from it

	dlMu     sync.Mutex
	rdl, wdl atomic.Pointer[deadline]
}

// result is one received datagram or error.
type result struct {
	d   backend.Datagram
	err error
}

// Open opens a netlink socket served by a new io_uring ring.
func Open(cfg backend.Config) (backend.Socket, error) {
	if err := Supported(); err != nil {
		return nil, err
	}
	return open(cfg)
}

func open(cfg backend.Config) (*Socket, error) {
	fd, pid, err := nlsock.Open(nlsock.Options{Family: cfg.Family, Groups: cfg.Groups, PID: cfg.PID, NetNS: cfg.NetNS, NonBlock: true})
	if err != nil {
		return nil, err
	}
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(fd)
		return nil, &SetupError{os.NewSyscallError("eventfd", err)}
	}
	fail := func(err error) (*Socket, error) {
		unix.Close(efd)
		unix.Close(fd)
		return nil, err
	}
	ring, err := uring.New(sqEntries, cqEntries, 0)
	if errors.Is(err, unix.EPERM) {
		forgetSupport()
		return fail(&UnsupportedError{disabledReason(), unix.EPERM})
	}
	if err != nil {
		return fail(&SetupError{err})
	}
	br, err := ring.RegisterBufRing(0, numBuffers)
	if err != nil {
		ring.Close()
		return fail(&SetupError{err})
	}
	s := &Socket{
		pid:    pid,
		fd:     fd,
		efd:    efd,
		ring:   ring,
		fdOpen: true,
		closed: make(chan struct{}),
		done:   make(chan struct{}),
		bufs:   buffers{size: payloadSize(cfg)},
		br:     br,
	}
	s.growLocked(initialBuffers)
	s.listening.Store(cfg.Groups != 0)
	s.recvMsg.Namelen = nameSize
	s.drops, _ = s.readDrops()
	s.rdl.Store(newDeadline())
	s.wdl.Store(newDeadline())

	// Start receiving at once, so datagrams that arrive before the first
	// Recv (events) flow into the buffers rather than wait in the socket.
	runtime.LockOSThread()
	s.mu.Lock()
	s.armLocked(unix.Gettid())
	s.mu.Unlock()
	runtime.UnlockOSThread()
	return s, nil
}

// Kind returns backend.IOUring.
func (s *Socket) Kind() backend.Kind { return backend.IOUring }

// PID returns the port ID the socket is bound to.
func (s *Socket) PID() uint32 { return s.pid }

// Enters returns how many io_uring_enter calls the socket's ring has made.
func (s *Socket) Enters() uint64 { return s.ring.Enters() }

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
		if s.resLen > 0 && !s.armed && s.listening.Load() && !s.errPending && s.overranLocked() {
			// While the receiver is stopped (the consumer holds its
			// buffers), events pile up in the socket and may overflow it.
			// The kernel would say so only to the next receive armed, after
			// every datagram already in hand: report it now, to this Recv,
			// as recvmsg on the socket would.
			s.reportFirstLocked(os.NewSyscallError("recvmsg", unix.ENOBUFS))
		}
		if s.resLen > 0 {
			r := s.popLocked()
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
		if s.resLen > 0 {
			r, ok = s.popLocked(), true
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

// kick wakes the poller, if it waits in io_uring_enter, to look at its
// deadline, context or Close again.
func (s *Socket) kick() {
	s.mu.Lock()
	s.kickLocked()
	s.mu.Unlock()
}

func (s *Socket) take(r result) (backend.Datagram, error) {
	if r.err == nil {
		return r.d, nil
	}
	if r.d.Ref != 0 {
		s.Release(r.d) // a truncated datagram: drop it
	}
	return backend.Datagram{}, r.err
}

func (s *Socket) pushLocked(r result) {
	s.res[(s.resHead+s.resLen)%len(s.res)] = r
	s.resLen++
}

// overrunFirstLocked moves a queued overrun ahead of the datagrams queued
// before it. They arrived before the loss, but the syscall backend reports
// an overrun to the next recvmsg, ahead of whatever the socket still holds,
// and so must this one: a program learns of the loss at the next receive,
// not some datagrams later on an unrelated request.
func (s *Socket) overrunFirstLocked() {
	n := len(s.res)
	for i := range s.resLen {
		r := s.res[(s.resHead+i)%n]
		if r.d.Ref != 0 || r.err == nil {
			continue
		}
		if !errors.Is(r.err, unix.ENOBUFS) {
			return
		}
		for j := i; j > 0; j-- {
			s.res[(s.resHead+j)%n] = s.res[(s.resHead+j-1)%n]
		}
		s.res[s.resHead] = r
		return
	}
}

// reportFirstLocked queues err ahead of every datagram held; the caller
// made sure no error is queued already.
func (s *Socket) reportFirstLocked(err error) {
	s.errPending = true
	s.resHead = (s.resHead + len(s.res) - 1) % len(s.res)
	s.res[s.resHead] = result{err: err}
	s.resLen++
}

func (s *Socket) popLocked() result {
	if s.errPending {
		s.overrunFirstLocked()
	}
	r := s.res[s.resHead]
	s.res[s.resHead] = result{}
	s.resHead = (s.resHead + 1) % len(s.res)
	s.resLen--
	if r.err != nil && r.d.Ref == 0 {
		s.errPending = false
	}
	return r
}

// Release returns d's buffer to the buffer ring, where the kernel can use it
// at once. Releasing a datagram twice, or a zero Datagram, does nothing.
func (s *Socket) Release(d backend.Datagram) {
	id := d.Ref - 1
	if id < 0 || id >= numBuffers {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.out[id] {
		return
	}
	s.out[id] = false
	s.held--
	if s.br == nil {
		return
	}
	s.br.Add(s.bufs.buf(uint16(id)), uint16(id), 0)
	s.br.Advance(1)
	s.returned++
	// A receive that ran out of buffers starts again once enough are back,
	// or at once for a waiting Recv, from this thread: the consumer's.
	if !s.armed && (int(s.returned-s.consumed) >= s.bufs.count()/2 || s.poller) {
		runtime.LockOSThread()
		s.armLocked(unix.Gettid())
		runtime.UnlockOSThread()
	}
}

// growLocked adds up to n receive buffers and hands them to the kernel.
func (s *Socket) growLocked(n int) {
	first, added := s.bufs.grow(n)
	for i := range added {
		id := uint16(first + i)
		s.br.Add(s.bufs.buf(id), id, i)
	}
	s.br.Advance(added)
	s.returned += uint32(added)
}

// payloadSize is the largest datagram a buffer takes: the configured
// size, or by default the kernel's largest dump datagram. Unlike the syscall
// backend's, io_uring buffers have no room to spill into, so a larger
// datagram is reported truncated unless Config.BufferSize makes room.
func payloadSize(cfg backend.Config) int {
	if cfg.BufferSize > 0 {
		return cfg.BufferSize
	}
	return backend.MinBufferSize
}

// abandoned keeps the buffers of rings that could not be torn down
// cleanly: the kernel might still write into them, so the garbage
// collector must never reuse their memory.
var (
	abandonedMu sync.Mutex
	abandoned   [][][]byte
)

// Close cancels the receiver, closes the ring and the socket, and unblocks
// pending calls. The socket lets go of its receive buffers once the kernel
// can no longer write to them; datagrams still held stay readable.
func (s *Socket) Close() error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		<-s.done
		return errClosed
	}
	s.closing = true
	s.isClosed.Store(true)
	close(s.closed)
	if s.armed && !s.cancelling {
		s.cancelRecvLocked()
	}
	s.kickLocked()
	// Wait, as the poller, for the receiver's final completion: until then
	// the kernel may write into the buffers.
	for s.armed || s.poller {
		if s.poller {
			ch := s.notifyLocked()
			s.mu.Unlock()
			<-ch
			s.mu.Lock()
			continue
		}
		s.poller = true
		s.reapLocked()
		if s.armed {
			if !s.cancelling {
				s.cancelRecvLocked()
			}
			if err := s.sleepLocked(); err != nil {
				// The ring is broken; closing it cancels everything, but
				// not provably before the kernel's last write.
				s.armed = false
				abandonedMu.Lock()
				abandoned = append(abandoned, s.bufs.bufs)
				abandonedMu.Unlock()
			}
		}
		s.poller = false
	}
	s.broadcastLocked()
	// Datagrams nobody received go back.
	for s.resLen > 0 {
		r := s.popLocked()
		if id := r.d.Ref - 1; id >= 0 && s.out[id] {
			s.out[id] = false
			s.held--
		}
	}
	s.br.Unregister()
	s.br = nil
	s.ring.Close()
	s.torn = true
	s.bufs.bufs = nil // datagrams still held keep their own buffers alive
	s.mu.Unlock()

	unix.Write(s.efd, wakeValue[:]) // RawConn waiters
	s.fdMu.Lock()
	err := unix.Close(s.fd)
	unix.Close(s.efd)
	s.fdOpen = false
	s.fdMu.Unlock()
	close(s.done)
	if err != nil {
		return os.NewSyscallError("close", err)
	}
	return nil
}

// control runs f on the socket's descriptor, keeping it open meanwhile.
func (s *Socket) control(f func(fd int) error) error {
	s.fdMu.RLock()
	defer s.fdMu.RUnlock()
	if !s.fdOpen || s.isClosed.Load() {
		return errClosed
	}
	return f(s.fd)
}

// JoinGroup joins a multicast group.
func (s *Socket) JoinGroup(group uint32) error {
	err := s.SetSockoptInt(unix.SOL_NETLINK, unix.NETLINK_ADD_MEMBERSHIP, int(group))
	if err == nil {
		s.listening.Store(true)
	}
	return err
}

// LeaveGroup leaves a multicast group.
func (s *Socket) LeaveGroup(group uint32) error {
	return s.SetSockoptInt(unix.SOL_NETLINK, unix.NETLINK_DROP_MEMBERSHIP, int(group))
}

// SetSockoptInt sets an integer socket option.
func (s *Socket) SetSockoptInt(level, opt, value int) error {
	return s.control(func(fd int) error {
		return os.NewSyscallError("setsockopt", unix.SetsockoptInt(fd, level, opt, value))
	})
}

// GetSockoptInt gets an integer socket option.
func (s *Socket) GetSockoptInt(level, opt int) (int, error) {
	var v int
	err := s.control(func(fd int) error {
		var err error
		v, err = unix.GetsockoptInt(fd, level, opt)
		return os.NewSyscallError("getsockopt", err)
	})
	return v, err
}

// Deadlines.

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

// SetWriteDeadline sets the deadline for Send and SendBatch.
func (s *Socket) SetWriteDeadline(t time.Time) error {
	if s.isClosed.Load() {
		return errClosed
	}
	s.setDeadline(&s.wdl, t)
	return nil
}

var _ backend.Socket = (*Socket)(nil)

// Sending.

// Send sends b to the kernel as one datagram, with one sendto(2). The kernel
// handles the request inside the call; a write deadline is checked once, up
// front.
func (s *Socket) Send(b []byte) error {
	if s.wdl.Load().expired() {
		return os.ErrDeadlineExceeded
	}
	return s.write("sendto", func(fd uintptr) unix.Errno { return nlsock.SendTo(fd, b) })
}

// batches are reused for SendBatch.
var batches = sync.Pool{New: func() any { return new(nlsock.Batch) }}

// SendBatch sends each element of bufs as its own datagram, in order, with
// one sendmmsg(2) per 1024 (UIO_MAXIOV) of them. The kernel handles each
// before the next and stops at the first failure. It returns how many were
// sent.
func (s *Socket) SendBatch(bufs [][]byte) (int, error) {
	if len(bufs) == 0 {
		return 0, nil
	}
	if s.wdl.Load().expired() {
		return 0, os.ErrDeadlineExceeded
	}
	b := batches.Get().(*nlsock.Batch)
	b.Prepare(bufs)
	err := s.write("sendmmsg", b.Send)
	sent := b.Sent
	b.Reset()
	batches.Put(b)
	return sent, err
}

// write calls try until it succeeds or fails for good, waiting for the
// socket to take more on EAGAIN (which only a user-space destination
// causes: the kernel's end never fills).
func (s *Socket) write(op string, try func(fd uintptr) unix.Errno) error {
	s.fdMu.RLock()
	defer s.fdMu.RUnlock()
	if !s.fdOpen || s.isClosed.Load() {
		return errClosed
	}
	for {
		switch errno := try(uintptr(s.fd)); errno {
		case 0:
			return nil
		case unix.EAGAIN:
			if err := s.waitFd(unix.POLLOUT, &s.wdl); err != nil {
				return err
			}
		default:
			return os.NewSyscallError(op, errno)
		}
	}
}

// Raw access.

// SyscallConn returns raw access to the socket's descriptor. The descriptor
// is non-blocking. Reading it through RawConn.Read takes datagrams the
// receiver would otherwise have delivered to Recv, in no defined order with
// them.
func (s *Socket) SyscallConn() (syscall.RawConn, error) { return rawConn{s}, nil }

type rawConn struct{ s *Socket }

func (c rawConn) Control(f func(fd uintptr)) error {
	return c.s.control(func(fd int) error { f(uintptr(fd)); return nil })
}

// Read calls f until it returns true, waiting for the socket to be readable
// in between. It returns early when the socket is closed or the read
// deadline passes.
func (c rawConn) Read(f func(fd uintptr) bool) error { return c.s.rawIO(f, unix.POLLIN, &c.s.rdl) }

// Write is Read for writing, under the write deadline.
func (c rawConn) Write(f func(fd uintptr) bool) error { return c.s.rawIO(f, unix.POLLOUT, &c.s.wdl) }

func (s *Socket) rawIO(f func(fd uintptr) bool, events int16, dl *atomic.Pointer[deadline]) error {
	s.fdMu.RLock()
	defer s.fdMu.RUnlock()
	for {
		if !s.fdOpen || s.isClosed.Load() {
			return errClosed
		}
		if dl.Load().expired() {
			return os.ErrDeadlineExceeded
		}
		if f(uintptr(s.fd)) {
			return nil
		}
		if err := s.pollFd(events, dl); err != nil {
			return err
		}
	}
}

// waitFd waits until the socket is ready for events, with fdMu read-held by
// the caller.
func (s *Socket) waitFd(events int16, dl *atomic.Pointer[deadline]) error {
	if s.isClosed.Load() {
		return errClosed
	}
	if dl.Load().expired() {
		return os.ErrDeadlineExceeded
	}
	return s.pollFd(events, dl)
}

// maxPollWait bounds one poll(2) so that a deadline moved while it waits is
// noticed; Close wakes it at once through the eventfd.
const maxPollWait = 50 * time.Millisecond

// pollFd waits in poll(2) until the socket is ready for events, Close writes
// the eventfd, the deadline passes or maxPollWait elapses. fdMu is read-held
// by the caller, so Close cannot close either descriptor meanwhile.
func (s *Socket) pollFd(events int16, dl *atomic.Pointer[deadline]) error {
	wait := maxPollWait
	if at := dl.Load().at; !at.IsZero() {
		wait = min(wait, time.Until(at))
	}
	ms := int((wait + time.Millisecond - 1) / time.Millisecond)
	fds := [2]unix.PollFd{{Fd: int32(s.fd), Events: events}, {Fd: int32(s.efd), Events: unix.POLLIN}}
	_, err := unix.Poll(fds[:], max(ms, 0))
	if err != nil && err != unix.EINTR {
		return os.NewSyscallError("poll", err)
	}
	return nil
}
