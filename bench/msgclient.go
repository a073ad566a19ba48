package bench

import (
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"
)

// messageConn is the message-level API that github.com/mdlayher/netlink
// defined and nlring keeps: one client implementation runs on either, so
// the two are measured doing exactly the same calls.
type messageConn[M any] interface {
	Execute(m M) ([]M, error)
	Send(m M) (M, error)
	SendMessages(msgs []M) ([]M, error)
	Receive() ([]M, error)
	ReceiveIter() iter.Seq2[M, error]
	SetReadDeadline(t time.Time) error
	Close() error
}

// messageCodec builds and inspects a library's Message values.
type messageCodec[M any] struct {
	New  func(typ, flags uint16, body []byte) M
	Type func(M) uint16
	// Walk counts the messages of msgs until the first error and, with
	// hdrLen > 0, walks the attributes that follow a family header of
	// hdrLen bytes in each with the library's own decoder, and counts
	// them: what a program reading a dump does at the least. Each library
	// has its own loop, written as a program using it would write it: a
	// call through a function value per message would cost a dump of a
	// million routes several percent.
	Walk func(msgs iter.Seq2[M, error], hdrLen int) (n, attrs int, err error)
}

// msgClient runs every workload through a messageConn, with Execute or, when
// iter is set, with Send and ReceiveIter. Request bodies come prebuilt:
// encoding them is the program's job with this API, and the same for
// every library.
type msgClient[M any] struct {
	iter      bool
	codec     messageCodec[M]
	route, ct messageConn[M]
	// subscribe opens a connection that listens to IPv4 route events.
	subscribe func() (messageConn[M], error)
}

func (m *msgClient[M]) Close() error { return errors.Join(m.route.Close(), m.ct.Close()) }

// do sends one request and counts the messages of its reply. With hdrLen
// > 0 it also walks every message's attributes after a family header of
// that length, as a program reading a dump would.
func (m *msgClient[M]) do(c messageConn[M], req M, hdrLen int) (int, error) {
	var (
		n, attrs int
		err      error
	)
	if m.iter {
		if _, err := c.Send(req); err != nil {
			return 0, err
		}
		n, attrs, err = m.codec.Walk(c.ReceiveIter(), hdrLen)
	} else {
		var msgs []M
		if msgs, err = c.Execute(req); err != nil {
			return len(msgs), err
		}
		n, attrs, err = m.codec.Walk(allOf(msgs), hdrLen)
	}
	if err == nil && hdrLen > 0 && n > 1 && attrs == 0 {
		// The walk would have measured nothing.
		err = fmt.Errorf("%d messages but no attribute decoded", n)
	}
	return n, err
}

// allOf yields the messages of a slice, with no error.
func allOf[M any](msgs []M) iter.Seq2[M, error] {
	return func(yield func(M, error) bool) {
		for _, m := range msgs {
			if !yield(m, nil) {
				return
			}
		}
	}
}

// nfgenmsgLen is the size of struct nfgenmsg, ctnetlink's family header.
const nfgenmsgLen = 4

// receive reads one reply (a datagram, or a whole multi-part message).
func (m *msgClient[M]) receive(c messageConn[M]) error {
	if !m.iter {
		_, err := c.Receive()
		return err
	}
	for _, err := range c.ReceiveIter() {
		if err != nil {
			return err
		}
	}
	return nil
}

const dumpFlags = unix.NLM_F_REQUEST | unix.NLM_F_DUMP

func (m *msgClient[M]) DumpRoutes() (Counts, error) {
	n, err := m.do(m.route, m.codec.New(unix.RTM_GETROUTE, dumpFlags, routeDumpBody()), unix.SizeofRtMsg)
	return Counts{Msgs: n}, err
}

func (m *msgClient[M]) DumpLinks() (Counts, error) {
	n, err := m.do(m.route, m.codec.New(unix.RTM_GETLINK, dumpFlags, linkBody(0)), unix.SizeofIfInfomsg)
	return Counts{Msgs: n}, err
}

func (m *msgClient[M]) DumpConntrack() (Counts, error) {
	n, err := m.do(m.ct, m.codec.New(conntrackGetType, dumpFlags, conntrackDumpBody()), nfgenmsgLen)
	return Counts{Msgs: n}, err
}

func (m *msgClient[M]) AddRoutes(_ RouteTarget, _ []netip.Prefix, bodies [][]byte) (Counts, error) {
	for i, body := range bodies {
		if _, err := m.do(m.route, m.codec.New(unix.RTM_NEWROUTE, addFlags|unix.NLM_F_ACK, body), 0); err != nil {
			return Counts{Msgs: i}, err
		}
	}
	return Counts{Msgs: len(bodies)}, nil
}

// AddRoutesBatch sends each batch with one SendMessages (one datagram) and
// reads the ACK of its last request; a failed request answers with an error
// before that.
func (m *msgClient[M]) AddRoutesBatch(_ RouteTarget, _ []netip.Prefix, bodies [][]byte) (Counts, error) {
	msgs := make([]M, 0, batchSize)
	for done := 0; done < len(bodies); {
		n := min(batchSize, len(bodies)-done)
		msgs = msgs[:0]
		for i, body := range bodies[done : done+n] {
			flags := uint16(addFlags)
			if i == n-1 {
				flags |= unix.NLM_F_ACK
			}
			msgs = append(msgs, m.codec.New(unix.RTM_NEWROUTE, flags, body))
		}
		if _, err := m.route.SendMessages(msgs); err != nil {
			return Counts{Msgs: done}, err
		}
		if err := m.receive(m.route); err != nil {
			return Counts{Msgs: done}, err
		}
		done += n
	}
	return Counts{Msgs: len(bodies)}, nil
}

func (m *msgClient[M]) GetLink(index, n int) (Counts, error) {
	body := linkBody(index)
	for i := range n {
		if _, err := m.do(m.route, m.codec.New(unix.RTM_GETLINK, unix.NLM_F_REQUEST, body), 0); err != nil {
			return Counts{Msgs: i}, err
		}
	}
	return Counts{Msgs: n}, nil
}

func (m *msgClient[M]) SubscribeRouteEvents() (EventSubscription, error) {
	c, err := m.subscribe()
	if err != nil {
		return nil, err
	}
	return &msgSubscription[M]{c: c, iter: m.iter, codec: m.codec}, nil
}

type msgSubscription[M any] struct {
	c     messageConn[M]
	iter  bool
	codec messageCodec[M]
}

func (s *msgSubscription[M]) Close() error { return s.c.Close() }

// Receive loops on Receive or ReceiveIter, which block with no timeout, as
// an event loop does; a quietWatch ends it once events stop.
func (s *msgSubscription[M]) Receive(want int, quiet time.Duration) (Counts, error) {
	w := watchQuiet(quiet, func() { s.c.SetReadDeadline(time.Now()) })
	defer w.Stop()
	got := 0
	count := func(m M) {
		if s.codec.Type(m) == unix.RTM_NEWROUTE {
			got++
			w.Seen()
		}
	}
	for got < want {
		var err error
		if s.iter {
			for m, e := range s.c.ReceiveIter() {
				if e != nil {
					err = e
					break
				}
				count(m)
			}
		} else {
			var msgs []M
			msgs, err = s.c.Receive()
			for _, m := range msgs {
				count(m)
			}
		}
		if stop, err := endOfEvents(err); stop {
			return Counts{Msgs: got}, err
		}
	}
	return Counts{Msgs: got}, nil
}
