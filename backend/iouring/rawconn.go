//go:build linux

package iouring

import (
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// SyscallConn returns raw access to the socket's descriptor. The descriptor
// is non-blocking. Reading it through RawConn.Read takes datagrams the
// receiver would otherwise have delivered to Recv, in no defined order with
// them.
func (s *Socket) SyscallConn() (syscall.RawConn, error) { return rawConn{s}, nil }

type rawConn struct{ s *Socket }

func (c rawConn) Control(f func(fd uintptr)) error {
	return c.s.control(func(fd int) error { f(uintptr(fd)); return nil })
}

// Read calls f until it returns true, waiting for the socket to be readable
// in between. It returns early when the socket is closed or the read
// deadline passes.
func (c rawConn) Read(f func(fd uintptr) bool) error { return c.s.rawIO(f, unix.POLLIN, &c.s.rdl) }

// Write is Read for writing, under the write deadline.
func (c rawConn) Write(f func(fd uintptr) bool) error { return c.s.rawIO(f, unix.POLLOUT, &c.s.wdl) }

func (s *Socket) rawIO(f func(fd uintptr) bool, events int16, dl *atomic.Pointer[deadline]) error {
	s.fdMu.RLock()
	defer s.fdMu.RUnlock()
	for {
		if !s.fdOpen || s.isClosed.Load() {
			return errClosed
		}
		if dl.Load().expired() {
			return os.ErrDeadlineExceeded
		}
		if f(uintptr(s.fd)) {
			return nil
		}
		if err := s.pollFd(events, dl); err != nil {
			return err
		}
	}
}

// waitFd waits until the socket is ready for events, with fdMu read-held by
// the caller.
func (s *Socket) waitFd(events int16, dl *atomic.Pointer[deadline]) error {
	if s.isClosed.Load() {
		return errClosed
	}
	if dl.Load().expired() {
		return os.ErrDeadlineExceeded
	}
	return s.pollFd(events, dl)
}

// maxPollWait bounds one poll(2) so that a deadline moved while it waits is
// noticed; Close wakes it at once through the eventfd.
const maxPollWait = 50 * time.Millisecond

// pollFd waits in poll(2) until the socket is ready for events, Close writes
// the eventfd, the deadline passes or maxPollWait elapses. fdMu is read-held
// by the caller, so Close cannot close either descriptor meanwhile.
func (s *Socket) pollFd(events int16, dl *atomic.Pointer[deadline]) error {
	wait := maxPollWait
	if at := dl.Load().at; !at.IsZero() {
		wait = min(wait, time.Until(at))
	}
	ms := int((wait + time.Millisecond - 1) / time.Millisecond)
	fds := [2]unix.PollFd{{Fd: int32(s.fd), Events: events}, {Fd: int32(s.efd), Events: unix.POLLIN}}
	_, err := unix.Poll(fds[:], max(ms, 0))
	if err != nil && err != unix.EINTR {
		return os.NewSyscallError("poll", err)
	}
	return nil
}
