package testutil

import "golang.org/x/sys/unix"

// Family headers, for Message.Header.

// Ifinfomsg is a link message's header.
func Ifinfomsg(index uint32) Payload {
	return Concat(Raw(unix.AF_UNSPEC, 0), U16(0), U32(index), U32(0), U32(0))
}

// Ifaddrmsg is an address message's header.
func Ifaddrmsg(index uint32) Payload { return Concat(Raw(unix.AF_INET, 24, 0, 0), U32(index)) }

// Ndmsg is a neighbour message's header.
func Ndmsg(index uint32) Payload {
	return Concat(Raw(unix.AF_INET, 0), U16(0), U32(index), U16(0), Raw(0, 0))
}

// Rtmsg is a route message's header.
func Rtmsg(table uint8) Payload {
	return Concat(Raw(unix.AF_INET, 24, 0, 0, table, unix.RTPROT_STATIC, 0, unix.RTN_UNICAST), U32(0))
}

// Nfgenmsg is a netfilter message's header.
func Nfgenmsg() Payload { return Raw(unix.AF_INET, unix.NFNETLINK_V0, 0, 0) }

// Events, as the kernel would send them.

// RouteEvent is an RTM_NEWROUTE in table from port pid, with RTA_TABLE
// after the extra attributes.
func RouteEvent(pid, table uint32, extra ...Attribute) Message {
	tableU8 := uint8(unix.RT_TABLE_COMPAT)
	if table < 256 {
		tableU8 = uint8(table)
	}
	return Message{Type: unix.RTM_NEWROUTE, PID: pid, Header: Rtmsg(tableU8),
		Attrs: append(extra, Attr(unix.RTA_TABLE, U32(table)))}
}

// LinkEvent is an RTM_NEWLINK for the link of the given index.
func LinkEvent(index uint32, attrs ...Attribute) Message {
	return Message{Type: unix.RTM_NEWLINK, Header: Ifinfomsg(index), Attrs: attrs}
}
