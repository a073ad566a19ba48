//go:build linux

package iouring

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/uring"
	"golang.org/x/sys/unix"
)

// Each receive buffer starts with what the multishot recvmsg writes before
// the payload: struct io_uring_recvmsg_out (16 bytes), then the sender's
// address in a 16-byte area (struct sockaddr_nl is 12 bytes; 16 keeps the
// payload 8-byte aligned). No control data is requested.
const (
	outSize    = int(unsafe.Sizeof(uring.RecvmsgOut{}))
	nameSize   = 16
	headerSize = outSize + nameSize
)

// buffers is the receive memory: up to numBuffers buffers of headerSize+size
// bytes each, on the Go heap, made as the socket's traffic asks for them
// (see grow). Being Go memory, a slice of a buffer that a caller keeps past
// Release or Close stays valid: at worst it reads a later datagram, it never
// faults. The socket keeps every buffer referenced until the kernel can no
// longer write to it (the receiver's final completion).
type buffers struct {
	bufs [][]byte // by buffer ID
	size int      // payload capacity of each buffer
}

// buf returns buffer id as the kernel may fill it.
func (b *buffers) buf(id uint16) []byte { return b.bufs[id] }

// count returns how many buffers there are.
func (b *buffers) count() int { return len(b.bufs) }

// grow adds up to n buffers, never more than numBuffers in all, and returns
// the ID of the first new one and how many it added.
func (b *buffers) grow(n int) (first, added int) {
	first = len(b.bufs)
	for len(b.bufs) < numBuffers && added < n {
		b.bufs = append(b.bufs, make([]byte, headerSize+b.size))
		added++
	}
	return first, added
}

// decodeRecv turns one completion of the multishot recvmsg into what Recv
// hands out. buf is the buffer the completion consumed (Ref-1 of the result),
// or -1. A datagram that did not fit (MSG_TRUNC, or a payload length over the
// buffer's capacity) becomes a *backend.TruncatedError, still holding its
// buffer so the caller can return it. A failed receive (res < 0) returns the
// errno with no buffer.
//
// It trusts nothing in the CQE or the buffer header beyond what it checks,
// so that it can be fed synthetic completions.
func decodeRecv(c uring.CQE, b *buffers) (d backend.Datagram, buf int, err error) {
	id, hasBuf := c.BufferID()
	if hasBuf && int(id) >= b.count() {
		return backend.Datagram{}, -1, fmt.Errorf("io_uring: recvmsg completion names buffer %d of %d", id, b.count())
	}
	buf = -1
	if hasBuf {
		buf = int(id)
	}
	if c.Res < 0 {
		return backend.Datagram{Ref: buf + 1}, buf, unix.Errno(-c.Res)
	}
	if !hasBuf {
		return backend.Datagram{}, -1, fmt.Errorf("io_uring: recvmsg completion (res %d) without a buffer", c.Res)
	}
	mem := b.buf(id)
	if int(c.Res) < headerSize || int(c.Res) > len(mem) {
		return backend.Datagram{Ref: buf + 1}, buf, fmt.Errorf("io_uring: recvmsg completion of %d bytes into a %d-byte buffer", c.Res, len(mem))
	}
	out := uring.RecvmsgOut{
		Namelen:    binary.NativeEndian.Uint32(mem[0:]),
		Controllen: binary.NativeEndian.Uint32(mem[4:]),
		Payloadlen: binary.NativeEndian.Uint32(mem[8:]),
		Flags:      binary.NativeEndian.Uint32(mem[12:]),
	}
	if out.Flags&unix.MSG_TRUNC != 0 || uint64(out.Payloadlen) > uint64(b.size) || int(out.Payloadlen) > int(c.Res)-headerSize {
		// With MSG_TRUNC the kernel reports the datagram's real length.
		return backend.Datagram{Ref: buf + 1}, buf, &backend.TruncatedError{Size: int(out.Payloadlen), Buffer: b.size}
	}
	d = backend.Datagram{
		Data: mem[headerSize : headerSize+int(out.Payloadlen) : headerSize+int(out.Payloadlen)],
		Ref:  buf + 1,
	}
	// struct sockaddr_nl: family, pad, pid, groups.
	if out.Namelen >= unix.SizeofSockaddrNetlink {
		name := mem[outSize:]
		d.Sender = binary.NativeEndian.Uint32(name[4:])
		d.Groups = binary.NativeEndian.Uint32(name[8:])
	}
	return d, buf, nil
}
