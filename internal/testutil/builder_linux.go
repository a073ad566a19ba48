package testutil

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// A Payload encodes a value as a host of byte order o stores it, so that
// one Message can be encoded as a little- and a big-endian host would see
// it: what the socket filters' tests need to check both byte orders on one
// machine.
type Payload func(o binary.AppendByteOrder) []byte

// U8 is a u8.
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

// An Attribute is an attribute or a nest of attributes.
type Attribute struct {
	Type   uint16
	Value  Payload     // nil for a nest
	Nested []Attribute // the nest's attributes
}

// Attr is an attribute holding v.
func Attr(typ uint16, v Payload) Attribute { return Attribute{Type: typ, Value: v} }

// Nest is an attribute holding attributes.
func Nest(typ uint16, as ...Attribute) Attribute { return Attribute{Type: typ, Nested: as} }

// A Message is a netlink message to encode in a chosen byte order.
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

// pad pads b to the 4-byte alignment of messages and attributes.
func pad(b []byte) []byte {
	n := (len(b) + unix.NLA_ALIGNTO - 1) &^ (unix.NLA_ALIGNTO - 1)
	return append(b, make([]byte, n-len(b))...)
}
