package netlink

import (
	"context"
	"errors"
	"os"
)

// A recvScope receives datagrams for one long operation (a batch, an event
// stream) and gives up as soon as its context ends.
//
// ReceiveContext arms the cancellation for every receive, which costs the
// syscall backend two allocations per datagram. A scope arms it once: when
// ctx ends, the read deadline is moved into the past, which wakes a blocked
// receive on either backend; close puts the caller's deadline back. So an
// event stream allocates nothing per event however its context is made.
//
// The caller holds the receive lock for the scope's whole life.
type recvScope struct {
	c   *Conn
	ctx context.Context

	// stop disarms the cancellation, if the transport armed one; recvCtx
	// is then a context that is never done, else ctx.
	stop    func()
	recvCtx context.Context

	// events says the scope reads events (a Subscription): it takes those
	// set aside first. Otherwise (a batch) it sets multicast datagrams
	// aside for whoever reads events.
	events bool
}

func (c *Conn) openRecvScope(ctx context.Context) *recvScope {
	s := &recvScope{c: c, ctx: ctx, recvCtx: ctx}
	if ctx.Done() == nil {
		return s
	}
	if s.stop = c.t.interruptOnDone(ctx); s.stop != nil {
		s.recvCtx = context.Background()
	}
	return s
}

// recv returns the next datagram from the kernel (or from any sender if the
// Conn accepts user senders), releasing the others unseen. Outside a
// Subscription it sets multicast datagrams aside (see Conn.events) and
// returns an empty datagram in their place. Errors are the
// transport's, unwrapped; a cancellation is ctx.Err().
func (s *recvScope) recv() (datagram, error) {
	for {
		if err := s.ctx.Err(); err != nil {
			return datagram{}, err
		}
		if s.events {
			if d, ok := s.c.events.pop(); ok {
				if d.err != nil {
					return datagram{}, d.err
				}
				return d, nil
			}
		}
		d, err := s.c.t.recv(s.recvCtx)
		if err != nil {
			if cerr := s.ctx.Err(); cerr != nil && errors.Is(err, os.ErrDeadlineExceeded) {
				return datagram{}, cerr
			}
			return datagram{}, err
		}
		if s.c.foreign(d) {
			s.c.t.release(d)
			continue
		}
		if !s.events && s.c.listening.Load() && d.multicast() {
			// Set aside for the event reader. The caller gets an empty
			// datagram rather than a wait here: it may have checked that
			// the queue held something, and this may have been all.
			s.c.events.push(d)
			s.c.t.release(d)
			return datagram{}, nil
		}
		return d, nil
	}
}

// close disarms the cancellation and, if it fired, restores the read
// deadline the caller last set.
func (s *recvScope) close() {
	if s.stop != nil {
		s.stop()
	}
}
