package filter

import "github.com/nlring/netlink/internal/unix"

// Family header lengths of rtnetlink messages.
const (
	ifinfomsgLen = unix.SizeofIfInfomsg // 16
	rtmsgLen     = unix.SizeofRtMsg     // 12
)

// RouteTable matches RTM_NEWROUTE and RTM_DELROUTE messages of the given
// routing tables.
//
// It reads the RTA_TABLE attribute (a u32), not rtmsg's rtm_table (a u8
// that holds RT_TABLE_COMPAT for tables above 255): IPv4, IPv6 and
// multicast routes carry RTA_TABLE. Other messages do not match.
func RouteTable(tables ...uint32) Criterion {
	return And(
		MessageType(unix.RTM_NEWROUTE, unix.RTM_DELROUTE),
		Attr{HeaderLen: rtmsgLen, Path: []uint16{unix.RTA_TABLE}}.U32(tables...),
	)
}

// Interface matches events about the network interfaces with the given
// indexes:
//
//   - RTM_NEWLINK and RTM_DELLINK by ifinfomsg's ifi_index;
//   - RTM_NEWADDR and RTM_DELADDR by ifaddrmsg's ifa_index;
//   - RTM_NEWNEIGH and RTM_DELNEIGH by ndmsg's ndm_ifindex;
//   - RTM_NEWROUTE and RTM_DELROUTE by their RTA_OIF attribute, the output
//     interface of a single-path route. Multipath routes (RTA_MULTIPATH)
//     have no RTA_OIF and do not match.
//
// The three headers keep the index at the same offset. Other messages do
// not match.
func Interface(indexes ...uint32) Criterion {
	return Or(
		And(
			MessageType(
				unix.RTM_NEWLINK, unix.RTM_DELLINK,
				unix.RTM_NEWADDR, unix.RTM_DELADDR,
				unix.RTM_NEWNEIGH, unix.RTM_DELNEIGH,
			),
			field{off: offIfindex, size: 4, vals: indexes},
		),
		And(
			MessageType(unix.RTM_NEWROUTE, unix.RTM_DELROUTE),
			Attr{HeaderLen: rtmsgLen, Path: []uint16{unix.RTA_OIF}}.U32(indexes...),
		),
	)
}

// offIfindex is where ifinfomsg, ifaddrmsg and ndmsg keep the interface
// index: right after 4 bytes of family, lengths, flags or padding.
const offIfindex = nlmsgHdrLen + 4
