// Package unix declares, on every platform, the Linux netlink ABI values
// that nlring's portable code uses, under the names golang.org/x/sys/unix
// gives them on Linux. x/sys/unix declares them on Linux only (and nothing
// at all on Windows), while the message encoding, nltest and Conns over a
// caller's Socket build everywhere, as in github.com/mdlayher/netlink.
// A Linux test checks every value against x/sys/unix.
package unix

import "syscall"

// Netlink protocol families.
const (
	NETLINK_ROUTE     = 0x0
	NETLINK_XFRM      = 0x6
	NETLINK_NETFILTER = 0xc
	NETLINK_GENERIC   = 0x10
)

// Message header types (include/uapi/linux/netlink.h).
const (
	NLMSG_NOOP     = 0x1
	NLMSG_ERROR    = 0x2
	NLMSG_DONE     = 0x3
	NLMSG_OVERRUN  = 0x4
	NLMSG_MIN_TYPE = 0x10
)

// Message header flags: general ones, then those of GET requests (ROOT to
// DUMP), of NEW requests (REPLACE to APPEND) and of acknowledgements.
const (
	NLM_F_REQUEST       = 0x1
	NLM_F_MULTI         = 0x2
	NLM_F_ACK           = 0x4
	NLM_F_ECHO          = 0x8
	NLM_F_DUMP_INTR     = 0x10
	NLM_F_DUMP_FILTERED = 0x20
	NLM_F_ROOT          = 0x100
	NLM_F_MATCH         = 0x200
	NLM_F_ATOMIC        = 0x400
	NLM_F_DUMP          = 0x300
	NLM_F_REPLACE       = 0x100
	NLM_F_EXCL          = 0x200
	NLM_F_CREATE        = 0x400
	NLM_F_APPEND        = 0x800
	NLM_F_CAPPED        = 0x100
	NLM_F_ACK_TLVS      = 0x200
)

// Alignment and header sizes of messages and attributes.
const (
	NLMSG_ALIGNTO = 0x4
	NLMSG_HDRLEN  = 0x10
	NLA_ALIGNTO   = 0x4
	NLA_HDRLEN    = 0x4
)

// Attribute type flags.
const (
	NLA_F_NESTED        = 0x8000
	NLA_F_NET_BYTEORDER = 0x4000
)

// Extended acknowledgement attributes.
const (
	NLMSGERR_ATTR_MSG  = 0x1
	NLMSGERR_ATTR_OFFS = 0x2
)

// rtnetlink message types, attributes and header sizes
// (include/uapi/linux/rtnetlink.h).
const (
	RTM_BASE        = 0x10
	RTM_NEWLINK     = 0x10
	RTM_DELLINK     = 0x11
	RTM_NEWADDR     = 0x14
	RTM_DELADDR     = 0x15
	RTM_NEWROUTE    = 0x18
	RTM_DELROUTE    = 0x19
	RTM_NEWNEIGH    = 0x1c
	RTM_DELNEIGH    = 0x1d
	RTA_OIF         = 0x4
	RTA_TABLE       = 0xf
	SizeofIfInfomsg = 0x10
	SizeofRtMsg     = 0xc
)

// nfnetlink subsystems.
const (
	NFNL_SUBSYS_CTNETLINK = 0x1
)

// The errors nlring tests for. They are the platform's own values, so that
// an error from a caller's Socket matches off Linux too.
const (
	EMSGSIZE = syscall.EMSGSIZE
	ENOBUFS  = syscall.ENOBUFS
)
