//go:build linux

package syscall

import (
	"os"
	"sync"

	"github.com/nlring/netlink/internal/nlsock"
	"golang.org/x/sys/unix"
)

// A sendOp holds the arguments and result of one Send, so the poller
// callback needs no closure (a closure passed to RawConn escapes: one
// allocation per call). Ops are pooled.
type sendOp struct {
	b     []byte
	errno unix.Errno

	sendto func(fd uintptr) bool
}

var sendOps = sync.Pool{New: func() any {
	op := new(sendOp)
	op.sendto = op.doSendto
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

// doSendto is the poller callback for Send.
func (op *sendOp) doSendto(fd uintptr) bool {
	errno := nlsock.SendTo(fd, op.b)
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
