package ebpf

import (
	"encoding/binary"
	"errors"
	"reflect"
	"testing"

	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

const (
	ownPort   = 4242
	otherPort = 777
)

var host = binary.NativeEndian

func routes(tables ...uint32) []testutil.Message {
	ms := make([]testutil.Message, len(tables))
	for i, t := range tables {
		ms[i] = testutil.RouteEvent(otherPort, t)
	}
	return ms
}

// TestPrograms feeds synthetic datagrams to filters in the kernel and
// checks what they keep and how they count it.
func TestPrograms(t *testing.T) {
	routeTables := Spec{Types: map[uint16]Match{unix.RTM_NEWROUTE: MatchTable, unix.RTM_DELROUTE: MatchTable}, Tables: []uint32{100, 1000}}
	ifaces := Spec{Types: map[uint16]Match{
		unix.RTM_NEWLINK: MatchInterface, unix.RTM_NEWADDR: MatchInterface,
		unix.RTM_NEWNEIGH: MatchInterface, unix.RTM_NEWROUTE: MatchInterface,
	}, Interfaces: []uint32{5}}
	zones := Spec{Types: map[uint16]Match{testutil.CTNew: MatchZone, testutil.CTDelete: MatchZone}, Zones: []uint32{0, 7}}
	both := Spec{Types: map[uint16]Match{unix.RTM_NEWROUTE: MatchTable | MatchInterface}, Tables: []uint32{100}, Interfaces: []uint32{5}}
	links := Spec{Types: map[uint16]Match{unix.RTM_NEWLINK: MatchAny}}
	tableMatchOnLinks := Spec{Types: map[uint16]Match{unix.RTM_NEWLINK: MatchTable}, Tables: []uint32{100}}

	vlanID := Spec{Types: map[uint16]Match{unix.RTM_NEWLINK: MatchAttr}, Attrs: []uint32{100},
		Attr: AttrKey{HeaderLen: unix.SizeofIfInfomsg, Path: []uint16{unix.IFLA_LINKINFO, unix.IFLA_INFO_DATA, unix.IFLA_VLAN_ID}, Size: 2}}
	vlan := func(id testutil.Payload, extra ...testutil.Attribute) testutil.Message {
		return testutil.LinkEvent(3, append([]testutil.Attribute{testutil.Nest(unix.NLA_F_NESTED|unix.IFLA_LINKINFO,
			testutil.Attr(unix.IFLA_INFO_KIND, testutil.Str("vlan")),
			testutil.Nest(unix.IFLA_INFO_DATA, testutil.Attr(unix.IFLA_VLAN_FLAGS, testutil.U32(0)), testutil.Attr(unix.IFLA_VLAN_ID, id)))}, extra...)...)
	}
	mtu := Spec{Types: map[uint16]Match{unix.RTM_NEWLINK: MatchAttr | MatchInterface}, Attrs: []uint32{1500}, Interfaces: []uint32{3},
		Attr: AttrKey{HeaderLen: unix.SizeofIfInfomsg, Path: []uint16{unix.IFLA_MTU}, Size: 4}}
	operstate := Spec{Types: map[uint16]Match{unix.RTM_NEWLINK: MatchAttr}, Attrs: []uint32{6},
		Attr: AttrKey{HeaderLen: unix.SizeofIfInfomsg, Path: []uint16{unix.IFLA_OPERSTATE}, Size: 1}}
	be32Key := Spec{Types: map[uint16]Match{unix.RTM_NEWLINK: MatchAttr}, Attrs: []uint32{0x0a000001},
		Attr: AttrKey{HeaderLen: unix.SizeofIfInfomsg, Path: []uint16{9}, Size: 4, BigEndian: true}}

	manyAttrs := make([]testutil.Attribute, MaxAttributes)
	for i := range manyAttrs {
		manyAttrs[i] = testutil.Attr(unix.RTA_PRIORITY, testutil.U32(uint32(i)))
	}
	tests := []struct {
		name string
		spec Spec
		msgs []testutil.Message
		raw  []byte
		want Counters
	}{
		// Exempt datagrams.
		{"short datagram", links, nil, []byte{1, 2, 3}, Counters{Exempt: 1}},
		{"ACK", Spec{}, []testutil.Message{{Type: unix.NLMSG_ERROR, PID: otherPort, Header: testutil.U32(0)}}, nil, Counters{Exempt: 1}},
		{"NLMSG_DONE", Spec{}, []testutil.Message{{Type: unix.NLMSG_DONE, Flags: unix.NLM_F_MULTI}}, nil, Counters{Exempt: 1}},
		{"dump part", Spec{}, []testutil.Message{testutil.RouteEvent(0, 1).WithType(unix.RTM_NEWROUTE), {Type: unix.RTM_NEWROUTE, Flags: unix.NLM_F_MULTI}}, nil, Counters{Exempt: 1}},
		{"reply", Spec{}, []testutil.Message{testutil.LinkEvent(1).WithPID(ownPort)}, nil, Counters{Exempt: 1}},
		{"other port", Spec{}, []testutil.Message{testutil.LinkEvent(1).WithPID(ownPort + 1<<16)}, nil, Counters{Dropped: 1}},
		{"type 0x1000", Spec{}, []testutil.Message{{Type: 0x1000}}, nil, Counters{Dropped: 1}},

		{"any link", links, []testutil.Message{testutil.LinkEvent(3)}, nil, Counters{Matched: 1}},
		{"type not listed", links, []testutil.Message{testutil.LinkEvent(3).WithType(unix.RTM_DELLINK)}, nil, Counters{Dropped: 1}},

		{"table 100", routeTables, routes(100), nil, Counters{Matched: 1}},
		{"table 1000", routeTables, routes(1000), nil, Counters{Matched: 1}},
		{"table 200", routeTables, routes(200), nil, Counters{Dropped: 1}},
		{"table 232 (1000 mod 256)", routeTables, routes(232), nil, Counters{Dropped: 1}},
		{"deleted in table 100", routeTables, []testutil.Message{testutil.RouteEvent(otherPort, 100).WithType(unix.RTM_DELROUTE)}, nil, Counters{Matched: 1}},
		{"table after attributes", routeTables, []testutil.Message{testutil.RouteEvent(otherPort, 100, testutil.Attr(unix.RTA_DST, testutil.BE32(0x0a000000)), testutil.Attr(unix.RTA_OIF, testutil.U32(100)))}, nil, Counters{Matched: 1}},
		{"table beyond the attribute limit", routeTables, []testutil.Message{testutil.RouteEvent(otherPort, 100, manyAttrs...)}, nil, Counters{Dropped: 1}},
		{"table just within the attribute limit", routeTables, []testutil.Message{testutil.RouteEvent(otherPort, 100, manyAttrs[1:]...)}, nil, Counters{Matched: 1}},
		{"RTA_TABLE of the wrong size", routeTables, []testutil.Message{{Type: unix.RTM_NEWROUTE, Header: testutil.Rtmsg(100), Attrs: []testutil.Attribute{testutil.Attr(unix.RTA_TABLE, testutil.U16(100))}}}, nil, Counters{Dropped: 1}},
		{"no RTA_TABLE", routeTables, []testutil.Message{{Type: unix.RTM_NEWROUTE, Header: testutil.Rtmsg(100)}}, nil, Counters{Dropped: 1}},
		{"table on a link message", tableMatchOnLinks, []testutil.Message{testutil.LinkEvent(1, testutil.Attr(unix.RTA_TABLE, testutil.U32(100)))}, nil, Counters{Dropped: 1}},

		{"second message matches", routeTables, routes(200, 300, 100), nil, Counters{Matched: 1}},
		{"no message matches", routeTables, routes(200, 300, 400), nil, Counters{Dropped: 1}},
		{"match at the message limit", routeTables, routes(append(make([]uint32, MaxMessages-1), 100)...), nil, Counters{Matched: 1}},
		{"match past the message limit", routeTables, routes(append(make([]uint32, MaxMessages), 100)...), nil, Counters{Dropped: 1}},
		{"exempt second message", routeTables, []testutil.Message{testutil.RouteEvent(otherPort, 200), {Type: unix.NLMSG_DONE}}, nil, Counters{Exempt: 1}},

		{"link 5", ifaces, []testutil.Message{testutil.LinkEvent(5)}, nil, Counters{Matched: 1}},
		{"link 6", ifaces, []testutil.Message{testutil.LinkEvent(6)}, nil, Counters{Dropped: 1}},
		{"address on 5", ifaces, []testutil.Message{{Type: unix.RTM_NEWADDR, Header: testutil.Ifaddrmsg(5)}}, nil, Counters{Matched: 1}},
		{"neighbour on 5", ifaces, []testutil.Message{{Type: unix.RTM_NEWNEIGH, Header: testutil.Ndmsg(5)}}, nil, Counters{Matched: 1}},
		{"route via 5", ifaces, []testutil.Message{testutil.RouteEvent(otherPort, 254, testutil.Attr(unix.RTA_OIF, testutil.U32(5)))}, nil, Counters{Matched: 1}},
		{"route via 6", ifaces, []testutil.Message{testutil.RouteEvent(otherPort, 254, testutil.Attr(unix.RTA_OIF, testutil.U32(6)))}, nil, Counters{Dropped: 1}},

		{"table 100 via 5", both, []testutil.Message{testutil.RouteEvent(otherPort, 100, testutil.Attr(unix.RTA_OIF, testutil.U32(5)))}, nil, Counters{Matched: 1}},
		{"table 100 via 6", both, []testutil.Message{testutil.RouteEvent(otherPort, 100, testutil.Attr(unix.RTA_OIF, testutil.U32(6)))}, nil, Counters{Dropped: 1}},
		{"table 200 via 5", both, []testutil.Message{testutil.RouteEvent(otherPort, 200, testutil.Attr(unix.RTA_OIF, testutil.U32(5)))}, nil, Counters{Dropped: 1}},

		{"vlan 100", vlanID, []testutil.Message{vlan(testutil.U16(100))}, nil, Counters{Matched: 1}},
		{"vlan 101", vlanID, []testutil.Message{vlan(testutil.U16(101))}, nil, Counters{Dropped: 1}},
		{"vlan 0x6400", vlanID, []testutil.Message{vlan(testutil.U16(0x6400))}, nil, Counters{Dropped: 1}},
		{"vlan id of 4 bytes", vlanID, []testutil.Message{vlan(testutil.U32(100))}, nil, Counters{Dropped: 1}},
		{"vlan id outside the nest", vlanID, []testutil.Message{testutil.LinkEvent(3,
			testutil.Nest(unix.IFLA_LINKINFO, testutil.Nest(unix.IFLA_INFO_DATA, testutil.Attr(unix.IFLA_VLAN_FLAGS, testutil.U32(0)))),
			testutil.Attr(unix.IFLA_VLAN_ID, testutil.U16(100)))}, nil, Counters{Dropped: 1}},
		{"vlan id not nested", vlanID, []testutil.Message{testutil.LinkEvent(3, testutil.Attr(unix.IFLA_VLAN_ID, testutil.U16(100)))}, nil, Counters{Dropped: 1}},
		{"mtu 1500 on 3", mtu, []testutil.Message{testutil.LinkEvent(3, testutil.Attr(unix.IFLA_MTU, testutil.U32(1500)))}, nil, Counters{Matched: 1}},
		{"mtu 1500 on 4", mtu, []testutil.Message{testutil.LinkEvent(4, testutil.Attr(unix.IFLA_MTU, testutil.U32(1500)))}, nil, Counters{Dropped: 1}},
		{"mtu 9000 on 3", mtu, []testutil.Message{testutil.LinkEvent(3, testutil.Attr(unix.IFLA_MTU, testutil.U32(9000)))}, nil, Counters{Dropped: 1}},
		{"operstate up", operstate, []testutil.Message{testutil.LinkEvent(3, testutil.Attr(unix.IFLA_MTU, testutil.U32(1500)), testutil.Attr(unix.IFLA_OPERSTATE, testutil.U8(6)))}, nil, Counters{Matched: 1}},
		{"operstate down", operstate, []testutil.Message{testutil.LinkEvent(3, testutil.Attr(unix.IFLA_OPERSTATE, testutil.U8(2)))}, nil, Counters{Dropped: 1}},
		{"big-endian u32", be32Key, []testutil.Message{testutil.LinkEvent(3, testutil.Attr(9, testutil.BE32(0x0a000001)))}, nil, Counters{Matched: 1}},
		{"big-endian u32, swapped", be32Key, []testutil.Message{testutil.LinkEvent(3, testutil.Attr(9, testutil.BE32(0x0100000a)))}, nil, Counters{Dropped: 1}},

		{"zone 7", zones, []testutil.Message{testutil.CTEvent(testutil.CTNew, 7)}, nil, Counters{Matched: 1}},
		{"zone 0x0700", zones, []testutil.Message{testutil.CTEvent(testutil.CTNew, 0x0700)}, nil, Counters{Dropped: 1}},
		{"default zone", zones, []testutil.Message{testutil.CTEvent(testutil.CTDelete)}, nil, Counters{Matched: 1}},
		{"zone 8", zones, []testutil.Message{testutil.CTEvent(testutil.CTDelete, 8)}, nil, Counters{Dropped: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.PortID = ownPort
			f := newFilter(t, tt.spec)
			p := newPair(t)
			if err := f.Attach(p.recv); err != nil {
				t.Fatal(err)
			}
			pkt := tt.raw
			if pkt == nil {
				pkt = testutil.Datagram(host, tt.msgs...)
			}
			got := p.keeps(t, pkt)
			if want := tt.want.Dropped == 0; got != want {
				t.Errorf("kept = %v, want %v", got, want)
			}
			c, err := f.Counters()
			if err != nil {
				t.Fatal(err)
			}
			if diff := testutil.Diff(tt.want, c); diff != "" {
				t.Errorf("counters (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRuntimeChanges changes a filter's sets and types while it is
// attached.
func TestRuntimeChanges(t *testing.T) {
	f := newFilter(t, Spec{PortID: ownPort, Types: map[uint16]Match{unix.RTM_NEWROUTE: MatchTable}, Tables: []uint32{100}})
	p := newPair(t)
	if err := f.Attach(p.recv); err != nil {
		t.Fatal(err)
	}
	link, route100, route1000 := testutil.Datagram(host, testutil.LinkEvent(2)), testutil.Datagram(host, routes(100)...), testutil.Datagram(host, routes(1000)...)
	check := func(step string, wantLink, want100, want1000 bool) {
		t.Helper()
		got := [3]bool{p.keeps(t, link), p.keeps(t, route100), p.keeps(t, route1000)}
		if want := [3]bool{wantLink, want100, want1000}; got != want {
			t.Errorf("%s: kept link, table 100, table 1000 = %v, want %v", step, got, want)
		}
	}
	check("initially", false, true, false)

	if err := f.Tables().Set(1000); err != nil {
		t.Fatal(err)
	}
	check("after Tables().Set(1000)", false, false, true)
	if got, err := f.Tables().Values(); err != nil || !reflect.DeepEqual(got, []uint32{1000}) {
		t.Errorf("Tables().Values() = %v, %v; want [1000]", got, err)
	}

	if err := f.Tables().Add(100); err != nil {
		t.Fatal(err)
	}
	check("after Add(100)", false, true, true)

	if err := f.SetType(unix.RTM_NEWLINK, MatchAny); err != nil {
		t.Fatal(err)
	}
	check("after SetType(RTM_NEWLINK)", true, true, true)

	if err := f.Tables().Remove(100, 1000, 7); err != nil {
		t.Fatal(err)
	}
	check("after Remove", true, false, false)

	if err := f.SetTypes(map[uint16]Match{unix.RTM_NEWROUTE: MatchAny}); err != nil {
		t.Fatal(err)
	}
	check("after SetTypes(routes)", false, true, true)

	if err := f.RemoveType(unix.RTM_NEWROUTE); err != nil {
		t.Fatal(err)
	}
	check("after RemoveType", false, false, false)

	if err := Detach(p.recv); err != nil {
		t.Fatal(err)
	}
	check("detached", true, true, true)

	c, err := f.Counters()
	if err != nil {
		t.Fatal(err)
	}
	if diff := testutil.Diff(Counters{Matched: 10, Dropped: 11}, c); diff != "" {
		t.Errorf("counters (-want +got):\n%s", diff)
	}
}

func TestSetTypeErrors(t *testing.T) {
	f := newFilter(t, Spec{PortID: ownPort})
	for _, m := range []Match{MatchAttr, 1 << 30} {
		if err := f.SetType(unix.RTM_NEWLINK, m); err == nil {
			t.Errorf("SetType(RTM_NEWLINK, %#x) succeeded on a filter without Spec.Attr", uint32(m))
		}
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		// kernel: the kernel finds the error, so that without privileges
		// New fails with ErrPermission first.
		kernel bool
	}{
		{"port 0", Spec{}, false},
		{"negative size", Spec{PortID: 1, MaxEntries: -1}, false},
		{"unknown match", Spec{PortID: 1, Types: map[uint16]Match{16: 1 << 20}}, false},
		{"MatchAttr without Attr", Spec{PortID: 1, Types: map[uint16]Match{16: MatchAttr}}, false},
		{"Attr too deep", Spec{PortID: 1, Attr: AttrKey{Path: make([]uint16, MaxDepth+1), Size: 4}}, false},
		{"Attr of size 3", Spec{PortID: 1, Attr: AttrKey{Path: []uint16{1}, Size: 3}}, false},
		{"Attr type with flags", Spec{PortID: 1, Attr: AttrKey{Path: []uint16{unix.NLA_F_NESTED | 1}, Size: 4}}, false},
		{"too many tables", Spec{PortID: 1, MaxEntries: 2, Tables: []uint32{1, 2, 3}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := New(tt.spec)
			if err == nil {
				f.Close()
				t.Fatal("New succeeded")
			}
			if errors.Is(err, ErrPermission) {
				if !tt.kernel {
					t.Fatalf("New checked privileges before its arguments: %v", err)
				}
				t.Skipf("skipped: loading eBPF needs root or CAP_BPF: %v", err)
			}
			t.Log(err)
		})
	}
}
