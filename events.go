package netlink

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/nlring/netlink/internal/unix"
)

// DefaultEventBuffer is the receive buffer a Subscription asks for unless
// told otherwise: large enough that a burst of events (a routing table
// changing at once) waits in the socket for the reader instead of being
// dropped, as it is with the kernel's default of a few hundred KiB. The
// kernel charges only for the datagrams actually queued.
const DefaultEventBuffer = 32 << 20

// SubscribeOptions tune Subscribe. The zero value (or nil) is the default.
type SubscribeOptions struct {
	// ReadBuffer is the size the socket's receive buffer is raised to, as
	// SetReadBuffer counts it; 0 means DefaultEventBuffer, a negative
	// value leaves the buffer alone. With CAP_NET_ADMIN the size is
	// granted (SO_RCVBUFFORCE); without it the kernel caps it at
	// net.core.rmem_max. A buffer already larger is never lowered.
	ReadBuffer int
}

// A Subscription receives the multicast messages (events) of the groups a
// Conn joined with Subscribe.
//
// Events are meant to have a Conn of their own: while Events runs it holds
// the Conn's receive side, and every datagram the Conn receives is yielded
// to it.
type Subscription struct {
	c      *Conn
	groups []uint32
}

// Subscribe joins the multicast groups (RTNLGRP_*, a generic netlink
// family's group IDs, ...) and raises the socket's receive buffer so that
// bursts of events are not lost (see SubscribeOptions).
//
// If joining a group fails, the groups already joined are left and the
// error returned.
func (c *Conn) Subscribe(groups []uint32, opts *SubscribeOptions) (*Subscription, error) {
	if opts == nil {
		opts = &SubscribeOptions{}
	}
	// The buffer is Subscribe's to choose: joining must not change it.
	c.readBufferSet.Store(true)
	size := opts.ReadBuffer
	if size == 0 {
		size = DefaultEventBuffer
	}
	if size > 0 {
		if err := c.raiseBuffer(true, size, false); err != nil && !errors.Is(err, errNotSupported) {
			return nil, err
		}
	}
	s := &Subscription{c: c}
	for _, g := range groups {
		if err := c.JoinGroup(g); err != nil {
			_ = s.Close()
			return nil, err
		}
		s.groups = append(s.groups, g)
	}
	return s, nil
}

// Close leaves the subscription's groups. It does not close the Conn, and
// events already queued on the socket are still received by Events. It
// returns the first error met.
func (s *Subscription) Close() error {
	var first error
	for _, g := range s.groups {
		if err := s.c.LeaveGroup(g); err != nil && first == nil {
			first = err
		}
	}
	s.groups = nil
	return first
}

// Events returns an iterator over the messages received on the Conn, in
// order, until ctx ends or the iteration stops.
//
// Messages are yielded in place: the Data of a yielded Message is valid
// only until the next iteration step, and nothing is allocated per event.
// Copy what must outlive the step.
//
// Errors are yielded with a zero Message:
//
//   - an overrun: an *OpError wrapping ErrEventsLost and unix.ENOBUFS.
//     Iteration goes on with the events that follow; a caller that keeps
//     state in step with the kernel resynchronizes (dumps) now. With the
//     NoENOBUFS option set the kernel does not report overruns, and
//     neither does Events.
//   - ctx ending, the Conn closing, or any other receive failure: an
//     *OpError wrapping the cause, as the last element.
//
// Events holds the Conn's receive side while it runs: another receive on
// the Conn waits until the iteration stops.
func (s *Subscription) Events(ctx context.Context) iter.Seq2[Message, error] {
	ctx = orBackground(ctx)
	return func(yield func(Message, error) bool) {
		if err := s.c.lockRecv(ctx); err != nil {
			yield(Message{}, newOpError("receive", err))
			return
		}
		defer s.c.unlockRecv()
		rx := s.c.openRecvScope(ctx)
		rx.events = true
		defer rx.close()

		for {
			d, err := rx.recv()
			if err != nil {
				if errors.Is(err, unix.ENOBUFS) {
					if !yield(Message{}, &OpError{Op: "receive", Err: fmt.Errorf("%w: %w", ErrEventsLost, err)}) {
						return
					}
					continue
				}
				yield(Message{}, newOpError("receive", err))
				return
			}
			if !yieldDatagram(&d, yield) {
				s.c.t.release(d)
				return
			}
			s.c.t.release(d)
		}
	}
}

// yieldDatagram yields the messages of d, then the error a legacy Socket
// reported after them. It returns false when the iteration stopped; a
// datagram that does not parse ends the iteration with the error.
func yieldDatagram(d *datagram, yield func(Message, error) bool) bool {
	var m Message
	for {
		ok, err := d.next(&m)
		if err != nil {
			yield(Message{}, newOpError("receive", err))
			return false
		}
		if !ok {
			return true
		}
		if !yield(m, nil) {
			return false
		}
	}
}
