//go:build linux

package netlink_test

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/backend/iouring"
	"github.com/nlring/netlink/internal/netns"
	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

var soakDuration = flag.Duration("soak.duration", 0, "run TestSoak for this long (0: a minute when CI is set, otherwise skip)")

// Soak parameters.
const (
	soakRoutes = 100_000
	// soakMargin is how long past its deadline (or past Close) a call may
	// take to return before it counts as blocked. Generous: the race
	// detector and a dozen busy goroutines share two CPUs.
	soakMargin = 3 * time.Second
	// soakHeapSlack is heap in use that may stay after the soak: pools and
	// caches that warmed up, never growth per operation.
	soakHeapSlack = 32 << 20
	// soakThreadSlack is how many more OS threads than at the quarter mark
	// the end may show. The runtime never ends idle threads, so their
	// number plateaus at the workload's peak; a leak keeps climbing.
	soakThreadSlack = 16
)

// TestSoak runs a mixed workload on every backend at once, in a namespace
// of its own, and checks its invariants as it goes:
//
//   - every request gets its own reply, or an error that says why;
//   - every route event is delivered, or an ErrEventsLost (ENOBUFS) covers
//     it; none arrives twice;
//   - no call blocks past its deadline, or past Close, by more than
//     soakMargin; nothing panics or dies;
//   - descriptors, goroutines and heap return to their starting level, OS
//     threads stop growing.
//
// The workload: dumps of 100,000 routes; Executes from many goroutines on
// one Conn; event subscribers on separate Conns (one with a large buffer,
// one tiny so that it overruns) and on a Conn that also runs Executes,
// while routes churn; ExecuteBatch with failing requests; cancellations and
// deadlines mid-call; Close racing calls; Dial/Close churn; RLIMIT_NOFILE
// lowered for a while half way (Dial must fail cleanly, then work again).
//
// It runs for a minute when CI is set, for -soak.duration otherwise
// (go test -run TestSoak -soak.duration=1h), and needs root.
func TestSoak(t *testing.T) {
	d := *soakDuration
	if d == 0 {
		if os.Getenv("CI") == "" {
			t.Skip("soak test: runs in CI (CI set) for a minute, or with -soak.duration")
		}
		d = time.Minute
	}
	if os.Geteuid() != 0 {
		t.Skip("soak test: needs root for its network namespace")
	}
	ns := testutil.NS(t)
	testutil.AddVethRoutes(t, ns, soakRoutes)
	kinds := []backend.Kind{backend.Syscall}
	if iouring.Supported() == nil {
		kinds = append(kinds, backend.IOUring)
	} else {
		t.Logf("io_uring unavailable: soaking the syscall backend only")
	}

	s := &soak{t: t, ns: ns, stop: make(chan struct{}), counts: map[string]*atomic.Int64{}}
	s.v0 = s.linkIndex(testutil.Link)
	base := readProcStats(t)
	baseThreads := threadCount(t)

	// The churner and the subscribers first: every event is accounted for
	// from the first route on.
	var subs []*soakSubscriber
	for _, k := range kinds {
		subs = append(subs,
			s.subscriber(k, "separate Conn", 0),
			s.subscriber(k, "tiny buffer", tinyReadBuffer),
			s.sameConnSubscriber(k))
	}
	var churned atomic.Int64
	churnDone := make(chan struct{})
	go func() { defer close(churnDone); s.churn(&churned) }()

	var wg sync.WaitGroup
	for _, k := range kinds {
		wg.Go(func() { s.dumps(k) })
		wg.Go(func() { s.executes(k, 8) })
		wg.Go(func() { s.batches(k) })
		wg.Go(func() { s.cancels(k) })
		wg.Go(func() { s.closeRaces(k) })
		wg.Go(func() { s.dialChurn(k) })
	}
	var quarterThreads int
	wg.Go(func() {
		if s.sleep(d / 4) {
			quarterThreads = threadCount(t)
		}
		if s.sleep(d / 4) {
			s.lowRlimit(2 * time.Second)
		}
	})

	time.Sleep(d)
	close(s.stop)
	wg.Wait()
	<-churnDone
	generated := churned.Load()
	for _, sub := range subs {
		sub.finish(generated)
	}

	end := settled(t, base)
	endThreads := threadCount(t)
	s.count("route events generated", generated)
	s.report()
	t.Logf("resources: goroutines %d→%d, fds %d→%d, heap in use %d→%d KiB, threads %d→%d (quarter mark %d)",
		base.goroutines, end.goroutines, base.fds, end.fds, base.heapInuse>>10, end.heapInuse>>10,
		baseThreads, endThreads, quarterThreads)
	if end.goroutines > base.goroutines {
		t.Errorf("goroutines: %d at the start, %d at the end", base.goroutines, end.goroutines)
	}
	if end.fds > base.fds {
		t.Errorf("file descriptors: %d at the start, %d at the end", base.fds, end.fds)
	}
	if end.heapInuse > base.heapInuse+soakHeapSlack {
		t.Errorf("heap in use: %d KiB at the start, %d KiB at the end", base.heapInuse>>10, end.heapInuse>>10)
	}
	if quarterThreads > 0 && endThreads > quarterThreads+soakThreadSlack {
		t.Errorf("OS threads still growing: %d at the quarter mark, %d at the end", quarterThreads, endThreads)
	}
}

