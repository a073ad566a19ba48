package netlink

import (
	"encoding/binary"
	"errors"
)

// An AttributeEncoder builds a sequence of attributes. Each method appends
// one attribute; Encode returns the result, or the first error any method
// met, after which the others did nothing.
type AttributeEncoder struct {
	// ByteOrder encodes integer attributes. NewAttributeEncoder sets it to
	// the host's byte order; set it before encoding any attribute. Nil means
	// the host's byte order.
	ByteOrder binary.ByteOrder

	b   []byte // the attributes encoded so far, in wire form
	err error
}

// NewAttributeEncoder returns an encoder using the host's byte order.
func NewAttributeEncoder() *AttributeEncoder {
	return &AttributeEncoder{ByteOrder: binary.NativeEndian}
}

// Flag appends a flag attribute, one without payload, if v is true, and
// nothing if it is false: a flag is set by being present.
func (ae *AttributeEncoder) Flag(typ uint16, v bool) {
	if v {
		ae.reserve(typ, 0)
	}
}

// Uint8 appends v as a 1-byte attribute of type typ.
func (ae *AttributeEncoder) Uint8(typ uint16, v uint8) {
	if p, ok := ae.reserve(typ, 1); ok {
		p[0] = v
	}
}

// Uint16 appends v in ByteOrder as an attribute of type typ.
func (ae *AttributeEncoder) Uint16(typ uint16, v uint16) {
	if p, ok := ae.reserve(typ, 2); ok {
		ae.order().PutUint16(p, v)
	}
}

// Uint32 appends v in ByteOrder as an attribute of type typ.
func (ae *AttributeEncoder) Uint32(typ uint16, v uint32) {
	if p, ok := ae.reserve(typ, 4); ok {
		ae.order().PutUint32(p, v)
	}
}

// Uint64 appends v in ByteOrder as an attribute of type typ.
func (ae *AttributeEncoder) Uint64(typ uint16, v uint64) {
	if p, ok := ae.reserve(typ, 8); ok {
		ae.order().PutUint64(p, v)
	}
}

// Int8 appends v as a 1-byte attribute of type typ.
func (ae *AttributeEncoder) Int8(typ uint16, v int8) { ae.Uint8(typ, uint8(v)) }

// Int16 appends v in ByteOrder as an attribute of type typ.
func (ae *AttributeEncoder) Int16(typ uint16, v int16) { ae.Uint16(typ, uint16(v)) }

// Int32 appends v in ByteOrder as an attribute of type typ.
func (ae *AttributeEncoder) Int32(typ uint16, v int32) { ae.Uint32(typ, uint32(v)) }

// Int64 appends v in ByteOrder as an attribute of type typ.
func (ae *AttributeEncoder) Int64(typ uint16, v int64) { ae.Uint64(typ, uint64(v)) }

// String appends s, NUL-terminated, as an attribute of type typ.
func (ae *AttributeEncoder) String(typ uint16, s string) {
	if ae.err != nil {
		return
	}
	switch {
	case len(s) > maxAttrData:
		ae.err = errors.New("string is too large to fit in a netlink attribute")
		return
	case len(s) == maxAttrData:
		// Its terminating NUL is one byte too many. This is the error
		// github.com/mdlayher/netlink's Encode returns for it.
		ae.err = errInvalidAttribute
		return
	}
	if p, ok := ae.reserve(typ, len(s)+1); ok {
		copy(p, s)
	}
}

// Bytes appends a copy of b as an attribute of type typ.
func (ae *AttributeEncoder) Bytes(typ uint16, b []byte) {
	ae.appendData(typ, b, "byte slice")
}

// Do appends the bytes fn returns as an attribute of type typ, to encode what
// the typed methods do not: C structures, arrays, hand-built nested
// attributes. An error from fn becomes the encoder's error.
func (ae *AttributeEncoder) Do(typ uint16, fn func() ([]byte, error)) {
	if ae.err != nil {
		return
	}
	b, err := fn()
	if err != nil {
		ae.err = err
		return
	}
	ae.appendData(typ, b, "byte slice produced by Do")
}

// Nested appends an attribute of type Nested|typ holding the attributes fn
// encodes with nae, which inherits ByteOrder. An error from fn or nae becomes
// this encoder's error. fn must not call nae.Encode, nor keep nae.
func (ae *AttributeEncoder) Nested(typ uint16, fn func(nae *AttributeEncoder) error) {
	if ae.err != nil {
		return
	}
	nae := &AttributeEncoder{ByteOrder: ae.ByteOrder}
	if err := fn(nae); err != nil {
		ae.err = err
		return
	}
	if nae.err != nil {
		ae.err = nae.err
		return
	}
	// Named as in github.com/mdlayher/netlink, whose Nested goes through Do.
	ae.appendData(Nested|typ, nae.b, "byte slice produced by Do")
}

// Encode returns the encoded attributes, or the first error met.
//
// The result shares memory with the encoder, which only ever appends after
// it: attributes added later do not change it, but changes made to it are
// seen by later calls to Encode.
func (ae *AttributeEncoder) Encode() ([]byte, error) {
	if ae.err != nil {
		return nil, ae.err
	}
	if ae.b == nil {
		return []byte{}, nil
	}
	return ae.b[:len(ae.b):len(ae.b)], nil
}

// appendData appends b as an attribute of type typ, or records an error
// naming what b is if it does not fit in one. The error texts are
// github.com/mdlayher/netlink's, which callers compare.
func (ae *AttributeEncoder) appendData(typ uint16, b []byte, what string) {
	if ae.err != nil {
		return
	}
	if len(b) > maxAttrData {
		ae.err = errors.New(what + " is too large to fit in a netlink attribute")
		return
	}
	if p, ok := ae.reserve(typ, len(b)); ok {
		copy(p, b)
	}
}

// reserve appends the header of an attribute with n bytes of payload, then n
// zero bytes and the padding, and returns the payload bytes to fill in. It
// returns false, appending nothing, if the encoder has failed. n must not
// exceed maxAttrData.
func (ae *AttributeEncoder) reserve(typ uint16, n int) ([]byte, bool) {
	if ae.err != nil {
		return nil, false
	}
	start := len(ae.b) + nlaHeaderLen
	ae.b = appendAttr(ae.b, typ, uint16(nlaHeaderLen+n), nil)
	ae.b = append(ae.b, make([]byte, nlaAlign(n))...)
	return ae.b[start : start+n], true
}

// order returns ByteOrder, or the host's byte order if it is nil.
func (ae *AttributeEncoder) order() binary.ByteOrder {
	if ae.ByteOrder == nil {
		return binary.NativeEndian
	}
	return ae.ByteOrder
}
