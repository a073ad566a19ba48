package netlink

import "github.com/nlring/netlink/internal/unix"

// Sizes and alignment of the netlink wire format (include/uapi/linux/netlink.h).
// Messages and attributes both start on 4-byte boundaries, and their length
// fields count the header but not the padding after the payload.
const (
	// nlmsgHeaderLen is the size of struct nlmsghdr (NLMSG_HDRLEN).
	nlmsgHeaderLen = unix.NLMSG_HDRLEN
	// nlaHeaderLen is the size of struct nlattr (NLA_HDRLEN).
	nlaHeaderLen = unix.NLA_HDRLEN
	// maxAttrData is the largest payload an attribute can carry: its length
	// field is 16 bits and counts the header.
	maxAttrData = 1<<16 - 1 - nlaHeaderLen
)

// nlmsgAlign rounds n up to the alignment of a netlink message (NLMSG_ALIGN).
func nlmsgAlign(n int) int {
	return (n + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1)
}

// nlaAlign rounds n up to the alignment of a netlink attribute (NLA_ALIGN).
func nlaAlign(n int) int {
	return (n + unix.NLA_ALIGNTO - 1) &^ (unix.NLA_ALIGNTO - 1)
}
