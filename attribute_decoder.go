package netlink

import (
	"encoding/binary"
	"fmt"

	"github.com/nlring/netlink/nlenc"
)

// An AttributeDecoder walks the attributes in a byte slice, like an iterator:
// call Next until it returns false, read each attribute with Type and one of
// the typed accessors, then check Err.
//
// A decoder does not copy: accessors read the slice it was created with, so
// walking attributes does not allocate. Bytes returns a copy; the slice Do
// passes aliases the input.
//
// The first error, whether in the framing or from an accessor or Do, stops
// the walk and is kept for Err; accessors called after it return zero values.
type AttributeDecoder struct {
	// ByteOrder decodes integer attributes. NewAttributeDecoder sets it to
	// the host's byte order; set it before decoding any attribute. Nil means
	// the host's byte order.
	ByteOrder binary.ByteOrder

	a      Attribute // the current attribute; Data aliases the input
	rest   []byte    // the attributes after a
	length int       // the count of attributes with non-zero length
	err    error

	// batch holds the decoders Nested hands out. A decoder given to fn
	// escapes to the heap; the batch is shared by a whole tree of nested
	// attributes and used as a stack, a decoder going back when its fn
	// returns, so a tree as deep as the batch allocates once however wide.
	batch *decoderBatch
}

// A decoderBatch is one allocation of decoders for Nested. Its size stays
// within the runtime's small objects that need no allocation header (512
// bytes), whose allocation costs less per byte.
type decoderBatch struct {
	d    [4]AttributeDecoder
	used int
}

// NewAttributeDecoder returns a decoder of the attributes in b. It fails if
// b cannot be split into attribute headers; lengths that overrun b are
// reported by Err once the walk reaches them.
func NewAttributeDecoder(b []byte) (*AttributeDecoder, error) {
	// This function is kept small enough to be inlined, so that the decoder
	// can live on the caller's stack: walking attributes allocates nothing.
	//
	// The pre-scan counts the attributes for Len (those with a non-zero
	// length, which are the ones UnmarshalAttributes returns) and rejects a
	// partial header, as github.com/mdlayher/netlink does up front.
	n := 0
	for r := b; len(r) > 0; {
		if len(r) < nlaHeaderLen {
			return nil, errInvalidAttribute
		}
		l := binary.NativeEndian.Uint16(r)
		if l != 0 {
			n++
		}
		r = r[min(max(nlaAlign(int(l)), nlaHeaderLen), len(r)):]
	}
	return &AttributeDecoder{ByteOrder: binary.NativeEndian, rest: b, length: n}, nil
}

// Next advances to the next attribute. It returns false at the end of the
// attributes or after an error.
func (ad *AttributeDecoder) Next() bool {
	// The common case, a well-formed attribute with a payload, is decoded
	// here, small enough to be inlined into the caller's loop; anything
	// else is left to nextSlow, which decides it with parseAttr.
	b := ad.rest
	if len(b) >= nlaHeaderLen && ad.err == nil {
		if l := int(binary.NativeEndian.Uint16(b)); l >= nlaHeaderLen && l <= len(b) {
			ad.a.Length, ad.a.Type, ad.a.Data = uint16(l), binary.NativeEndian.Uint16(b[2:]), b[nlaHeaderLen:l:l]
			ad.rest = b[min(nlaAlign(l), len(b)):]
			return true
		}
	}
	return ad.nextSlow()
}

// nextSlow is Next for every case.
func (ad *AttributeDecoder) nextSlow() bool {
	b := ad.rest
	if ad.err != nil || len(b) == 0 {
		return false
	}
	n, err := parseAttr(&ad.a, b)
	if err != nil {
		ad.err = err
		return false
	}
	ad.rest = b[n:]
	return true
}

// Type returns the type of the current attribute without the Nested and
// NetByteOrder flags.
func (ad *AttributeDecoder) Type() uint16 { return ad.a.Type & attrTypeMask }

// TypeFlags returns the Nested and NetByteOrder flags of the current
// attribute's type.
func (ad *AttributeDecoder) TypeFlags() uint16 { return ad.a.Type &^ attrTypeMask }

// Len returns the number of attributes the decoder walks, not counting
// attributes with length 0.
func (ad *AttributeDecoder) Len() int { return ad.length }

// Err returns the first error the decoder met, or nil.
func (ad *AttributeDecoder) Err() error { return ad.err }

// Bytes returns a copy of the current attribute's payload.
func (ad *AttributeDecoder) Bytes() []byte {
	return append(make([]byte, 0, len(ad.a.Data)), ad.a.Data...)
}

