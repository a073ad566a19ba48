//go:build linux

package filter_test

import (
	"testing"

	"github.com/nlring/netlink/filter"
	"github.com/nlring/netlink/internal/testutil"
	"github.com/nlring/netlink/internal/testutil/conntest"
)

// TestConnRouteTable is TestNamespaceRouteTable through nlring's Conn:
// SetBPF with RouteTable(100), then a request and a dump on the same Conn.
func TestConnRouteTable(t *testing.T) {
	const perTable = 5
	ns := testutil.VethNS(t)
	c := conntest.Dial(t, ns)
	raw, err := filter.Assemble(c.PID(), filter.RouteTable(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetBPF(raw); err != nil {
		t.Fatal(err)
	}
	for _, table := range []int{100, 200, 1000} {
		testutil.AddRoutes(t, ns, table, 0, perTable)
	}
	if err := ns.IP("link", "set", testutil.Link, "mtu", "1400"); err != nil {
		t.Fatal(err)
	}
	got := testutil.Count(conntest.Sync(t, c))
	if diff := testutil.Diff(map[string]int{"route/100": perTable}, got); diff != "" {
		t.Errorf("events received (-want +got):\n%s", diff)
	}
	if n := conntest.DumpRoutes(t, c); n < 3*perTable {
		t.Errorf("dump returned %d routes, want at least %d", n, 3*perTable)
	}

	// Without the filter, everything arrives.
	if err := c.RemoveBPF(); err != nil {
		t.Fatal(err)
	}
	testutil.AddRoutes(t, ns, 200, perTable, 1)
	got = testutil.Count(conntest.Sync(t, c))
	if diff := testutil.Diff(map[string]int{"route/200": 1}, got); diff != "" {
		t.Errorf("events received without the filter (-want +got):\n%s", diff)
	}
}