// soak holds the shared state of TestSoak.
type soak struct {
	t    *testing.T
	ns   *netns.NS
	v0   int32
	stop chan struct{}
	// lowFDs is set while RLIMIT_NOFILE is lowered.
	lowFDs atomic.Bool

	mu         sync.Mutex
	counts     map[string]*atomic.Int64
	violations int
}

// count adds n to the invariant counter name.
func (s *soak) count(name string, n int64) {
	s.mu.Lock()
	c := s.counts[name]
	if c == nil {
		c = new(atomic.Int64)
		s.counts[name] = c
	}
	s.mu.Unlock()
	c.Add(n)
}

// violation reports a broken invariant at once (the first 50 in full).
func (s *soak) violation(format string, args ...any) {
	s.mu.Lock()
	s.violations++
	n := s.violations
	s.mu.Unlock()
	s.count("violations", 1)
	if n <= 50 {
		s.t.Errorf("soak: "+format, args...)
	}
}

func (s *soak) report() {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.counts))
	for n := range s.counts {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "\n  %-60s %d", n, s.counts[n].Load())
	}
	s.t.Logf("soak invariant counts:%s", b.String())
}

// stopped reports whether the soak is over.
func (s *soak) stopped() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

// sleep waits for d, or less if the soak ends; it reports whether the
// soak goes on.
func (s *soak) sleep(d time.Duration) bool {
	select {
	case <-s.stop:
		return false
	case <-time.After(d):
		return true
	}
}

// dial opens a Conn in the namespace; an error is a violation unless
// descriptors are short on purpose.
func (s *soak) dial(k backend.Kind, cfg netlink.Config) *netlink.Conn {
	cfg.NetNS, cfg.Backend = s.ns.FD(), k
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &cfg)
	if err != nil {
		if errors.Is(err, unix.EMFILE) && s.lowFDs.Load() {
			s.count(string(k)+": Dial failed cleanly with EMFILE (limit lowered)", 1)
			return nil
		}
		s.violation("%s: Dial: %v", k, err)
		return nil
	}
	return c
}

// timed runs fn, which must return by limit (plus soakMargin).
func (s *soak) timed(what string, limit time.Duration, fn func()) {
	start := time.Now()
	fn()
	if took := time.Since(start); took > limit+soakMargin {
		s.violation("%s took %v, allowed %v", what, took, limit)
	}
}

