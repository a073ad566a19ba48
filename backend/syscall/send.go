package syscall

import (
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// kernel is the address of the kernel's end of every netlink family:
// port ID 0, no groups. The kernel only reads it.
var kernel = unix.RawSockaddrNetlink{Family: unix.AF_NETLINK}

// A sendOp holds the arguments and results of one Send or SendBatch, so the
// poller callback needs no closure (a closure passed to RawConn escapes: one
// allocation per call). Ops are pooled.
type sendOp struct {
	// Send
	b []byte
	// SendBatch
	hdrs []unix.Mmsghdr
	iovs []unix.Iovec
	sent int

	errno unix.Errno

	sendto, sendmmsg func(fd uintptr) bool
}

var sendOps = sync.Pool{New: func() any {
	op := new(sendOp)
	op.sendto = op.doSendto
	op.sendmmsg = op.doSendmmsg
	return op
}}

// maxPooledBatch bounds the batch arrays a pooled op keeps, so one huge
// batch does not pin its arrays for the life of the process.
const maxPooledBatch = 4096

// Send sends b as one datagram to the kernel.
func (s *Socket) Send(b []byte) error {
	op := sendOps.Get().(*sendOp)
	op.b, op.errno = b, 0
	err := s.rc.Write(op.sendto)
	errno := op.errno
	op.b = nil
	sendOps.Put(op)
	if err != nil {
		return s.pollError("sendto", err)
	}
	return os.NewSyscallError("sendto", errnoErr(errno))
}

// SendBatch sends each of bufs as its own datagram to the kernel, with as few
// sendmmsg calls as the kernel allows (it takes at most UIO_MAXIOV, 1024, per
// call). It returns how many were sent; on error the rest were not.
func (s *Socket) SendBatch(bufs [][]byte) (int, error) {
	if len(bufs) == 0 {
		return 0, nil
	}
	op := sendOps.Get().(*sendOp)
	op.prepare(bufs)
	err := s.rc.Write(op.sendmmsg)
	sent, errno := op.sent, op.errno
	op.reset()
	sendOps.Put(op)
	if err != nil {
		return sent, s.pollError("sendmmsg", err)
	}
	return sent, os.NewSyscallError("sendmmsg", errnoErr(errno))
}

// prepare points one mmsghdr and one iovec at each datagram.
func (op *sendOp) prepare(bufs [][]byte) {
	if cap(op.hdrs) < len(bufs) {
		op.hdrs = make([]unix.Mmsghdr, len(bufs))
		op.iovs = make([]unix.Iovec, len(bufs))
	}
	op.hdrs, op.iovs = op.hdrs[:len(bufs)], op.iovs[:len(bufs)]
	for i, b := range bufs {
		iov := &op.iovs[i]
		iov.Base = unsafe.SliceData(b)
		iov.SetLen(len(b))
		h := &op.hdrs[i].Hdr
		h.Name = (*byte)(unsafe.Pointer(&kernel))
		h.Namelen = unix.SizeofSockaddrNetlink
		h.Iov = iov
		h.SetIovlen(1)
	}
	op.sent, op.errno = 0, 0
}

// reset drops the op's references to the caller's memory before it is
// pooled.
func (op *sendOp) reset() {
	if cap(op.hdrs) > maxPooledBatch {
		op.hdrs, op.iovs = nil, nil
		return
	}
	clear(op.hdrs)
	clear(op.iovs)
}

// doSendto is the poller callback for Send.
func (op *sendOp) doSendto(fd uintptr) bool {
	for {
		_, _, errno := unix.Syscall6(unix.SYS_SENDTO, fd,
			uintptr(unsafe.Pointer(unsafe.SliceData(op.b))), uintptr(len(op.b)), 0,
			uintptr(unsafe.Pointer(&kernel)), unix.SizeofSockaddrNetlink)
		switch errno {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		op.errno = errno
		return true
	}
}

// doSendmmsg is the poller callback for SendBatch. It carries on where the
// last call stopped: the kernel sends fewer datagrams than asked when the
// batch is longer than UIO_MAXIOV or when one fails; a failure is reported
// by the call that starts with the failing datagram.
func (op *sendOp) doSendmmsg(fd uintptr) bool {
	for op.sent < len(op.hdrs) {
		rest := op.hdrs[op.sent:]
		n, _, errno := unix.Syscall6(unix.SYS_SENDMMSG, fd,
			uintptr(unsafe.Pointer(&rest[0])), uintptr(len(rest)), 0, 0, 0)
		switch errno {
		case 0:
			op.sent += int(n)
		case unix.EINTR:
		case unix.EAGAIN:
			return false
		default:
			op.errno = errno
			return true
		}
	}
	return true
}

// errnoErr returns nil for 0 and errno otherwise; an Errno 0 is a non-nil
// error.
func errnoErr(errno unix.Errno) error {
	if errno == 0 {
		return nil
	}
	return errno
}
