//go:build linux

package iouring

import (
	"errors"
	"fmt"
)

// A SetupError is a failure to set up a socket's ring or the memory and
// descriptors that go with it, as opposed to a failure to open the netlink
// socket itself (a bad namespace, an unknown family), which Open returns as
// it is. Either way nothing is left open.
type SetupError struct {
	Err error
}

func (e *SetupError) Error() string { return "nlring: io_uring: ring setup: " + e.Err.Error() }

func (e *SetupError) Unwrap() error { return e.Err }

// UnsupportedError says why the io_uring backend cannot run on this kernel
// or in this process. It matches errors.ErrUnsupported and, when there is
// one, the errno that revealed it.
type UnsupportedError struct {
	Reason string
	Err    error // the errno behind Reason, if any
}

func (e *UnsupportedError) Error() string {
	if e.Err == nil {
		return "nlring: io_uring: unavailable: " + e.Reason
	}
	return fmt.Sprintf("nlring: io_uring: unavailable: %s (%v)", e.Reason, e.Err)
}

// Unwrap makes errors.Is match errors.ErrUnsupported and the errno.
func (e *UnsupportedError) Unwrap() []error {
	if e.Err == nil {
		return []error{errors.ErrUnsupported}
	}
	return []error{errors.ErrUnsupported, e.Err}
}
