package bench

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"
)

func init() {
	Register(ClientSpec{
		Name: FloorClient,
		Doc:  "x/sys/unix: blocking recvmsg into one 32 KiB buffer, header and attribute walk, no allocation (the floor)",
		Rank: RankFloor,
		New:  newRawClient,
	})
}

// rawClient runs every workload on rawConn. Requests are built before the
// clock starts, as for every client, and the loops allocate nothing.
type rawClient struct {
	procConnsClient
	nsFD      int
	route, ct *rawConn
	routeDump []byte
	linkDump  []byte
	ctDump    []byte
}

func newRawClient(env *Env) (Client, error) {
	route, err := dialRaw(env.NS.FD(), unix.NETLINK_ROUTE, 0)
	if err != nil {
		return nil, err
	}
	ct, err := dialRaw(env.NS.FD(), unix.NETLINK_NETFILTER, 0)
	if err != nil {
		route.Close()
		return nil, err
	}
	dump := uint16(unix.NLM_F_REQUEST | unix.NLM_F_DUMP)
	return &rawClient{
		procConnsClient: procConnsClient{newProcClient(FloorClient, env)},
		nsFD:            env.NS.FD(),
		route:           route,
		ct:              ct,
		routeDump:       appendMsg(nil, unix.RTM_GETROUTE, dump, 0, routeDumpBody()),
		linkDump:        appendMsg(nil, unix.RTM_GETLINK, dump, 0, linkBody(0)),
		ctDump:          appendMsg(nil, conntrackGetType, dump, 0, conntrackDumpBody()),
	}, nil
}

func (r *rawClient) Close() error { return errors.Join(r.route.Close(), r.ct.Close()) }

// counted runs fn and reports the system calls c made meanwhile.
func counted(c *rawConn, fn func() (int, error)) (Counts, error) {
	before := c.syscalls
	n, err := fn()
	return Counts{Msgs: n, Syscalls: c.syscalls - before}, err
}

func (r *rawClient) DumpRoutes() (Counts, error) {
	return counted(r.route, func() (int, error) { return dumpWalk(r.route, r.routeDump, unix.SizeofRtMsg) })
}

func (r *rawClient) DumpLinks() (Counts, error) {
	return counted(r.route, func() (int, error) { return dumpWalk(r.route, r.linkDump, unix.SizeofIfInfomsg) })
}

func (r *rawClient) DumpConntrack() (Counts, error) {
	return counted(r.ct, func() (int, error) { return dumpWalk(r.ct, r.ctDump, nfgenmsgLen) })
}

// dumpWalk runs a dump and walks each message's attributes, as every
// message-level client does (msgClient.do): the floor does the same work.
func dumpWalk(c *rawConn, req []byte, hdrLen int) (int, error) {
	n, attrs, err := c.requestWalk(req, hdrLen)
	if err == nil && n > 1 && attrs == 0 {
		err = fmt.Errorf("%d messages but no attribute decoded", n)
	}
	return n, err
}

func (r *rawClient) AddRoutes(_ RouteTarget, _ []netip.Prefix, bodies [][]byte) (Counts, error) {
	buf := make([]byte, 0, 256)
	return counted(r.route, func() (int, error) {
		return r.route.writeEach(unix.RTM_NEWROUTE, addFlags, bodies, buf)
	})
}

func (r *rawClient) AddRoutesBatch(_ RouteTarget, _ []netip.Prefix, bodies [][]byte) (Counts, error) {
	buf := make([]byte, 0, batchSize*256)
	return counted(r.route, func() (int, error) {
		return r.route.writeBatched(unix.RTM_NEWROUTE, addFlags, bodies, buf)
	})
}

func (r *rawClient) GetLink(index, n int) (Counts, error) {
	req := appendMsg(nil, unix.RTM_GETLINK, unix.NLM_F_REQUEST, 0, linkBody(index))
	return counted(r.route, func() (int, error) {
		for i := range n {
			if _, err := r.route.request(req); err != nil {
				return i, err
			}
		}
		return n, nil
	})
}

func (r *rawClient) SubscribeRouteEvents() (EventSubscription, error) {
	c, err := dialRaw(r.nsFD, unix.NETLINK_ROUTE, unix.RTMGRP_IPV4_ROUTE)
	if err != nil {
		return nil, err
	}
	return &rawSubscription{c: c}, nil
}

type rawSubscription struct{ c *rawConn }

func (s *rawSubscription) Close() error { return s.c.Close() }

// Receive reads with SO_RCVTIMEO set to quiet: a timeout is the end of the
// burst. ENOBUFS says the socket overran; reading on is all there is to do.
func (s *rawSubscription) Receive(want int, quiet time.Duration) (Counts, error) {
	tv := unix.NsecToTimeval(quiet.Nanoseconds())
	if err := unix.SetsockoptTimeval(s.c.fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return Counts{}, err
	}
	return counted(s.c, func() (int, error) {
		got := 0
		for got < want {
			b, err := s.c.read()
			switch {
			case errors.Is(err, unix.EAGAIN):
				return got, nil
			case errors.Is(err, unix.ENOBUFS):
				continue
			case err != nil:
				return got, err
			}
			for {
				h, _, rest, ok := nextMsg(b)
				if !ok {
					break
				}
				if h.Type == unix.RTM_NEWROUTE {
					got++
				}
				b = rest
			}
		}
		return got, nil
	})
}
