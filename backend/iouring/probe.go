//go:build linux

package iouring

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"

	"github.com/nlring/netlink/internal/uring"
	"golang.org/x/sys/unix"
)

var support struct {
	sync.Mutex
	known bool
	err   error
}

// Supported reports whether the backend can run here: nil, or an
// *UnsupportedError naming what is missing (io_uring itself, permission to
// use it, ring-mapped provided buffers, multishot recvmsg, an opcode).
// The first call probes the kernel; conclusive answers are cached, while a
// probe that failed for a passing reason (out of memory or descriptors) is
// retried next time.
func Supported() error {
	support.Lock()
	defer support.Unlock()
	if support.known {
		return support.err
	}
	var err error
	var conclusive bool
	done := make(chan struct{})
	go func() {
		// Set up, submit and reap on one thread: the probe's multishot
		// receive runs as task work on the thread that submitted it.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		conclusive, err = probe()
		close(done)
	}()
	<-done
	if conclusive {
		support.known, support.err = true, err
	}
	return err
}

// forgetSupport drops a cached answer, for when io_uring was refused after
// the probe allowed it (the sysctl changed).
func forgetSupport() {
	support.Lock()
	support.known, support.err = false, nil
	support.Unlock()
}

// probe tries everything the backend uses, on a throw-away ring.
func probe() (conclusive bool, err error) {
	ring, err := uring.New(4, 8)
	switch {
	case errors.Is(err, unix.ENOSYS):
		return true, &UnsupportedError{"the kernel has no io_uring (io_uring_setup: ENOSYS)", unix.ENOSYS}
	case errors.Is(err, unix.EPERM):
		// kernel.io_uring_disabled can change while the program runs: a
		// refusal is not cached, so io_uring is used again once allowed.
		return false, &UnsupportedError{disabledReason(), unix.EPERM}
	case err != nil:
		return false, fmt.Errorf("nlring: io_uring: probing: %w", err)
	}
	defer ring.Close()

	missing, err := ring.OpSupported(uring.IORING_OP_NOP, uring.IORING_OP_RECVMSG, uring.IORING_OP_ASYNC_CANCEL)
	switch {
	case errors.Is(err, unix.EINVAL):
		return true, &UnsupportedError{"the kernel cannot list its io_uring opcodes (IORING_REGISTER_PROBE, Linux 5.6)", unix.EINVAL}
	case err != nil:
		return false, fmt.Errorf("nlring: io_uring: probing: %w", err)
	case len(missing) > 0:
		return true, &UnsupportedError{Reason: fmt.Sprintf("the kernel's io_uring lacks opcodes %v", missing)}
	}

	br, err := ring.RegisterBufRing(0, 2)
	switch {
	case errors.Is(err, unix.EINVAL):
		return true, &UnsupportedError{"no ring-mapped provided buffers (IORING_REGISTER_PBUF_RING, Linux 5.19)", unix.EINVAL}
	case err != nil:
		return false, fmt.Errorf("nlring: io_uring: probing: %w", err)
	}
	defer br.Unregister()
	return probeMultishot(ring, br)
}

func disabledReason() string {
	b, _ := os.ReadFile("/proc/sys/kernel/io_uring_disabled")
	switch string(bytes.TrimSpace(b)) {
	case "2":
		return "io_uring is disabled (sysctl kernel.io_uring_disabled=2)"
	case "1":
		return "io_uring is restricted to members of kernel.io_uring_group and CAP_SYS_ADMIN (sysctl kernel.io_uring_disabled=1)"
	}
	return "io_uring_setup is not permitted (a seccomp filter, as in container runtimes' default profiles, or a security module)"
}

// probeMultishot receives one datagram from a socketpair with a multishot
// recvmsg and checks that the request stays armed (IORING_CQE_F_MORE).
func probeMultishot(ring *uring.Ring, br *uring.BufRing) (conclusive bool, err error) {
	inconclusive := func(err error) (bool, error) {
		return false, fmt.Errorf("nlring: io_uring: probing multishot recvmsg: %w", err)
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return inconclusive(os.NewSyscallError("socketpair", err))
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	const size = 4096
	mem, err := unix.Mmap(-1, 0, 2*size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return inconclusive(os.NewSyscallError("mmap", err))
	}
	defer unix.Munmap(mem)
	br.Add(mem[:size], 0, 0)
	br.Add(mem[size:], 1, 1)
	br.Advance(2)
	if _, err := unix.Write(fds[1], []byte("probe")); err != nil {
		return inconclusive(os.NewSyscallError("write", err))
	}

	msg := &unix.Msghdr{}
	sqe := ring.GetSQE()
	sqe.PrepRecvmsgMultishot(fds[0], msg, unix.MSG_TRUNC, br.Group())
	sqe.UserData = 1
	if _, err := ring.SubmitAndWait(1); err != nil {
		return inconclusive(err)
	}
	c, _ := ring.PeekCQE()
	ring.CQESeen()
	if c.Res < 0 {
		if errno := unix.Errno(-c.Res); errno == unix.EINVAL {
			return true, &UnsupportedError{"no multishot recvmsg (IORING_RECV_MULTISHOT, Linux 6.0)", errno}
		}
		return inconclusive(unix.Errno(-c.Res))
	}
	if !c.More() {
		return true, &UnsupportedError{Reason: "multishot recvmsg stopped after one datagram"}
	}
	// Cancel it and wait for both the cancellation and the final CQE, so no
	// request outlives the buffers.
	sqe = ring.GetSQE()
	sqe.PrepCancel(1)
	sqe.UserData = 2
	for seen := 0; seen < 2; {
		if _, err := ring.SubmitAndWait(1); err != nil {
			return inconclusive(err)
		}
		for {
			c, ok := ring.PeekCQE()
			if !ok {
				break
			}
			ring.CQESeen()
			if c.UserData == 2 || !c.More() {
				seen++
			}
		}
	}
	return true, nil
}