func (s *soak) linkIndex(name string) int32 {
	c := s.dial(backend.Syscall, netlink.Config{})
	if c == nil {
		s.t.FailNow()
	}
	defer c.Close()
	msgs, err := c.Execute(getLink(0))
	if err != nil {
		s.t.Fatal(err)
	}
	for _, m := range msgs {
		ad, err := netlink.NewAttributeDecoder(m.Data[unix.SizeofIfInfomsg:])
		if err != nil {
			continue
		}
		for ad.Next() {
			if ad.Type() == unix.IFLA_IFNAME && ad.String() == name {
				return linkIndex(m)
			}
		}
	}
	s.t.Fatalf("no link %s", name)
	return 0
}

// Route events. The churner adds and deletes 10.200.x.y/31 routes: /31,
// so that dumps counting the /32 test routes are not disturbed.

func churnRoute(typ netlink.HeaderType, i int, oif int32) netlink.Message {
	m := routeMessage(typ, netip.AddrFrom4([4]byte{10, 200, byte(i >> 7), byte(i&127) * 2}), uint32(oif))
	m.Data[1] = 31
	return m
}

func isChurnEvent(m netlink.Message) bool {
	return (m.Header.Type == unix.RTM_NEWROUTE || m.Header.Type == unix.RTM_DELROUTE) &&
		len(m.Data) >= unix.SizeofRtMsg && m.Data[0] == unix.AF_INET && m.Data[1] == 31
}

// churn adds and deletes routes in bursts until the soak ends, counting
// the events the kernel sent for them: one per successful request.
func (s *soak) churn(generated *atomic.Int64) {
	c := s.dial(backend.Syscall, netlink.Config{})
	if c == nil {
		return
	}
	defer c.Close()
	for i := 0; !s.stopped(); i++ {
		for j := range 200 {
			n := (i*200 + j) % 8192
			for _, typ := range []netlink.HeaderType{unix.RTM_NEWROUTE, unix.RTM_DELROUTE} {
				m := churnRoute(typ, n, s.v0)
				m.Header.Flags |= netlink.Acknowledge
				if _, err := c.Execute(m); err != nil {
					s.violation("churn: %v", err)
					return
				}
				generated.Add(1)
			}
		}
		s.sleep(10 * time.Millisecond)
	}
}

// A soakSubscriber counts the churn events one reader sees.
type soakSubscriber struct {
	s    *soak
	name string
	seen atomic.Int64
	lost atomic.Int64 // overruns reported
	done chan struct{}
	quit context.CancelFunc
	// last is when the reader last saw an event or an overrun.
	last atomic.Int64
}

func (sub *soakSubscriber) saw(m netlink.Message) {
	if isChurnEvent(m) {
		sub.seen.Add(1)
		sub.last.Store(time.Now().UnixNano())
	}
}

func (sub *soakSubscriber) overrun() {
	sub.lost.Add(1)
	sub.last.Store(time.Now().UnixNano())
}

// finish waits until the reader has been quiet for a second, stops it and
// checks its account against the events generated.
func (sub *soakSubscriber) finish(generated int64) {
	giveUp := time.Now().Add(hung)
	for time.Since(time.Unix(0, sub.last.Load())) < time.Second && time.Now().Before(giveUp) {
		time.Sleep(100 * time.Millisecond)
	}
	sub.quit()
	<-sub.done
	seen, lost := sub.seen.Load(), sub.lost.Load()
	s := sub.s
	s.count(sub.name+": events delivered", seen)
	s.count(sub.name+": overruns reported", lost)
	switch {
	case seen > generated:
		s.violation("%s: %d events seen, only %d generated", sub.name, seen, generated)
	case seen < generated && lost == 0:
		s.violation("%s: %d of %d events lost with no ErrEventsLost/ENOBUFS", sub.name, generated-seen, generated)
	default:
		s.count(sub.name+": events covered by an overrun report", generated-seen)
	}
}

