//go:build linux

package iouring

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/nlsock"
	"github.com/nlring/netlink/internal/uring"
	"golang.org/x/sys/unix"
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
	errClosed = fmt.Errorf("nlring: io_uring: %w", net.ErrClosed)

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

	// The receiver (receiver.go).
	recvMsg    unix.Msghdr // template of the multishot recvmsg: only Namelen is set
	armed      bool        // the multishot receive is in flight
	armedTid   int         // the thread that armed it, which runs its task work
	cancelling bool        // a cancellation of the receiver is in flight
	recvFailed bool        // it failed; re-arm once Recv took the error
	drops      uint32      // the socket's drop counter (SK_MEMINFO_DROPS) when last read
	meminfo    [unix.SK_MEMINFO_VARS]uint32
	dryRuns    atomic.Uint64 // times the buffer ring ran dry, for tests and benchmarks

	// The poller (recv.go): the one goroutine allowed to block in
	// io_uring_enter and to read completions while it is active. Other Recv
	// calls wait on notify, which the poller closes when it leaves.
	poller   bool
	sleeping bool // the poller is in (or on its way into) io_uring_enter
	kicked   bool // a NOP to wake it is in flight
	notify   chan struct{}

	// Datagrams and errors received, oldest first (queue.go).
	queue queue

	// Receive buffers (buffers.go).
	bufs     buffers
	br       *uring.BufRing   // nil once the ring is gone
	out      [numBuffers]bool // out[id]: buffer id holds a datagram, queued or lent to a caller
	held     int              // how many are out
	returned uint32           // buffers ever put into the buffer ring
	consumed uint32           // buffers the kernel ever took from it

	// Deadlines (deadline.go).
	dlMu     sync.Mutex
	rdl, wdl atomic.Pointer[deadline]
}

var _ backend.Socket = (*Socket)(nil)

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
	ring, err := uring.New(sqEntries, cqEntries)
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

// PID returns the port ID the socket is bound to.
func (s *Socket) PID() uint32 { return s.pid }

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
				abandon(s.bufs.bufs)
			}
		}
		s.poller = false
	}
	s.broadcastLocked()
	// Datagrams nobody received go back.
	for s.queue.len() > 0 {
		r := s.queue.pop()
		if id := r.d.Ref - 1; id >= 0 && s.out[id] {
			s.out[id] = false
			s.held--
		}
	}
	s.br.Unregister()
	s.br = nil
	s.ring.Close()
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
