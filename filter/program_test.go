//go:build linux

package filter

import (
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

const (
	ownPort   = 4242
	otherPort = 777
)

// Attribute types used below.
const (
	iflaLinkinfo = unix.IFLA_LINKINFO
	iflaInfoKind = unix.IFLA_INFO_KIND
	iflaMTU      = unix.IFLA_MTU
	iflaOperstat = unix.IFLA_OPERSTATE // u8
)

type programCase struct {
	name string
	c    Criterion
	msg  testutil.Message
	// raw replaces msg when set: datagrams no builder makes.
	raw  []byte
	keep bool
}

func (pc programCase) datagram(o binary.AppendByteOrder) []byte {
	if pc.raw != nil {
		return pc.raw
	}
	return pc.msg.Encode(o)
}

var programCases = []programCase{
	// What every filter keeps, whatever its criterion.
	{name: "short datagram", c: Or(), raw: []byte{1, 2, 3, 4, 5, 6, 7, 8}, keep: true},
	{name: "NLMSG_ERROR", c: Or(), msg: testutil.Message{Type: unix.NLMSG_ERROR, PID: otherPort, Header: testutil.U32(0)}, keep: true},
	{name: "NLMSG_DONE", c: Or(), msg: testutil.Message{Type: unix.NLMSG_DONE, Flags: unix.NLM_F_MULTI}, keep: true},
	{name: "type 15", c: Or(), msg: testutil.Message{Type: 15}, keep: true},
	{name: "type 16", c: Or(), msg: testutil.Message{Type: 16}, keep: false},
	{name: "type 0x100", c: Or(), msg: testutil.Message{Type: 0x100}, keep: false},
	{name: "type 0x1000", c: Or(), msg: testutil.Message{Type: 0x1000}, keep: false},
	{name: "dump part", c: Or(), msg: testutil.Message{Type: unix.RTM_NEWROUTE, Flags: unix.NLM_F_MULTI, PID: ownPort, Header: testutil.Rtmsg(1)}, keep: true},
	{name: "dump part of another port", c: Or(), msg: testutil.Message{Type: unix.RTM_NEWROUTE, Flags: unix.NLM_F_MULTI | unix.NLM_F_DUMP_INTR}, keep: true},
	{name: "reply to own request", c: Or(), msg: testutil.LinkEvent(1).WithPID(ownPort), keep: true},
	{name: "other port's event", c: Or(), msg: testutil.LinkEvent(1).WithPID(ownPort + 1<<16), keep: false},
	{name: "flags other than multi", c: Or(), msg: testutil.Message{Type: 16, Flags: unix.NLM_F_REQUEST | unix.NLM_F_ACK | unix.NLM_F_ECHO}, keep: false},

	// Combinators.
	{name: "And()", c: And(), msg: testutil.LinkEvent(1), keep: true},
	{name: "Not(Or())", c: Not(Or()), msg: testutil.LinkEvent(1), keep: true},
	{name: "And of true and false", c: And(MessageType(16), MessageType(17)), msg: testutil.LinkEvent(1), keep: false},
	{name: "Or of false and true", c: Or(MessageType(17), MessageType(16)), msg: testutil.LinkEvent(1), keep: true},
	{name: "Not", c: Not(MessageType(16)), msg: testutil.LinkEvent(1), keep: false},
	{name: "nested combinators", c: And(Or(MessageType(99), Not(MessageType(17))), Or(Interface(9), Interface(1))), msg: testutil.LinkEvent(1), keep: true},

	{name: "type listed", c: MessageType(unix.RTM_NEWLINK, unix.RTM_DELLINK), msg: testutil.LinkEvent(1), keep: true},
	{name: "type not listed", c: MessageType(unix.RTM_DELLINK), msg: testutil.LinkEvent(1), keep: false},
	{name: "type 0x1234 listed", c: MessageType(0x1234), msg: testutil.Message{Type: 0x1234}, keep: true},
	{name: "type 0x3412 not 0x1234", c: MessageType(0x1234), msg: testutil.Message{Type: 0x3412}, keep: false},

	{name: "table 100", c: RouteTable(100), msg: testutil.RouteEvent(otherPort, 100), keep: true},
	{name: "table 200", c: RouteTable(100), msg: testutil.RouteEvent(otherPort, 200), keep: false},
	{name: "table 1000", c: RouteTable(100, 1000), msg: testutil.RouteEvent(otherPort, 1000), keep: true},
	{name: "table 1000 not 232", c: RouteTable(1000 & 0xff), msg: testutil.RouteEvent(otherPort, 1000), keep: false},
	{name: "table 65636 not 100", c: RouteTable(100), msg: testutil.RouteEvent(otherPort, 100+1<<16), keep: false},
	{name: "table after other attributes", c: RouteTable(100), msg: testutil.RouteEvent(otherPort, 100, testutil.Attr(unix.RTA_DST, testutil.BE32(0x0a000000)), testutil.Attr(unix.RTA_OIF, testutil.U32(100))), keep: true},
	{name: "route without RTA_TABLE", c: RouteTable(100), msg: testutil.Message{Type: unix.RTM_NEWROUTE, Header: testutil.Rtmsg(100)}, keep: false},
	{name: "RTA_TABLE of the wrong size", c: RouteTable(100), msg: testutil.Message{Type: unix.RTM_NEWROUTE, Header: testutil.Rtmsg(100), Attrs: []testutil.Attribute{testutil.Attr(unix.RTA_TABLE, testutil.U16(100))}}, keep: false},
	{name: "link message with attribute 15", c: RouteTable(100), msg: testutil.LinkEvent(1, testutil.Attr(unix.RTA_TABLE, testutil.U32(100))), keep: false},
	{name: "route deleted", c: RouteTable(100), msg: testutil.RouteEvent(otherPort, 100).WithType(unix.RTM_DELROUTE), keep: true},

	{name: "link index", c: Interface(5), msg: testutil.LinkEvent(5), keep: true},
	{name: "other link index", c: Interface(5), msg: testutil.LinkEvent(6), keep: false},
	{name: "link index 0x05000000", c: Interface(5), msg: testutil.LinkEvent(0x05000000), keep: false},
	{name: "address index", c: Interface(5), msg: testutil.Message{Type: unix.RTM_DELADDR, Header: testutil.Ifaddrmsg(5)}, keep: true},
	{name: "neighbour index", c: Interface(7, 5), msg: testutil.Message{Type: unix.RTM_NEWNEIGH, Header: testutil.Ndmsg(5)}, keep: true},
	{name: "route output interface", c: Interface(5), msg: testutil.RouteEvent(otherPort, 254, testutil.Attr(unix.RTA_OIF, testutil.U32(5))), keep: true},
	{name: "route other output interface", c: Interface(5), msg: testutil.RouteEvent(otherPort, 254, testutil.Attr(unix.RTA_OIF, testutil.U32(6))), keep: false},
	{name: "route without output interface", c: Interface(5), msg: testutil.RouteEvent(otherPort, 5), keep: false},

	{name: "nested bytes", c: Attr{HeaderLen: 16, Path: []uint16{iflaLinkinfo, iflaInfoKind}}.Bytes([]byte("veth\x00")),
		msg: testutil.LinkEvent(1, testutil.Attr(iflaMTU, testutil.U32(1500)), testutil.Nest(iflaLinkinfo, testutil.Attr(iflaInfoKind, testutil.Str("veth")))), keep: true},
	{name: "nested bytes, flagged nest", c: Attr{HeaderLen: 16, Path: []uint16{iflaLinkinfo, iflaInfoKind}}.Bytes([]byte("veth\x00")),
		msg: testutil.LinkEvent(1, testutil.Nest(unix.NLA_F_NESTED|iflaLinkinfo, testutil.Attr(iflaInfoKind, testutil.Str("veth")))), keep: true},
	{name: "nested bytes, longer value", c: Attr{HeaderLen: 16, Path: []uint16{iflaLinkinfo, iflaInfoKind}}.Bytes([]byte("veth\x00")),
		msg: testutil.LinkEvent(1, testutil.Nest(iflaLinkinfo, testutil.Attr(iflaInfoKind, testutil.Str("veth0")))), keep: false},
	{name: "nested bytes, other value", c: Attr{HeaderLen: 16, Path: []uint16{iflaLinkinfo, iflaInfoKind}}.Bytes([]byte("veth\x00")),
		msg: testutil.LinkEvent(1, testutil.Nest(iflaLinkinfo, testutil.Attr(iflaInfoKind, testutil.Str("vlan")))), keep: false},
	{name: "nested bytes, not nested", c: Attr{HeaderLen: 16, Path: []uint16{iflaLinkinfo, iflaInfoKind}}.Bytes([]byte("veth\x00")),
		msg: testutil.LinkEvent(1, testutil.Attr(iflaInfoKind, testutil.Str("veth"))), keep: false},
	{name: "nested bytes, after the nest", c: Attr{HeaderLen: 16, Path: []uint16{iflaLinkinfo, iflaInfoKind}}.Bytes([]byte("veth\x00")),
		msg: testutil.LinkEvent(1, testutil.Nest(iflaLinkinfo, testutil.Attr(2, testutil.Str("x"))), testutil.Attr(iflaInfoKind, testutil.Str("veth"))), keep: false},
	{name: "bytes, 7 long", c: Attr{HeaderLen: 16, Path: []uint16{3}}.Bytes([]byte("abcdefg")),
		msg: testutil.LinkEvent(1, testutil.Attr(3, testutil.Raw([]byte("abcdefg")...))), keep: true},
	{name: "bytes, 7 long, last differs", c: Attr{HeaderLen: 16, Path: []uint16{3}}.Bytes([]byte("abcdefg")),
		msg: testutil.LinkEvent(1, testutil.Attr(3, testutil.Raw([]byte("abcdefh")...))), keep: false},
	{name: "empty bytes", c: Attr{HeaderLen: 16, Path: []uint16{3}}.Bytes(nil), msg: testutil.LinkEvent(1, testutil.Attr(3, testutil.Raw())), keep: true},
	{name: "present", c: Attr{HeaderLen: 16, Path: []uint16{iflaMTU}}.Present(), msg: testutil.LinkEvent(1, testutil.Attr(iflaMTU, testutil.U32(1500))), keep: true},
	{name: "absent", c: Attr{HeaderLen: 16, Path: []uint16{iflaMTU}}.Present(), msg: testutil.LinkEvent(1), keep: false},
	{name: "u32", c: Attr{HeaderLen: 16, Path: []uint16{iflaMTU}}.U32(9000, 1500), msg: testutil.LinkEvent(1, testutil.Attr(iflaMTU, testutil.U32(1500))), keep: true},
	{name: "u16", c: Attr{HeaderLen: 16, Path: []uint16{9}}.U16(0x1234), msg: testutil.LinkEvent(1, testutil.Attr(9, testutil.U16(0x1234))), keep: true},
	{name: "u16 swapped", c: Attr{HeaderLen: 16, Path: []uint16{9}}.U16(0x3412), msg: testutil.LinkEvent(1, testutil.Attr(9, testutil.U16(0x1234))), keep: false},
	{name: "u8", c: Attr{HeaderLen: 16, Path: []uint16{iflaOperstat}}.U8(6), msg: testutil.LinkEvent(1, testutil.Attr(iflaOperstat, testutil.U8(6))), keep: true},
	{name: "u8 other", c: Attr{HeaderLen: 16, Path: []uint16{iflaOperstat}}.U8(6), msg: testutil.LinkEvent(1, testutil.Attr(iflaOperstat, testutil.U8(2))), keep: false},
	{name: "be32", c: Attr{HeaderLen: 16, Path: []uint16{9}}.BE32(0x0a000001), msg: testutil.LinkEvent(1, testutil.Attr(9, testutil.BE32(0x0a000001))), keep: true},
	{name: "header length rounded up", c: Attr{HeaderLen: 14, Path: []uint16{iflaMTU}}.U32(1500), msg: testutil.LinkEvent(1, testutil.Attr(iflaMTU, testutil.U32(1500))), keep: true},
	{name: "attribute at datagram's end", c: Attr{HeaderLen: 16, Path: []uint16{iflaMTU}}.U32(1500), msg: testutil.LinkEvent(1, testutil.Attr(iflaMTU, testutil.U8(1))), keep: false},

	{name: "zone 5", c: ConntrackZone(5), msg: testutil.CTEvent(testutil.CTNew, 5), keep: true},
	{name: "zone 5, destroyed", c: ConntrackZone(5), msg: testutil.CTEvent(testutil.CTDelete, 5), keep: true},
	{name: "zone 0x0500", c: ConntrackZone(5), msg: testutil.CTEvent(testutil.CTNew, 0x0500), keep: false},
	{name: "default zone not 5", c: ConntrackZone(5), msg: testutil.CTEvent(testutil.CTNew), keep: false},
	{name: "default zone", c: ConntrackZone(0), msg: testutil.CTEvent(testutil.CTNew), keep: true},
	{name: "zone 5 not default", c: ConntrackZone(0), msg: testutil.CTEvent(testutil.CTNew, 5), keep: false},
	{name: "default or 5", c: ConntrackZone(0, 5), msg: testutil.CTEvent(testutil.CTDelete, 5), keep: true},
	{name: "zone, expectation event", c: ConntrackZone(0), msg: testutil.CTEvent(unix.NFNL_SUBSYS_CTNETLINK_EXP << 8), keep: false},
}

var byteOrders = []struct {
	name  string
	order interface {
		binary.ByteOrder
		binary.AppendByteOrder
	}
}{
	{"little-endian", binary.LittleEndian},
	{"big-endian", binary.BigEndian},
}

// TestPrograms runs every case's program, built for each byte order, on
// the case's datagram encoded in that order.
func TestPrograms(t *testing.T) {
	for _, bo := range byteOrders {
		for _, pc := range programCases {
			t.Run(bo.name+"/"+pc.name, func(t *testing.T) {
				prog, err := build(bo.order, ownPort, pc.c)
				if err != nil {
					t.Fatal(err)
				}
				got, err := run(prog, pc.datagram(bo.order), bo.order)
				if err != nil {
					t.Fatal(err)
				}
				if want := keepOrDrop(pc.keep); got != want {
					t.Errorf("program returned %#x, want %#x\n%s", got, want, listing(prog))
				}
			})
		}
	}
}

// TestVMAgrees runs the programs that x/net/bpf's VM can run (no ancillary
// loads) in it too, for each byte order: a check of the interpreter above.
func TestVMAgrees(t *testing.T) {
	ran := 0
	for _, bo := range byteOrders {
		for _, pc := range programCases {
			prog, err := build(bo.order, ownPort, pc.c)
			if err != nil {
				t.Fatalf("%s: %v", pc.name, err)
			}
			vm, err := bpf.NewVM(prog)
			if err != nil {
				continue // an ancillary load
			}
			ran++
			pkt := pc.datagram(bo.order)
			n, err := vm.Run(pkt)
			if err != nil {
				t.Fatalf("%s: %v", pc.name, err)
			}
			// The VM returns the kept length, capped at the datagram's.
			if got := n != 0; got != pc.keep {
				t.Errorf("%s/%s: VM kept %d bytes, want keep=%v", bo.name, pc.name, n, pc.keep)
			}
		}
	}
	if ran < 20 {
		t.Errorf("only %d programs ran in the VM", ran)
	}
}

// TestKernelAgrees runs every program, built for this host, in the kernel.
func TestKernelAgrees(t *testing.T) {
	for _, pc := range programCases {
		t.Run(pc.name, func(t *testing.T) {
			prog, err := Build(ownPort, pc.c)
			if err != nil {
				t.Fatal(err)
			}
			if got := kernelKeeps(t, prog, pc.datagram(hostOrder)); got != pc.keep {
				t.Errorf("kernel keep=%v, want %v\n%s", got, pc.keep, listing(prog))
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	many := make([]uint32, 300)
	for i := range many {
		many[i] = uint32(i)
	}
	tests := []struct {
		name   string
		portID uint32
		c      Criterion
		want   error // nil: any error
	}{
		{"port 0", 0, MessageType(16), ErrNoPortID},
		{"nil criterion", 1, nil, nil},
		{"empty path", 1, Attr{HeaderLen: 12}.Present(), nil},
		{"negative header", 1, Attr{HeaderLen: -4, Path: []uint16{1}}.Present(), nil},
		{"flagged type", 1, Attr{HeaderLen: 12, Path: []uint16{unix.NLA_F_NESTED | 1}}.Present(), nil},
		{"300 tables", 1, RouteTable(many...), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Assemble(tt.portID, tt.c)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("Assemble: %v, want %v", err, tt.want)
			}
		})
	}
}

// TestHostOrder pins the encoding of the own-port rule on this machine, so
// a mistake in hostOrder cannot hide behind the tests that build for both
// orders.
func TestHostOrder(t *testing.T) {
	prog, err := Build(0x01020304, Or())
	if err != nil {
		t.Fatal(err)
	}
	want := uint32(0x01020304)
	if binary.NativeEndian.Uint16([]byte{1, 0}) == 1 {
		want = 0x04030201
	}
	for _, in := range prog {
		if j, ok := in.(bpf.JumpIf); ok && j.Cond == bpf.JumpEqual {
			if j.Val != want {
				t.Errorf("own port compared with %#x, want %#x", j.Val, want)
			}
			return
		}
	}
	t.Errorf("no port comparison in\n%s", listing(prog))
}

func keepOrDrop(keep bool) uint32 {
	if keep {
		return retKeep
	}
	return retDrop
}

func listing(prog []bpf.Instruction) string {
	var s string
	for i, in := range prog {
		s += fmt.Sprintf("%3d  %v\n", i, in)
	}
	return s
}
