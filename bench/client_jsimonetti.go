package bench

import (
	"net/netip"
	"time"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// jsimonetti/rtnetlink/v2 v2.3.0: typed rtnetlink messages over
// mdlayher/netlink. It has no batch API.
func init() {
	Register(ClientSpec{
		Name: "jsimonetti",
		Doc:  "jsimonetti/rtnetlink/v2 v2.3.0: Route.List, Link.List, Route.Add, Link.Get, Conn.Receive",
		Rank: RankPeer,
		New:  newJsimonetti,
	})
}

type jsimonettiClient struct {
	nsFD int
	c    *rtnetlink.Conn
}

func newJsimonetti(env *Env) (Client, error) {
	c, err := rtnetlink.Dial(&netlink.Config{NetNS: env.NS.FD()})
	if err != nil {
		return nil, err
	}
	return &jsimonettiClient{nsFD: env.NS.FD(), c: c}, nil
}

func (j *jsimonettiClient) Close() error { return j.c.Close() }

func (j *jsimonettiClient) DumpRoutes() (Counts, error) {
	rs, err := j.c.Route.List()
	return Counts{Msgs: len(rs)}, err
}

func (j *jsimonettiClient) DumpLinks() (Counts, error) {
	ls, err := j.c.Link.List()
	return Counts{Msgs: len(ls)}, err
}

// AddRoutes builds the library's RouteMessage values in the run: making them
// is part of using its API.
func (j *jsimonettiClient) AddRoutes(t RouteTarget, prefixes []netip.Prefix, _ [][]byte) (Counts, error) {
	for i, p := range prefixes {
		family := uint8(unix.AF_INET)
		if p.Addr().Is6() {
			family = unix.AF_INET6
		}
		err := j.c.Route.Add(&rtnetlink.RouteMessage{
			Family:    family,
			DstLength: uint8(p.Bits()),
			Protocol:  unix.RTPROT_STATIC,
			Scope:     unix.RT_SCOPE_LINK,
			Type:      unix.RTN_UNICAST,
			Attributes: rtnetlink.RouteAttributes{
				Dst:      p.Addr().AsSlice(),
				OutIface: uint32(t.LinkIndex),
				Table:    t.Table,
			},
		})
		if err != nil {
			return Counts{Msgs: i}, err
		}
	}
	return Counts{Msgs: len(prefixes)}, nil
}

func (j *jsimonettiClient) GetLink(index, n int) (Counts, error) {
	for i := range n {
		if _, err := j.c.Link.Get(uint32(index)); err != nil {
			return Counts{Msgs: i}, err
		}
	}
	return Counts{Msgs: n}, nil
}

func (j *jsimonettiClient) SubscribeRouteEvents() (EventSubscription, error) {
	c, err := rtnetlink.Dial(&netlink.Config{NetNS: j.nsFD, Groups: unix.RTMGRP_IPV4_ROUTE})
	if err != nil {
		return nil, err
	}
	return &jsimonettiSubscription{c: c}, nil
}

type jsimonettiSubscription struct{ c *rtnetlink.Conn }

func (s *jsimonettiSubscription) Close() error { return s.c.Close() }

func (s *jsimonettiSubscription) Receive(want int, quiet time.Duration) (Counts, error) {
	w := watchQuiet(quiet, func() { s.c.SetReadDeadline(time.Now()) })
	defer w.Stop()
	got := 0
	for got < want {
		msgs, _, err := s.c.Receive()
		for _, m := range msgs {
			if _, ok := m.(*rtnetlink.RouteMessage); ok {
				got++
				w.Seen()
			}
		}
		if stop, err := endOfEvents(err); stop {
			return Counts{Msgs: got}, err
		}
	}
	return Counts{Msgs: got}, nil
}
