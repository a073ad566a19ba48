//go:build linux

// Package nlmsg builds synthetic netlink datagrams in a chosen byte order,
// for the filters' tests: the same message can be encoded as a little- and
// a big-endian host would see it.
package nlmsg

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// Payload encodes a value as a host of byte order o stores it.
type Payload func(o binary.AppendByteOrder) []byte

// U8, U16 and U32 are host-endian integers.
func U8(v uint8) Payload { return func(binary.AppendByteOrder) []byte { return []byte{v} } }

// U16 is a host-endian u16.
func U16(v uint16) Payload {
	return func(o binary.AppendByteOrder) []byte { return o.AppendUint16(nil, v) }
}

// U32 is a host-endian u32.
func U32(v uint32) Payload {
	return func(o binary.AppendByteOrder) []byte { return o.AppendUint32(nil, v) }
}

// BE16 is a big-endian u16, whatever the host.
func BE16(v uint16) Payload {
	return func(binary.AppendByteOrder) []byte { return binary.BigEndian.AppendUint16(nil, v) }
}

// BE32 is a big-endian u32, whatever the host.
func BE32(v uint32) Payload {
	return func(binary.AppendByteOrder) []byte { return binary.BigEndian.AppendUint32(nil, v) }
}

// Raw is bytes as they are.
func Raw(b ...byte) Payload { return func(binary.AppendByteOrder) []byte { return b } }

// Str is a NUL-terminated string.
func Str(s string) Payload { return Raw(append([]byte(s), 0)...) }

// Concat joins payloads: a family header built from its fields.
func Concat(ps ...Payload) Payload {
	return func(o binary.AppendByteOrder) []byte {
		var b []byte
		for _, p := range ps {
			b = append(b, p(o)...)
		}
		return b
	}
}

// Attribute is an attribute or a nest of attributes.
type Attribute struct {
	Type   uint16
	Value  Payload     // nil for a nest
	Nested []Attribute // the nest's attributes
}

// Attr is an attribute holding v.
func Attr(typ uint16, v Payload) Attribute { return Attribute{Type: typ, Value: v} }

// Nest is an attribute holding attributes.
func Nest(typ uint16, as ...Attribute) Attribute { return Attribute{Type: typ, Nested: as} }

func pad(b []byte) []byte {
	n := (len(b) + unix.NLA_ALIGNTO - 1) &^ (unix.NLA_ALIGNTO - 1)
	return append(b, make([]byte, n-len(b))...)
}

func encodeAttrs(o binary.AppendByteOrder, as []Attribute) []byte {
	var b []byte
	for _, a := range as {
		var p []byte
		if a.Value != nil {
			p = a.Value(o)
		} else {
			p = encodeAttrs(o, a.Nested)
		}
		b = o.AppendUint16(b, uint16(unix.NLA_HDRLEN+len(p)))
		b = o.AppendUint16(b, a.Type)
		b = pad(append(b, p...))
	}
	return b
}

// Message is a netlink message.
type Message struct {
	Type, Flags uint16
	PID         uint32
	Header      Payload // family header, padded to 4 bytes
	Attrs       []Attribute
}

// Encode encodes m in byte order o, with sequence number 1.
func (m Message) Encode(o binary.AppendByteOrder) []byte {
	var body []byte
	if m.Header != nil {
		body = pad(m.Header(o))
	}
	body = append(body, encodeAttrs(o, m.Attrs)...)
	b := o.AppendUint32(nil, uint32(unix.NLMSG_HDRLEN+len(body)))
	b = o.AppendUint16(b, m.Type)
	b = o.AppendUint16(b, m.Flags)
	b = o.AppendUint32(b, 1)
	b = o.AppendUint32(b, m.PID)
	return append(b, body...)
}

// WithPID returns m with nlmsg_pid pid.
func (m Message) WithPID(pid uint32) Message { m.PID = pid; return m }

// WithType returns m with nlmsg_type typ.
func (m Message) WithType(typ uint16) Message { m.Type = typ; return m }

// Datagram concatenates encoded messages into one datagram.
func Datagram(o binary.AppendByteOrder, ms ...Message) []byte {
	var b []byte
	for _, m := range ms {
		b = append(b, pad(m.Encode(o))...)
	}
	return b
}

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

// Conntrack message types and attributes.
const (
	CTNew    = unix.NFNL_SUBSYS_CTNETLINK << 8
	CTDelete = unix.NFNL_SUBSYS_CTNETLINK<<8 | 2
	CTAZone  = 18
)

// CTEvent is a conntrack event of type typ, with CTA_ZONE if zone is given.
func CTEvent(typ uint16, zone ...uint16) Message {
	m := Message{Type: typ, Header: Nfgenmsg(), Attrs: []Attribute{
		Nest(unix.NLA_F_NESTED|1, Attr(1, BE32(0x7f000001))), // CTA_TUPLE_ORIG
	}}
	for _, z := range zone {
		m.Attrs = append(m.Attrs, Attr(CTAZone, BE16(z)))
	}
	return m
}
