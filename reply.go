package netlink

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/nlring/netlink/internal/unix"
)

// A replyReader walks the messages of one reply (or one multicast datagram)
// across as many datagrams as it spans.
//
// The reply ends:
//   - at a Done message of a multi-part reply, which is not returned;
//   - after the datagram holding an Error message (an ACK or a failure):
//     nothing of the reply follows it. Some families answer a GET with
//     NLM_F_ACK with a multi-part message that has no Done, then the ACK in
//     a separate datagram; waiting for a Done there would hang;
//   - after a datagram without multi-part messages;
//   - at the first failure.
//
// A message flagged DumpInterrupted does not end the reply: the rest of the
// dump is read and the end reports ErrDumpInterrupted.
type replyReader struct {
	c   *Conn
	ctx context.Context
	// owned makes the reader copy each datagram into memory of its own, so
	// that messages outlive it; otherwise they alias the backend's buffer
	// until the reader moves past their datagram.
	owned bool

	d      datagram // the datagram being read, and where in it
	loaded bool     // d holds a datagram not yet exhausted
	m      Message  // the current message, set by next

	doneHdr Header // the Done that ended the reply, if sawDone
	sawDone bool

	// skipBefore, when not 0, is the sequence number of the request whose
	// reply this is: messages with an older one are leftovers of an
	// abandoned reply and are skipped.
	skipBefore uint32
	watch      dropWatch

	started bool // a datagram of this reply was received
	stale   bool // the current datagram held only leftovers (see skipBefore)
	more    bool // inside a multi-part message
	end     bool // the reply is complete or failed

	interrupted bool   // a part was flagged DumpInterrupted
	intrSeq     uint32 // its sequence number
	// endInterrupted is set when the reply ended normally but
	// interrupted: its messages are whole and worth returning.
	endInterrupted bool
}

// next advances to the next message of the reply, which it leaves in r.m.
// At the end it returns false and, if the dump was interrupted, an error
// wrapping ErrDumpInterrupted. Every error is an *OpError and ends the
// reply.
//
// The message stays in the reader rather than being returned: a Message
// does not fit in registers, and copying it through every layer of a
// million-message dump cost more than parsing it.
func (r *replyReader) next() (ok bool, err error) {
	if r.nextPlain() {
		return true, nil
	}
	return r.nextSlow()
}

// nextPlain is next for the message that makes up nearly all of a dump: a
// whole data message in the datagram at hand, not flagged interrupted,
// while no leftovers are being skipped. Anything else is left to nextSlow,
// which parses it again and decides it the same way, only slower.
func (r *replyReader) nextPlain() bool {
	// d.off counts messages, not bytes, in a datagram of parsed messages
	// (d.b nil): the first test rules both that and an unloaded reader out.
	if len(r.d.b)-r.d.off < nlmsgHeaderLen || r.skipBefore != 0 {
		return false
	}
	n, err := r.d.peek(&r.m)
	h := &r.m.Header
	if err != nil || h.Type <= Done || h.Flags&DumpInterrupted != 0 {
		return false
	}
	r.d.skip(n)
	r.started, r.stale = true, false
	r.more = r.more || h.Flags&Multi != 0
	return true
}

// nextSlow is next for every case.
func (r *replyReader) nextSlow() (ok bool, err error) {
	for !r.end {
		if !r.loaded {
			if r.started && !r.more {
				return false, r.finish()
			}
			if err := r.load(); err != nil {
				r.end = true
				return false, err
			}
			continue
		}

		ok, err := r.take()
		if err != nil {
			r.fail()
			return false, err
		}
		if !ok {
			// A datagram of leftovers does not start the reply; any
			// other does, even an empty one.
			r.started = r.started || !r.stale
			r.unload()
			continue
		}

		h := &r.m.Header
		if r.skipBefore != 0 && h.Sequence != 0 && int32(r.skipBefore-h.Sequence) > 0 {
			r.stale = true
			continue
		}
		r.started, r.stale = true, false
		if h.Flags&(DumpInterrupted|Multi) == 0 && h.Type > Done {
			// The common case, a single-part reply or event: nothing
			// below applies.
			return true, nil
		}
		if h.Type == Error || h.Type == Done {
			if err := checkMessage(r.m); err != nil {
				r.fail()
				return false, err
			}
		}
		if h.Flags&DumpInterrupted != 0 && !r.interrupted {
			r.interrupted, r.intrSeq = true, h.Sequence
		}
		if h.Type == Done && h.Flags&Multi != 0 {
			r.doneHdr, r.sawDone = *h, true
			r.unload()
			return false, r.finish()
		}
		if h.Flags&Multi != 0 {
			r.more = true
		}
		if h.Type == Error {
			r.more = false
		}
		return true, nil
	}
	return false, nil
}

