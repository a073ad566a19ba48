//go:build linux

package rawtrip

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// A Trip sends Req on FD and receives the reply into Buf.
type Trip struct {
	FD       int
	Req, Buf []byte

	kernel, from     unix.RawSockaddrNetlink
	sendIov, recvIov unix.Iovec
	send, recv       unix.Msghdr
}

// New returns a Trip for the encoded request req, receiving into a buffer
// of bufSize bytes, on descriptor fd (which may be set later).
func New(fd int, req []byte, bufSize int) *Trip {
	t := &Trip{FD: fd, Req: req, Buf: make([]byte, bufSize)}
	t.kernel.Family = unix.AF_NETLINK
	t.sendIov.Base = &t.Req[0]
	t.sendIov.SetLen(len(t.Req))
	t.send.Name = (*byte)(unsafe.Pointer(&t.kernel))
	t.send.Namelen = unix.SizeofSockaddrNetlink
	t.send.Iov = &t.sendIov
	t.send.SetIovlen(1)
	t.recvIov.Base = &t.Buf[0]
	t.recvIov.SetLen(len(t.Buf))
	t.recv.Name = (*byte)(unsafe.Pointer(&t.from))
	t.recv.Iov = &t.recvIov
	t.recv.SetIovlen(1)
	return t
}

// Do sends the request and receives one datagram, whose length it
// returns. The errno is returned as is, not boxed into an error.
func (t *Trip) Do() (int, unix.Errno) {
	if _, _, e := unix.Syscall(unix.SYS_SENDMSG, uintptr(t.FD), uintptr(unsafe.Pointer(&t.send)), 0); e != 0 {
		return 0, e
	}
	t.recv.Namelen = unix.SizeofSockaddrNetlink
	n, _, e := unix.Syscall(unix.SYS_RECVMSG, uintptr(t.FD), uintptr(unsafe.Pointer(&t.recv)), 0)
	return int(n), e
}
