package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"golang.org/x/sys/unix"
)

// The nlring subscription clients: Conn.Subscribe and Subscription.Events,
// with default options. Subscribe raises the socket's receive buffer to
// netlink.DefaultEventBuffer, which the other clients, left at the kernel's
// default, do not do: lost events compare the defaults a program gets.
func init() {
	for _, kind := range []backend.Kind{backend.Syscall, backend.IOUring} {
		Register(ClientSpec{
			Name: "nlring-" + string(kind) + "-sub", Rank: RankNlring,
			Doc: fmt.Sprintf("nlring, %s backend: Subscribe+Events, default options (%d MiB receive buffer)",
				kind, netlink.DefaultEventBuffer>>20),
			New: func(env *Env) (Client, error) {
				return &nlringSubClient{cfg: netlink.Config{NetNS: env.NS.FD(), Backend: kind}}, nil
			},
		})
	}
}

type nlringSubClient struct{ cfg netlink.Config }

func (*nlringSubClient) Close() error { return nil }

func (n *nlringSubClient) SubscribeRouteEvents() (EventSubscription, error) {
	c, err := dialNlring(unix.NETLINK_ROUTE, n.cfg)
	if err != nil {
		return nil, err
	}
	sub, err := c.Subscribe([]uint32{unix.RTNLGRP_IPV4_ROUTE}, nil)
	if err != nil {
		c.Close()
		return nil, err
	}
	return &nlringSubscription{c: c, sub: sub}, nil
}

type nlringSubscription struct {
	c   *netlink.Conn
	sub *netlink.Subscription
}

func (s *nlringSubscription) Close() error { return errors.Join(s.sub.Close(), s.c.Close()) }

// Receive ranges over Events until want events arrived or, events having
// stopped, a quietWatch cancels the context. Overruns are yielded as
// ErrEventsLost and the iteration goes on.
func (s *nlringSubscription) Receive(want int, quiet time.Duration) (Counts, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := watchQuiet(quiet, cancel)
	defer w.Stop()
	got := 0
	for m, err := range s.sub.Events(ctx) {
		switch {
		case errors.Is(err, netlink.ErrEventsLost):
			continue
		case err != nil && ctx.Err() != nil:
			return Counts{Msgs: got}, nil
		case err != nil:
			return Counts{Msgs: got}, err
		}
		if m.Header.Type == unix.RTM_NEWROUTE {
			got++
			w.Seen()
			if got == want {
				break
			}
		}
	}
	return Counts{Msgs: got}, nil
}
