package testutil

import (
	"encoding/binary"
	"testing"

	"github.com/nlring/netlink/internal/netns"
	"github.com/nlring/netlink/internal/nlsock"
	"golang.org/x/sys/unix"
)

// ctnetlink's message types and attributes
// (linux/netfilter/nfnetlink_conntrack.h; x/sys/unix names none of them).
const (
	CTNew    = unix.NFNL_SUBSYS_CTNETLINK << 8   // IPCTNL_MSG_CT_NEW
	CTDelete = unix.NFNL_SUBSYS_CTNETLINK<<8 | 2 // IPCTNL_MSG_CT_DELETE
	CTAZone  = 18                                // CTA_ZONE

	nfgenmsgLen = 4

	ctaTupleOrig  = 1
	ctaTupleReply = 2
	ctaTimeout    = 7
	ctaTupleIP    = 1
	ctaTupleProto = 2
	ctaIPv4Src    = 1
	ctaIPv4Dst    = 2
	ctaProtoNum   = 1
	ctaProtoSrc   = 2
	ctaProtoDst   = 3
)

// CTEvent is a synthetic conntrack event of type typ, with CTA_ZONE if zone
// is given.
func CTEvent(typ uint16, zone ...uint16) Message {
	m := Message{Type: typ, Header: Nfgenmsg(), Attrs: []Attribute{
		Nest(unix.NLA_F_NESTED|ctaTupleOrig, Attr(ctaTupleIP, BE32(0x7f000001))),
	}}
	for _, z := range zone {
		m.Attrs = append(m.Attrs, Attr(CTAZone, BE16(z)))
	}
	return m
}

// AddConntrack creates a UDP conntrack entry 127.0.0.1:port ->
// 127.0.0.2:53 in zone (0: the default zone, no CTA_ZONE) through
// ctnetlink, from a socket of its own. The kernel sends an
// IPCTNL_MSG_CT_NEW event for it.
func AddConntrack(t testing.TB, ns *netns.NS, zone, port uint16) {
	t.Helper()
	fd, _, err := nlsock.Open(nlsock.Options{Family: unix.NETLINK_NETFILTER, NetNS: ns.FD()})
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	tuple := func(typ uint16, src, dst uint32, sport, dport uint16) Attribute {
		return Nest(unix.NLA_F_NESTED|typ,
			Nest(unix.NLA_F_NESTED|ctaTupleIP,
				Attr(ctaIPv4Src, BE32(src)),
				Attr(ctaIPv4Dst, BE32(dst))),
			Nest(unix.NLA_F_NESTED|ctaTupleProto,
				Attr(ctaProtoNum, U8(unix.IPPROTO_UDP)),
				Attr(ctaProtoSrc, BE16(sport)),
				Attr(ctaProtoDst, BE16(dport))))
	}
	m := Message{
		Type:   CTNew,
		Flags:  unix.NLM_F_REQUEST | unix.NLM_F_CREATE | unix.NLM_F_EXCL | unix.NLM_F_ACK,
		Header: Raw(unix.AF_INET, unix.NFNETLINK_V0, 0, 0),
		Attrs: []Attribute{
			tuple(ctaTupleOrig, 0x7f000001, 0x7f000002, port, 53),
			tuple(ctaTupleReply, 0x7f000002, 0x7f000001, 53, port),
			Attr(ctaTimeout, BE32(600)),
		},
	}
	if zone != 0 {
		m.Attrs = append(m.Attrs, Attr(CTAZone, BE16(zone)))
	}
	if err := unix.Sendto(fd, m.Encode(binary.NativeEndian), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		t.Fatalf("sending IPCTNL_MSG_CT_NEW: %v", err)
	}
	buf := make([]byte, 4096)
	n, _, err := unix.Recvfrom(fd, buf, 0)
	if err != nil {
		t.Fatalf("receiving the ACK of IPCTNL_MSG_CT_NEW: %v", err)
	}
	if n < unix.NLMSG_HDRLEN+4 || binary.NativeEndian.Uint16(buf[4:]) != unix.NLMSG_ERROR {
		t.Fatalf("unexpected reply to IPCTNL_MSG_CT_NEW: % x", buf[:n])
	}
	if code := int32(binary.NativeEndian.Uint32(buf[unix.NLMSG_HDRLEN:])); code != 0 {
		t.Fatalf("IPCTNL_MSG_CT_NEW: %v", unix.Errno(-code))
	}
}
