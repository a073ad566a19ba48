//go:build linux

package netlink_test

// Load held by one Conn and by many Conns in turn, on every backend: many
// goroutines sharing a Conn, Dial/Close cycles, a long event stream. Nothing
// may be lost, misdelivered or leaked. See docs/reliability.md.
//
// The default sizes keep the whole file under a minute with -race on a
// 2-core machine; NLRING_LONG=1 runs the full sizes.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/backendtest"
	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

// longRun says whether the load tests run at full size: NLRING_LONG=1.
func longRun() bool { return os.Getenv("NLRING_LONG") == "1" }

// loadSize picks full when NLRING_LONG=1, or when neither -race nor -short
// slows the run down; reduced otherwise.
func loadSize(t *testing.T, full, reduced int) int {
	if longRun() || (!backendtest.RaceEnabled && !testing.Short()) {
		return full
	}
	t.Logf("reduced size %d (full size %d: NLRING_LONG=1)", reduced, full)
	return reduced
}

// getAddrs is an RTM_GETADDR dump of every address.
func getAddrs() netlink.Message {
	return netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETADDR, Flags: netlink.Request | netlink.Dump},
		Data:   make([]byte, unix.SizeofIfAddrmsg),
	}
}

// TestReliabilityLoadSharedExecute: 64 goroutines share one Conn, each
// running Executes of RTM_GETLINK for a link of its choice and RTM_GETADDR
// dumps. Every reply must be the asker's: its sequence number, and the
// link or the addresses it asked for.
func TestReliabilityLoadSharedExecute(t *testing.T) {
	const workers = 64
	rounds := loadSize(t, 50, 10)
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		n := testutil.NS(t)
		testutil.AddVeth(t, n)
		ifindexes := []int32{1, 2, 3} // lo, then the pair in creation order
		c := dial(t, n, kind, unix.NETLINK_ROUTE, netlink.Config{})
		if err := c.SetDeadline(time.Now().Add(hung)); err != nil {
			t.Fatal(err)
		}

		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Go(func() {
				for i := range rounds {
					seq := uint32(w<<16|i) + 1
					if i%4 == 3 {
						req := getAddrs()
						req.Header.Sequence = seq
						msgs, err := c.Execute(req)
						if err != nil {
							errs <- fmt.Errorf("worker %d: RTM_GETADDR: %w", w, err)
							return
						}
						lo := false
						for _, m := range msgs {
							if m.Header.Sequence != seq || m.Header.Type != unix.RTM_NEWADDR {
								errs <- fmt.Errorf("worker %d: RTM_GETADDR seq %d got %v seq %d", w, seq, m.Header.Type, m.Header.Sequence)
								return
							}
							lo = lo || binary.NativeEndian.Uint32(m.Data[4:8]) == 1
						}
						if !lo {
							errs <- fmt.Errorf("worker %d: RTM_GETADDR dump of %d messages lacks lo's addresses", w, len(msgs))
							return
						}
						continue
					}
					want := ifindexes[(w+i)%len(ifindexes)]
					req := getLink(want)
					req.Header.Sequence = seq
					msgs, err := c.Execute(req)
					if err != nil {
						errs <- fmt.Errorf("worker %d: RTM_GETLINK %d: %w", w, want, err)
						return
					}
					if len(msgs) != 1 || msgs[0].Header.Sequence != seq || linkIndex(msgs[0]) != want {
						errs <- fmt.Errorf("worker %d: RTM_GETLINK %d seq %d got %d messages, first seq %d ifindex %d",
							w, want, seq, len(msgs), msgs[0].Header.Sequence, linkIndex(msgs[0]))
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

// TestReliabilityLoadSendReceiveMix: 32 goroutines Send RTM_GETLINK
// requests on one Conn while 32 others Receive. Replies go to whichever
// receiver is next (only Execute ties a reply to its asker), so the check
// is on the whole: every request answered exactly once, with the link it
// asked for, none lost.
func TestReliabilityLoadSendReceiveMix(t *testing.T) {
	const senders, receivers = 32, 32
	perSender := loadSize(t, 200, 30)
	total := senders * perSender
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		n := testutil.NS(t)
		testutil.AddVeth(t, n)
		ifindexes := []int32{1, 2, 3}
		c := dial(t, n, kind, unix.NETLINK_ROUTE, netlink.Config{})
		// Replies wait in the socket for a receiver: bound how many are
		// outstanding, and make room for them (a link reply takes a few
		// KiB of receive buffer: the default holds about 50).
		inflight := make(chan struct{}, 128)
		if err := c.SetReadBuffer(4 << 20); err != nil {
			t.Fatal(err)
		}

		var (
			mu       sync.Mutex
			asked    = map[uint32]int32{} // sequence → ifindex asked for
			answered = map[uint32]int32{} // sequence → ifindex answered
			problems []string
		)
		var got atomic.Int64
		// The timeout only catches a hang.
		ctx, cancel := context.WithTimeout(context.Background(), hung)
		defer cancel()

		var wg sync.WaitGroup
		for s := range senders {
			wg.Go(func() {
				for i := range perSender {
					select {
					case inflight <- struct{}{}:
					case <-ctx.Done():
						return
					}
					want := ifindexes[(s+i)%len(ifindexes)]
					seq := uint32(s<<16|i) + 1
					req := getLink(want)
					req.Header.Sequence = seq
					mu.Lock()
					asked[seq] = want
					mu.Unlock()
					if _, err := c.Send(req); err != nil {
						mu.Lock()
						problems = append(problems, fmt.Sprintf("Send: %v", err))
						mu.Unlock()
						return
					}
				}
			})
		}
		for range receivers {
			wg.Go(func() {
				for got.Load() < int64(total) {
					msgs, err := c.ReceiveContext(ctx)
					if errors.Is(err, context.Canceled) {
						return // all answered
					}
					mu.Lock()
					switch {
					case err != nil:
						problems = append(problems, fmt.Sprintf("Receive: %v", err))
					case len(msgs) != 1:
						problems = append(problems, fmt.Sprintf("Receive: %d messages, want 1", len(msgs)))
					default:
						seq := msgs[0].Header.Sequence
						if _, dup := answered[seq]; dup {
							problems = append(problems, fmt.Sprintf("sequence %d answered twice", seq))
						}
						answered[seq] = linkIndex(msgs[0])
					}
					mu.Unlock()
					if err != nil {
						cancel()
						return
					}
					<-inflight
					if got.Add(1) == int64(total) {
						cancel() // wake the receivers still waiting
					}
				}
			})
		}
		wg.Wait()
		for _, p := range problems {
			t.Error(p)
		}
		if len(answered) != len(asked) {
			t.Fatalf("%d requests, %d answered", len(asked), len(answered))
		}
		if diff := testutil.Diff(asked, answered); diff != "" {
			t.Errorf("replies differ from requests (-asked +answered):\n%s", diff)
		}
	})
}

// settled waits until goroutines and file descriptors are back to base,
// giving exiting goroutines time to finish; it returns the last reading.
func settled(t *testing.T, base procStats) procStats {
	t.Helper()
	giveUp := time.Now().Add(hung)
	for {
		s := readProcStats(t)
		if (s.goroutines <= base.goroutines && s.fds <= base.fds) || time.Now().After(giveUp) {
			return s
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestReliabilityLoadDialClose opens and closes Conns in a namespace, on
// each backend: goroutines, file descriptors and heap must not grow.
// 10,000 cycles per backend; 1,000 under -race or -short (NLRING_LONG=1
// forces the full count).
func TestReliabilityLoadDialClose(t *testing.T) {
	cycles := loadSize(t, 10000, 1000)
	// Heap that may stay in use after the cycles: pools and caches that
	// warm up, never per-cycle growth (10,000 leaked Conns would be far
	// above it).
	const heapSlack = 8 << 20
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		cfg := &netlink.Config{NetNS: ns.FD(), Backend: kind}
		cycle := func() {
			c, err := netlink.Dial(unix.NETLINK_ROUTE, cfg)
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			if err := c.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
		}
		for range 100 { // warm up
			cycle()
		}
		base := settled(t, readProcStats(t))
		start := time.Now()
		for range cycles {
			cycle()
		}
		elapsed := time.Since(start)
		end := settled(t, base)
		t.Logf("%d cycles in %v; goroutines %d→%d, fds %d→%d, heap in use %d→%d KiB",
			cycles, elapsed.Round(time.Millisecond), base.goroutines, end.goroutines, base.fds, end.fds,
			base.heapInuse>>10, end.heapInuse>>10)
		if end.goroutines > base.goroutines {
			t.Errorf("goroutines grew from %d to %d over %d cycles", base.goroutines, end.goroutines, cycles)
		}
		if end.fds > base.fds {
			t.Errorf("file descriptors grew from %d to %d over %d cycles", base.fds, end.fds, cycles)
		}
		if end.heapInuse > base.heapInuse+heapSlack {
			t.Errorf("heap in use grew from %d to %d KiB over %d cycles", base.heapInuse>>10, end.heapInuse>>10, cycles)
		}
	})
}

// TestReliabilityLoadEventStream installs and deletes n routes with
// ExecuteBatch while a Subscription on another Conn counts the route
// events: every add and every delete must arrive, none lost, none twice.
// 20,000 of each by default (40,000 events); NLRING_LONG=1 runs 500,000
// of each (a million events).
func TestReliabilityLoadEventStream(t *testing.T) {
	n, readBuffer, timeout := 20000, 64<<20, hung
	if longRun() {
		n, readBuffer, timeout = 500000, 256<<20, 10*time.Minute
	}
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		testutil.AddVeth(t, ns)
		const oif = 2 // v0

		listener := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{})
		sub, err := listener.Subscribe([]uint32{unix.RTNLGRP_IPV4_ROUTE}, &netlink.SubscribeOptions{ReadBuffer: readBuffer})
		if err != nil {
			t.Fatalf("Subscribe: %v", err)
		}
		defer sub.Close()

		// Counts by destination: each must see exactly one add and one
		// delete.
		type counts struct{ added, deleted int }
		seen := make(map[netip.Addr]*counts, n)
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		var (
			wg              sync.WaitGroup
			streamErr       error
			added, deleted  int
			foreign, events int
		)
		wg.Go(func() {
			for m, err := range sub.Events(ctx) {
				if err != nil {
					streamErr = err
					return
				}
				events++
				if len(m.Data) < unix.SizeofRtMsg || m.Data[1] != 32 || m.Data[4] != unix.RT_TABLE_MAIN {
					foreign++
					continue
				}
				ad, err := netlink.NewAttributeDecoder(m.Data[unix.SizeofRtMsg:])
				if err != nil {
					streamErr = err
					return
				}
				var dst netip.Addr
				for ad.Next() {
					if ad.Type() == unix.RTA_DST {
						dst, _ = netip.AddrFromSlice(ad.Bytes())
					}
				}
				c := seen[dst]
				if c == nil {
					c = &counts{}
					seen[dst] = c
				}
				switch m.Header.Type {
				case unix.RTM_NEWROUTE:
					c.added++
					added++
				case unix.RTM_DELROUTE:
					c.deleted++
					deleted++
				}
				if added == n && deleted == n {
					return
				}
			}
		})

		installer := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{})
		dst := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, byte(1 + i>>16), byte(i >> 8), byte(i)}) }
		reqs := make([]netlink.Message, n)
		start := time.Now()
		for _, typ := range []netlink.HeaderType{unix.RTM_NEWROUTE, unix.RTM_DELROUTE} {
			name := map[netlink.HeaderType]string{unix.RTM_NEWROUTE: "RTM_NEWROUTE", unix.RTM_DELROUTE: "RTM_DELROUTE"}[typ]
			for i := range reqs {
				reqs[i] = routeMessage(typ, dst(i), oif)
			}
			results, err := installer.ExecuteBatch(reqs, nil)
			if err != nil {
				cancel()
				wg.Wait()
				t.Fatalf("ExecuteBatch(%s): %v", name, err)
			}
			for i, r := range results {
				if r != nil {
					cancel()
					wg.Wait()
					t.Fatalf("ExecuteBatch(%s): request %d: %v", name, i, r)
				}
			}
		}
		installed := time.Since(start)
		wg.Wait()
		t.Logf("%d events (%d adds, %d deletes, %d others) in %v; installer took %v",
			events, added, deleted, foreign, time.Since(start).Round(time.Millisecond), installed.Round(time.Millisecond))
		if streamErr != nil {
			t.Fatalf("event stream: %v", streamErr)
		}
		if added != n || deleted != n || len(seen) != n {
			t.Fatalf("%d adds and %d deletes of %d destinations, want %d of each for %d", added, deleted, len(seen), n, n)
		}
		for a, c := range seen {
			if c.added != 1 || c.deleted != 1 {
				t.Fatalf("%v: %d adds, %d deletes, want one of each", a, c.added, c.deleted)
			}
		}
	})
}
