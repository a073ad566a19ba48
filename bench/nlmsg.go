package bench

import (
	"encoding/binary"
	"net/netip"

	"golang.org/x/sys/unix"
)

// Message bodies, built once by the benchmark and handed to every client as
// bytes so that all of them send exactly the same requests. Netlink fields
// are host-endian.

const nlHdrLen = unix.SizeofNlMsghdr

func nlAlign(n int) int { return (n + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1) }

// appendAttr appends one netlink attribute, padded to alignment.
func appendAttr(b []byte, typ uint16, data []byte) []byte {
	l := unix.SizeofRtAttr + len(data)
	b = binary.NativeEndian.AppendUint16(b, uint16(l))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(b, data...)
	return append(b, make([]byte, nlAlign(l)-l)...)
}

func appendAttrU32(b []byte, typ uint16, v uint32) []byte {
	return appendAttr(b, typ, binary.NativeEndian.AppendUint32(nil, v))
}

// routeBody is an rtmsg plus attributes for a unicast route to dst through
// link oif in table: the request body of RTM_NEWROUTE and RTM_DELROUTE.
func routeBody(dst netip.Prefix, oif int, table uint32) []byte {
	family := uint8(unix.AF_INET)
	if dst.Addr().Is6() {
		family = unix.AF_INET6
	}
	b := make([]byte, 0, 64)
	b = append(b, family, uint8(dst.Bits()), 0, 0,
		unix.RT_TABLE_UNSPEC, unix.RTPROT_STATIC, unix.RT_SCOPE_LINK, unix.RTN_UNICAST)
	b = binary.NativeEndian.AppendUint32(b, 0) // rtm_flags
	b = appendAttr(b, unix.RTA_DST, dst.Addr().AsSlice())
	b = appendAttrU32(b, unix.RTA_OIF, uint32(oif))
	return appendAttrU32(b, unix.RTA_TABLE, table)
}

// routeDumpBody is the rtmsg of an RTM_GETROUTE dump of every family and
// table: what `ip route show table all` and `ip -6 route show table all`
// show together.
func routeDumpBody() []byte { return make([]byte, unix.SizeofRtMsg) }

// linkBody is an ifinfomsg for the link with the given index (0: all links,
// for a dump).
func linkBody(index int) []byte {
	b := make([]byte, unix.SizeofIfInfomsg)
	b[0] = unix.AF_UNSPEC
	binary.NativeEndian.PutUint32(b[4:], uint32(index))
	return b
}

// conntrackDumpBody is the nfgenmsg of a ctnetlink dump of both families.
func conntrackDumpBody() []byte {
	return []byte{unix.AF_UNSPEC, unix.NFNETLINK_V0, 0, 0}
}

// conntrackGetType is the netlink message type of IPCTNL_MSG_CT_GET (1 in
// linux/netfilter/nfnetlink_conntrack.h; x/sys/unix does not name it).
const conntrackGetType = unix.NFNL_SUBSYS_CTNETLINK<<8 | 1

// appendMsg appends a whole netlink message: header and body.
func appendMsg(b []byte, typ, flags uint16, seq uint32, body []byte) []byte {
	b = binary.NativeEndian.AppendUint32(b, uint32(nlHdrLen+len(body)))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = binary.NativeEndian.AppendUint16(b, flags)
	b = binary.NativeEndian.AppendUint32(b, seq)
	b = binary.NativeEndian.AppendUint32(b, 0) // pid: the kernel fills it in
	b = append(b, body...)
	return append(b, make([]byte, nlAlign(len(body))-len(body))...)
}

// setSeq rewrites the sequence number of the message at the start of b, so a
// prebuilt request can be reused without allocating.
func setSeq(b []byte, seq uint32) { binary.NativeEndian.PutUint32(b[8:], seq) }

// nlHeader is the part of struct nlmsghdr the clients look at.
type nlHeader struct {
	Len   uint32
	Type  uint16
	Flags uint16
	Seq   uint32
}

// nextMsg parses the header of the message at the start of b and returns it
// with the rest of b after the (aligned) message. ok is false when b holds no
// further valid message.
func nextMsg(b []byte) (h nlHeader, body, rest []byte, ok bool) {
	if len(b) < nlHdrLen {
		return h, nil, nil, false
	}
	h.Len = binary.NativeEndian.Uint32(b)
	h.Type = binary.NativeEndian.Uint16(b[4:])
	h.Flags = binary.NativeEndian.Uint16(b[6:])
	h.Seq = binary.NativeEndian.Uint32(b[8:])
	if h.Len < nlHdrLen || int(h.Len) > len(b) {
		return h, nil, nil, false
	}
	body = b[nlHdrLen:h.Len]
	if n := nlAlign(int(h.Len)); n < len(b) {
		rest = b[n:]
	}
	return h, body, rest, true
}

// errorCode returns the errno of an NLMSG_ERROR body (0 for an ACK).
func errorCode(body []byte) unix.Errno {
	if len(body) < 4 {
		return unix.EBADMSG
	}
	return unix.Errno(-int32(binary.NativeEndian.Uint32(body)))
}
