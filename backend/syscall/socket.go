//go:build linux

package syscall

import (
	"errors"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/nlsock"
)

// Socket is a netlink socket driven by recvmsg and sendmsg, waiting through
// the runtime poller (see lazyConn). It implements backend.Socket.
//
// Reads and writes take separate locks in the poller, so a Send never waits
// for a blocked Recv. Concurrent Recv calls are served one at a time, each
// into its own buffer.
type Socket struct {
	rc       *lazyConn
	pid      uint32
	pool     *pool
	deadline readDeadline
	closed   atomic.Bool
}

var _ backend.Socket = (*Socket)(nil)

// Open opens a netlink socket as cfg describes, in cfg.NetNS if it is set.
// Its dynamic type is *Socket, which also has RecvContext.
func Open(cfg backend.Config) (backend.Socket, error) {
	s, err := open(cfg)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func open(cfg backend.Config) (*Socket, error) {
	fd, pid, err := nlsock.Open(nlsock.Options{
		Family:   cfg.Family,
		Groups:   cfg.Groups,
		PID:      cfg.PID,
		NetNS:    cfg.NetNS,
		NonBlock: true,
	})
	if err != nil {
		return nil, err
	}
	s := &Socket{rc: newLazyConn(fd), pid: pid, pool: newPool(cfg.BufferSizeOrDefault())}
	s.deadline.f = s.rc
	return s, nil
}

// Close closes the socket. Blocked and later calls fail with an error that
// wraps net.ErrClosed, as does a second Close. Datagrams a caller still
// holds stay readable; their buffers go back when they are released.
func (s *Socket) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return os.NewSyscallError("close", net.ErrClosed)
	}
	// Closing the file wakes every goroutine waiting on it and returns once
	// no syscall is using the descriptor any more.
	err := s.rc.Close()
	return errors.Join(err, s.pool.close())
}

// PID returns the port ID the socket is bound to.
func (s *Socket) PID() uint32 { return s.pid }

// SyscallConn gives raw access to the descriptor. A Read through it competes
// with Recv for datagrams.
func (s *Socket) SyscallConn() (syscall.RawConn, error) {
	if s.closed.Load() {
		return nil, os.NewSyscallError("syscallconn", net.ErrClosed)
	}
	return s.rc, nil
}

// JoinGroup joins multicast group (a group number, not a bitmask).
func (s *Socket) JoinGroup(group uint32) error {
	return s.SetSockoptInt(unix.SOL_NETLINK, unix.NETLINK_ADD_MEMBERSHIP, int(group))
}

// LeaveGroup leaves multicast group.
func (s *Socket) LeaveGroup(group uint32) error {
	return s.SetSockoptInt(unix.SOL_NETLINK, unix.NETLINK_DROP_MEMBERSHIP, int(group))
}

// SetSockoptInt sets an integer socket option.
func (s *Socket) SetSockoptInt(level, opt, value int) error {
	var serr error
	err := s.rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), level, opt, value)
	})
	if err != nil {
		return s.pollError("setsockopt", err)
	}
	return os.NewSyscallError("setsockopt", serr)
}

// GetSockoptInt gets an integer socket option.
func (s *Socket) GetSockoptInt(level, opt int) (int, error) {
	var (
		v    int
		gerr error
	)
	err := s.rc.Control(func(fd uintptr) {
		v, gerr = unix.GetsockoptInt(int(fd), level, opt)
	})
	if err != nil {
		return 0, s.pollError("getsockopt", err)
	}
	return v, os.NewSyscallError("getsockopt", gerr)
}

// SetDeadline sets the read and write deadlines.
func (s *Socket) SetDeadline(t time.Time) error {
	if err := s.SetReadDeadline(t); err != nil {
		return err
	}
	return s.SetWriteDeadline(t)
}

// SetReadDeadline sets the deadline for Recv and RecvContext.
func (s *Socket) SetReadDeadline(t time.Time) error {
	if err := s.deadline.set(t); err != nil {
		return s.pollError("setreaddeadline", err)
	}
	return nil
}

// SetWriteDeadline sets the deadline for Send.
func (s *Socket) SetWriteDeadline(t time.Time) error {
	if err := s.rc.SetWriteDeadline(t); err != nil {
		return s.pollError("setwritedeadline", err)
	}
	return nil
}

// pollError turns an error from the poller into the error op reports: one
// that wraps net.ErrClosed once the socket is closed (the poller's own says
// "file already closed", which is not net.ErrClosed), otherwise err itself,
// os.ErrDeadlineExceeded included.
func (s *Socket) pollError(op string, err error) error {
	if s.closed.Load() {
		err = net.ErrClosed
	}
	return os.NewSyscallError(op, err)
}
