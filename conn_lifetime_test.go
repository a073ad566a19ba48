//go:build linux

package netlink_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

// TestIntegrationKeptMessages keeps every message ReceiveIter, Receive and
// Execute yield across a whole route dump, then checks that each still
// reads as it did when it was yielded, after further dumps and after Close:
// the caller owns them, as with github.com/mdlayher/netlink.
func TestIntegrationKeptMessages(t *testing.T) {
	const routes = 3000
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		testutil.AddVethRoutes(t, ns, routes)
		c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{})

		type kept struct {
			m    netlink.Message
			data []byte // a copy made when the message was yielded
		}
		var all []kept
		keep := func(m netlink.Message) {
			all = append(all, kept{m, bytes.Clone(m.Data)})
		}

		if _, err := c.Send(routeDump(unix.AF_INET)); err != nil {
			t.Fatal(err)
		}
		for m, err := range c.ReceiveIter() {
			if err != nil {
				t.Fatal(err)
			}
			keep(m)
		}
		if _, err := c.Send(routeDump(unix.AF_INET)); err != nil {
			t.Fatal(err)
		}
		msgs, err := c.Receive()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			keep(m)
		}
		if msgs, err = c.Execute(routeDump(unix.AF_INET)); err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			keep(m)
		}
		if n := len(all); n < 3*routes {
			t.Fatalf("kept %d messages, want at least %d", n, 3*routes)
		}

		check := func(when string) {
			t.Helper()
			bad := 0
			for _, k := range all {
				if !bytes.Equal(k.m.Data, k.data) {
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("%s: %d of %d kept messages changed", when, bad, len(all))
			}
		}
		// Reuse every buffer the Conn has a few times over.
		for range 3 {
			if _, err := c.Send(routeDump(unix.AF_INET)); err != nil {
				t.Fatal(err)
			}
			for _, err := range c.ReceiveIterBorrowed(context.Background()) {
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		check("after more dumps")
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		check("after Close")
	})
}

// TestIntegrationBorrowedViewKept keeps borrowed Data past its step and
// past Close: it may read other bytes, but it never faults.
func TestIntegrationBorrowedViewKept(t *testing.T) {
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		testutil.AddVethRoutes(t, ns, 500)
		c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{})
		if _, err := c.Send(routeDump(unix.AF_INET)); err != nil {
			t.Fatal(err)
		}
		var views [][]byte
		for m, err := range c.ReceiveIterBorrowed(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			views = append(views, m.Data)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		var sum int
		for _, v := range views {
			for _, b := range v {
				sum += int(b)
			}
		}
		t.Logf("read %d stale views (checksum %d)", len(views), sum)
	})
}

func TestIntegrationReceiveIterBorrowedAllocations(t *testing.T) {
	const routes = 3000
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		testutil.AddVethRoutes(t, ns, routes)
		c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{})
		req := routeDump(unix.AF_INET)
		allocs, perRun := dumpAllocs(t, c, req, routes, true)
		// A dump of 3,000 routes spans about ten datagrams: fewer
		// allocations than that per dump means none per datagram.
		if allocs > 4 {
			t.Fatalf("%.0f allocations per dump of %d messages, want none per datagram", allocs, perRun)
		}
	})
}
