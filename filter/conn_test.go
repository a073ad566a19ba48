//go:build linux

package filter_test

import (
	"testing"
	"time"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/filter"
	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

// TestConnRouteTable is TestNamespaceRouteTable through nlring's Conn:
// SetBPF with RouteTable(100), then a request and a dump on the same Conn.
func TestConnRouteTable(t *testing.T) {
	const perTable = 5
	ns := testutil.VethNS(t)
	c := dial(t, ns)
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
	got := testutil.Count(syncConn(t, c))
	if diff := testutil.Diff(map[string]int{"route/100": perTable}, got); diff != "" {
		t.Errorf("events received (-want +got):\n%s", diff)
	}
	if n := dumpConnRoutes(t, c); n < 3*perTable {
		t.Errorf("dump returned %d routes, want at least %d", n, 3*perTable)
	}

	// Without the filter, everything arrives.
	if err := c.RemoveBPF(); err != nil {
		t.Fatal(err)
	}
	testutil.AddRoutes(t, ns, 200, perTable, 1)
	got = testutil.Count(syncConn(t, c))
	if diff := testutil.Diff(map[string]int{"route/200": 1}, got); diff != "" {
		t.Errorf("events received without the filter (-want +got):\n%s", diff)
	}
}

// dial opens a Conn in ns subscribed to testutil.EventGroups, with an
// 8 MiB receive buffer; it is closed when t ends.
func dial(t testing.TB, ns interface{ FD() int }) *netlink.Conn {
	t.Helper()
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.FD(), Groups: testutil.EventGroups})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SetReadBuffer(8 << 20); err != nil {
		t.Fatal(err)
	}
	return c
}

// syncConn is testutil.Sync through a Conn: the events c received until
// now, with a request and its ACK as the synchronisation point.
func syncConn(t testing.TB, c *netlink.Conn) []testutil.Received {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return testutil.Sync(t, requester{c})
}

// requester is a Conn as testutil.Sync drives it.
type requester struct{ *netlink.Conn }

func (c requester) Request(t testing.TB, typ, flags uint16, body []byte) uint32 {
	t.Helper()
	req, err := c.Send(netlink.Message{
		Header: netlink.Header{Type: netlink.HeaderType(typ), Flags: netlink.HeaderFlags(flags)},
		Data:   body,
	})
	if err != nil {
		t.Fatal(err)
	}
	return req.Header.Sequence
}

func (c requester) Read(t testing.TB) []testutil.Received {
	t.Helper()
	msgs, err := c.Receive()
	if err != nil {
		t.Fatalf("receiving (did the filter drop the reply or the ACK?): %v", err)
	}
	got := make([]testutil.Received, len(msgs))
	for i, m := range msgs {
		h := m.Header
		got[i] = testutil.NewReceived(uint16(h.Type), uint16(h.Flags), h.Sequence, h.PID, m.Data)
	}
	return got
}

// dumpConnRoutes dumps the IPv4 routes through c's Execute and returns how
// many there are.
func dumpConnRoutes(t testing.TB, c *netlink.Conn) int {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Execute(netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETROUTE, Flags: netlink.Request | netlink.Dump},
		Data:   testutil.RouteDumpBody(unix.AF_INET),
	})
	if err != nil {
		t.Fatalf("route dump (did the filter drop a part?): %v", err)
	}
	return len(msgs)
}
