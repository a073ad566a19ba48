package bench

import (
	"context"
	"fmt"
	"iter"
	"net/netip"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"golang.org/x/sys/unix"
)

// The nlring clients: each backend with each API. The Execute and
// ReceiveIter clients run the same code as the mdlayher clients
// (msgClient), since nlring keeps that API; the batch clients use
// ExecuteBatch, which has no mdlayher counterpart.
func init() {
	for _, kind := range []backend.Kind{backend.Syscall, backend.IOUring} {
		for _, api := range []struct {
			suffix, doc    string
			iter, borrowed bool
		}{
			{"", "Execute (SendMessages+Receive for batches)", false, false},
			{"-iter", "Send+ReceiveIter (messages the caller owns)", true, false},
			{"-borrowed", "Send+ReceiveIterBorrowed (zero-copy)", true, true},
		} {
			Register(ClientSpec{
				Name: "nlring-" + string(kind) + api.suffix, Rank: RankNlring,
				Doc: fmt.Sprintf("nlring, %s backend: %s", kind, api.doc),
				New: func(env *Env) (Client, error) {
					c, err := newNlring(netlink.Config{NetNS: env.NS.FD(), Backend: kind}, api.iter, api.borrowed)
					if api.iter {
						return c, err
					}
					return addProc[netlink.Message](c, err, "nlring-"+string(kind), env)
				},
			})
		}
		Register(ClientSpec{
			Name: "nlring-" + string(kind) + "-batch", Rank: RankNlring,
			Doc: fmt.Sprintf("nlring, %s backend: ExecuteBatch, default options", kind),
			New: func(env *Env) (Client, error) {
				c, err := dialNlring(unix.NETLINK_ROUTE, netlink.Config{NetNS: env.NS.FD(), Backend: kind})
				if err != nil {
					return nil, err
				}
				return &nlringBatchClient{c: c}, nil
			},
		})
	}
}

// nlring-auto is the backend a program gets with a nil Config; it has only
// the process-per-run workloads (dial-churn, conns), which are what auto's
// choice is about.
func init() {
	Register(ClientSpec{
		Name: "nlring-auto", Rank: RankNlring,
		Doc: "nlring, auto backend (nil Config): Dial/Execute/Close and many Conns only",
		New: func(env *Env) (Client, error) {
			return procOnlyClient{procConnsClient{newProcClient("nlring-auto", env)}}, nil
		},
	})
}

var nlringCodec = messageCodec[netlink.Message]{
	New: func(typ, flags uint16, body []byte) netlink.Message {
		return netlink.Message{
			Header: netlink.Header{Type: netlink.HeaderType(typ), Flags: netlink.HeaderFlags(flags)},
			Data:   body,
		}
	},
	Type: func(m netlink.Message) uint16 { return uint16(m.Header.Type) },
	Walk: func(msgs iter.Seq2[netlink.Message, error], hdrLen int) (n, attrs int, err error) {
		for m, err := range msgs {
			if err != nil {
				return n, attrs, err
			}
			n++
			if hdrLen == 0 || m.Header.Type < unix.NLMSG_MIN_TYPE {
				continue
			}
			if len(m.Data) < hdrLen {
				return n, attrs, fmt.Errorf("message of %d bytes has no %d-byte family header", len(m.Data), hdrLen)
			}
			ad, err := netlink.NewAttributeDecoder(m.Data[hdrLen:])
			if err != nil {
				return n, attrs, err
			}
			for ad.Next() {
				attrs++
			}
			if err := ad.Err(); err != nil {
				return n, attrs, err
			}
		}
		return n, attrs, nil
	},
}

// dialNlring dials and checks that nlring took the backend asked for: a
// silent fallback would measure the wrong thing under the right name.
func dialNlring(family int, cfg netlink.Config) (*netlink.Conn, error) {
	c, err := netlink.Dial(family, &cfg)
	if err != nil {
		return nil, err
	}
	if got, reason := c.Backend(); got != cfg.Backend {
		c.Close()
		return nil, fmt.Errorf("nlring: asked for the %s backend, got %s (%s)", cfg.Backend, got, reason)
	}
	return c, nil
}

func newNlring(cfg netlink.Config, iter, borrowed bool) (Client, error) {
	route, err := dialNlring(unix.NETLINK_ROUTE, cfg)
	if err != nil {
		return nil, err
	}
	ct, err := dialNlring(unix.NETLINK_NETFILTER, cfg)
	if err != nil {
		route.Close()
		return nil, err
	}
	var r, c messageConn[netlink.Message] = route, ct
	if borrowed {
		r, c = borrowedConn{route}, borrowedConn{ct}
	}
	return &msgClient[netlink.Message]{
		iter:  iter,
		codec: nlringCodec,
		route: r,
		ct:    c,
		subscribe: func() (messageConn[netlink.Message], error) {
			sub := cfg
			sub.Groups = unix.RTMGRP_IPV4_ROUTE
			return dialNlring(unix.NETLINK_ROUTE, sub)
		},
	}, nil
}

// nlringBatchClient hands the whole route set to ExecuteBatch, which packs
// it into datagrams as the socket buffers allow and learns each request's
// outcome its own way (BatchAuto): the batch size is the library's choice,
// not batchSize.
type nlringBatchClient struct{ c *netlink.Conn }

func (b *nlringBatchClient) Close() error { return b.c.Close() }

func (b *nlringBatchClient) AddRoutesBatch(_ RouteTarget, _ []netip.Prefix, bodies [][]byte) (Counts, error) {
	reqs := make([]netlink.Message, len(bodies))
	for i, body := range bodies {
		reqs[i] = nlringCodec.New(unix.RTM_NEWROUTE, addFlags, body)
	}
	results, err := b.c.ExecuteBatch(reqs, nil)
	if err != nil {
		return Counts{}, err
	}
	for i, r := range results {
		if r != nil {
			return Counts{Msgs: i}, fmt.Errorf("route %d: %w", i, r)
		}
	}
	return Counts{Msgs: len(bodies)}, nil
}

// borrowedConn reads with ReceiveIterBorrowed where msgClient calls
// ReceiveIter.
type borrowedConn struct{ *netlink.Conn }

func (b borrowedConn) ReceiveIter() iter.Seq2[netlink.Message, error] {
	return b.Conn.ReceiveIterBorrowed(context.Background())
}
