package netlink

import (
	"encoding/binary"
	"os"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/unix"
)

// A datagram is what one transport.recv returns, and the cursor that walks
// its messages (next).
type datagram struct {
	// b holds the wire bytes of the messages (backendTransport).
	b []byte
	// msgs holds already parsed messages (legacyTransport), followed by
	// err if the Socket reported one after them.
	msgs []Message
	err  error

	// off is where the next message is: an offset in b, or an index in
	// msgs.
	off int

	// sender is the port ID of the sender, 0 for the kernel; unicast is
	// true for a datagram that was not delivered to a multicast group. A
	// legacyTransport knows neither and reports the kernel, multicast.
	sender  uint32
	unicast bool

	// bd is the backend's datagram when b is its memory; held says it
	// still has to be released. counted says the transport counts d as in
	// use until it is released (a reader's copy of a held datagram stays
	// counted, so that a Close meanwhile finds the Conn busy).
	bd            backend.Datagram
	held, counted bool

	// noteEnd says that the transport learns at release whether d leaves a
	// multi-part reply unfinished (a unicast datagram from the socket).
	// endKnown is set by a reader that walked d to its end and saw its
	// last message, endsMid its answer; otherwise release walks d's
	// headers itself.
	noteEnd, endKnown, endsMid bool
}

// multicast reports whether d is known to be a multicast datagram (an
// event). A legacyTransport's datagrams are not: it cannot tell.
func (d datagram) multicast() bool {
	return !d.unicast && d.msgs == nil && d.err == nil
}

// next parses the next message of d into m and moves past it: the one
// iterator over a datagram's messages, used by every reader (replies,
// events, batches). Data aliases d's bytes: nothing is copied or
// allocated, and next is small enough to inline.
//
// At the end of d it returns false, with the error the Socket reported
// after a legacy datagram's messages, once. Errors are unwrapped; bytes
// that do not parse fail every call.
func (d *datagram) next(m *Message) (ok bool, err error) {
	if d.off >= len(d.b) {
		// The end of the bytes, or a legacy datagram (no bytes).
		return d.nextParsed(m)
	}
	n, err := d.peek(m)
	if err != nil {
		return false, err
	}
	d.skip(n)
	return true, nil
}

// peek parses the next message of d's bytes into m without moving past it,
// and returns its length for skip: a reader that decides from the header
// whether to take the message goes on with skip, or leaves it to next.
// There must be bytes left.
func (d *datagram) peek(m *Message) (n int, err error) {
	return parseMessageInto(m, d.b[d.off:])
}

// skip moves past the n bytes of the message peek parsed.
func (d *datagram) skip(n int) { d.off += n }

// nextParsed is next for a legacy datagram, whose off counts messages.
func (d *datagram) nextParsed(m *Message) (ok bool, err error) {
	if d.off < len(d.msgs) {
		*m = d.msgs[d.off]
		d.off++
		return true, nil
	}
	err, d.err = d.err, nil
	return false, err
}

// remaining counts the messages d still holds, to size a result slice
// once per datagram. It walks their headers, which costs far less than
// the capacity an estimate from the datagram's size would waste on large
// messages (a link is over 1 KiB).
func (d *datagram) remaining() int {
	if d.msgs != nil {
		return len(d.msgs) - d.off
	}
	n := 0
	for b := d.b[min(d.off, len(d.b)):]; len(b) >= nlmsgHeaderLen; n++ {
		l := int(binary.NativeEndian.Uint32(b))
		if l < nlmsgHeaderLen {
			break
		}
		b = b[min(nlmsgAlign(l), len(b)):]
	}
	return n
}

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
	b := cloneAligned(d.b)
	s.q = append(s.q, datagram{b: b[:len(d.b)], sender: d.sender, unicast: d.unicast})
	s.bytes += len(d.b)
}

// copied splits d, which holds a backend buffer, into a copy of its bytes
// in memory of its own (padded as cloneAligned pads) and the buffer. The
// copy takes over d's bookkeeping, so that the transport notes how d ends
// and counts it in use until the copy is released; buf is released at once
// and only gives the buffer back.
func (d datagram) copied() (own, buf datagram) {
	buf = d
	buf.noteEnd, buf.counted = false, false
	d.b, d.held = cloneAligned(d.b), false
	return d, buf
}

// cloneAligned returns a copy of b padded with zeros to a multiple of 4
// bytes. Appending to an empty slice allocates without zeroing the bytes the
// copy overwrites, which make followed by copy does not avoid: for a 32 KiB
// dump datagram that would be a second pass over fresh memory.
func cloneAligned(b []byte) []byte {
	if len(b) == 0 {
		return []byte{} // never nil: a nil b marks a datagram of parsed messages
	}
	n := nlmsgAlign(len(b))
	c := append(b[:0:0], b...)
	if pad := n - len(c); pad > 0 {
		c = append(c, make([]byte, pad)...)
	}
	return c[:n:n]
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