// subscriber reads events with Subscription.Events on a Conn of its own;
// readBuffer > 0 makes its socket that small and its reading slow, to
// force overruns.
func (s *soak) subscriber(k backend.Kind, what string, readBuffer int) *soakSubscriber {
	ctx, cancel := context.WithCancel(context.Background())
	sub := &soakSubscriber{s: s, name: string(k) + ": subscriber, " + what, done: make(chan struct{}), quit: cancel}
	sub.last.Store(time.Now().UnixNano())
	c := s.dial(k, netlink.Config{})
	if c == nil {
		close(sub.done)
		return sub
	}
	opts := &netlink.SubscribeOptions{}
	if readBuffer > 0 {
		opts.ReadBuffer = -1
		if err := c.SetReadBuffer(readBuffer); err != nil {
			s.violation("%s: SetReadBuffer: %v", sub.name, err)
		}
	}
	ev, err := c.Subscribe([]uint32{unix.RTNLGRP_IPV4_ROUTE}, opts)
	if err != nil {
		s.t.Fatalf("%s: Subscribe: %v", sub.name, err)
	}
	go func() {
		defer close(sub.done)
		defer c.Close()
		n := 0
		for m, err := range ev.Events(ctx) {
			switch {
			case err == nil:
				sub.saw(m)
				if n++; readBuffer > 0 && n%64 == 0 {
					time.Sleep(time.Millisecond)
				}
			case errors.Is(err, netlink.ErrEventsLost):
				sub.overrun()
			case errors.Is(err, context.Canceled):
				return
			default:
				s.violation("%s: %v", sub.name, err)
				return
			}
		}
	}()
	return sub
}

// sameConnSubscriber joins the route group on a Conn that also runs
// Executes, and reads events between them: a request must neither eat an
// event nor hang because of one (issue 11, defects 2 and 3).
func (s *soak) sameConnSubscriber(k backend.Kind) *soakSubscriber {
	ctx, cancel := context.WithCancel(context.Background())
	sub := &soakSubscriber{s: s, name: string(k) + ": events and Executes on one Conn", done: make(chan struct{}), quit: cancel}
	sub.last.Store(time.Now().UnixNano())
	c := s.dial(k, netlink.Config{})
	if c == nil {
		close(sub.done)
		return sub
	}
	if err := c.SetReadBuffer(32 << 20); err != nil {
		s.violation("%s: SetReadBuffer: %v", sub.name, err)
	}
	if err := c.JoinGroup(unix.RTNLGRP_IPV4_ROUTE); err != nil {
		s.t.Fatalf("%s: JoinGroup: %v", sub.name, err)
	}
	go func() {
		defer close(sub.done)
		defer c.Close()
		for ctx.Err() == nil {
			s.timed(sub.name+": Execute", 10*time.Second, func() {
				rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
				defer rcancel()
				msgs, err := c.ExecuteContext(rctx, getLink(1))
				switch {
				case err == nil:
					if len(msgs) != 1 || linkIndex(msgs[0]) != 1 {
						s.violation("%s: Execute(GETLINK lo) = %d messages, not its reply", sub.name, len(msgs))
					}
					s.count(sub.name+": Executes answered", 1)
				case errors.Is(err, unix.ENOBUFS):
					// The overrun may have taken the reply: said so.
					sub.overrun()
					s.count(sub.name+": Executes failed with ENOBUFS after an overrun", 1)
				case ctx.Err() != nil:
				default:
					s.violation("%s: Execute: %v", sub.name, err)
				}
			})
			// Read what events came, until none for 20 ms.
			for ctx.Err() == nil {
				rctx, rcancel := context.WithTimeout(ctx, 20*time.Millisecond)
				msgs, err := c.ReceiveContext(rctx)
				rcancel()
				if err != nil {
					if errors.Is(err, unix.ENOBUFS) {
						sub.overrun()
						continue
					}
					if !errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
						s.violation("%s: Receive: %v", sub.name, err)
					}
					break
				}
				for _, m := range msgs {
					sub.saw(m)
				}
			}
		}
	}()
	return sub
}

