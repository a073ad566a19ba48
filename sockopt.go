//go:build linux

package netlink

import (
	"math"
	"os"
	"syscall"
	"time"
	"unsafe"

	"github.com/nlring/netlink/internal/nlsock"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// The socket options of a Conn on an nlring backend: the transport methods
// behind the Conn's JoinGroup, SetOption, SetBPF, deadlines, buffers and
// SyscallConn (conn_options.go).

// control runs a socket option call, failing as a closed socket would once
// the Conn is closed.
func (t *backendTransport) control(op string, fn func() error) error {
	if t.closed.Load() {
		return t.closedErr(op)
	}
	return syscallErr(op, fn())
}

// controlFD is control for a call made on the socket's descriptor.
func (t *backendTransport) controlFD(op string, fn func(fd int) error) error {
	return t.control(op, func() error {
		rc, err := t.s.SyscallConn()
		if err != nil {
			return err
		}
		var ferr error
		if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
			return err
		}
		return ferr
	})
}

func (t *backendTransport) joinGroup(group uint32) error {
	return t.control("setsockopt", func() error { return t.s.JoinGroup(group) })
}

func (t *backendTransport) leaveGroup(group uint32) error {
	return t.control("setsockopt", func() error { return t.s.LeaveGroup(group) })
}

func (t *backendTransport) setInt(level, opt, value int) error {
	return t.control("setsockopt", func() error { return t.s.SetSockoptInt(level, opt, value) })
}

func (t *backendTransport) setOption(option ConnOption, enable bool) error {
	opt, ok := linuxOption(option)
	if !ok {
		// What the kernel answers for an option it does not know.
		return os.NewSyscallError("setsockopt", unix.ENOPROTOOPT)
	}
	v := 0
	if enable {
		v = 1
	}
	return t.setInt(unix.SOL_NETLINK, opt, v)
}

// linuxOption returns the SOL_NETLINK option behind o.
func linuxOption(o ConnOption) (int, bool) {
	switch o {
	case PacketInfo:
		return unix.NETLINK_PKTINFO, true
	case BroadcastError:
		return unix.NETLINK_BROADCAST_ERROR, true
	case NoENOBUFS:
		return unix.NETLINK_NO_ENOBUFS, true
	case ListenAllNSID:
		return unix.NETLINK_LISTEN_ALL_NSID, true
	case CapAcknowledge:
		return unix.NETLINK_CAP_ACK, true
	case ExtendedAcknowledge:
		return unix.NETLINK_EXT_ACK, true
	case GetStrictCheck:
		return unix.NETLINK_GET_STRICT_CHK, true
	}
	return 0, false
}

// setReadBuffer and setWriteBuffer try the FORCE variants first, which
// lift the rmem_max/wmem_max limits for a privileged caller, as
// github.com/mdlayher/netlink does (nlsock.SetBuffer).
func (t *backendTransport) setReadBuffer(bytes int) error {
	return t.controlFD("setsockopt", func(fd int) error { return nlsock.SetBuffer(fd, true, bytes) })
}

func (t *backendTransport) setWriteBuffer(bytes int) error {
	return t.controlFD("setsockopt", func(fd int) error { return nlsock.SetBuffer(fd, false, bytes) })
}

func (t *backendTransport) readBuffer() (int, error) {
	return t.bufferSize(true)
}

func (t *backendTransport) writeBuffer() (int, error) {
	return t.bufferSize(false)
}

func (t *backendTransport) bufferSize(rcv bool) (int, error) {
	var n int
	err := t.controlFD("getsockopt", func(fd int) (err error) {
		n, err = nlsock.BufferSize(fd, rcv)
		return err
	})
	return n, err
}

// setBPF attaches a classic BPF program to the socket. An empty program is
// rejected with EINVAL before reaching the kernel, as it has no first
// instruction to point to.
func (t *backendTransport) setBPF(filter []bpf.RawInstruction) error {
	if len(filter) == 0 {
		return os.NewSyscallError("setsockopt", unix.EINVAL)
	}
	if len(filter) > math.MaxUint16 {
		return os.NewSyscallError("setsockopt", unix.EINVAL)
	}
	prog := unix.SockFprog{
		Len:    uint16(len(filter)),
		Filter: (*unix.SockFilter)(unsafe.Pointer(&filter[0])),
	}
	return t.controlFD("setsockopt", func(fd int) error {
		return unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &prog)
	})
}

// removeBPF detaches the socket's BPF program.
func (t *backendTransport) removeBPF() error {
	return t.setInt(unix.SOL_SOCKET, unix.SO_DETACH_FILTER, 0)
}

// Deadlines on a closed Conn fail as github.com/mdlayher/netlink's did,
// whose deadlines were those of the closed *os.File: "use of closed file"
// (closingError has its text), the same on every backend.

func (t *backendTransport) setDeadline(d time.Time) error {
	t.deadlineMu.Lock()
	defer t.deadlineMu.Unlock()
	if t.closed.Load() {
		return closingError{}
	}
	t.readDeadline = d
	return deadlineErr(t.s.SetDeadline(d))
}

func (t *backendTransport) setReadDeadline(d time.Time) error {
	t.deadlineMu.Lock()
	defer t.deadlineMu.Unlock()
	if t.closed.Load() {
		return closingError{}
	}
	t.readDeadline = d
	return deadlineErr(t.s.SetReadDeadline(d))
}

func (t *backendTransport) setWriteDeadline(d time.Time) error {
	if t.closed.Load() {
		return closingError{}
	}
	return deadlineErr(t.s.SetWriteDeadline(d))
}

func (t *backendTransport) syscallConn() (syscall.RawConn, error) {
	if t.closed.Load() {
		return nil, t.closedErr("syscallconn")
	}
	return t.s.SyscallConn()
}
