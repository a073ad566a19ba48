//go:build linux

package netlink_test

// Behaviour that must be the same on every backend (issue 11): what a call
// interrupted by Close returns, what deadlines return after Close, where an
// overrun is reported, and whether a dump can follow an abandoned one.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

// TestConsistencyCloseInterrupts closes a Conn while calls are under way
// in other goroutines, many times with varied timing: each must end with an
// error wrapping net.ErrClosed, never a bare EBADF, whether it was waiting
// in the kernel, for the Conn, or between two datagrams of a dump (a dump
// read by Execute may also have ended first, with its whole result).
func TestConsistencyCloseInterrupts(t *testing.T) {
	// Enough routes that a dump outlasts the longest wait before Close.
	const routes = 20000
	type call func(c *netlink.Conn, going chan<- struct{}) error
	// Each call closes going once it is surely under way.
	calls := []struct {
		name string
		run  call
	}{
		{"Receive", func(c *netlink.Conn, going chan<- struct{}) error {
			close(going)
			_, err := c.Receive()
			return err
		}},
		{"Execute", func(c *netlink.Conn, going chan<- struct{}) error {
			close(going)
			_, err := c.Execute(noReply())
			return err
		}},
		{"Subscription.Events", func(c *netlink.Conn, going chan<- struct{}) error {
			sub, err := c.Subscribe([]uint32{unix.RTNLGRP_IPV4_ROUTE}, &netlink.SubscribeOptions{ReadBuffer: -1})
			if err != nil {
				return err
			}
			defer sub.Close()
			close(going)
			for _, err := range sub.Events(context.Background()) {
				if err != nil {
					return err
				}
			}
			return errors.New("Events ended without an error")
		}},
		{"Receive behind a Receive", func(c *netlink.Conn, going chan<- struct{}) error {
			var wg sync.WaitGroup
			defer wg.Wait()
			wg.Go(func() { _, _ = c.Receive() })
			time.Sleep(5 * time.Millisecond) // let the Receive take the Conn
			close(going)
			_, err := c.Receive()
			return err
		}},
		{"Execute behind a Receive", func(c *netlink.Conn, going chan<- struct{}) error {
			var wg sync.WaitGroup
			defer wg.Wait()
			wg.Go(func() { _, _ = c.Receive() })
			time.Sleep(5 * time.Millisecond) // let the Receive take the Conn
			close(going)
			_, err := c.Execute(getLink(1))
			return err
		}},
		{"ReceiveIter mid-dump", func(c *netlink.Conn, going chan<- struct{}) error {
			if _, err := c.Send(routeDump(unix.AF_INET)); err != nil {
				return err
			}
			n := 0
			for _, err := range c.ReceiveIter() {
				if err != nil {
					return err
				}
				if n++; n == 100 {
					close(going)
				}
				if n > 100 {
					time.Sleep(10 * time.Microsecond)
				}
			}
			return errors.New("the dump ended before Close")
		}},
		{"Execute dump", func(c *netlink.Conn, going chan<- struct{}) error {
			close(going)
			msgs, err := c.Execute(routeDump(unix.AF_INET))
			if err == nil && countRoutes(msgs) != routes {
				return fmt.Errorf("a dump of %d routes", countRoutes(msgs))
			}
			return err // nil: it ended before Close
		}},
	}
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		testutil.AddVethRoutes(t, ns, routes)
		for _, tc := range calls {
			t.Run(tc.name, func(t *testing.T) {
				interrupted := 0
				for i := range 20 {
					c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{})
					going := make(chan struct{})
					errc := make(chan error, 1)
					go func() { errc <- tc.run(c, going) }()
					select {
					case <-going:
					case err := <-errc:
						t.Fatalf("failed before Close: %v", err)
					}
					// From about when the call blocks to well past it; a
					// dump read by Execute is over within milliseconds.
					step := time.Millisecond
					if tc.name == "Execute dump" {
						step = 200 * time.Microsecond
					}
					time.Sleep(time.Duration(i%5)*step + 200*time.Microsecond)
					if err := c.Close(); err != nil {
						t.Fatalf("Close: %v", err)
					}
					select {
					case err := <-errc:
						if err != nil && !errors.Is(err, net.ErrClosed) {
							t.Fatalf("run %d: %v, want an error wrapping net.ErrClosed", i, err)
						}
						if err != nil {
							interrupted++
						}
					case <-time.After(hung):
						t.Fatalf("run %d: still blocked %v after Close", i, hung)
					}
				}
				// Only a dump read by Execute may end before Close; most
				// runs must still catch it under way.
				if interrupted < 10 {
					t.Errorf("Close interrupted %d runs of 20, want at least 10", interrupted)
				}
			})
		}
	})
}

