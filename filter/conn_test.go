//go:build linux

package filter_test

import (
	"testing"

	"github.com/nlring/netlink/filter"
	"github.com/nlring/netlink/filter/internal/scenario"
	"github.com/nlring/netlink/internal/testutil"
)

// TestConnRouteTable is TestNamespaceRouteTable through nlring's Conn:
// SetBPF with RouteTable(100), then a request and a dump on the same Conn.
func TestConnRouteTable(t *testing.T) {
	const perTable = 5
	ns := scenario.NS(t)
	c := scenario.Dial(t, ns)
	raw, err := filter.Assemble(c.PID(), filter.RouteTable(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetBPF(raw); err != nil {
		t.Fatal(err)
	}
	for _, table := range []int{100, 200, 1000} {
		scenario.AddRoutes(t, ns, table, 0, perTable)
	}
	if err := ns.IP("link", "set", scenario.Link, "mtu", "1400"); err != nil {
		t.Fatal(err)
	}
	got := scenario.Count(scenario.ConnSync(t, c))
	if diff := testutil.Diff(map[string]int{"route/100": perTable}, got); diff != "" {
		t.Errorf("events received (-want +got):\n%s", diff)
	}
	if n := scenario.ConnDumpRoutes(t, c); n < 3*perTable {
		t.Errorf("dump returned %d routes, want at least %d", n, 3*perTable)
	}

	// Without the filter, everything arrives.
	if err := c.RemoveBPF(); err != nil {
		t.Fatal(err)
	}
	scenario.AddRoutes(t, ns, 200, perTable, 1)
	got = scenario.Count(scenario.ConnSync(t, c))
	if diff := testutil.Diff(map[string]int{"route/200": 1}, got); diff != "" {
		t.Errorf("events received without the filter (-want +got):\n%s", diff)
	}
}
