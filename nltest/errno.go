//go:build !windows && !plan9

package nltest

import (
	"errors"
	"syscall"
)

// isErrno reports whether err is a system call's error, which a receive
// wraps as a real socket's recvmsg would.
func isErrno(err error) bool {
	var errno syscall.Errno
	return errors.As(err, &errno)
}
