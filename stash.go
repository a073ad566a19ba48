package netlink

import (
	"os"

	"github.com/nlring/netlink/internal/unix"
)

// maxStashed bounds the memory of multicast datagrams that requests set
// aside (see eventStash): past it, further events are dropped and reported
// as an overrun, as the kernel would have dropped them had they stayed in
// the socket.
const maxStashed = 4 << 20

// An eventStash holds the multicast datagrams (events) that a request's
// reply reader received while it waited for its reply, in order, for the
// next Receive, ReceiveIter or Subscription to take before anything still
// in the socket. So a Conn that both joins groups and sends requests loses
// no event to Execute, and Execute never fails on an event.
//
// It is used only with the Conn's receive lock held.
type eventStash struct {
	q     []datagram // each owns its bytes, or is an error
	bytes int
	// full is set when an event was dropped for want of room; the loss is
	// queued once, after the events before it.
	full bool
}

// push sets d aside, copying its bytes; the caller releases d.
func (s *eventStash) push(d datagram) {
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
func (s *eventStash) pushErr(err error) {
	s.q = append(s.q, datagram{err: err})
}

// pop takes the oldest entry.
func (s *eventStash) pop() (datagram, bool) {
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
