package ebpf

import (
	"testing"

	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

// TestNamespaceRouteTables attaches a filter for table 100 to a raw event
// socket in a namespace, adds routes in tables 100, 200 and 1000 and
// changes a link: only table 100's events arrive. After Tables().Set(1000)
// only table 1000's do, without re-attaching. The counters match the
// events sent, and a request, its ACK and a dump keep working.
func TestNamespaceRouteTables(t *testing.T) {
	const perTable = 5
	ns := testutil.VethNS(t)
	s := testutil.Listen(t, ns)
	s.Sync(t) // the set-up's events, before the filter

	f := newFilter(t, Spec{
		PortID: s.PID(),
		Types:  map[uint16]Match{unix.RTM_NEWROUTE: MatchTable, unix.RTM_DELROUTE: MatchTable},
		Tables: []uint32{100},
	})
	if err := f.Attach(s); err != nil {
		t.Fatal(err)
	}
	round := func(step, mtu string, want map[string]int, wantCounters Counters) {
		t.Helper()
		for _, table := range []int{100, 200, 1000} {
			testutil.AddRoutes(t, ns, table, 0, perTable)
		}
		if err := ns.IP("link", "set", testutil.Link, "mtu", mtu); err != nil {
			t.Fatal(err)
		}
		if diff := testutil.Diff(want, testutil.Count(s.Sync(t))); diff != "" {
			t.Errorf("%s: events received (-want +got):\n%s", step, diff)
		}
		c, err := f.Counters()
		if err != nil {
			t.Fatal(err)
		}
		if diff := testutil.Diff(wantCounters, c); diff != "" {
			t.Errorf("%s: counters (-want +got):\n%s", step, diff)
		}
		for _, table := range []string{"100", "200", "1000"} {
			if err := ns.IP("route", "flush", "table", table); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Sync's reply and ACK are exempt: 2 per Sync.
	round("table 100", "1400", map[string]int{"route/100": perTable},
		Counters{Matched: perTable, Dropped: 2*perTable + 1, Exempt: 2})

	// Flushing deleted perTable routes of table 100 (matched) and
	// 2*perTable of the others (dropped), with table 100 selected.
	if err := f.Tables().Set(1000); err != nil {
		t.Fatal(err)
	}
	s.Sync(t)
	round("table 1000", "1300", map[string]int{"route/1000": perTable},
		Counters{Matched: 2*perTable + perTable, Dropped: 2*(2*perTable+1) + 2*perTable, Exempt: 6})

	if n := s.DumpRoutes(t); n < 2 {
		t.Errorf("dump returned %d routes through the filter", n)
	}
}

// TestNamespaceConntrackZones filters real ctnetlink events by zone, and
// changes the zones while attached.
func TestNamespaceConntrackZones(t *testing.T) {
	ns := testutil.NS(t)
	s := testutil.ListenConntrack(t, ns)
	f := newFilter(t, Spec{
		PortID: s.PID(),
		Types:  map[uint16]Match{testutil.CTNew: MatchZone, testutil.CTDelete: MatchZone},
		Zones:  []uint32{5},
	})
	if err := f.Attach(s); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		zones []uint32
		want  map[string]int
	}{
		{[]uint32{5}, map[string]int{"ct/5": 1}},
		{[]uint32{0, 7}, map[string]int{"ct/0": 1, "ct/7": 1}},
		{nil, map[string]int{}},
	}
	for i, step := range steps {
		if err := f.Zones().Set(step.zones...); err != nil {
			t.Fatal(err)
		}
		for j, zone := range []uint16{0, 5, 7} {
			testutil.AddConntrack(t, ns, zone, uint16(10000+10*i+j))
		}
		if diff := testutil.Diff(step.want, testutil.Count(s.Sync(t))); diff != "" {
			t.Errorf("zones %v: events received (-want +got):\n%s", step.zones, diff)
		}
	}
	c, err := f.Counters()
	if err != nil {
		t.Fatal(err)
	}
	// 9 events, 3 of them matched; each Sync's ACK is exempt.
	if diff := testutil.Diff(Counters{Matched: 3, Dropped: 6, Exempt: 3}, c); diff != "" {
		t.Errorf("counters (-want +got):\n%s", diff)
	}
}

// TestNamespaceNestedAttr filters real link events by a nested attribute,
// the VXLAN ID (IFLA_LINKINFO / IFLA_INFO_DATA / IFLA_VXLAN_ID), which the
// kernel puts after some forty other attributes.
func TestNamespaceNestedAttr(t *testing.T) {
	const iflaVXLANID = 1
	ns := testutil.VethNS(t)
	s := testutil.Listen(t, ns)
	f := newFilter(t, Spec{
		PortID: s.PID(),
		Types:  map[uint16]Match{unix.RTM_NEWLINK: MatchAttr},
		Attr: AttrKey{
			HeaderLen: unix.SizeofIfInfomsg,
			Path:      []uint16{unix.IFLA_LINKINFO, unix.IFLA_INFO_DATA, iflaVXLANID},
			Size:      4,
		},
		Attrs: []uint32{42},
	})
	if err := f.Attach(s); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"42", "43"} {
		if err := ns.IP("link", "add", "vx"+id, "type", "vxlan", "id", id, "dstport", "4789", "local", "10.255.0.1"); err != nil {
			t.Fatal(err)
		}
	}
	vx42, vx43 := testutil.LinkIndex(t, ns, "vx42"), testutil.LinkIndex(t, ns, "vx43")
	indexes := func() map[uint32]bool {
		got := map[uint32]bool{}
		for _, m := range s.Sync(t) {
			got[m.Index] = true
		}
		return got
	}
	if diff := testutil.Diff(map[uint32]bool{vx42: true}, indexes()); diff != "" {
		t.Errorf("VXLAN 42 selected: links of the events received (-want +got):\n%s", diff)
	}

	if err := f.Attrs().Set(43); err != nil {
		t.Fatal(err)
	}
	for _, link := range []string{"vx42", "vx43"} {
		if err := ns.IP("link", "set", link, "mtu", "1300"); err != nil {
			t.Fatal(err)
		}
	}
	if diff := testutil.Diff(map[uint32]bool{vx43: true}, indexes()); diff != "" {
		t.Errorf("VXLAN 43 selected: links of the events received (-want +got):\n%s", diff)
	}
}