// String returns the current attribute's payload as a string, without
// trailing NUL bytes.
func (ad *AttributeDecoder) String() string {
	if ad.err != nil {
		return ""
	}
	return nlenc.String(ad.a.Data)
}

// Flag returns true if the current attribute is a flag: an attribute without
// payload, whose presence is the information.
func (ad *AttributeDecoder) Flag() bool {
	_, ok := ad.fixed("flag", 0)
	return ok
}

// Uint8 returns the current attribute as a uint8.
func (ad *AttributeDecoder) Uint8() uint8 {
	b, ok := ad.fixed("uint8", 1)
	if !ok {
		return 0
	}
	return b[0]
}

// Uint16 returns the current attribute as a uint16 in ByteOrder.
func (ad *AttributeDecoder) Uint16() uint16 {
	b, ok := ad.fixed("uint16", 2)
	if !ok {
		return 0
	}
	return ad.order().Uint16(b)
}

// Uint32 returns the current attribute as a uint32 in ByteOrder.
func (ad *AttributeDecoder) Uint32() uint32 {
	b, ok := ad.fixed("uint32", 4)
	if !ok {
		return 0
	}
	return ad.order().Uint32(b)
}

// Uint64 returns the current attribute as a uint64 in ByteOrder.
func (ad *AttributeDecoder) Uint64() uint64 {
	b, ok := ad.fixed("uint64", 8)
	if !ok {
		return 0
	}
	return ad.order().Uint64(b)
}

// Int8 returns the current attribute as an int8.
func (ad *AttributeDecoder) Int8() int8 {
	b, ok := ad.fixed("int8", 1)
	if !ok {
		return 0
	}
	return int8(b[0])
}

// Int16 returns the current attribute as an int16 in ByteOrder.
func (ad *AttributeDecoder) Int16() int16 {
	b, ok := ad.fixed("int16", 2)
	if !ok {
		return 0
	}
	return int16(ad.order().Uint16(b))
}

// Int32 returns the current attribute as an int32 in ByteOrder.
func (ad *AttributeDecoder) Int32() int32 {
	b, ok := ad.fixed("int32", 4)
	if !ok {
		return 0
	}
	return int32(ad.order().Uint32(b))
}

// Int64 returns the current attribute as an int64 in ByteOrder.
func (ad *AttributeDecoder) Int64() int64 {
	b, ok := ad.fixed("int64", 8)
	if !ok {
		return 0
	}
	return int64(ad.order().Uint64(b))
}

// Do calls fn with the current attribute's payload, to decode what the typed
// accessors do not: C structures, arrays, nested attributes. An error from fn
// becomes the decoder's error. fn must not keep b: it aliases the input.
func (ad *AttributeDecoder) Do(fn func(b []byte) error) {
	if ad.err != nil {
		return
	}
	if err := fn(ad.a.Data); err != nil {
		ad.err = err
	}
}

// Nested calls fn with a decoder of the attributes nested in the current
// attribute, which inherits ByteOrder. An error from fn, or one the nested
// decoder met, becomes this decoder's error, so fn need not check nad.Err.
//
// nad is valid until fn returns; the next Nested call reuses it. A decoder
// kept past that never faults, but it walks whatever attributes it is given
// next (docs/differences.md).
func (ad *AttributeDecoder) Nested(fn func(nad *AttributeDecoder) error) {
	if ad.err != nil {
		return
	}
	// Inlined, so d stays on the stack.
	d, err := NewAttributeDecoder(ad.a.Data)
	if err != nil {
		ad.err = err
		return
	}
	b := ad.batch
	if b == nil || b.used == len(b.d) {
		b = new(decoderBatch)
		ad.batch = b
	}
	nad := &b.d[b.used]
	*nad = AttributeDecoder{ByteOrder: ad.ByteOrder, rest: d.rest, length: d.length, batch: b}
	b.used++
	err = fn(nad)
	// Calls nest, so every decoder taken after nad has been given back.
	b.used--
	if err == nil {
		err = nad.err
	}
	if err != nil {
		ad.err = err
	}
}

// fixed returns the current attribute's payload if no error happened and it
// is size bytes long; otherwise it records an error naming kind.
func (ad *AttributeDecoder) fixed(kind string, size int) ([]byte, bool) {
	if ad.err != nil {
		return nil, false
	}
	if len(ad.a.Data) != size {
		ad.err = fmt.Errorf("netlink: attribute %d is not a %s; length: %d", ad.Type(), kind, len(ad.a.Data))
		return nil, false
	}
	return ad.a.Data, true
}

// order returns ByteOrder, or the host's byte order if it is nil.
func (ad *AttributeDecoder) order() binary.ByteOrder {
	if ad.ByteOrder == nil {
		return binary.NativeEndian
	}
	return ad.ByteOrder
}