// dumps reads the whole route table, alternately with Execute and with
// ReceiveIter: every dump must hold exactly the test routes.
func (s *soak) dumps(k backend.Kind) {
	c := s.dial(k, netlink.Config{})
	if c == nil {
		return
	}
	defer c.Close()
	for i := 0; !s.stopped(); i++ {
		var n int
		var err error
		s.timed(string(k)+": dump", time.Minute, func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if i%2 == 0 {
				var msgs []netlink.Message
				msgs, err = c.ExecuteContext(ctx, routeDump(unix.AF_INET))
				n = countRoutes(msgs)
				return
			}
			if _, err = c.Send(routeDump(unix.AF_INET)); err != nil {
				return
			}
			for m, ierr := range c.ReceiveIterContext(ctx) {
				if ierr != nil {
					err = ierr
					break
				}
				if isTestRoute(m) {
					n++
				}
			}
		})
		switch {
		case errors.Is(err, netlink.ErrDumpInterrupted):
			s.count(string(k)+": dumps flagged interrupted", 1)
		case err != nil:
			s.violation("%s: dump: %v", k, err)
		case n != soakRoutes:
			s.violation("%s: dump held %d routes, want %d", k, n, soakRoutes)
		default:
			s.count(string(k)+": dumps of 100k routes complete", 1)
		}
	}
}

// executes runs Executes from n goroutines on one Conn, each asking for a
// link of its own choosing: each must get that link.
func (s *soak) executes(k backend.Kind, n int) {
	c := s.dial(k, netlink.Config{})
	if c == nil {
		return
	}
	defer c.Close()
	var wg sync.WaitGroup
	for g := range n {
		wg.Go(func() {
			for i := 0; !s.stopped(); i++ {
				want := int32(1)
				if (g+i)%2 == 1 {
					want = s.v0
				}
				s.timed(string(k)+": Execute", 10*time.Second, func() {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					msgs, err := c.ExecuteContext(ctx, getLink(want))
					switch {
					case err != nil:
						s.violation("%s: Execute(GETLINK %d): %v", k, want, err)
					case len(msgs) != 1 || linkIndex(msgs[0]) != want:
						s.violation("%s: Execute(GETLINK %d) answered with another reply", k, want)
					default:
						s.count(string(k)+": Executes answered with their own reply", 1)
					}
				})
			}
		})
	}
	wg.Wait()
}

// ipv6Route is an RTM_NEWROUTE or RTM_DELROUTE for fc00::i/128 on oif: a
// change nobody in the soak subscribes to.
func ipv6Route(typ netlink.HeaderType, i int, oif int32) netlink.Message {
	rtm := make([]byte, unix.SizeofRtMsg)
	rtm[0] = unix.AF_INET6
	rtm[1] = 128
	rtm[4] = unix.RT_TABLE_MAIN
	rtm[5] = unix.RTPROT_BOOT
	rtm[6] = unix.RT_SCOPE_UNIVERSE
	rtm[7] = unix.RTN_UNICAST
	dst := [16]byte{0: 0xfc}
	binary.BigEndian.PutUint32(dst[12:], uint32(i))
	b := appendAttr(rtm, unix.RTA_DST, dst[:])
	b = appendAttr(b, unix.RTA_OIF, binary.NativeEndian.AppendUint32(nil, uint32(oif)))
	flags := netlink.Request
	if typ == unix.RTM_NEWROUTE {
		flags |= netlink.Create | netlink.Excl
	}
	return netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}, Data: b}
}

