package netlink

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/nlring/netlink/backend"
)

// ErrDumpInterrupted is returned, together with the messages received, when
// the kernel flagged a dump NLM_F_DUMP_INTR (DumpInterrupted): the table
// changed while it was being dumped, so the messages may be inconsistent and
// the dump is worth repeating. Test for it with errors.Is.
var ErrDumpInterrupted = errors.New("netlink dump interrupted: the result may be inconsistent, repeat the dump")

// ErrTruncated is returned when a datagram was larger than the receive buffer
// (Config.MessageBufferSize). nlring never hands out a cut datagram: the
// datagram is lost. Test for it with errors.Is.
var ErrTruncated = backend.ErrTruncated

// errShortErrorMessage is the error of an Error or Done message too short to
// hold its error code.
var errShortErrorMessage = errors.New("not enough data for netlink error code")

// Compile-time checks that *OpError satisfies the interfaces callers use.
var (
	_ net.Error                   = (*OpError)(nil)
	_ interface{ Unwrap() error } = (*OpError)(nil)
)

// An OpError is the error of a failed netlink operation.
type OpError struct {
	// Op is the operation that failed: "send", "receive", "validate", ...
	Op string

	// Err is the cause. It is an *os.SyscallError when a system call
	// failed, and a bare unix.Errno when the kernel answered a request with
	// an error code: the call itself worked. Inspect it with errors.Is.
	Err error

	// Message and Offset are the extended acknowledgement the kernel sent
	// with an error code when the Conn enabled the ExtendedAcknowledge
	// option: a human-readable explanation and the offset in the request of
	// the attribute at fault. Both are empty otherwise.
	Message string
	Offset  int

	// Sequence is the sequence number of the message that carried the
	// error, or 0 when the error does not come from a message.
	Sequence uint32
}

// newOpError returns an *OpError for op wrapping err, or nil when err is nil,
// the way os.NewSyscallError does.
func newOpError(op string, err error) error {
	if err == nil {
		return nil
	}
	return &OpError{Op: op, Err: err}
}

// Error formats the error as "netlink <op>: <cause>", followed by the
// extended acknowledgement if there is one.
func (e *OpError) Error() string {
	if e == nil {
		return "<nil>"
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "netlink %s: %v", e.Op, e.Err)
	if e.Message != "" || e.Offset != 0 {
		fmt.Fprintf(&sb, ", offset: %d, message: %q", e.Offset, e.Message)
	}
	return sb.String()
}

// Unwrap returns Err, so that errors.Is and errors.As see the cause.
func (e *OpError) Unwrap() error { return e.Err }

// Timeout reports whether the operation failed because a deadline passed
// (or the socket returned EAGAIN under a timeout).
func (e *OpError) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.As(e.Err, &t) && t.Timeout()
}

// Temporary reports whether retrying the operation may succeed.
func (e *OpError) Temporary() bool {
	var t interface{ Temporary() bool }
	return errors.As(e.Err, &t) && t.Temporary()
}

// IsNotExist reports whether err, or the cause of an *OpError, means that the
// object asked for does not exist (ENOENT).
//
// Deprecated: use errors.Is(err, os.ErrNotExist).
func IsNotExist(err error) bool {
	if oe, ok := err.(*OpError); ok {
		err = oe.Err
	}
	return os.IsNotExist(err)
}
