// Package iouring is nlring's io_uring backend.
//
// Each Socket owns one ring, driven by one goroutine locked to its OS thread
// (the ring goroutine): io_uring runs the deferred work of a request on the
// thread that submitted it, and a ring touched from migrating goroutines
// measured 1.6–2.7× slower round trips than one owned by a single thread.
// The ring goroutine is the only code that touches SQEs and CQEs. It blocks
// in io_uring_enter; callers hand it work through a mutex-guarded queue and
// wake it by writing to an eventfd that it always has a read armed on.
//
// Receiving is one multishot RECVMSG that takes buffers from a ring-mapped
// provided buffer group: the kernel keeps delivering one datagram per CQE,
// through a whole dump, without further submissions. Receive buffers are
// mapped outside the Go heap, so reserving a large buffer costs address
// space, not memory, and the garbage collector never scans them. Recv
// callers wait on a channel the ring goroutine fills; Release puts a buffer
// straight back into the buffer ring from the releasing goroutine.
//
// An open Socket costs one OS thread (parked in io_uring_enter while idle),
// three descriptors (socket, ring, eventfd) and numBuffers receive buffers.
// A request/response round trip crosses threads twice (caller to ring
// goroutine, and back), which is what it costs over a plain blocking
// sendmsg+recvmsg; dumps and event streams are where the ring pays off.
package iouring

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/nlsock"
	"github.com/nlring/netlink/internal/uring"
	"golang.org/x/sys/unix"
)

// numBuffers is how many receive buffers a socket has. A dump datagram is at
// most 32 KiB, so 128 of them hold 4 MiB, twenty times what the default
// socket receive buffer (208 KiB) queues: room for the kernel to keep
// building a dump while the consumer parses what it already has. When the
// consumer falls that far behind, the multishot receive ends (nothing is
// lost: datagrams wait in the socket) and restarts once refillBuffers are
// back, so a dump of P datagrams costs at most about P/64 extra
// io_uring_enter calls: a 1M-route dump (1,600 datagrams) measured 28 enters
// in all with 128 buffers, 60 with 64. Each buffer reserves
// Config.BufferSize of address space (128 MiB in all by default, mapped
// MAP_NORESERVE); only the pages datagrams fill become resident, at most
// 4 MiB once the socket has served dumps, 512 KiB for a socket that only
// receives small events.
const numBuffers = 128

// refillBuffers is how many buffers must be back before a receive that ran
// out of them starts again, unless a Recv is waiting (see refill). On a 1M
// route dump with 64 buffers and a consumer slower than the kernel,
// re-arming at the first returned buffer took 110 io_uring_enter calls, at a
// quarter of the ring 70, at half 60.
const refillBuffers = numBuffers / 2

// Ring sizes. A SendBatch longer than the SQ goes out in SQ-sized linked
// chunks; the CQ holds a full SQ of send completions plus a completion for
// every receive buffer with room to spare (and the kernel does not drop CQEs
// when it is full anyway: IORING_FEAT_NODROP).
const (
	sqEntries  = 256
	cqEntries  = 1024
	sqReserved = 4 // kept free for the receive, the eventfd read and their cancellations
)

// User data of the ring's requests. Sends carry sendBase plus the slot of
// their request.
const (
	udRecv = iota + 1
	udWake
	udCancel
	udSendBase = 1 << 32
)

var (
	errClosed = fmt.Errorf("nlring iouring: %w", net.ErrClosed)

	// kernelAddr is the destination of every Send: the kernel (port 0).
	kernelAddr = unix.RawSockaddrNetlink{Family: unix.AF_NETLINK}

	// wakeValue is what wake writes to the eventfd: a host-endian uint64 1.
	wakeValue = func() (b [8]byte) { binary.NativeEndian.PutUint64(b[:], 1); return b }()
)

