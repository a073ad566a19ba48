package testutil

import (
	"encoding/binary"
	"fmt"
	"testing"

	"golang.org/x/sys/unix"
)

// Received is a netlink message as the tests see it: its header, its body,
// and the few fields of the body they check.
type Received struct {
	Type, Flags uint16
	Seq, PID    uint32
	// Data is the body, pointing into the datagram parsed.
	Data []byte
	// Table is RTA_TABLE of a route message, Index ifi_index of a link
	// message.
	Table, Index uint32
	// Zone is CTA_ZONE of a conntrack message, 0 if it has none.
	Zone uint16
}

// NewReceived returns the message of the given header and body, with the
// fields the tests check filled in: for messages that arrive parsed, as
// through a Conn.
func NewReceived(typ, flags uint16, seq, pid uint32, body []byte) Received {
	m := Received{Type: typ, Flags: flags, Seq: seq, PID: pid, Data: body}
	switch typ {
	case unix.RTM_NEWROUTE, unix.RTM_DELROUTE:
		if len(body) >= unix.SizeofRtMsg {
			m.Table = attr(body[unix.SizeofRtMsg:], unix.RTA_TABLE, 4)
		}
	case unix.RTM_NEWLINK, unix.RTM_DELLINK:
		if len(body) >= unix.SizeofIfInfomsg {
			m.Index = binary.NativeEndian.Uint32(body[4:])
		}
	case CTNew, CTDelete:
		if len(body) >= nfgenmsgLen {
			m.Zone = uint16(attr(body[nfgenmsgLen:], CTAZone, 2))
		}
	}
	return m
}

// Parse parses the messages of a datagram.
func Parse(b []byte) ([]Received, error) {
	var msgs []Received
	for len(b) >= unix.NLMSG_HDRLEN {
		l := int(binary.NativeEndian.Uint32(b))
		if l < unix.NLMSG_HDRLEN || l > len(b) {
			return nil, fmt.Errorf("bad message length %d", l)
		}
		msgs = append(msgs, NewReceived(
			binary.NativeEndian.Uint16(b[4:]),
			binary.NativeEndian.Uint16(b[6:]),
			binary.NativeEndian.Uint32(b[8:]),
			binary.NativeEndian.Uint32(b[12:]),
			b[unix.NLMSG_HDRLEN:l]))
		b = b[min((l+3)&^3, len(b)):]
	}
	return msgs, nil
}

// MustParse is Parse that fails t on bytes that do not parse.
func MustParse(t testing.TB, b []byte) []Received {
	t.Helper()
	msgs, err := Parse(b)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return msgs
}

// Errno returns the error an NLMSG_ERROR message carries, 0 for an ACK; it
// fails t on any other message.
func (m Received) Errno(t testing.TB) unix.Errno {
	t.Helper()
	if m.Type != unix.NLMSG_ERROR || len(m.Data) < 4 {
		t.Fatalf("want NLMSG_ERROR, got type %d with %d bytes", m.Type, len(m.Data))
	}
	return unix.Errno(-int32(binary.NativeEndian.Uint32(m.Data)))
}

// Count counts the messages of each kind: "route/<table>" for routes,
// "link" for links, "ct/<zone>" for conntrack events, the type otherwise.
func Count(msgs []Received) map[string]int {
	c := make(map[string]int)
	for _, m := range msgs {
		switch m.Type {
		case unix.RTM_NEWROUTE, unix.RTM_DELROUTE:
			c[fmt.Sprintf("route/%d", m.Table)]++
		case unix.RTM_NEWLINK, unix.RTM_DELLINK:
			c["link"]++
		case CTNew, CTDelete:
			c[fmt.Sprintf("ct/%d", m.Zone)]++
		default:
			c[fmt.Sprintf("type %d", m.Type)]++
		}
	}
	return c
}

// attr returns the value of the first attribute of type typ in b, if it
// has size bytes: host-endian for 4, big-endian for 2 (CTA_ZONE).
func attr(b []byte, typ uint16, size int) uint32 {
	for len(b) >= 4 {
		l := int(binary.NativeEndian.Uint16(b))
		if l < 4 || l > len(b) {
			return 0
		}
		if binary.NativeEndian.Uint16(b[2:])&^(unix.NLA_F_NESTED|unix.NLA_F_NET_BYTEORDER) == typ && l == 4+size {
			if size == 2 {
				return uint32(binary.BigEndian.Uint16(b[4:]))
			}
			return binary.NativeEndian.Uint32(b[4:])
		}
		b = b[min((l+3)&^3, len(b)):]
	}
	return 0
}
