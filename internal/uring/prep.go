//go:build linux

package uring

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The Prep methods fill an SQE as liburing's io_uring_prep_* functions do.
// Memory they point the kernel at (msghdrs, buffers) must stay
// reachable and unmoved until the request completes: use heap or mmap'd
// memory, never a goroutine stack, and keep a Go pointer to it.

// PrepNop prepares a request that does nothing and completes with 0.
func (s *SQE) PrepNop() { s.Opcode = IORING_OP_NOP }

// PrepRecvmsgMultishot prepares a multishot recvmsg(2) that takes a buffer
// from group for each datagram. Each buffer starts with struct
// io_uring_recvmsg_out, then msg.Namelen bytes of address, msg.Controllen
// bytes of control data, then the payload. msg's iovec is not used.
func (s *SQE) PrepRecvmsgMultishot(fd int, msg *unix.Msghdr, flags uint32, group uint16) {
	s.Opcode = IORING_OP_RECVMSG
	s.Fd = int32(fd)
	s.Addr = uint64(uintptr(unsafe.Pointer(msg)))
	s.OpFlags = flags
	s.IOPrio = IORING_RECV_MULTISHOT
	s.Flags = IOSQE_BUFFER_SELECT
	s.BufGroup = group
}

// PrepCancel prepares the cancellation of the request whose SQE carried
// userData.
func (s *SQE) PrepCancel(userData uint64) {
	s.Opcode = IORING_OP_ASYNC_CANCEL
	s.Fd = -1
	s.Addr = userData
}

// RecvmsgOut is struct io_uring_recvmsg_out, the header a multishot
// recvmsg writes at the start of each buffer.
type RecvmsgOut struct {
	Namelen    uint32
	Controllen uint32
	Payloadlen uint32
	Flags      uint32
}