// batches runs ExecuteBatch with requests that fail among ones that do
// not: each result must be the request's own outcome.
func (s *soak) batches(k backend.Kind) {
	c := s.dial(k, netlink.Config{})
	if c == nil {
		return
	}
	defer c.Close()
	base := 0
	if k == backend.IOUring {
		base = 1 << 20
	}
	for i := 0; !s.stopped(); i++ {
		var reqs []netlink.Message
		var want []error
		for j := range 50 {
			id := base + (i*50+j)%100000
			switch j % 4 {
			case 0: // a test route that exists
				reqs = append(reqs, routeMessage(unix.RTM_NEWROUTE, netip.AddrFrom4([4]byte{10, 1, 0, byte(j)}), uint32(s.v0)))
				want = append(want, unix.EEXIST)
			case 1: // a route that does not
				reqs = append(reqs, ipv6Route(unix.RTM_DELROUTE, 1<<30+id, s.v0))
				want = append(want, unix.ESRCH)
			case 2:
				reqs = append(reqs, ipv6Route(unix.RTM_NEWROUTE, id, s.v0))
				want = append(want, nil)
			case 3:
				reqs = append(reqs, ipv6Route(unix.RTM_DELROUTE, base+(i*50+j-1)%100000, s.v0))
				want = append(want, nil)
			}
		}
		s.timed(string(k)+": ExecuteBatch", 30*time.Second, func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			res, err := c.ExecuteBatchContext(ctx, reqs, nil)
			if err != nil {
				s.violation("%s: ExecuteBatch: %v", k, err)
				return
			}
			for j := range reqs {
				if (want[j] == nil) != (res[j] == nil) || (want[j] != nil && !errors.Is(res[j], want[j])) {
					s.violation("%s: ExecuteBatch request %d: %v, want %v", k, j, res[j], want[j])
					return
				}
			}
			s.count(string(k)+": ExecuteBatch requests with their own outcome", int64(len(reqs)))
		})
	}
}

// cancels stops calls part way, by context and by deadline: each must end
// in time with the reason, and the Conn must answer the next request.
func (s *soak) cancels(k backend.Kind) {
	c := s.dial(k, netlink.Config{})
	if c == nil {
		return
	}
	defer c.Close()
	for i := 0; !s.stopped(); i++ {
		limit := time.Duration(rand.IntN(20)) * time.Millisecond
		var err error
		switch i % 3 {
		case 0: // a dump under a context deadline
			s.timed(string(k)+": ExecuteContext with a deadline", limit, func() {
				ctx, cancel := context.WithTimeout(context.Background(), limit)
				defer cancel()
				var msgs []netlink.Message
				msgs, err = c.ExecuteContext(ctx, routeDump(unix.AF_INET))
				if err == nil && countRoutes(msgs) != soakRoutes {
					err = fmt.Errorf("dump of %d routes", countRoutes(msgs))
				}
			})
			if err != nil && !errors.Is(err, context.DeadlineExceeded) {
				s.violation("%s: ExecuteContext(dump) with a deadline: %v", k, err)
			}
		case 1: // a dump cancelled part way through
			ctx, cancel := context.WithCancel(context.Background())
			if _, err = c.Send(routeDump(unix.AF_INET)); err != nil {
				s.violation("%s: Send: %v", k, err)
			}
			n := 0
			stop := 1 + rand.IntN(soakRoutes/2)
			s.timed(string(k)+": ReceiveIterContext cancelled", 0, func() {
				for m, ierr := range c.ReceiveIterContext(ctx) {
					if ierr != nil {
						err = ierr
						break
					}
					if isTestRoute(m) {
						if n++; n == stop {
							cancel()
						}
					}
				}
			})
			cancel()
			if !errors.Is(err, context.Canceled) {
				s.violation("%s: dump cancelled at route %d: %v", k, stop, err)
			}
		case 2: // a read deadline with nothing to read
			if err := c.SetReadDeadline(time.Now().Add(limit)); err != nil {
				s.violation("%s: SetReadDeadline: %v", k, err)
			}
			// What is left of a dump stopped before is still queued:
			// Receive returns it, as the next datagrams, until the
			// deadline passes.
			s.timed(string(k)+": Receive under a read deadline", limit, func() {
				for err == nil {
					_, err = c.Receive()
				}
			})
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				s.violation("%s: Receive past its deadline: %v", k, err)
			}
			if err := c.SetReadDeadline(time.Time{}); err != nil {
				s.violation("%s: SetReadDeadline: %v", k, err)
			}
		}
		s.count(string(k)+": calls stopped by a context or deadline", 1)
		msgs, err := c.Execute(getLink(1))
		if err != nil || len(msgs) != 1 || linkIndex(msgs[0]) != 1 {
			s.violation("%s: Execute after a stopped call: %d messages, %v", k, len(msgs), err)
		}
	}
}

