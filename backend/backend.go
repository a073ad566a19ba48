// Package backend defines the byte-level interface that every nlring backend
// implements, and how a program chooses one.
//
// A backend moves whole netlink datagrams between a socket and buffers it
// owns; it knows nothing of netlink messages. Framing, sequence numbers,
// validation and the mdlayher/netlink-compatible API live in the root package.
package backend

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// Kind names a backend.
type Kind string

// The backends nlring ships. Auto lets nlring choose; it runs the syscall
// backend, which costs the least per Conn and is at least as fast for
// requests and replies, and leaves io_uring to programs that ask for it
// (the README's "Choosing a backend" has the measurements behind this).
const (
	Auto    Kind = "auto"
	Syscall Kind = "syscall"
	IOUring Kind = "iouring"
)

// EnvVar is the environment variable that selects a backend. It wins over the
// value a program sets in its Config, so any program can be switched without
// a code change.
const EnvVar = "NLRING_BACKEND"

// ParseKind parses a backend name as accepted in EnvVar. The empty string
// means Auto.
func ParseKind(s string) (Kind, error) {
	switch Kind(s) {
	case "", Auto:
		return Auto, nil
	case Syscall, IOUring:
		return Kind(s), nil
	}
	return "", fmt.Errorf("nlring: unknown backend %q (want syscall, iouring or auto)", s)
}

// Choose returns the backend to use: the one EnvVar names if it is set,
// otherwise configured (Auto when empty).
func Choose(configured Kind) (Kind, error) {
	if v, ok := os.LookupEnv(EnvVar); ok && v != "" {
		k, err := ParseKind(v)
		if err != nil {
			return "", fmt.Errorf("%s: %w", EnvVar, err)
		}
		return k, nil
	}
	return ParseKind(string(configured))
}

// DefaultBufferSize is the largest datagram the syscall backend receives
// whole unless configured otherwise.
//
// The kernel sizes dump datagrams from the largest receive length a socket
// has used, capped at 32 KiB (SKB_WITH_OVERHEAD(32768) = 32,448 bytes), so
// receive buffers of MinBufferSize take every dump and event datagram. Rarer
// large datagrams (a link with many VFs, a message from a user-space peer)
// are received whole up to this size: the syscall backend lets them spill
// into scratch memory shared by the whole process, so no socket pays for
// them. The io_uring backend has no such room: by default its buffers take
// MinBufferSize. A larger datagram is reported with ErrTruncated, never cut
// silently.
const DefaultBufferSize = 1 << 20

// MinBufferSize is the smallest receive buffer that takes the kernel's dump
// datagrams at full size. Smaller buffers work, but the kernel then builds
// smaller dump datagrams (more of them, a system call each), and any
// datagram that does not fit fails with ErrTruncated.
const MinBufferSize = 32 << 10

// Config configures a backend socket. The zero value of each field is a
// sensible default.
type Config struct {
	// Family is the netlink protocol (unix.NETLINK_ROUTE, ...).
	Family int
	// Groups is the multicast group bitmask bound at open (nl_groups).
	Groups uint32
	// PID is the port ID to bind; 0 lets the kernel choose.
	PID uint32
	// NetNS is a file descriptor of a network namespace to open the socket
	// in; 0 means the calling thread's namespace.
	NetNS int
	// BufferSize is the largest datagram received whole; 0 means
	// DefaultBufferSize on the syscall backend and MinBufferSize on
	// io_uring. It is used as given, however small: see MinBufferSize.
	BufferSize int
}

// BufferSizeOrDefault returns the receive buffer size c asks for, or
// DefaultBufferSize when it asks for none.
func (c Config) BufferSizeOrDefault() int {
	if c.BufferSize <= 0 {
		return DefaultBufferSize
	}
	return c.BufferSize
}

// A Datagram is one datagram received from a socket.
type Datagram struct {
	// Data holds the datagram. It points into memory the backend owns and
	// stays valid until the Datagram is passed to Socket.Release.
	Data []byte
	// Sender is the sender's port ID: 0 for the kernel.
	Sender uint32
	// Groups is the multicast group bitmask the datagram was delivered to
	// (nl_groups of the sender address), 0 for unicast.
	Groups uint32

	// Ref identifies the buffer for the backend that produced it.
	Ref int
}

// Socket is a netlink socket as a backend implements it. All methods are safe
// for concurrent use; Recv may be called from several goroutines at once, and
// Send never waits for a concurrent Recv.
type Socket interface {
	// Send sends b as one datagram to the kernel.
	Send(b []byte) error
	// Recv waits for the next datagram. The caller must pass the result to
	// Release once it no longer reads Data. A datagram larger than the
	// receive buffer is consumed and reported as ErrTruncated. A backend may
	// own a bounded number of buffers (io_uring: 128): while callers hold
	// them all, Recv waits for a Release, a deadline or Close. A socket
	// overrun is reported as an error wrapping unix.ENOBUFS, and the socket
	// stays usable.
	Recv() (Datagram, error)
	// Release returns a datagram's buffer to the backend.
	Release(Datagram)

	// PID returns the port ID the socket is bound to.
	PID() uint32
	// JoinGroup and LeaveGroup change multicast group membership.
	JoinGroup(group uint32) error
	LeaveGroup(group uint32) error
	// SetSockoptInt and GetSockoptInt set and get integer socket options.
	SetSockoptInt(level, opt, value int) error
	GetSockoptInt(level, opt int) (int, error)
	// SetDeadline, SetReadDeadline and SetWriteDeadline behave as in package
	// net: a deadline in the past makes blocked and future calls fail with
	// an error that wraps os.ErrDeadlineExceeded.
	SetDeadline(t time.Time) error
	SetReadDeadline(t time.Time) error
	SetWriteDeadline(t time.Time) error
	// SyscallConn gives raw access to the socket for advanced options.
	SyscallConn() (syscall.RawConn, error)
	// Close closes the socket and unblocks pending Recv calls, which then
	// return an error that wraps net.ErrClosed. It releases every resource
	// the socket holds once outstanding datagrams are released. A second
	// Close returns an error that wraps net.ErrClosed.
	Close() error
}

// ErrTruncated is reported when a datagram was larger than the receive
// buffer. The datagram is gone: nlring never hands out a cut datagram.
var ErrTruncated = errors.New("netlink datagram larger than the receive buffer")

// TruncatedError tells how large a truncated datagram was.
type TruncatedError struct {
	Size, Buffer int
}

func (e *TruncatedError) Error() string {
	return fmt.Sprintf("%v: %d bytes into a %d-byte buffer (raise netlink.Config.MessageBufferSize)", ErrTruncated, e.Size, e.Buffer)
}

// Is makes errors.Is(err, ErrTruncated) true.
func (e *TruncatedError) Is(target error) bool { return target == ErrTruncated }
