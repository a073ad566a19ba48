//go:build linux

// Package nlsock opens netlink sockets for the backends (in a chosen network
// namespace, bound to a port ID and multicast groups) and reads and sets the
// socket facts the library relies on: queue accounting and buffer sizes.
package nlsock

import (
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// Options say how to open a socket.
type Options struct {
	Family int
	Groups uint32
	PID    uint32
	// NetNS is a network namespace file descriptor; 0 means the calling
	// thread's namespace.
	NetNS int
	// NonBlock opens the socket with O_NONBLOCK, as the runtime poller needs.
	NonBlock bool
}

// Open opens and binds a netlink socket. It returns the descriptor and the
// port ID the kernel bound it to. It first makes sure the runtime poller
// exists (see EnsurePoller), so that no backend's socket can be the
// descriptor whose registration kills the process when none are left.
func Open(o Options) (fd int, pid uint32, err error) {
	if err := EnsurePoller(); err != nil {
		return -1, 0, err
	}
	if o.NetNS == 0 {
		fd, err = socket(o)
	} else {
		fd, err = socketIn(o)
	}
	if err != nil {
		return -1, 0, err
	}
	pid, err = bind(fd, o)
	if err != nil {
		unix.Close(fd)
		return -1, 0, err
	}
	return fd, pid, nil
}

func socket(o Options) (int, error) {
	flags := unix.SOCK_RAW | unix.SOCK_CLOEXEC
	if o.NonBlock {
		flags |= unix.SOCK_NONBLOCK
	}
	fd, err := unix.Socket(unix.AF_NETLINK, flags, o.Family)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	return fd, nil
}

// socketIn creates the socket inside namespace o.NetNS. It switches a thread
// of its own and never hands that thread back to the runtime: a goroutine
// that exits while locked takes its thread with it, so no other goroutine can
// ever run in the wrong namespace, even if switching back were to fail.
func socketIn(o Options) (int, error) {
	type result struct {
		fd  int
		err error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		if err := unix.Setns(o.NetNS, unix.CLONE_NEWNET); err != nil {
			// A bare SyscallError keeps os.IsPermission working for callers.
			done <- result{-1, os.NewSyscallError("setns", err)}
			return
		}
		fd, err := socket(o)
		done <- result{fd, err}
	}()
	r := <-done
	return r.fd, r.err
}

func bind(fd int, o Options) (uint32, error) {
	sa := &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: o.PID, Groups: o.Groups}
	if err := unix.Bind(fd, sa); err != nil {
		return 0, os.NewSyscallError("bind", err)
	}
	got, err := unix.Getsockname(fd)
	if err != nil {
		return 0, os.NewSyscallError("getsockname", err)
	}
	nl, ok := got.(*unix.SockaddrNetlink)
	if !ok {
		return 0, fmt.Errorf("getsockname: unexpected address %T", got)
	}
	return nl.Pid, nil
}