// Socket is a netlink socket served by an io_uring ring.
type Socket struct {
	pid     uint32
	bufs    buffers
	ring    *uring.Ring // set before Open returns; only Enters is used outside the ring goroutine
	closed  chan struct{}
	done    chan struct{} // closed when the ring goroutine has exited
	failure error         // why the ring goroutine stopped if not Close; read after done

	// fdMu keeps fd and efd open while other goroutines use them.
	fdMu sync.RWMutex
	fd   int
	efd  int

	// Handoff to the ring goroutine.
	qmu      sync.Mutex
	queue    []*request
	closing  bool
	poked    atomic.Bool // new work since the ring goroutine last looked
	sleeping atomic.Bool // the ring goroutine is (about to be) blocked in io_uring_enter

	// Received datagrams and errors, filled by the ring goroutine. Every
	// element but one error holds a buffer, so numBuffers+1 never blocks.
	recvq      chan result
	errPending atomic.Bool // an error without a buffer is queued or being returned

	// Buffers: bufMu serializes buffer ring updates and the accounting that
	// decides when the mapping can go.
	bufMu    sync.Mutex
	br       *uring.BufRing // nil once the ring is gone
	out      [numBuffers]bool
	held     int
	returned atomic.Uint32 // buffers ever put into the buffer ring
	consumed atomic.Uint32 // buffers the kernel ever took from it
	starved  atomic.Bool   // the receive waits for buffers to come back
	waiters  atomic.Int32  // Recv calls blocked on an empty recvq
	dryRuns  atomic.Uint64 // times the buffer ring ran dry (tests look)

	closeOnce sync.Once
	dlMu      sync.Mutex
	rdl, wdl  atomic.Pointer[deadline]

	loop loopState // ring goroutine only
}

// result is one element of recvq.
type result struct {
	d   backend.Datagram
	err error
}

// A request is one Send or SendBatch on its way through the ring.
type request struct {
	bufs [][]byte // the caller's datagrams, kept reachable until sent
	iovs []unix.Iovec
	msgs []unix.Msghdr
	done chan struct{}

	// Ring goroutine state.
	slot     int
	next     int // first datagram not yet submitted
	inflight int
	sent     int
	err      error
}

var requests = sync.Pool{New: func() any { return &request{done: make(chan struct{}, 1)} }}

// Open opens a netlink socket served by a new io_uring ring.
func Open(cfg backend.Config) (backend.Socket, error) {
	if err := Supported(); err != nil {
		return nil, err
	}
	return open(cfg)
}

func open(cfg backend.Config) (*Socket, error) {
	fd, pid, err := nlsock.Open(nlsock.Options{Family: cfg.Family, Groups: cfg.Groups, PID: cfg.PID, NetNS: cfg.NetNS})
	if err != nil {
		return nil, err
	}
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("eventfd", err)
	}
	size := cfg.BufferSizeOrDefault()
	pagesize := os.Getpagesize()
	stride := (headerSize + size + pagesize - 1) &^ (pagesize - 1)
	mem, err := unix.Mmap(-1, 0, numBuffers*stride, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
	if err != nil {
		unix.Close(efd)
		unix.Close(fd)
		return nil, os.NewSyscallError("mmap", err)
	}
	s := &Socket{
		pid:    pid,
		bufs:   buffers{mem: mem, stride: stride, size: size},
		fd:     fd,
		efd:    efd,
		closed: make(chan struct{}),
		done:   make(chan struct{}),
		recvq:  make(chan result, numBuffers+1),
	}
	s.rdl.Store(newDeadline())
	s.wdl.Store(newDeadline())
	ready := make(chan error)
	go s.run(ready)
	if err := <-ready; err != nil {
		unix.Munmap(mem)
		unix.Close(efd)
		unix.Close(fd)
		return nil, err
	}
	return s, nil
}

// Kind returns backend.IOUring.
func (s *Socket) Kind() backend.Kind { return backend.IOUring }

// PID returns the port ID the socket is bound to.
func (s *Socket) PID() uint32 { return s.pid }

// Enters returns how many io_uring_enter calls the socket's ring has made.
func (s *Socket) Enters() uint64 { return s.ring.Enters() }

// Send sends b to the kernel as one datagram.
func (s *Socket) Send(b []byte) error {
	r := newRequest(1)
	r.set(0, b)
	_, err := s.submit(r)
	return err
}

// SendBatch sends each element of bufs as its own datagram, in order, with
// one io_uring_enter for up to 252 of them. The SQEs are linked: the kernel
// starts each sendmsg only after the previous one succeeded (netlink
// processes a request inside sendmsg, so this is also the order the kernel
// sees them), and the first failure cancels the rest. It returns how many
// were sent.
func (s *Socket) SendBatch(bufs [][]byte) (int, error) {
	if len(bufs) == 0 {
		return 0, nil
	}
	r := newRequest(len(bufs))
	for i, b := range bufs {
		r.set(i, b)
	}
	return s.submit(r)
}

