package netlink

import (
	"context"
	"iter"
	"slices"
)

// Execute sends m with Send, receives the reply with Receive and checks it
// against the request with Validate.
//
// Execute is serialized with Send, SendMessages, Receive and other Executes
// on the Conn, so that no other goroutine takes its reply.
//
// A multi-part reply is returned without its final Done message. If a part
// of a dump was flagged DumpInterrupted, Execute returns every message of
// the dump together with an error wrapping ErrDumpInterrupted: the dump may
// be inconsistent, and repeating it usually gives a consistent one.
func (c *Conn) Execute(m Message) ([]Message, error) {
	return c.ExecuteContext(context.Background(), m)
}

// ExecuteContext is Execute with a context: when ctx is done, waiting for
// the reply stops at once and the error wraps ctx.Err(). The unread rest of
// the reply stays queued on the socket.
func (c *Conn) ExecuteContext(ctx context.Context, m Message) ([]Message, error) {
	ctx = orBackground(ctx)
	if err := c.lockRecv(ctx); err != nil {
		return nil, newOpError("receive", err)
	}
	defer c.unlockRecv()
	c.sendMu.Lock()
	defer c.sendMu.Unlock()

	var watch dropWatch
	if c.listening.Load() {
		// Events can overrun the socket and take this request's reply
		// with them: see replyReader.replyLost.
		if st, err := c.queueStat(); err == nil {
			watch = dropWatch{on: true, drops: st.drops}
		}
	}
	req, err := c.lockedSend(m)
	if err != nil {
		return nil, err
	}
	// Messages with an older sequence number are what is left of a reply
	// abandoned earlier (deadline, cancellation, overrun): skip them.
	res, done, err := c.lockedReceiveDone(ctx, req.Header.Sequence, watch)
	debugReceived(res, err)
	if err != nil && res == nil {
		return nil, err
	}
	verr := Validate(req, res)
	if verr == nil && done != nil && done.Sequence != 0 {
		// The Done that ended the reply must be this request's too. The
		// kernel's always carries the sequence number; a Done without one
		// (as nltest.Multipart builds) is taken as in mdlayher/netlink.
		verr = validateHeader(req.Header, *done)
	}
	if verr != nil {
		return nil, verr
	}
	return res, err
}

// Receive receives the next reply or multicast datagram. A multi-part reply
// is received whole, across datagrams, and returned without its final Done
// message. An Error message with a non-zero code is returned as an *OpError.
//
// The messages are copies the caller owns. As with Execute, an interrupted
// dump returns its messages together with an error wrapping
// ErrDumpInterrupted.
func (c *Conn) Receive() ([]Message, error) {
	return c.ReceiveContext(context.Background())
}

// ReceiveContext is Receive with a context: when ctx is done, waiting stops
// at once and the error wraps ctx.Err().
func (c *Conn) ReceiveContext(ctx context.Context) ([]Message, error) {
	ctx = orBackground(ctx)
	if err := c.lockRecv(ctx); err != nil {
		return nil, newOpError("receive", err)
	}
	defer c.unlockRecv()
	return debugReceived(c.lockedReceive(ctx))
}

// lockedReceive implements Receive; the caller holds the receive lock. On
// an interrupted dump it returns the messages and the error; on any other
// error, no messages.
func (c *Conn) lockedReceive(ctx context.Context) ([]Message, error) {
	msgs, _, err := c.lockedReceiveDone(ctx, 0, dropWatch{})
	return msgs, err
}

