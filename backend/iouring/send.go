//go:build linux

package iouring

import (
	"os"

	"github.com/nlring/netlink/internal/nlsock"
	"golang.org/x/sys/unix"
)

// Send sends b to the kernel as one datagram, with one sendto(2). The kernel
// handles the request inside the call; a write deadline is checked once, up
// front.
func (s *Socket) Send(b []byte) error {
	if s.wdl.Load().expired() {
		return os.ErrDeadlineExceeded
	}
	s.fdMu.RLock()
	defer s.fdMu.RUnlock()
	if !s.fdOpen || s.isClosed.Load() {
		return errClosed
	}
	for {
		switch errno := nlsock.SendTo(uintptr(s.fd), b); errno {
		case 0:
			return nil
		case unix.EAGAIN:
			// Only a user-space destination causes this: the kernel's end
			// never fills. Wait for the socket to take more.
			if err := s.waitFd(unix.POLLOUT, &s.wdl); err != nil {
				return err
			}
		default:
			return os.NewSyscallError("sendto", errno)
		}
	}
}
