//go:build linux

package netlink_test

import (
	"context"
	"flag"
	"net/netip"
	"testing"
	"time"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/internal/netns"
	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

var benchDumpRoutes = flag.Int("dump.routes", 50000, "IPv4 and IPv6 routes each in BenchmarkDumpParallel")

// BenchmarkDumpParallel dumps -dump.routes IPv4 and as many IPv6 routes
// one after the other on one Conn, and at once (DumpParallel, and
// DumpParallelConns on two Conns dialed beforehand), the three interleaved
// in every iteration,
// and reports the time of each and their ratios (below 1: parallel is
// faster).
//
//	go test -run '^$' -bench BenchmarkDumpParallel -benchtime 10x -dump.routes 500000 .
func BenchmarkDumpParallel(b *testing.B) {
	n := *benchDumpRoutes
	ns, err := netns.New("nlring-bench")
	if err != nil {
		b.Fatal(err)
	}
	defer ns.Close()
	dial := func() (*netlink.Conn, error) {
		return netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.FD(), Strict: true})
	}
	c, err := dial()
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	reqs := make([]netlink.Message, 0, 2*n)
	for i := range n {
		reqs = append(reqs, routeAdd(testutil.RouteDst(i+1), loIndex))
		v6 := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 12: byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)})
		reqs = append(reqs, routeAdd(v6, loIndex))
	}
	if _, err := c.ExecuteBatch(reqs, nil); err != nil {
		b.Fatal(err)
	}
	c2, err := dial()
	if err != nil {
		b.Fatal(err)
	}
	defer c2.Close()
	dumps := []netlink.Message{routeDump(unix.AF_INET), routeDump(unix.AF_INET6)}

	// Three ways: one Conn after the other; DumpParallel, which dials a
	// Conn per part; and DumpParallelConns on two Conns dialed beforehand,
	// which tells the kernel's share apart from the cost of dialing.
	ways := []func() ([][]netlink.Message, error){
		func() ([][]netlink.Message, error) {
			var parts [][]netlink.Message
			for _, m := range dumps {
				msgs, err := c.Execute(m)
				if err != nil {
					return nil, err
				}
				parts = append(parts, msgs)
			}
			return parts, nil
		},
		func() ([][]netlink.Message, error) {
			return netlink.DumpParallel(context.Background(), dial, dumps)
		},
		func() ([][]netlink.Message, error) {
			return netlink.DumpParallelConns(context.Background(), []*netlink.Conn{c, c2}, dumps)
		},
	}
	spent := make([]time.Duration, len(ways))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range ways {
			j := (i + k) % len(ways)
			start := time.Now()
			parts, err := ways[j]()
			spent[j] += time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			if got := countHostRoutes(parts[0]) + countHostRoutes(parts[1]); got != 2*n {
				b.Fatalf("dumped %d routes, want %d", got, 2*n)
			}
		}
	}
	ms := func(j int) float64 { return float64(spent[j].Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(ms(0), "ms-sequential")
	b.ReportMetric(ms(1), "ms-DumpParallel")
	b.ReportMetric(ms(2), "ms-parallel-predialed")
	b.ReportMetric(ms(1)/ms(0), "DumpParallel/sequential")
	b.ReportMetric(ms(2)/ms(0), "predialed/sequential")
}
