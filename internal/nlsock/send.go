//go:build linux

package nlsock

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// kernel is the kernel's end of every netlink family: port ID 0, no groups.
// The kernel only reads it.
var kernel = unix.RawSockaddrNetlink{Family: unix.AF_NETLINK}

// SendTo makes one sendto(2) of b to the kernel, retrying on EINTR. It
// does not allocate.
func SendTo(fd uintptr, b []byte) unix.Errno {
	for {
		_, _, errno := unix.Syscall6(unix.SYS_SENDTO, fd,
			uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)), 0,
			uintptr(unsafe.Pointer(&kernel)), unix.SizeofSockaddrNetlink)
		if errno != unix.EINTR {
			return errno
		}
	}
}

// mmsghdr is the kernel's struct mmsghdr, declared here because
// golang.org/x/sys gained it only in versions that need Go 1.26, newer than
// this module's go directive. Go pads it at the end as C does.
type mmsghdr struct {
	Hdr unix.Msghdr
	Len uint32
}

// A Batch holds the arrays for sending many datagrams to the kernel with
// sendmmsg(2). A Batch is reused: Prepare it, Send until done, Reset.
type Batch struct {
	hdrs []mmsghdr
	iovs []unix.Iovec
	// Sent counts the datagrams sent since Prepare.
	Sent int
}

// maxKept bounds the arrays a reused Batch keeps, so that one huge batch
// does not pin its arrays for the life of the process.
const maxKept = 4096

// Prepare points one mmsghdr and one iovec at each datagram.
func (b *Batch) Prepare(bufs [][]byte) {
	if cap(b.hdrs) < len(bufs) {
		b.hdrs = make([]mmsghdr, len(bufs))
		b.iovs = make([]unix.Iovec, len(bufs))
	}
	b.hdrs, b.iovs = b.hdrs[:len(bufs)], b.iovs[:len(bufs)]
	for i, buf := range bufs {
		iov := &b.iovs[i]
		iov.Base = unsafe.SliceData(buf)
		iov.SetLen(len(buf))
		h := &b.hdrs[i].Hdr
		h.Name = (*byte)(unsafe.Pointer(&kernel))
		h.Namelen = unix.SizeofSockaddrNetlink
		h.Iov = iov
		h.SetIovlen(1)
	}
	b.Sent = 0
}

// Done reports whether every prepared datagram was sent.
func (b *Batch) Done() bool { return b.Sent >= len(b.hdrs) }

// Send makes sendmmsg(2) calls until every datagram is sent or one fails;
// EINTR is retried. The kernel sends fewer than asked when the batch is
// longer than UIO_MAXIOV (1024) or when one fails, and reports a failure to
// the call that starts with the failing datagram. On EAGAIN the caller
// waits for the socket and calls Send again: it carries on from Sent.
func (b *Batch) Send(fd uintptr) unix.Errno {
	for !b.Done() {
		rest := b.hdrs[b.Sent:]
		n, _, errno := unix.Syscall6(unix.SYS_SENDMMSG, fd,
			uintptr(unsafe.Pointer(&rest[0])), uintptr(len(rest)), 0, 0, 0)
		switch errno {
		case 0:
			b.Sent += int(n)
		case unix.EINTR:
		default:
			return errno
		}
	}
	return 0
}

// Reset drops the Batch's references to the caller's memory.
func (b *Batch) Reset() {
	if cap(b.hdrs) > maxKept {
		b.hdrs, b.iovs = nil, nil
	} else {
		clear(b.hdrs)
		clear(b.iovs)
	}
	b.Sent = 0
}
