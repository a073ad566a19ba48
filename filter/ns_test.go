//go:build linux

package filter

import (
	"testing"

	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

// TestNamespaceRouteTable attaches RouteTable(100) to a raw event socket in
// a namespace, adds routes in tables 100, 200 and 1000 and changes a link:
// only table 100's events may arrive, while a request, its ACK and a dump
// on the same socket keep working. The same run without a filter shows
// that the other events were sent.
func TestNamespaceRouteTable(t *testing.T) {
	const perTable = 5
	tests := []struct {
		name   string
		filter Criterion // nil: no filter
		want   map[string]int
	}{
		{"no filter", nil, map[string]int{"route/100": perTable, "route/200": perTable, "route/1000": perTable, "link": 1}},
		{"table 100", RouteTable(100), map[string]int{"route/100": perTable}},
		{"table 1000", RouteTable(1000), map[string]int{"route/1000": perTable}},
		{"table 200 or links", Or(RouteTable(200), MessageType(16, 17)), map[string]int{"route/200": perTable, "link": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := testutil.VethNS(t)
			s := testutil.Listen(t, ns)
			if tt.filter != nil {
				raw, err := Assemble(s.PID(), tt.filter)
				if err != nil {
					t.Fatal(err)
				}
				if err := attachClassic(s.FD(), raw); err != nil {
					t.Fatal(err)
				}
			}
			s.Sync(t) // events of the set-up, if no filter
			for _, table := range []int{100, 200, 1000} {
				testutil.AddRoutes(t, ns, table, 0, perTable)
			}
			if err := ns.IP("link", "set", testutil.Link, "mtu", "1400"); err != nil {
				t.Fatal(err)
			}
			got := testutil.Count(s.Sync(t))
			if diff := testutil.Diff(tt.want, got); diff != "" {
				t.Errorf("events received (-want +got):\n%s", diff)
			}
			// The dump sees all routes: 3×perTable, plus the local and
			// prefix routes of the address (local, broadcast and prefix
			// in tables local and main).
			if n := s.DumpRoutes(t); n < 3*perTable {
				t.Errorf("dump returned %d routes, want at least %d", n, 3*perTable)
			}
			if got := testutil.Count(s.Sync(t)); len(got) != 0 {
				t.Errorf("events after the dump: %v", got)
			}
		})
	}
}

// TestNamespaceConntrackZone creates conntrack entries in zones 0, 5 and 7
// through ctnetlink and checks which creation events a filtered socket
// receives: the kernel's own CTA_ZONE encoding, and its absence for zone 0.
func TestNamespaceConntrackZone(t *testing.T) {
	tests := []struct {
		name   string
		filter Criterion // nil: no filter
		want   map[string]int
	}{
		{"no filter", nil, map[string]int{"ct/0": 1, "ct/5": 1, "ct/7": 1}},
		{"zone 5", ConntrackZone(5), map[string]int{"ct/5": 1}},
		{"default zone", ConntrackZone(0), map[string]int{"ct/0": 1}},
		{"zones 0 and 7", ConntrackZone(7, 0), map[string]int{"ct/0": 1, "ct/7": 1}},
		{"route table", RouteTable(5), map[string]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := testutil.NS(t)
			s := testutil.ListenConntrack(t, ns)
			if tt.filter != nil {
				raw, err := Assemble(s.PID(), tt.filter)
				if err != nil {
					t.Fatal(err)
				}
				if err := attachClassic(s.FD(), raw); err != nil {
					t.Fatal(err)
				}
			}
			for i, zone := range []uint16{0, 5, 7} {
				testutil.AddConntrack(t, ns, zone, uint16(10000+i))
			}
			if diff := testutil.Diff(tt.want, testutil.Count(s.Sync(t))); diff != "" {
				t.Errorf("events received (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNamespaceInterface filters link and route events by interface: the
// veth end's own link events and the routes through it arrive, its peer's
// link events do not.
func TestNamespaceInterface(t *testing.T) {
	ns := testutil.VethNS(t)
	s := testutil.Listen(t, ns)
	idx := testutil.LinkIndex(t, ns, testutil.Link)
	raw, err := Assemble(s.PID(), Interface(idx))
	if err != nil {
		t.Fatal(err)
	}
	if err := attachClassic(s.FD(), raw); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"link", "set", testutil.Peer, "mtu", "1300"},
		{"link", "set", testutil.Link, "mtu", "1300"},
		{"route", "add", "10.1.0.0/16", "dev", testutil.Link, "table", "100"},
		{"route", "add", "10.2.0.0/16", "dev", "lo", "table", "100"},
	} {
		if err := ns.IP(args...); err != nil {
			t.Fatal(err)
		}
	}
	var got []testutil.Received
	for _, m := range s.Sync(t) {
		got = append(got, testutil.Received{Type: m.Type, Index: m.Index, Table: m.Table})
	}
	want := []testutil.Received{
		{Type: unix.RTM_NEWLINK, Index: idx},
		{Type: unix.RTM_NEWROUTE, Table: 100},
	}
	if diff := testutil.Diff(want, got); diff != "" {
		t.Errorf("events received (-want +got):\n%s", diff)
	}
}