func newRequest(n int) *request {
	r := requests.Get().(*request)
	if cap(r.msgs) < n {
		r.bufs = make([][]byte, n)
		r.iovs = make([]unix.Iovec, n)
		r.msgs = make([]unix.Msghdr, n)
	}
	r.bufs, r.iovs, r.msgs = r.bufs[:n], r.iovs[:n], r.msgs[:n]
	r.slot, r.next, r.inflight, r.sent, r.err = -1, 0, 0, 0, nil
	return r
}

func (r *request) set(i int, b []byte) {
	r.bufs[i] = b
	r.iovs[i] = unix.Iovec{}
	if len(b) > 0 {
		r.iovs[i].Base = &b[0]
		r.iovs[i].SetLen(len(b))
	}
	r.msgs[i] = unix.Msghdr{
		Name:    (*byte)(unsafe.Pointer(&kernelAddr)),
		Namelen: unix.SizeofSockaddrNetlink,
		Iov:     &r.iovs[i],
	}
	r.msgs[i].SetIovlen(1)
}

// submit hands r to the ring goroutine and waits until all of it completed.
// Sends to the kernel do not block (netlink handles the request inside
// sendmsg), so the wait is for the ring goroutine's next turn: a write
// deadline is checked once, up front.
func (s *Socket) submit(r *request) (int, error) {
	defer putRequest(r)
	if s.wdl.Load().expired() {
		return 0, os.ErrDeadlineExceeded
	}
	s.qmu.Lock()
	if s.closing {
		s.qmu.Unlock()
		return 0, errClosed
	}
	s.queue = append(s.queue, r)
	s.qmu.Unlock()
	s.wake()
	<-r.done
	return r.sent, r.err
}

func putRequest(r *request) {
	clear(r.bufs) // do not keep the caller's memory alive
	requests.Put(r)
}

// wake makes sure the ring goroutine looks for new work: it sets poked, and
// if the goroutine is blocked (or about to block) in io_uring_enter, writes
// the eventfd its armed read completes on. The goroutine sets sleeping
// before it checks poked, and wakers set poked before they check sleeping,
// so one of the two always sees the other.
func (s *Socket) wake() {
	s.poked.Store(true)
	if !s.sleeping.CompareAndSwap(true, false) {
		return
	}
	s.fdMu.RLock()
	if s.efd >= 0 {
		unix.Write(s.efd, wakeValue[:])
	}
	s.fdMu.RUnlock()
}

// Recv waits for the next datagram.
func (s *Socket) Recv() (backend.Datagram, error) { return s.RecvContext(context.Background()) }

// RecvContext is Recv that also returns ctx.Err() when ctx is done first.
func (s *Socket) RecvContext(ctx context.Context) (backend.Datagram, error) {
	cancel := ctx.Done() // nil, never ready, for context.Background
	for {
		dl := s.rdl.Load()
		if dl.expired() {
			return backend.Datagram{}, os.ErrDeadlineExceeded
		}
		select {
		case r := <-s.recvq:
			return s.take(r)
		default:
		}
		// Nothing queued: say so to a receive waiting for buffers.
		s.waiters.Add(1)
		if s.starved.Load() && s.refill() && s.starved.CompareAndSwap(true, false) {
			s.wake()
		}
		var (
			r   result
			got bool
			err error
		)
		select {
		case r = <-s.recvq:
			got = true
		case <-s.closed:
			err = errClosed
		case <-s.done:
			err = errClosed
			if s.failure != nil {
				err = s.failure
			}
		case <-dl.ch:
			// Expired or replaced: look again.
		case <-cancel:
			err = ctx.Err()
		}
		s.waiters.Add(-1)
		if got {
			return s.take(r)
		}
		if err != nil {
			return backend.Datagram{}, err
		}
	}
}

func (s *Socket) take(r result) (backend.Datagram, error) {
	if r.err == nil {
		return r.d, nil
	}
	if r.d.Ref != 0 {
		s.Release(r.d) // a truncated datagram: drop it
	} else {
		s.errPending.Store(false)
		s.wake() // the ring goroutine may be holding back the receive for this
	}
	return backend.Datagram{}, r.err
}

// Release returns d's buffer to the buffer ring, where the kernel can use it
// at once. Releasing a datagram twice, or a zero Datagram, does nothing.
func (s *Socket) Release(d backend.Datagram) {
	id := d.Ref - 1
	if id < 0 || id >= numBuffers {
		return
	}
	s.bufMu.Lock()
	if !s.out[id] {
		s.bufMu.Unlock()
		return
	}
	s.out[id] = false
	s.held--
	if s.br != nil {
		s.br.Add(s.bufs.buf(uint16(id)), uint16(id), 0)
		s.br.Advance(1)
		s.returned.Add(1)
	} else if s.held == 0 {
		s.unmapLocked()
	}
	s.bufMu.Unlock()
	if s.starved.Load() && s.refill() && s.starved.CompareAndSwap(true, false) {
		s.wake()
	}
}

