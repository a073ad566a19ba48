//go:build linux

package nlsock

import (
	"fmt"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// poller guards the one successful run of EnsurePoller.
var poller struct {
	mu    sync.Mutex
	ready bool
}

// EnsurePoller makes sure the Go runtime's network poller exists before
// nlring opens a descriptor, creating it now if need be.
//
// The runtime creates its poller (an epoll instance and an eventfd: two
// descriptors, kept for the life of the process) when the process opens its
// first pollable descriptor, and throws if it cannot: the process dies, no
// recover can stop it. When descriptors run out (EMFILE, ENFILE) and a
// netlink socket is that first pollable descriptor, Dial would kill the
// program instead of failing. A backend that bypasses the poller (io_uring)
// only moves the throw to whatever pollable descriptor comes next, such as
// the syscall backend's socket when auto falls back to it.
//
// So EnsurePoller opens three descriptors: it frees two, which the kernel
// hands out again lowest first, and gives the third to os.NewFile, which
// makes the runtime create the poller into the two just freed. With fewer
// than three free it fails cleanly with the error that opening them gave
// (EMFILE): Dial reports it as it would report its own socket failing.
//
// Only another thread opening a descriptor in the few system calls between
// freeing the two and NewFile could still take one; this runs once per
// process (the poller never goes away), so that window is as small as it
// can be made without reaching into the runtime. The check is not skipped
// when the poller already exists (nothing public says so): it costs three
// descriptors, briefly, at the first Dial only.
func EnsurePoller() error {
	poller.mu.Lock()
	defer poller.mu.Unlock()
	if poller.ready {
		return nil
	}
	var room [2]int
	if err := unix.Pipe2(room[:], unix.O_CLOEXEC); err != nil {
		return pollerErr(os.NewSyscallError("pipe2", err))
	}
	// Non-blocking, so that NewFile registers it with the poller.
	probe, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	unix.Close(room[0])
	unix.Close(room[1])
	if err != nil {
		return pollerErr(os.NewSyscallError("eventfd", err))
	}
	// NewFile creates the poller, if there is none yet, before it
	// registers probe.
	os.NewFile(uintptr(probe), "nlring-poller-probe").Close()
	poller.ready = true
	return nil
}

// pollerErr says why Dial needed descriptors it did not otherwise need.
func pollerErr(err error) error {
	return fmt.Errorf("netlink: no descriptors left to create the Go runtime's poller: %w", err)
}
