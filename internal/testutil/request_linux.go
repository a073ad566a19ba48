package testutil

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// Requests for raw sockets, in host byte order.

// Request encodes one netlink message with nlmsg_pid 0 (the kernel fills
// it in) and no padding after body.
func Request(typ, flags uint16, seq uint32, body []byte) []byte {
	b := make([]byte, 0, unix.NLMSG_HDRLEN+len(body))
	b = binary.NativeEndian.AppendUint32(b, uint32(unix.NLMSG_HDRLEN+len(body)))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = binary.NativeEndian.AppendUint16(b, flags)
	b = binary.NativeEndian.AppendUint32(b, seq)
	b = binary.NativeEndian.AppendUint32(b, 0)
	return append(b, body...)
}

// Noop is a request the kernel only acknowledges.
func Noop(seq uint32) []byte {
	return Request(unix.NLMSG_NOOP, unix.NLM_F_REQUEST|unix.NLM_F_ACK, seq, nil)
}

// LinkBody is the ifinfomsg of an RTM_GETLINK for the link of the given
// index (0, with NLM_F_DUMP: every link).
func LinkBody(index int32) []byte {
	b := make([]byte, unix.SizeofIfInfomsg)
	b[0] = unix.AF_UNSPEC
	binary.NativeEndian.PutUint32(b[4:], uint32(index))
	return b
}

// RouteDumpBody is the rtmsg of an RTM_GETROUTE dump of family's routes
// (AF_UNSPEC: every family's).
func RouteDumpBody(family uint8) []byte {
	b := make([]byte, unix.SizeofRtMsg)
	b[0] = family
	return b
}

// GetLinkRequest asks for the link of the given index.
func GetLinkRequest(seq uint32, index int32) []byte {
	return Request(unix.RTM_GETLINK, unix.NLM_F_REQUEST, seq, LinkBody(index))
}

// RouteDumpRequest asks for every IPv4 route.
func RouteDumpRequest(seq uint32) []byte {
	return Request(unix.RTM_GETROUTE, unix.NLM_F_REQUEST|unix.NLM_F_DUMP, seq, RouteDumpBody(unix.AF_INET))
}
