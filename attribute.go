package netlink

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/nlring/netlink/internal/unix"
)

// Flags that some netlink families set in the high bits of an attribute
// type. AttributeDecoder.Type masks them off; AttributeDecoder.TypeFlags
// returns them.
const (
	// Nested marks an attribute whose payload is itself attributes.
	Nested uint16 = unix.NLA_F_NESTED
	// NetByteOrder marks an attribute whose integer payload is big-endian.
	NetByteOrder uint16 = unix.NLA_F_NET_BYTEORDER

	// attrTypeMask keeps the type bits of an attribute type (NLA_TYPE_MASK).
	attrTypeMask = ^(Nested | NetByteOrder)
)

// errInvalidAttribute is the error of attribute bytes that cannot be framed:
// a header cut short, or a length field below the header size or beyond the
// end of the data.
var errInvalidAttribute = errors.New("invalid attribute; length too short or too large")

// An Attribute is a netlink attribute (struct nlattr and its payload).
type Attribute struct {
	// Length is the length of the attribute, header included, padding
	// excluded. MarshalAttributes computes it when it is 0.
	Length uint16

	// Type is the attribute type, including the Nested and NetByteOrder
	// flags, which code using Attribute directly must handle itself.
	Type uint16

	// Data is the payload.
	Data []byte
}

// parseAttr parses the attribute at the start of b into *a without
// copying: a.Data aliases b. n is how far the next attribute starts: the
// length rounded up to 4, capped at len(b) so that a final attribute may
// lack its padding. Writing into *a rather than returning an Attribute saves
// a copy per attribute on the decoder's hot path.
//
// An attribute with length 0 is returned as one with no payload that
// occupies a header's worth of bytes, as github.com/mdlayher/netlink did;
// callers that collect attributes skip it.
func parseAttr(a *Attribute, b []byte) (n int, err error) {
	if len(b) < nlaHeaderLen {
		return 0, errInvalidAttribute
	}
	l := int(binary.NativeEndian.Uint16(b))
	switch {
	case l == 0:
		l = nlaHeaderLen
	case l < nlaHeaderLen || l > len(b):
		return 0, errInvalidAttribute
	}
	a.Length = binary.NativeEndian.Uint16(b)
	a.Type = binary.NativeEndian.Uint16(b[2:])
	a.Data = b[nlaHeaderLen:l:l]
	return min(nlaAlign(l), len(b)), nil
}

// MarshalAttributes returns the wire form of attrs, each attribute padded to
// 4 bytes.
//
// An Attribute's Length is computed when it is 0. A Length set by the caller
// is written as given; it must be at least the header size and frame the
// same padded size as the header plus Data, or the result could not be
// parsed.
//
// AttributeEncoder is usually more convenient.
func MarshalAttributes(attrs []Attribute) ([]byte, error) {
	size := 0
	for _, a := range attrs {
		n, err := attrSize(a)
		if err != nil {
			return nil, err
		}
		size += n
	}
	b := make([]byte, 0, size)
	for _, a := range attrs {
		if a.Length == 0 {
			a.Length = uint16(nlaHeaderLen + len(a.Data))
		}
		b = appendAttr(b, a.Type, a.Length, a.Data)
	}
	return b, nil
}

// attrSize returns the padded wire size of a, checking that it is encodable.
func attrSize(a Attribute) (int, error) {
	if len(a.Data) > maxAttrData {
		// Bare, as github.com/mdlayher/netlink returns it for payloads its
		// length field wraps to below a header (it encodes larger ones
		// with a wrong length; nlring refuses those too).
		return 0, errInvalidAttribute
	}
	size := nlaHeaderLen + nlaAlign(len(a.Data))
	switch l := int(a.Length); {
	case l == 0:
	case l < nlaHeaderLen:
		// Returned bare: github.com/mdlayher/netlink's callers compare it.
		return 0, errInvalidAttribute
	case nlaAlign(l) != size:
		return 0, fmt.Errorf("%w: length %d does not match %d bytes of data",
			errInvalidAttribute, l, len(a.Data))
	}
	return size, nil
}

// appendAttr appends an attribute with the given header fields and payload,
// padded to 4 bytes.
func appendAttr(b []byte, typ, length uint16, data []byte) []byte {
	b = binary.NativeEndian.AppendUint16(b, length)
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(b, data...)
	return append(b, make([]byte, nlaAlign(len(data))-len(data))...)
}

// UnmarshalAttributes returns the attributes in b. Their Data is copied, so b
// may be reused. Attributes with a length of 0 are skipped, and no attributes
// at all yield a nil slice.
//
// AttributeDecoder is usually more convenient, and it does not copy.
func UnmarshalAttributes(b []byte) ([]Attribute, error) {
	ad, err := NewAttributeDecoder(b)
	if err != nil {
		return nil, err
	}
	if ad.Len() == 0 {
		return nil, nil
	}
	attrs := make([]Attribute, 0, ad.Len())
	size := 0
	for ad.Next() {
		if ad.a.Length != 0 {
			attrs = append(attrs, ad.a)
			size += len(ad.a.Data)
		}
	}
	if err := ad.Err(); err != nil {
		return nil, err
	}
	// One copy for all payloads rather than one allocation per attribute.
	// Each Data's capacity ends with it, so appending to one cannot
	// overwrite the next.
	block := make([]byte, 0, size)
	for i := range attrs {
		start := len(block)
		block = append(block, attrs[i].Data...)
		attrs[i].Data = block[start:len(block):len(block)]
	}
	return attrs, nil
}
