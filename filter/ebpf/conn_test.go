package ebpf_test

import (
	"errors"
	"testing"
	"time"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/filter/ebpf"
	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

// TestConnRouteTables attaches a filter to nlring's Conn: table 100's
// events arrive, then after Tables().Set(1000) table 1000's, with the
// counters matching; a request and a dump on the same Conn still work.
func TestConnRouteTables(t *testing.T) {
	const perTable = 5
	ns := testutil.VethNS(t)
	c := dial(t, ns)
	f, err := ebpf.New(ebpf.Spec{
		PortID: c.PID(),
		Types:  map[uint16]ebpf.Match{unix.RTM_NEWROUTE: ebpf.MatchTable},
		Tables: []uint32{100},
	})
	if errors.Is(err, ebpf.ErrPermission) {
		t.Skipf("skipped: loading eBPF needs root or CAP_BPF: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Attach(c); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		tables []uint32
		want   map[string]int
		counts ebpf.Counters
	}{
		// Each round adds perTable routes in 3 tables; ConnSync's reply
		// and ACK are exempt.
		{[]uint32{100}, map[string]int{"route/100": perTable}, ebpf.Counters{Matched: perTable, Dropped: 2 * perTable, Exempt: 2}},
		{[]uint32{1000}, map[string]int{"route/1000": perTable}, ebpf.Counters{Matched: 2 * perTable, Dropped: 4 * perTable, Exempt: 4}},
		{[]uint32{100, 200}, map[string]int{"route/100": perTable, "route/200": perTable}, ebpf.Counters{Matched: 4 * perTable, Dropped: 5 * perTable, Exempt: 6}},
	}
	for i, tt := range tests {
		if err := f.Tables().Set(tt.tables...); err != nil {
			t.Fatal(err)
		}
		for _, table := range []int{100, 200, 1000} {
			testutil.AddRoutes(t, ns, table, i*perTable, perTable)
		}
		got := testutil.Count(syncConn(t, c))
		if diff := testutil.Diff(tt.want, got); diff != "" {
			t.Errorf("tables %v: events received (-want +got):\n%s", tt.tables, diff)
		}
		counts, err := f.Counters()
		if err != nil {
			t.Fatal(err)
		}
		if diff := testutil.Diff(tt.counts, counts); diff != "" {
			t.Errorf("tables %v: counters (-want +got):\n%s", tt.tables, diff)
		}
	}
	if n := dumpConnRoutes(t, c); n < 9*perTable {
		t.Errorf("dump returned %d routes, want at least %d", n, 9*perTable)
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
