//go:build linux

package nlsock

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Socket facts the library reads from the kernel rather than remembers,
// and the buffer sizes that bound a socket's queues. Each runs on a
// descriptor the caller holds (inside a RawConn's Control) and fails with
// an *os.SyscallError named after the system call.

// MemInfo reads fd's SO_MEMINFO, the kernel's accounting of the socket's
// queues, into mi. It does not allocate unless it fails: golang.org/x/sys
// has no getsockopt for an array, and the receive path reads it.
func MemInfo(fd int, mi *[unix.SK_MEMINFO_VARS]uint32) error {
	size := uint32(unsafe.Sizeof(*mi))
	_, _, errno := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(fd), unix.SOL_SOCKET, unix.SO_MEMINFO,
		uintptr(unsafe.Pointer(mi)), uintptr(unsafe.Pointer(&size)), 0)
	if errno != 0 {
		return os.NewSyscallError("getsockopt", errno)
	}
	return nil
}

// Protocol returns the netlink family fd was opened with (SO_PROTOCOL).
func Protocol(fd int) (int, error) {
	p, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_PROTOCOL)
	return p, os.NewSyscallError("getsockopt", err)
}

// BufferSize returns the size of fd's receive (rcv) or send buffer as the
// kernel reports it: twice what was set, for its bookkeeping.
func BufferSize(fd int, rcv bool) (int, error) {
	opt := unix.SO_SNDBUF
	if rcv {
		opt = unix.SO_RCVBUF
	}
	n, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, opt)
	return n, os.NewSyscallError("getsockopt", err)
}

// SetBuffer sets fd's receive (rcv) or send buffer to bytes. It tries
// ForceBuffer first, which lifts the net.core.rmem_max and wmem_max caps
// for a caller with CAP_NET_ADMIN, and falls back to the plain option,
// which the kernel caps, as github.com/mdlayher/netlink does.
func SetBuffer(fd int, rcv bool, bytes int) error {
	if ForceBuffer(fd, rcv, bytes) == nil {
		return nil
	}
	opt := unix.SO_SNDBUF
	if rcv {
		opt = unix.SO_RCVBUF
	}
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(fd, unix.SOL_SOCKET, opt, bytes))
}

// ForceBuffer sets fd's receive (rcv) or send buffer to bytes with
// SO_RCVBUFFORCE or SO_SNDBUFFORCE, above the system's caps. It needs
// CAP_NET_ADMIN; without it the buffer stays as it is.
func ForceBuffer(fd int, rcv bool, bytes int) error {
	opt := unix.SO_SNDBUFFORCE
	if rcv {
		opt = unix.SO_RCVBUFFORCE
	}
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(fd, unix.SOL_SOCKET, opt, bytes))
}
