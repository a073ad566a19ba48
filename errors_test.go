//go:build linux

package netlink

import (
	"errors"
	"fmt"
	"net"
	"os"
	"testing"

	"github.com/nlring/netlink/backend"
	"golang.org/x/sys/unix"
)

func TestOpErrorError(t *testing.T) {
	tests := []struct {
		name string
		err  *OpError
		want string
	}{
		{name: "nil", want: "<nil>"},
		{
			name: "errno",
			err:  &OpError{Op: "receive", Err: unix.ENOENT},
			want: "netlink receive: no such file or directory",
		},
		{
			name: "syscall",
			err:  &OpError{Op: "send", Err: os.NewSyscallError("sendmsg", unix.EPERM)},
			want: "netlink send: sendmsg: operation not permitted",
		},
		{
			name: "extended acknowledgement",
			err:  &OpError{Op: "receive", Err: unix.EINVAL, Message: "bad attribute", Offset: 44, Sequence: 1},
			want: `netlink receive: invalid argument, offset: 44, message: "bad attribute"`,
		},
		{
			name: "offset only",
			err:  &OpError{Op: "receive", Err: unix.EINVAL, Offset: 20},
			want: `netlink receive: invalid argument, offset: 20, message: ""`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOpErrorUnwrapTimeoutTemporary(t *testing.T) {
	tests := []struct {
		name                     string
		err                      error
		is                       error
		timeout, temporary, gone bool
	}{
		{name: "ENOENT", err: unix.ENOENT, is: os.ErrNotExist, gone: true},
		{name: "wrapped ENOENT", err: os.NewSyscallError("recvmsg", unix.ENOENT), is: unix.ENOENT, gone: true},
		{name: "EAGAIN", err: os.NewSyscallError("recvmsg", unix.EAGAIN), is: unix.EAGAIN, timeout: true, temporary: true},
		{name: "EINTR", err: unix.EINTR, is: unix.EINTR, temporary: true},
		{name: "deadline", err: os.ErrDeadlineExceeded, is: os.ErrDeadlineExceeded, timeout: true, temporary: true},
		{name: "wrapped deadline", err: fmt.Errorf("recv: %w", os.ErrDeadlineExceeded), is: os.ErrDeadlineExceeded, timeout: true, temporary: true},
		{name: "closed", err: net.ErrClosed, is: net.ErrClosed},
		{name: "truncated", err: &backend.TruncatedError{Size: 70000, Buffer: 65536}, is: ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oe := &OpError{Op: "receive", Err: tt.err}
			var err error = oe
			if !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
			if errors.Unwrap(err) != tt.err {
				t.Errorf("Unwrap() = %v, want %v", errors.Unwrap(err), tt.err)
			}
			if got := oe.Timeout(); got != tt.timeout {
				t.Errorf("Timeout() = %v, want %v", got, tt.timeout)
			}
			if got := oe.Temporary(); got != tt.temporary {
				t.Errorf("Temporary() = %v, want %v", got, tt.temporary)
			}
			if got := IsNotExist(err); got != tt.gone {
				t.Errorf("IsNotExist() = %v, want %v", got, tt.gone)
			}
		})
	}
}

func TestIsNotExist(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{unix.ENOENT, true},
		{os.ErrNotExist, true},
		{&OpError{Op: "receive", Err: unix.ENOENT}, true},
		{&OpError{Op: "receive", Err: unix.EEXIST}, false},
		{unix.EPERM, false},
	}
	for _, tt := range tests {
		if got := IsNotExist(tt.err); got != tt.want {
			t.Errorf("IsNotExist(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestNewOpError(t *testing.T) {
	if err := newOpError("send", nil); err != nil {
		t.Errorf("newOpError(nil) = %v, want nil", err)
	}
	err := newOpError("send", unix.EPERM)
	var oe *OpError
	if !errors.As(err, &oe) || oe.Op != "send" || oe.Err != unix.EPERM {
		t.Errorf("newOpError = %#v", err)
	}
}

// TestSentinels checks that the exported sentinels are what users test
// against.
func TestSentinels(t *testing.T) {
	if !errors.Is(fmt.Errorf("receive: %w", &backend.TruncatedError{}), ErrTruncated) {
		t.Error("a backend.TruncatedError is not ErrTruncated")
	}
	if errors.Is(ErrDumpInterrupted, ErrTruncated) || errors.Is(ErrTruncated, ErrDumpInterrupted) {
		t.Error("ErrDumpInterrupted and ErrTruncated are not distinct")
	}
}
