package netlink

import (
	"os"

	"github.com/nlring/netlink/internal/unix"
)

// maxStashed bounds the memory of a datagramQueue: past it, further
// datagrams are dropped and reported as an overrun, as the kernel would
// have dropped them had they stayed in the socket.
const maxStashed = 4 << 20

// A datagramQueue holds datagrams read from the socket ahead of whoever
// they belong to, in order, each in memory of its own. The Conn sets aside
// the events a request's reply reader meets (Conn.events); the transport,
// what it reads while finishing an abandoned reply (backendTransport.
// deferred). It does no locking of its own.
type datagramQueue struct {
	q     []datagram // each owns its bytes, or is an error
	bytes int
	// full is set when a datagram was dropped for want of room; the loss
	// is queued once, after the datagrams before it.
	full bool
}

// push sets d aside, copying its bytes; the caller releases d.
func (s *datagramQueue) push(d datagram) {
	if s.bytes+len(d.b) > maxStashed {
		if !s.full {
			s.full = true
			s.pushErr(os.NewSyscallError("recvmsg", unix.ENOBUFS))
		}
		return
	}
	b := make([]byte, nlmsgAlign(len(d.b)))
	copy(b, d.b)
	s.q = append(s.q, datagram{b: b[:len(d.b)], sender: d.sender, unicast: d.unicast})
	s.bytes += len(d.b)
}

// pushErr queues a receive error (an overrun) in the events' order.
func (s *datagramQueue) pushErr(err error) {
	s.q = append(s.q, datagram{err: err})
}

// pop takes the oldest entry.
func (s *datagramQueue) pop() (datagram, bool) {
	if len(s.q) == 0 {
		return datagram{}, false
	}
	d := s.q[0]
	s.q[0] = datagram{}
	s.q = s.q[1:]
	s.bytes -= len(d.b)
	if len(s.q) == 0 {
		s.q, s.bytes, s.full = nil, 0, false
	}
	return d, true
}