// load receives the next datagram of the reply, dropping unicast datagrams
// from user-space senders unless the Conn accepts them. A request's reader
// sets multicast datagrams aside for the Conn's next receive (see
// Conn.events); any other reader takes those first.
func (r *replyReader) load() error {
	for {
		if err := r.ctx.Err(); err != nil {
			return newOpError("receive", err)
		}
		if r.skipBefore == 0 {
			if d, ok := r.c.events.pop(); ok {
				r.more = false
				r.d, r.loaded, r.stale = d, true, false
				return nil
			}
		} else if err := r.replyLost(); err != nil {
			return err
		}
		d, err := r.c.t.recv(r.ctx)
		if err != nil {
			if r.skipBefore != 0 && r.c.listening.Load() && errors.Is(err, unix.ENOBUFS) {
				// Events overran the socket. The loss is theirs to
				// report, in order; whether this request's reply was
				// lost too, replyLost tells.
				r.c.events.pushErr(err)
				continue
			}
			return newOpError("receive", err)
		}
		if r.c.foreign(d) {
			r.c.t.release(d)
			continue
		}
		if r.skipBefore != 0 && r.c.listening.Load() && d.multicast() {
			r.c.events.push(d)
			r.c.t.release(d)
			continue
		}
		if d.held && (r.owned || len(d.b)%4 != 0) {
			// One allocation per datagram, not per message. It also pads a
			// datagram whose last message lacks its padding (a user-space
			// sender's) with zeros, so that every message parses as in the
			// kernel's. A final message whose length reaches into that
			// padding is accepted, as github.com/mdlayher/netlink accepts
			// it (its TestIntegrationConnReceiveUnaligned).
			var buf datagram
			d, buf = d.copied()
			r.c.t.release(buf)
		}
		r.more = false
		r.d, r.loaded, r.stale = d, true, false
		return nil
	}
}

// replyLost reports, on a Conn that listens to multicast groups, a request
// whose reply the kernel may have dropped: the socket dropped datagrams
// since the request was sent and nothing is left to read. The kernel
// answers a request inside the sendmsg that carries it, so a reply that is
// not queued by then never comes; waiting for it would hang.
func (r *replyReader) replyLost() error {
	if !r.watch.on {
		return nil
	}
	st, err := r.c.queueStat()
	if err != nil || st.queued != 0 || st.drops == r.watch.drops {
		return nil
	}
	return &OpError{Op: "receive", Err: fmt.Errorf("%w: the socket overran while the reply was due: %w",
		ErrOutcomeUnknown, os.NewSyscallError("recvmsg", unix.ENOBUFS))}
}

// A dropWatch remembers the socket's drop counter when a request was sent
// (see replyLost).
type dropWatch struct {
	on    bool
	drops uint32
}

// take parses the next message of the current datagram into r.m; ok is
// false when the datagram has none left.
func (r *replyReader) take() (ok bool, err error) {
	ok, err = r.d.next(&r.m)
	if err != nil {
		return false, newOpError("receive", err)
	}
	return ok, nil
}

func (r *replyReader) finish() error {
	r.end = true
	if r.interrupted {
		r.endInterrupted = true
		return &OpError{Op: "receive", Err: ErrDumpInterrupted, Sequence: r.intrSeq}
	}
	return nil
}

func (r *replyReader) fail() {
	r.end = true
	r.unload()
}

func (r *replyReader) unload() {
	if r.loaded {
		if r.d.noteEnd && r.d.off == len(r.d.b) && r.d.off > 0 {
			// Walked to its end: r.m is its last message.
			h := r.m.Header
			r.d.endKnown = true
			r.d.endsMid = h.Flags&Multi != 0 && h.Type != Done && h.Type != Error
		}
		r.c.t.release(r.d)
		r.d, r.loaded = datagram{}, false
	}
}

// discard reads and drops what is left of the reply, so that it cannot be
// taken for the reply to a later request, and releases the datagram held.
func (r *replyReader) discard() {
	for !r.end {
		if ok, err := r.next(); !ok || err != nil {
			break
		}
	}
	r.unload()
}

// foreign reports whether d is a unicast datagram from a user-space sender
// that the Conn does not accept. Only the kernel and this socket itself
// send unicast to us in a request/reply protocol: anything else is forged or
// stray, and is dropped unless Config.AllowUserSenders is set.
func (c *Conn) foreign(d datagram) bool {
	return d.unicast && d.sender != 0 && d.sender != c.pid && !c.allowUserSenders
}
