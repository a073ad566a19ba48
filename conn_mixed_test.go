//go:build linux

package netlink_test

import (
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

// Tests of a Conn that both listens to events and sends requests.

// TestIntegrationExecuteKeepsEvents queues route events on a Conn that
// joined their group, then runs Executes: each gets its reply, and every
// event is still there, in order, for Receive afterwards. Repeated over
// many Conns, so that the Conn's random first sequence number falls both
// before and after the events' own (which ip sets from the clock).
func TestIntegrationExecuteKeepsEvents(t *testing.T) {
	const conns, events = 20, 5
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		testutil.AddVeth(t, ns)
		for i := range conns {
			c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{})
			if err := c.JoinGroup(unix.RTNLGRP_IPV4_ROUTE); err != nil {
				t.Fatal(err)
			}
			testutil.AddRoutes(t, ns, 0, i*events, events)
			for range 3 {
				msgs, err := c.Execute(getLink(1))
				if err != nil {
					t.Fatalf("conn %d: Execute with events queued: %v", i, err)
				}
				if len(msgs) != 1 || msgs[0].Header.Type != unix.RTM_NEWLINK {
					t.Fatalf("conn %d: Execute returned %d messages, first of type %d; want one RTM_NEWLINK", i, len(msgs), msgs[0].Header.Type)
				}
			}
			if err := c.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
				t.Fatal(err)
			}
			var got []string
			for len(got) < events {
				msgs, err := c.Receive()
				if err != nil {
					t.Fatalf("conn %d: Receive after %d of %d events: %v", i, len(got), events, err)
				}
				for _, m := range msgs {
					if isTestRoute(m) {
						got = append(got, routeDst(t, m).String())
					}
				}
			}
			for j, dst := range got {
				n := i*events + j
				if want := fmt.Sprintf("10.%d.%d.%d", 1+n>>16, n>>8&0xff, n&0xff); dst != want {
					t.Fatalf("conn %d: event %d is for %s, want %s (order kept)", i, j, dst, want)
				}
			}
			c.Close()
		}
	})
}

// TestIntegrationExecuteAfterOverrun overruns a listening Conn with route
// events, then runs Executes: each returns promptly, with its reply or with
// an error saying the reply may have been lost to the overrun, and once the
// events are read the Conn serves requests again.
func TestIntegrationExecuteAfterOverrun(t *testing.T) {
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		testutil.AddVethRoutes(t, ns, 0)
		c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{KeepReadBuffer: true})
		if err := c.SetReadBuffer(64 << 10); err != nil {
			t.Fatal(err)
		}
		if err := c.JoinGroup(unix.RTNLGRP_IPV4_ROUTE); err != nil {
			t.Fatal(err)
		}
		testutil.AddRoutes(t, ns, 0, 0, 20000)
		// Guards against a hang, not a timing assertion.
		if err := c.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
			t.Fatal(err)
		}
		var replied, lost int
		for i := range 3 {
			_, err := c.Execute(getLink(1))
			switch {
			case err == nil:
				replied++
			case errors.Is(err, netlink.ErrOutcomeUnknown) && errors.Is(err, unix.ENOBUFS):
				lost++
			default:
				t.Fatalf("Execute %d after the overrun: %v; want its reply or ErrOutcomeUnknown wrapping ENOBUFS", i, err)
			}
		}
		t.Logf("after the overrun: %d replies, %d reported lost", replied, lost)

		// The events: read until the queue is empty, with the overrun
		// reported among them.
		var overruns, events int
		for {
			if err := c.SetReadDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
				t.Fatal(err)
			}
			msgs, err := c.Receive()
			if errors.Is(err, unix.ENOBUFS) {
				overruns++
				continue
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				break
			}
			if err != nil {
				t.Fatalf("Receive: %v", err)
			}
			events += len(msgs)
		}
		if overruns == 0 {
			t.Error("no overrun reported to the event reader")
		}
		t.Logf("%d events received, %d overruns reported", events, overruns)
		if err := c.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
			t.Fatal(err)
		}
		requireUsable(t, c)
	})
}

// TestIntegrationJoinGroupRaisesBuffer checks that a Conn that listens gets
// a receive buffer for bursts, unless the program chose one or opted out.
func TestIntegrationJoinGroupRaisesBuffer(t *testing.T) {
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		cases := []struct {
			name   string
			cfg    netlink.Config
			set    int // SetReadBuffer before joining, if not 0
			raised bool
		}{
			{name: "JoinGroup", raised: true},
			{name: "Config.Groups", cfg: netlink.Config{Groups: 1 << (unix.RTNLGRP_LINK - 1)}, raised: true},
			{name: "KeepReadBuffer", cfg: netlink.Config{KeepReadBuffer: true}},
			{name: "SetReadBuffer first", set: 128 << 10},
		}
		for _, tc := range cases {
			c := dial(t, ns, kind, unix.NETLINK_ROUTE, tc.cfg)
			if tc.set != 0 {
				if err := c.SetReadBuffer(tc.set); err != nil {
					t.Fatal(err)
				}
			}
			before, err := c.ReadBuffer()
			if err != nil {
				t.Fatal(err)
			}
			if err := c.JoinGroup(unix.RTNLGRP_IPV4_ROUTE); err != nil {
				t.Fatal(err)
			}
			after, err := c.ReadBuffer()
			if err != nil {
				t.Fatal(err)
			}
			if tc.cfg.Groups != 0 {
				before = 0 // raised at Dial already
			}
			if got := after >= 2*netlink.DefaultEventBuffer; got != tc.raised || (!tc.raised && after != before) {
				t.Errorf("%s: read buffer %d before joining, %d after; want raised to %d: %v",
					tc.name, before, after, 2*netlink.DefaultEventBuffer, tc.raised)
			}
			c.Close()
		}
	})
}