// lockedReceiveDone is lockedReceive that also returns the header of the
// Done that ended a multi-part reply. With skipBefore set (not 0) it reads
// the reply to the request of that sequence number: it skips messages with
// an older one and sets multicast datagrams aside.
func (c *Conn) lockedReceiveDone(ctx context.Context, skipBefore uint32, watch dropWatch) (msgs []Message, done *Header, err error) {
	r := replyReader{c: c, ctx: ctx, owned: true, skipBefore: skipBefore, watch: watch}
	defer func() {
		if r.sawDone {
			// A copy: the address of r's field would move all of r to
			// the heap on every call.
			h := r.doneHdr
			done = &h
		}
	}()
	defer r.discard()

	for {
		ok, err := r.next()
		if err != nil {
			if r.endInterrupted {
				return msgs, nil, err
			}
			return nil, nil, err
		}
		if !ok {
			return msgs, nil, nil
		}
		if len(msgs) == cap(msgs) {
			// Grow at least twofold: append's 1.25× growth for large
			// slices copies a million-message dump dozens of times.
			msgs = slices.Grow(msgs, max(cap(msgs), r.d.remaining()+1))
		}
		msgs = append(msgs, r.m)
	}
}

// ReceiveIter returns an iterator over the messages of the next reply or
// multicast datagram, received as Receive does. A failure is yielded as the
// last element, with a zero Message; an interrupted dump yields all its
// messages, then an error wrapping ErrDumpInterrupted.
//
// As with Receive, the caller owns every yielded Message: its Data stays
// valid for as long as it is kept. Each datagram is copied once, so a dump
// allocates once per datagram, not per message. ReceiveIterBorrowed skips
// that copy for callers that do not keep messages.
//
// Stopping the iteration early reads and discards the rest of a multi-part
// reply, so that it cannot be taken for the reply to a later request.
func (c *Conn) ReceiveIter() iter.Seq2[Message, error] {
	return c.receiveIter(context.Background(), true)
}

// ReceiveIterContext is ReceiveIter with a context: when ctx is done,
// waiting stops at once and the last element is an error wrapping
// ctx.Err().
func (c *Conn) ReceiveIterContext(ctx context.Context) iter.Seq2[Message, error] {
	return c.receiveIter(ctx, true)
}

// ReceiveIterBorrowed is ReceiveIter without the copy: messages are parsed
// where the backend received them and nothing is allocated per datagram.
//
// The Data of a yielded Message is borrowed: it is valid only until the
// next iteration step, after which its buffer receives another datagram.
// Copy what must outlive the step. A slice kept past it never faults (the
// buffers are Go memory), but it reads whatever the buffer holds next.
func (c *Conn) ReceiveIterBorrowed(ctx context.Context) iter.Seq2[Message, error] {
	return c.receiveIter(ctx, false)
}

// receiveIter implements the ReceiveIter family; owned says whether the
// caller owns the messages' Data.
func (c *Conn) receiveIter(ctx context.Context, owned bool) iter.Seq2[Message, error] {
	ctx = orBackground(ctx)
	return func(yield func(Message, error) bool) {
		if err := c.lockRecv(ctx); err != nil {
			yield(Message{}, newOpError("receive", err))
			return
		}
		defer c.unlockRecv()

		r := replyReader{c: c, ctx: ctx, owned: owned}
		defer r.discard()
		for {
			// r.next, spelled out: it is too large to inline, and this
			// loop runs once per message of a dump.
			if !r.nextPlain() {
				ok, err := r.nextSlow()
				if err != nil {
					debugError("recv", err)
					yield(Message{}, err)
					return
				}
				if !ok {
					return
				}
			}
			if dbg != nil {
				// Checked here: this loop is too large for the
				// check to be inlined from debugMessage.
				debugMessage("recv", r.m)
			}
			if !yield(r.m, nil) {
				return
			}
		}
	}
}

// lockRecv takes the receive lock, giving up when ctx is done first.
func (c *Conn) lockRecv(ctx context.Context) error {
	if ctx.Done() == nil {
		c.recvSem <- struct{}{}
		return nil
	}
	select {
	case c.recvSem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Conn) unlockRecv() { <-c.recvSem }

// orBackground treats a nil context as context.Background rather than
// panicking on it.
func orBackground(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}
