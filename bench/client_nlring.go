package bench

import (
	"fmt"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"golang.org/x/sys/unix"
)

// The nlring clients: each backend with each API. They run the same code as
// the mdlayher clients (msgClient), since nlring keeps that API.
func init() {
	for _, kind := range []backend.Kind{backend.Syscall, backend.IOUring} {
		for _, api := range []struct {
			suffix, doc string
			iter        bool
		}{
			{"", "Execute (SendMessages+Receive for batches)", false},
			{"-iter", "Send+ReceiveIter", true},
		} {
			Register(ClientSpec{
				Name: "nlring-" + string(kind) + api.suffix, Rank: RankNlring,
				Doc: fmt.Sprintf("nlring, %s backend: %s", kind, api.doc),
				New: func(env *Env) (Client, error) {
					return newNlring(netlink.Config{NetNS: env.NS.FD(), Backend: kind}, api.iter)
				},
			})
		}
	}
}

var nlringCodec = messageCodec[netlink.Message]{
	New: func(typ, flags uint16, body []byte) netlink.Message {
		return netlink.Message{
			Header: netlink.Header{Type: netlink.HeaderType(typ), Flags: netlink.HeaderFlags(flags)},
			Data:   body,
		}
	},
	Type: func(m netlink.Message) uint16 { return uint16(m.Header.Type) },
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

func newNlring(cfg netlink.Config, iter bool) (Client, error) {
	route, err := dialNlring(unix.NETLINK_ROUTE, cfg)
	if err != nil {
		return nil, err
	}
	ct, err := dialNlring(unix.NETLINK_NETFILTER, cfg)
	if err != nil {
		route.Close()
		return nil, err
	}
	return &msgClient[netlink.Message]{
		iter:  iter,
		codec: nlringCodec,
		route: route,
		ct:    ct,
		subscribe: func() (messageConn[netlink.Message], error) {
			sub := cfg
			sub.Groups = unix.RTMGRP_IPV4_ROUTE
			return dialNlring(unix.NETLINK_ROUTE, sub)
		},
	}, nil
}
