package netlink_test

import (
	"context"
	"flag"
	"net/netip"
	"testing"
	"time"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/internal/netns"
	"golang.org/x/sys/unix"
)

var benchDumpRoutes = flag.Int("dump.routes", 50000, "IPv4 and IPv6 routes each in BenchmarkDumpParallel")

// BenchmarkDumpParallel dumps -dump.routes IPv4 and as many IPv6 routes
// one after the other on one Conn, and at once with DumpParallel, the two
// interleaved in every iteration, and reports the time of each and their
// ratio (below 1: parallel is faster).
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
		reqs = append(reqs, routeAdd(nthAddr(i+1), loIndex))
		v6 := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 12: byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)})
		reqs = append(reqs, routeAdd(v6, loIndex))
	}
	if _, err := c.ExecuteBatch(reqs, nil); err != nil {
		b.Fatal(err)
	}
	dumps := []netlink.Message{routeDump(unix.AF_INET), routeDump(unix.AF_INET6)}

	var seq, par time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range 2 {
			start := time.Now()
			var got int
			if (i+k)%2 == 0 {
				for _, m := range dumps {
					msgs, err := c.Execute(m)
					if err != nil {
						b.Fatal(err)
					}
					got += countHostRoutes(msgs)
				}
				seq += time.Since(start)
			} else {
				parts, err := netlink.DumpParallel(context.Background(), dial, dumps)
				if err != nil {
					b.Fatal(err)
				}
				got = countHostRoutes(parts[0]) + countHostRoutes(parts[1])
				par += time.Since(start)
			}
			if got != 2*n {
				b.Fatalf("dumped %d routes, want %d", got, 2*n)
			}
		}
	}
	b.ReportMetric(float64(seq.Milliseconds())/float64(b.N), "ms-sequential")
	b.ReportMetric(float64(par.Milliseconds())/float64(b.N), "ms-parallel")
	b.ReportMetric(float64(par)/float64(seq), "parallel/sequential")
}
