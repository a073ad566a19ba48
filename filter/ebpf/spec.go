package ebpf

import "golang.org/x/sys/unix"

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

	matchAll = MatchTable | MatchInterface | MatchZone
)

// MaxMessages is how many messages of a datagram a filter looks at. A
// datagram whose first MaxMessages messages do not match is dropped.
// Multicast events come one per datagram.
const MaxMessages = 16

// MaxAttributes is how many attributes of a message a filter walks to find
// the one a criterion reads. rtnetlink and ctnetlink events put the
// attributes these filters read among their first dozen.
const MaxAttributes = 48

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
	// Tables, Interfaces and Zones are the initial contents of the sets
	// that MatchTable, MatchInterface and MatchZone consult.
	Tables, Interfaces, Zones []uint32
	// MaxEntries is the capacity of each set, and of Types; 0 means
	// DefaultMaxEntries.
	MaxEntries int
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