// TestConsistencyDeadlineAfterClose: setting a deadline on a closed Conn
// fails as it did in github.com/mdlayher/netlink v1.11.2, whose deadlines
// were the closed *os.File's: "netlink set-read-deadline: use of closed
// file".
func TestConsistencyDeadlineAfterClose(t *testing.T) {
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{})
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			op  string
			set func(time.Time) error
		}{
			{"set-deadline", c.SetDeadline},
			{"set-read-deadline", c.SetReadDeadline},
			{"set-write-deadline", c.SetWriteDeadline},
		} {
			for _, at := range []time.Time{{}, time.Now().Add(time.Hour)} {
				err := tc.set(at)
				want := "netlink " + tc.op + ": use of closed file"
				var oe *netlink.OpError
				if err == nil || err.Error() != want || !errors.As(err, &oe) || oe.Op != tc.op {
					t.Errorf("%s after Close = %#v (%v), want an *OpError %q", tc.op, err, err, want)
				}
			}
		}
	})
}

// TestConsistencyOverrunReportedFirst floods route events into a Conn
// with a tiny receive buffer while nobody reads: the first thing every way
// of reading events then returns is the overrun, as recvmsg reports it,
// not the events that were already in hand (io_uring's ring held them, and
// reported the loss after them, on whichever call came next). The events
// still queued follow.
func TestConsistencyOverrunReportedFirst(t *testing.T) {
	const flood = 2000
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		for _, r := range eventReaders {
			t.Run(r.name, func(t *testing.T) {
				c := overrunListener(t, kind, flood)
				if err := c.SetReadDeadline(time.Now().Add(hung)); err != nil {
					t.Fatal(err)
				}
				before, _, err := r.read(c)
				if before != 0 || err == nil {
					t.Fatalf("%d events, then %v; want the overrun first", before, err)
				}
			})
		}
	})
}

// TestConsistencyDumpAfterAbandonedDump abandons a dump part way, by a
// cancelled context or by breaking out of ReceiveIter, then asks for
// another on the same Conn: the kernel refuses a dump while one is running
// (EBUSY), so the Conn must finish the old one first. The new dump must be
// complete, whether read by Execute or by Send and ReceiveIter.
func TestConsistencyDumpAfterAbandonedDump(t *testing.T) {
	const routes = 20000
	abandon := []struct {
		name string
		stop func(c *netlink.Conn) error
	}{
		{"cancel", func(c *netlink.Conn) error {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			n := 0
			for _, err := range c.ReceiveIterContext(ctx) {
				if err != nil {
					if errors.Is(err, context.Canceled) {
						return nil
					}
					return err
				}
				if n++; n == 1000 {
					cancel()
				}
			}
			return errors.New("the dump ended before the cancellation")
		}},
		{"break", func(c *netlink.Conn) error {
			n := 0
			for _, err := range c.ReceiveIter() {
				if err != nil {
					return err
				}
				if n++; n == 1000 {
					break
				}
			}
			return nil
		}},
		{"deadline", func(c *netlink.Conn) error {
			defer c.SetReadDeadline(time.Time{})
			n := 0
			for _, err := range c.ReceiveIter() {
				if err != nil {
					if errors.Is(err, os.ErrDeadlineExceeded) {
						return nil
					}
					return err
				}
				if n++; n == 1000 {
					if err := c.SetReadDeadline(time.Now().Add(-time.Second)); err != nil {
						return err
					}
				}
			}
			return errors.New("the dump ended before the deadline")
		}},
	}
	again := []struct {
		name string
		dump func(c *netlink.Conn) (int, error)
	}{
		{"Execute", func(c *netlink.Conn) (int, error) {
			msgs, err := c.Execute(routeDump(unix.AF_INET))
			return countRoutes(msgs), err
		}},
		{"Send+ReceiveIter", func(c *netlink.Conn) (int, error) {
			if _, err := c.Send(routeDump(unix.AF_INET)); err != nil {
				return 0, err
			}
			n := 0
			for m, err := range c.ReceiveIter() {
				if err != nil {
					return n, err
				}
				if isTestRoute(m) {
					n++
				}
			}
			return n, nil
		}},
	}
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		testutil.AddVethRoutes(t, ns, routes)
		for _, a := range abandon {
			for _, d := range again {
				t.Run(a.name+"/"+d.name, func(t *testing.T) {
					c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{})
					if err := c.SetDeadline(time.Now().Add(hung)); err != nil {
						t.Fatal(err)
					}
					for i := range 3 {
						if _, err := c.Send(routeDump(unix.AF_INET)); err != nil {
							t.Fatal(err)
						}
						if err := a.stop(c); err != nil {
							t.Fatalf("abandoning dump %d: %v", i, err)
						}
						if err := c.SetDeadline(time.Now().Add(hung)); err != nil {
							t.Fatal(err)
						}
						n, err := d.dump(c)
						if err != nil || n != routes {
							t.Fatalf("dump after abandoned dump %d: %d of %d routes, %v", i, n, routes, err)
						}
					}
				})
			}
		}
	})
}