// closeRaces closes Conns while calls run on them: each call ends, with
// its result or with an error that says the Conn was closed.
func (s *soak) closeRaces(k backend.Kind) {
	calls := []func(c *netlink.Conn) error{
		func(c *netlink.Conn) error { _, err := c.Receive(); return err },
		func(c *netlink.Conn) error {
			_, err := c.Execute(routeDump(unix.AF_INET))
			return err
		},
		func(c *netlink.Conn) error {
			_, err := c.Execute(getLink(1))
			return err
		},
	}
	for !s.stopped() {
		c := s.dial(k, netlink.Config{})
		if c == nil {
			s.sleep(10 * time.Millisecond)
			continue
		}
		errs := make(chan error, len(calls))
		for _, call := range calls {
			go func() { errs <- call(c) }()
		}
		time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
		closed := time.Now()
		if err := c.Close(); err != nil {
			s.violation("%s: Close: %v", k, err)
		}
		for range calls {
			select {
			case err := <-errs:
				switch {
				case err == nil:
					s.count(string(k)+": calls racing Close that completed", 1)
				case errors.Is(err, net.ErrClosed):
					s.count(string(k)+": calls racing Close that got net.ErrClosed", 1)
				case errors.Is(err, unix.EBADF):
					// Begun after Close, on a Conn closed while idle.
					s.count(string(k)+": calls racing Close begun after it (EBADF)", 1)
				default:
					s.violation("%s: call racing Close: %v", k, err)
				}
			case <-time.After(soakMargin - time.Since(closed)):
				s.violation("%s: call still blocked %v after Close", k, soakMargin)
				return
			}
		}
	}
}

// dialChurn opens a Conn, uses it once and closes it, over and over.
func (s *soak) dialChurn(k backend.Kind) {
	for !s.stopped() {
		c := s.dial(k, netlink.Config{})
		if c == nil {
			s.sleep(time.Millisecond)
			continue
		}
		msgs, err := c.Execute(getLink(1))
		if err != nil || len(msgs) != 1 {
			s.violation("%s: Execute on a new Conn: %d messages, %v", k, len(msgs), err)
		}
		if err := c.Close(); err != nil {
			s.violation("%s: Close: %v", k, err)
		}
		s.count(string(k)+": Dial/Execute/Close cycles", 1)
	}
}

// lowRlimit lowers RLIMIT_NOFILE to the lowest free descriptor for d, then
// puts it back: Dials fail cleanly meanwhile, and the process lives.
func (s *soak) lowRlimit(d time.Duration) {
	var saved unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &saved); err != nil {
		s.violation("Getrlimit: %v", err)
		return
	}
	// No number free under the limit now; Conns closing meanwhile free a
	// few, so that some Dials work and others fail.
	open := openFDs(s.t)
	low := saved
	for n := 0; ; n++ {
		if _, ok := open[n]; !ok {
			low.Cur = uint64(n)
			break
		}
	}
	s.lowFDs.Store(true)
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &low); err != nil {
		s.violation("Setrlimit: %v", err)
	}
	s.count("RLIMIT_NOFILE lowered to the lowest free descriptor, for "+d.String(), 1)
	for _, k := range []backend.Kind{backend.Syscall, backend.IOUring} {
		if c := s.dial(k, netlink.Config{}); c != nil {
			c.Close()
		}
	}
	time.Sleep(d)
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &saved); err != nil {
		s.t.Fatalf("restoring RLIMIT_NOFILE: %v", err)
	}
	// Dials that began under the low limit may still fail for a moment.
	time.Sleep(100 * time.Millisecond)
	s.lowFDs.Store(false)
}

// threadCount returns the process's OS threads.
func threadCount(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no Threads line in /proc/self/status")
	return 0
}
