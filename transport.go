package netlink

import (
	"context"

	"github.com/nlring/netlink/backend"
)

// A transport moves datagrams for a Conn. There are two: backendTransport
// runs on an nlring backend and deals in wire bytes; legacyTransport runs on
// a caller's Socket (NewConn) and deals in parsed messages, which it passes
// through untouched.
type transport interface {
	// send sends m alone; sendMessages sends msgs as one datagram. Headers
	// are already filled in.
	send(m Message) error
	sendMessages(msgs []Message) error

	// recv waits for the next datagram. A nil or never-done ctx means no
	// cancellation. Errors are returned unwrapped: the Conn adds OpError.
	recv(ctx context.Context) (datagram, error)
	// release gives back the buffer of a datagram recv handed out with held
	// set. The caller clears held: release takes d by value so that
	// datagrams stay off the heap.
	release(d datagram)

	close() error

	// options returns the value whose optional methods (JoinGroup,
	// SetOption, ...) the Conn calls, found by type assertion.
	options() any
}

// A datagram is what one transport.recv returns.
type datagram struct {
	// b holds the wire bytes of the messages (backendTransport).
	b []byte
	// msgs holds already parsed messages (legacyTransport), followed by
	// err if the Socket reported one after them.
	msgs []Message
	err  error

	// sender is the port ID of the sender, 0 for the kernel; unicast is
	// true for a datagram that was not delivered to a multicast group. A
	// legacyTransport knows neither and reports the kernel, multicast.
	sender  uint32
	unicast bool

	// bd is the backend's datagram when b is its memory; held says it
	// still has to be released.
	bd   backend.Datagram
	held bool
}

// multicast reports whether d is known to be a multicast datagram (an
// event). A legacyTransport's datagrams are not: it cannot tell.
func (d datagram) multicast() bool {
	return !d.unicast && d.msgs == nil && d.err == nil
}
