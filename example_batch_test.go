//go:build linux

package netlink_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/netip"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/internal/netns"
	"golang.org/x/sys/unix"
)

// sandbox returns a throw-away network namespace for the examples that
// change routes, so that they leave the host alone (it needs root), and a
// function that deletes it. Programs pass such a descriptor as
// Config.NetNS, or leave NetNS at 0 to work in their own namespace.
func sandbox() (nsFD int, done func()) {
	ns, err := netns.New("nlring-example")
	if err != nil {
		log.Fatal(err)
	}
	return ns.FD(), func() { ns.Close() }
}

// ExecuteBatch adds many routes with a few system calls and reports the
// outcome of each request. Here the third request repeats the first, so
// the kernel refuses it with EEXIST; the others succeed.
func ExampleConn_ExecuteBatch() {
	nsFD, done := sandbox()
	defer done()
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: nsFD, Strict: true})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	reqs := []netlink.Message{
		routeAdd(netip.MustParseAddr("10.0.0.1"), loIndex),
		routeAdd(netip.MustParseAddr("10.0.0.2"), loIndex),
		routeAdd(netip.MustParseAddr("10.0.0.1"), loIndex),
	}
	results, err := c.ExecuteBatch(reqs, nil)
	if err != nil {
		// The batch could not finish: results still says, for every
		// request, its outcome, ErrOutcomeUnknown or ErrNotSent.
		log.Fatal(err)
	}
	for i, err := range results {
		switch {
		case err == nil:
			fmt.Printf("request %d: added\n", i)
		case errors.Is(err, unix.EEXIST):
			fmt.Printf("request %d: already there\n", i)
		case errors.Is(err, netlink.ErrOutcomeUnknown):
			// The reply was lost: look the route up before retrying.
			fmt.Printf("request %d: unknown\n", i)
		default:
			fmt.Printf("request %d: %v\n", i, err)
		}
	}
	// Run as root (the example makes a network namespace), it prints:
	// request 0: added
	// request 1: added
	// request 2: already there
}

// A Subscription yields events in place, without allocating per event. An
// overrun is reported as ErrEventsLost and the stream goes on: the program
// re-reads the state it follows (here it would dump the routes).
func ExampleSubscription_Events() {
	nsFD, done := sandbox()
	defer done()
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: nsFD})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	sub, err := c.Subscribe([]uint32{unix.RTNLGRP_IPV4_ROUTE}, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer sub.Close()

	// Another Conn changes a route, which causes an event.
	installer, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: nsFD})
	if err != nil {
		log.Fatal(err)
	}
	defer installer.Close()
	add := routeAdd(netip.MustParseAddr("10.0.0.1"), loIndex)
	add.Header.Flags |= netlink.Acknowledge // Execute waits for a reply
	if _, err := installer.Execute(add); err != nil {
		log.Fatal(err)
	}

	// The context ends the stream: a shutdown, or a deadline.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for m, err := range sub.Events(ctx) {
		switch {
		case errors.Is(err, netlink.ErrEventsLost):
			fmt.Println("events lost: resynchronizing")
			continue
		case err != nil:
			log.Fatal(err)
		}
		if m.Header.Type == unix.RTM_NEWROUTE {
			fmt.Printf("new route, prefix length %d\n", m.Data[1])
			break // a real program keeps going
		}
	}
	// Run as root (the example makes a network namespace), it prints:
	// new route, prefix length 32
}
