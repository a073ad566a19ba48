//go:build linux

package netlink_test

import (
	"context"
	"errors"
	"testing"
	"time"
	"unsafe"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/netns"
	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

// installRoutes adds routes to testutil.RouteDst(first) up to
// RouteDst(first+n-1) through lo with a batch on a Conn of its own.
func installRoutes(t testing.TB, ns *netns.NS, first, n int) {
	t.Helper()
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.FD()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	reqs := make([]netlink.Message, n)
	for i := range reqs {
		reqs[i] = routeAdd(testutil.RouteDst(first+i), loIndex)
	}
	results, err := c.ExecuteBatch(reqs, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, err := range results {
		if err != nil {
			t.Fatalf("adding route %d: %v", first+i, err)
		}
	}
}

// isRouteEvent reports whether m announces a route that installRoutes adds.
func isRouteEvent(m netlink.Message) bool {
	return isTestRoute(m) && len(m.Data) > unix.SizeofRtMsg
}

// queueEmpty reports whether the kernel holds no datagram for c.
func queueEmpty(t *testing.T, c *netlink.Conn) bool {
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var mi [unix.SK_MEMINFO_VARS]uint32
	var serr error
	if err := rc.Control(func(fd uintptr) {
		size := uint32(unsafe.Sizeof(mi))
		_, _, errno := unix.Syscall6(unix.SYS_GETSOCKOPT, fd, unix.SOL_SOCKET, unix.SO_MEMINFO,
			uintptr(unsafe.Pointer(&mi)), uintptr(unsafe.Pointer(&size)), 0)
		if errno != 0 {
			serr = errno
		}
	}); err != nil {
		t.Fatal(err)
	}
	if serr != nil {
		t.Fatal(serr)
	}
	return mi[unix.SK_MEMINFO_RMEM_ALLOC] == 0
}

// guard bounds a test that waits for events, so that a lost event fails
// the test instead of hanging it.
func guard(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// TestSubscriptionBurst checks that a burst from a batched installer
// arrives whole with the default settings.
func TestSubscriptionBurst(t *testing.T) {
	const n = 20000
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{})
		sub, err := c.Subscribe([]uint32{unix.RTNLGRP_IPV4_ROUTE}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()

		installRoutes(t, ns, 1, n)
		got := 0
		for m, err := range sub.Events(guard(t)) {
			if err != nil {
				t.Fatalf("after %d events: %v", got, err)
			}
			if isRouteEvent(m) {
				got++
			}
			if got == n {
				break
			}
		}
	})
}

// TestSubscriptionOverrun overruns a small receive buffer: the loss is
// reported as ErrEventsLost (unless NoENOBUFS is set) and events keep
// coming after it.
func TestSubscriptionOverrun(t *testing.T) {
	tests := []struct {
		name      string
		noENOBUFS bool
	}{
		{name: "reported"},
		{name: "NoENOBUFS", noENOBUFS: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, kind backend.Kind) {
				ns := testutil.NS(t)
				c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{})
				if err := c.SetReadBuffer(16 << 10); err != nil {
					t.Fatal(err)
				}
				if err := c.SetOption(netlink.NoENOBUFS, tt.noENOBUFS); err != nil {
					t.Fatal(err)
				}
				sub, err := c.Subscribe([]uint32{unix.RTNLGRP_IPV4_ROUTE}, &netlink.SubscribeOptions{ReadBuffer: -1})
				if err != nil {
					t.Fatal(err)
				}
				defer sub.Close()

				// Nothing reads while 2,000 events arrive. Once the kernel
				// queue is empty again, one more route marks the end.
				const n, marker = 2000, 5000
				installRoutes(t, ns, 1, n)

				lost, events, marked := 0, 0, false
				for m, err := range sub.Events(guard(t)) {
					if err != nil {
						if !errors.Is(err, netlink.ErrEventsLost) || !errors.Is(err, unix.ENOBUFS) {
							t.Fatalf("Events: %v, want ErrEventsLost wrapping ENOBUFS", err)
						}
						lost++
						continue
					}
					if !isRouteEvent(m) {
						continue
					}
					events++
					if routeDst(t, m) == testutil.RouteDst(marker) {
						break
					}
					if !marked && queueEmpty(t, c) {
						installRoutes(t, ns, marker, 1)
						marked = true
					}
				}
				if events >= n+1 {
					t.Fatalf("%d events of %d arrived: the buffer did not overrun", events, n+1)
				}
				if want := !tt.noENOBUFS; (lost > 0) != want {
					t.Fatalf("%d losses reported, want reported: %v", lost, want)
				}
			})
		})
	}
}

// TestSubscriptionEventsAllocations checks that iterating over events
// allocates nothing per event.
func TestSubscriptionEventsAllocations(t *testing.T) {
	const n = 5000
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{})
		sub, err := c.Subscribe([]uint32{unix.RTNLGRP_IPV4_ROUTE}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		// AllocsPerRun runs the function twice: once to warm up.
		installRoutes(t, ns, 1, 2*n)

		ctx := guard(t)
		allocs := testing.AllocsPerRun(1, func() {
			got := 0
			for m, err := range sub.Events(ctx) {
				if err != nil {
					t.Fatal(err)
				}
				if isRouteEvent(m) {
					got++
				}
				if got == n {
					break
				}
			}
		})
		// Starting the iteration allocates a few objects; an allocation
		// per event would make thousands.
		if allocs > 20 {
			t.Fatalf("%v allocations for %d events, want none per event", allocs, n)
		}
	})
}
