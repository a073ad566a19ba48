//go:build linux

package iouring

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/uring"
	"golang.org/x/sys/unix"
)

// numBuffers is how many receive buffers a socket may have. A dump datagram
// is at most 32 KiB, so 128 of them hold 4 MiB, twenty times what the
// default socket receive buffer (208 KiB) queues: room for the kernel to
// keep building a dump while the consumer parses what it already has. When
// the consumer falls that far behind, the multishot receive ends (nothing is
// lost: datagrams wait in the socket) and restarts once half the buffers
// are back, so a dump of P datagrams costs about P/64 io_uring_enter calls.
//
// A socket starts with initialBuffers and doubles them each time its
// receiver runs out, so a socket that serves requests and events holds a
// few buffers, and one that serves large dumps grows to numBuffers.
const (
	numBuffers     = 128
	initialBuffers = 4
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

// payloadSize is the largest datagram a buffer takes: the configured
// size, or by default the kernel's largest dump datagram. Unlike the syscall
// backend's, io_uring buffers have no room to spill into, so a larger
// datagram is reported truncated unless Config.BufferSize makes room.
func payloadSize(cfg backend.Config) int {
	if cfg.BufferSize > 0 {
		return cfg.BufferSize
	}
	return backend.MinBufferSize
}

// growLocked adds up to n receive buffers and hands them to the kernel.
func (s *Socket) growLocked(n int) {
	first, added := s.bufs.grow(n)
	for i := range added {
		id := uint16(first + i)
		s.br.Add(s.bufs.buf(id), id, i)
	}
	s.br.Advance(added)
	s.returned += uint32(added)
}

// Release returns d's buffer to the buffer ring, where the kernel can use it
// at once. Releasing a datagram twice, or a zero Datagram, does nothing.
func (s *Socket) Release(d backend.Datagram) {
	id := d.Ref - 1
	if id < 0 || id >= numBuffers {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.out[id] {
		return
	}
	s.out[id] = false
	s.held--
	if s.br == nil {
		return
	}
	s.br.Add(s.bufs.buf(uint16(id)), uint16(id), 0)
	s.br.Advance(1)
	s.returned++
	// A receive that ran out of buffers starts again once enough are back,
	// or at once for a waiting Recv, from this thread: the consumer's.
	if !s.armed && (int(s.returned-s.consumed) >= s.bufs.count()/2 || s.poller) {
		runtime.LockOSThread()
		s.armLocked(unix.Gettid())
		runtime.UnlockOSThread()
	}
}

// abandoned keeps the buffers of rings that could not be torn down
// cleanly: the kernel might still write into them, so the garbage
// collector must never reuse their memory.
var (
	abandonedMu sync.Mutex
	abandoned   [][][]byte
)

// abandon keeps bufs alive for the life of the process.
func abandon(bufs [][]byte) {
	abandonedMu.Lock()
	abandoned = append(abandoned, bufs)
	abandonedMu.Unlock()
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
		return backend.Datagram{}, -1, fmt.Errorf("nlring: io_uring: recvmsg completion names buffer %d of %d", id, b.count())
	}
	buf = -1
	if hasBuf {
		buf = int(id)
	}
	if c.Res < 0 {
		return backend.Datagram{Ref: buf + 1}, buf, unix.Errno(-c.Res)
	}
	if !hasBuf {
		return backend.Datagram{}, -1, fmt.Errorf("nlring: io_uring: recvmsg completion (res %d) without a buffer", c.Res)
	}
	mem := b.buf(id)
	if int(c.Res) < headerSize || int(c.Res) > len(mem) {
		return backend.Datagram{Ref: buf + 1}, buf, fmt.Errorf("nlring: io_uring: recvmsg completion of %d bytes into a %d-byte buffer", c.Res, len(mem))
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
