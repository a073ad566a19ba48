package ebpf

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// Match says which criteria a message of a given type must meet, beyond
// having that type. Criteria combine with AND.
type Match uint32

const (
	// MatchAny passes every message of the type.
	MatchAny Match = 0
	// MatchTable requires a route message (RTM_NEWROUTE, RTM_DELROUTE)
	// whose RTA_TABLE is in Tables.
	MatchTable Match = 1 << iota
	// MatchInterface requires the message's interface index to be in
	// Interfaces: ifi_index of link messages, ifa_index of address
	// messages, ndm_ifindex of neighbour messages, RTA_OIF of route
	// messages (multipath routes have none and do not match).
	MatchInterface
	// MatchZone requires a ctnetlink conntrack event (IPCTNL_MSG_CT_NEW,
	// IPCTNL_MSG_CT_DELETE) whose CTA_ZONE is in Zones; events without
	// CTA_ZONE are in the default zone, 0.
	MatchZone
	// MatchAttr requires the attribute Spec.Attr describes to hold a
	// value in Attrs. It needs a Spec.Attr.
	MatchAttr

	matchAll = MatchTable | MatchInterface | MatchZone | MatchAttr
)

// AttrKey says where MatchAttr finds its value: an integer attribute,
// possibly nested. Types are compared without the NLA_F_NESTED and
// NLA_F_NET_BYTEORDER flags.
type AttrKey struct {
	// HeaderLen is the length of the family header before the
	// attributes: 16 for ifinfomsg, 12 for rtmsg, 8 for ifaddrmsg, 4 for
	// nfgenmsg and genlmsghdr. It is rounded up to a multiple of 4.
	HeaderLen int
	// Path holds the attribute's type, preceded by the types of the
	// attributes it is nested in, outermost first; at most MaxDepth.
	Path []uint16
	// Size is the payload's size, 1, 2 or 4 bytes; an attribute of
	// another size does not match.
	Size int
	// BigEndian says the value is in network byte order (as CTA_ZONE);
	// the sets hold values in host order either way.
	BigEndian bool
}

// MaxDepth is how deep AttrKey.Path can reach.
const MaxDepth = 4

func (k AttrKey) check() error {
	switch {
	case len(k.Path) == 0:
		return nil // no MatchAttr
	case len(k.Path) > MaxDepth:
		return fmt.Errorf("filter/ebpf: AttrKey.Path has %d elements, more than %d", len(k.Path), MaxDepth)
	case k.HeaderLen < 0 || k.HeaderLen > 1<<16:
		return fmt.Errorf("filter/ebpf: AttrKey.HeaderLen %d out of range", k.HeaderLen)
	case k.Size != 1 && k.Size != 2 && k.Size != 4:
		return fmt.Errorf("filter/ebpf: AttrKey.Size %d is not 1, 2 or 4", k.Size)
	}
	for _, t := range k.Path {
		if t&^nlaTypeMask != 0 {
			return fmt.Errorf("filter/ebpf: attribute type %#x carries flag bits; give the type alone", t)
		}
	}
	return nil
}

// MaxMessages is how many messages of a datagram a filter looks at. A
// datagram whose first MaxMessages messages do not match is dropped.
// Multicast events come one per datagram.
const MaxMessages = 16

// MaxAttributes is how many attributes a filter walks, at each level of
// nesting, to find the one a criterion reads. Route and conntrack events
// carry RTA_TABLE, RTA_OIF and CTA_ZONE among their first dozen
// attributes; link events carry IFLA_LINKINFO after some 35 others.
const MaxAttributes = 64

// DefaultMaxEntries is the capacity of each set when Spec.MaxEntries is 0.
const DefaultMaxEntries = 1024

// Spec describes a filter and its initial criteria.
//
// A message matches when its type is in Types and it meets the criteria
// Types gives for that type. A datagram passes when one of its messages
// matches, or when it is exempt (see the package documentation).
type Spec struct {
	// PortID is the port ID of the socket the filter is for
	// (Conn.PID()); its replies are always passed. It must not be 0.
	PortID uint32
	// Types maps message types to the criteria their messages must meet.
	Types map[uint16]Match
	// Tables, Interfaces, Zones and Attrs are the initial contents of the
	// sets that MatchTable, MatchInterface, MatchZone and MatchAttr
	// consult.
	Tables, Interfaces, Zones, Attrs []uint32
	// Attr says where MatchAttr finds its value.
	Attr AttrKey
	// MaxEntries is the capacity of each set, and of Types; 0 means
	// DefaultMaxEntries.
	MaxEntries int
}

func (s Spec) check() error {
	if s.PortID == 0 {
		return errors.New("filter/ebpf: Spec.PortID is 0; give the socket's own port ID (Conn.PID())")
	}
	if s.MaxEntries < 0 {
		return fmt.Errorf("filter/ebpf: Spec.MaxEntries %d is negative", s.MaxEntries)
	}
	if err := s.Attr.check(); err != nil {
		return err
	}
	for t, m := range s.Types {
		if err := checkMatch(t, m); err != nil {
			return err
		}
		if m&MatchAttr != 0 && len(s.Attr.Path) == 0 {
			return fmt.Errorf("filter/ebpf: type %d has MatchAttr but Spec.Attr is empty", t)
		}
	}
	return nil
}

func checkMatch(typ uint16, m Match) error {
	if m&^matchAll != 0 {
		return fmt.Errorf("filter/ebpf: type %d: unknown Match bits %#x", typ, uint32(m&^matchAll))
	}
	return nil
}

// Message types and layouts the program knows.
const (
	nlmsgHdrLen = unix.NLMSG_HDRLEN
	rtmsgLen    = unix.SizeofRtMsg
	nfgenmsgLen = 4
	offIfindex  = 4 // in ifinfomsg, ifaddrmsg and ndmsg
	ctaZone     = 18
	ctNew       = unix.NFNL_SUBSYS_CTNETLINK << 8
	ctDelete    = unix.NFNL_SUBSYS_CTNETLINK<<8 | 2
	nlaTypeMask = ^uint16(unix.NLA_F_NESTED | unix.NLA_F_NET_BYTEORDER)
)

var (
	routeTypes = []uint16{unix.RTM_NEWROUTE, unix.RTM_DELROUTE}
	// Messages that keep an interface index at offIfindex of their
	// family header.
	ifindexTypes = []uint16{
		unix.RTM_NEWLINK, unix.RTM_DELLINK,
		unix.RTM_NEWADDR, unix.RTM_DELADDR,
		unix.RTM_NEWNEIGH, unix.RTM_DELNEIGH,
	}
	ctTypes = []uint16{ctNew, ctDelete}
)
