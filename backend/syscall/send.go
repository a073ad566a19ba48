//go:build linux

package syscall

import (
	"os"
	"sync"

	"github.com/nlring/netlink/internal/nlsock"
	"golang.org/x/sys/unix"
)

// A sendOp holds the arguments and results of one Send or SendBatch, so the
// poller callback needs no closure (a closure passed to RawConn escapes: one
// allocation per call). Ops are pooled.
type sendOp struct {
	b     []byte       // Send
	batch nlsock.Batch // SendBatch
	errno unix.Errno

	sendto, sendmmsg func(fd uintptr) bool
}

var sendOps = sync.Pool{New: func() any {
	op := new(sendOp)
	op.sendto = op.doSendto
	op.sendmmsg = op.doSendmmsg
	return op
}}

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
	op.batch.Prepare(bufs)
	op.errno = 0
	err := s.rc.Write(op.sendmmsg)
	sent, errno := op.batch.Sent, op.errno
	op.batch.Reset()
	sendOps.Put(op)
	if err != nil {
		return sent, s.pollError("sendmmsg", err)
	}
	return sent, os.NewSyscallError("sendmmsg", errnoErr(errno))
}

// doSendto is the poller callback for Send.
func (op *sendOp) doSendto(fd uintptr) bool {
	errno := nlsock.SendTo(fd, op.b)
	if errno == unix.EAGAIN {
		return false
	}
	op.errno = errno
	return true
}

// doSendmmsg is the poller callback for SendBatch: on EAGAIN the poller
// waits and calls it again, and it carries on where it stopped.
func (op *sendOp) doSendmmsg(fd uintptr) bool {
	errno := op.batch.Send(fd)
	if errno == unix.EAGAIN {
		return false
	}
	op.errno = errno
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
