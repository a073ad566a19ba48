//go:build linux

package iouring

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

func TestSupported(t *testing.T) {
	err := Supported()
	if err != nil {
		var ue *UnsupportedError
		if !errors.As(err, &ue) || !errors.Is(err, errors.ErrUnsupported) {
			t.Fatalf("Supported() = %v, want nil or an *UnsupportedError", err)
		}
		t.Skip(err)
	}
	if err2 := Supported(); err2 != nil {
		t.Errorf("second Supported() = %v after nil", err2)
	}
}

func TestUnsupportedError(t *testing.T) {
	err := error(&UnsupportedError{Reason: "io_uring is disabled (sysctl kernel.io_uring_disabled=2)", Err: unix.EPERM})
	if !errors.Is(err, errors.ErrUnsupported) || !errors.Is(err, unix.EPERM) {
		t.Errorf("%v does not match both errors.ErrUnsupported and EPERM", err)
	}
	if got, want := err.Error(), "nlring: io_uring: unavailable: io_uring is disabled (sysctl kernel.io_uring_disabled=2) (operation not permitted)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	err = &UnsupportedError{Reason: "no multishot"}
	if !errors.Is(err, errors.ErrUnsupported) || errors.Is(err, unix.EPERM) {
		t.Errorf("%v: wrong matches", err)
	}
}
