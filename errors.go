package netlink

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/unix"
)

// The errors of the package. Any text github.com/mdlayher/netlink also
// produces is its text, word for word: programs match on it. Errors only
// nlring produces start with "nlring: ".

// ErrDumpInterrupted is returned, together with the messages received, when
// the kernel flagged a dump NLM_F_DUMP_INTR (DumpInterrupted): the table
// changed while it was being dumped, so the messages may be inconsistent and
// the dump is worth repeating. Test for it with errors.Is.
var ErrDumpInterrupted = errors.New("nlring: dump interrupted: the result may be inconsistent, repeat the dump")

// ErrTruncated is returned when a datagram was larger than the receive buffer
// (Config.MessageBufferSize). nlring never hands out a cut datagram: the
// datagram is lost. Test for it with errors.Is.
var ErrTruncated = backend.ErrTruncated

// ErrOutcomeUnknown is the result of a batched request whose outcome cannot
// be known: the kernel may or may not have carried it out. It happens when
// the socket's receive buffer overran while the request's group was in
// flight (the error then also wraps unix.ENOBUFS) or when the batch was
// cancelled or failed after sending it (the error also wraps the cause).
// ExecuteBatch never reports such a request as a success: look the object
// up, or repeat an idempotent request. Test for it with errors.Is.
var ErrOutcomeUnknown = errors.New("nlring: outcome of the request unknown")

// ErrNotSent is the result of a batched request that was never sent
// because the batch stopped before reaching it (see ExecuteBatch). It wraps
// the reason the batch stopped. Test for it with errors.Is.
var ErrNotSent = errors.New("nlring: request not sent")

// ErrEventsLost is reported by a Subscription when the socket's receive
// buffer overran and the kernel dropped events: whatever state the events
// describe must be read again (a dump) to be trusted. The error also wraps
// unix.ENOBUFS. The subscription keeps working after it. Test for it with
// errors.Is.
var ErrEventsLost = errors.New("nlring: events lost: the receive buffer overran, resynchronize")

var (
	// errShortErrorMessage is the error of an Error or Done message too
	// short to hold its error code.
	errShortErrorMessage = errors.New("not enough data for netlink error code")

	// errNotSupported is the error of an operation the Socket given to
	// NewConn does not implement.
	errNotSupported = errors.New("operation not supported")

	// errOverrun is the cause of a batched request's outcome lost to an
	// overrun that the drop counter detected rather than a receive
	// reported.
	errOverrun = os.NewSyscallError("recvmsg", unix.ENOBUFS)
	// errNoAck is the cause of an outcome in BatchAckEach mode when the
	// barrier came back but the request's acknowledgement did not: the
	// kernel handled the request and skipped its answer.
	errNoAck = errors.New("the kernel handled the request without answering it")
)

func notSupported(op string) error { return newOpError(op, errNotSupported) }

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

// closingError is the error of a call interrupted by Close. Its text is the
// one github.com/mdlayher/netlink reported (the runtime poller's), and
// errors.Is matches it with net.ErrClosed and os.ErrClosed.
type closingError struct{}

func (closingError) Error() string { return "use of closed file" }

func (closingError) Is(target error) bool {
	return target == net.ErrClosed || target == os.ErrClosed
}

// syscallErr wraps a bare errno in *os.SyscallError named op, as system call
// errors from github.com/mdlayher/netlink were; other errors pass as they
// are.
func syscallErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *os.SyscallError
	if errors.As(err, &se) {
		return err
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return os.NewSyscallError(op, err)
	}
	return err
}

// deadlineErr turns a backend's closed-socket error (Close racing the
// call) into closingError.
func deadlineErr(err error) error {
	if errors.Is(err, net.ErrClosed) {
		return closingError{}
	}
	return err
}