// refill reports whether a receive that ran out of buffers should start
// again. Re-arming as soon as one buffer is back would take one datagram
// per io_uring_enter whenever the consumer is slower than the kernel; so it
// waits for refillBuffers of them, or for a Recv with nothing to return.
func (s *Socket) refill() bool {
	free := s.returned.Load() - s.consumed.Load()
	return free >= refillBuffers || (free > 0 && s.waiters.Load() > 0)
}

func (s *Socket) unmapLocked() {
	if s.bufs.mem != nil {
		unix.Munmap(s.bufs.mem)
		s.bufs.mem = nil
	}
}

// Close stops the ring, closes the socket and unblocks pending calls. The
// receive buffers are unmapped once every outstanding datagram is released.
func (s *Socket) Close() error {
	first := false
	s.closeOnce.Do(func() {
		first = true
		close(s.closed)
		s.qmu.Lock()
		s.closing = true
		s.qmu.Unlock()
		s.wake()
	})
	<-s.done
	if !first {
		return errClosed
	}
	// Datagrams nobody received go back now; the ring goroutine has gone,
	// so this only does the accounting.
	for {
		select {
		case r := <-s.recvq:
			s.Release(r.d)
			continue
		default:
		}
		break
	}
	s.fdMu.Lock()
	err := unix.Close(s.fd)
	unix.Close(s.efd)
	s.fd, s.efd = -1, -1
	s.fdMu.Unlock()
	if err != nil {
		return os.NewSyscallError("close", err)
	}
	return nil
}

// control runs f on the socket's descriptor, keeping it open meanwhile.
func (s *Socket) control(f func(fd int) error) error {
	s.fdMu.RLock()
	defer s.fdMu.RUnlock()
	if s.fd < 0 {
		return errClosed
	}
	return f(s.fd)
}

// JoinGroup joins a multicast group.
func (s *Socket) JoinGroup(group uint32) error {
	return s.SetSockoptInt(unix.SOL_NETLINK, unix.NETLINK_ADD_MEMBERSHIP, int(group))
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

// SyscallConn returns raw access to the socket's descriptor. Only Control
// is supported: reading or writing the socket behind the ring's back would
// steal datagrams from it.
func (s *Socket) SyscallConn() (syscall.RawConn, error) { return rawConn{s}, nil }

type rawConn struct{ s *Socket }

var errRawIO = fmt.Errorf("nlring iouring: RawConn.Read and Write are not supported: %w", errors.ErrUnsupported)

func (c rawConn) Control(f func(fd uintptr)) error {
	return c.s.control(func(fd int) error { f(uintptr(fd)); return nil })
}
func (rawConn) Read(func(fd uintptr) bool) error  { return errRawIO }
func (rawConn) Write(func(fd uintptr) bool) error { return errRawIO }

// Deadlines.

// A deadline is one setting of a read or write deadline. Its channel is
// closed when it expires or when a newer setting replaces it, which wakes
// waiters so they look again.
type deadline struct {
	ch     chan struct{}
	isOver bool // set before ch is closed by expiry
	shut   bool // ch closed; guarded by Socket.dlMu
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
	defer s.dlMu.Unlock()
	d := newDeadline()
	switch {
	case t.IsZero():
	case !t.After(time.Now()):
		d.isOver, d.shut = true, true
		close(d.ch)
	default:
		d.timer = time.AfterFunc(time.Until(t), func() {
			s.dlMu.Lock()
			defer s.dlMu.Unlock()
			if p.Load() == d && !d.shut {
				d.isOver, d.shut = true, true
				close(d.ch)
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
}

// SetDeadline sets the read and write deadlines.
func (s *Socket) SetDeadline(t time.Time) error {
	s.setDeadline(&s.rdl, t)
	s.setDeadline(&s.wdl, t)
	return nil
}

// SetReadDeadline sets the deadline for Recv.
func (s *Socket) SetReadDeadline(t time.Time) error {
	s.setDeadline(&s.rdl, t)
	return nil
}

// SetWriteDeadline sets the deadline for Send and SendBatch.
func (s *Socket) SetWriteDeadline(t time.Time) error {
	s.setDeadline(&s.wdl, t)
	return nil
}

var _ backend.Socket = (*Socket)(nil)
