package netlink

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"syscall"
	"testing"

	"github.com/nlring/netlink/internal/testutil"
)

// The seed corpora live in testdata/fuzz/<FuzzName>/: datagrams captured
// from the kernel (see testdata/kernel) and hand-made edge cases. Run a
// fuzzer with, for example:
//
//	go test -run '^$' -fuzz '^FuzzParseMessages$' -fuzztime 30s

// FuzzParseMessages parses a datagram as the Conn does and as
// Message.UnmarshalBinary does, checking that whatever parses re-encodes to
// the same message.
func FuzzParseMessages(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		for rest := b; len(rest) > 0; {
			m, n, err := parseMessage(rest)
			if err != nil {
				if !errors.Is(err, errShortMessage) && !errors.Is(err, errIncorrectMessageLength) {
					t.Fatalf("parseMessage error %v wraps no sentinel", err)
				}
				break
			}
			if n <= 0 || n > len(rest) || n < int(m.Header.Length) {
				t.Fatalf("consumed %d of %d bytes for a message of length %d", n, len(rest), m.Header.Length)
			}
			if int(m.Header.Length) != nlmsgHeaderLen+len(m.Data) {
				t.Fatalf("length %d with %d bytes of data", m.Header.Length, len(m.Data))
			}
			checkOneMessage(t, m)

			out, err := appendMessage(nil, m)
			if err != nil {
				t.Fatalf("appendMessage of a parsed message: %v", err)
			}
			back, bn, err := parseMessage(out)
			if err != nil {
				t.Fatalf("parsing an appended message: %v", err)
			}
			if bn != len(out) || len(out) != nlmsgAlign(int(m.Header.Length)) {
				t.Fatalf("appended %d bytes, parsed %d, for length %d", len(out), bn, m.Header.Length)
			}
			if !reflect.DeepEqual(m, back) {
				t.Fatalf("round trip (-want +got):\n%s", testutil.Diff(m, back))
			}
			rest = rest[n:]
		}

		var m Message
		if err := m.UnmarshalBinary(b); err != nil {
			return
		}
		if m.Header.Length%4 != 0 {
			return // MarshalBinary insists on an aligned length.
		}
		out, err := m.MarshalBinary()
		if err != nil {
			t.Fatalf("MarshalBinary of an unmarshaled message: %v", err)
		}
		if !bytes.Equal(out, b[:m.Header.Length]) {
			t.Fatalf("MarshalBinary = %x, want %x", out, b[:m.Header.Length])
		}
	})
}

// isAck reports whether m acknowledges success: an Error message with code 0.
func isAck(m Message) bool {
	return m.Header.Type == Error && len(m.Data) >= errnoLen &&
		binary.NativeEndian.Uint32(m.Data) == 0
}

// checkOneMessage checks the invariants of checkMessage and isAck on m.
func checkOneMessage(t *testing.T, m Message) {
	t.Helper()
	err := checkMessage(m)
	if isAck(m) && err != nil {
		t.Fatalf("an ACK yields error %v", err)
	}
	if err == nil {
		return
	}
	oe, ok := err.(*OpError)
	if !ok {
		t.Fatalf("checkMessage returned %T, want *OpError", err)
	}
	// A message too short for its code or its echoed request reports no
	// sequence number, as in github.com/mdlayher/netlink.
	short := oe.Err == errShortErrorMessage
	if oe.Op != "receive" || (oe.Sequence != m.Header.Sequence && !short) || oe.Err == nil {
		t.Fatalf("checkMessage = %#v for header %+v", oe, m.Header)
	}
	if errno, ok := oe.Err.(syscall.Errno); ok && errno == 0 {
		t.Fatal("checkMessage reports errno 0")
	}
	if (oe.Message != "" || oe.Offset != 0) && m.Header.Flags&AcknowledgeTLVs == 0 {
		t.Fatalf("extended acknowledgement %q/%d without the AcknowledgeTLVs flag", oe.Message, oe.Offset)
	}
}

// FuzzCheckMessage feeds checkMessage arbitrary Error and Done messages.
func FuzzCheckMessage(f *testing.F) {
	f.Fuzz(func(t *testing.T, typ, flags uint16, seq uint32, data []byte) {
		m := Message{
			Header: Header{Length: uint32(nlmsgHeaderLen + len(data)), Type: HeaderType(typ), Flags: HeaderFlags(flags), Sequence: seq},
			Data:   data,
		}
		checkOneMessage(t, m)
	})
}

// FuzzAttributes decodes arbitrary attributes with AttributeDecoder,
// recursing into every attribute that parses as nested attributes, and with
// UnmarshalAttributes, and checks that the two agree and that what decodes
// re-encodes to the same attributes.
func FuzzAttributes(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		walked, walkErr := walkAttrs(t, b, 0)

		attrs, err := UnmarshalAttributes(b)
		if (err == nil) != (walkErr == nil) {
			t.Fatalf("UnmarshalAttributes error %v, decoder error %v", err, walkErr)
		}
		if err != nil {
			return
		}
		if !reflect.DeepEqual(walked, attrs) {
			t.Fatalf("UnmarshalAttributes and the decoder disagree (-decoder +unmarshal):\n%s", testutil.Diff(walked, attrs))
		}

		out, err := MarshalAttributes(attrs)
		if err != nil {
			t.Fatalf("MarshalAttributes of unmarshaled attributes: %v", err)
		}
		again, err := UnmarshalAttributes(out)
		if err != nil {
			t.Fatalf("UnmarshalAttributes of marshaled attributes: %v", err)
		}
		if !reflect.DeepEqual(attrs, again) {
			t.Fatalf("round trip (-want +got):\n%s", testutil.Diff(attrs, again))
		}

		ae := NewAttributeEncoder()
		for _, a := range attrs {
			ae.Bytes(a.Type, a.Data)
		}
		encoded, err := ae.Encode()
		if err != nil {
			t.Fatalf("encoding unmarshaled attributes: %v", err)
		}
		if !bytes.Equal(encoded, out) {
			t.Fatalf("AttributeEncoder = %x, MarshalAttributes = %x", encoded, out)
		}
	})
}

// walkAttrs decodes b with an AttributeDecoder, trying every typed accessor
// on fresh decoders and recursing into nested attributes, and returns the
// attributes with non-zero length it walked.
func walkAttrs(t *testing.T, b []byte, depth int) ([]Attribute, error) {
	ad, err := NewAttributeDecoder(b)
	if err != nil {
		if ad != nil {
			t.Fatal("NewAttributeDecoder returned a decoder with its error")
		}
		return nil, err
	}
	var attrs []Attribute
	for ad.Next() {
		if ad.a.Length != 0 {
			attrs = append(attrs, Attribute{Length: ad.a.Length, Type: ad.a.Type, Data: ad.Bytes()})
		}
		if ad.Type()|ad.TypeFlags() != ad.a.Type {
			t.Fatalf("Type %#x and TypeFlags %#x do not make up %#x", ad.Type(), ad.TypeFlags(), ad.a.Type)
		}
		if depth == 0 {
			tryAccessors(t, ad.a.Data)
		}
		if depth < 4 {
			// Errors are expected: most payloads are not attributes.
			_, _ = walkAttrs(t, ad.a.Data, depth+1)
		}
	}
	if ad.Err() == nil && len(attrs) != ad.Len() {
		t.Fatalf("walked %d attributes, Len() = %d", len(attrs), ad.Len())
	}
	return attrs, ad.Err()
}

// accessors calls the typed accessors of each payload size.
var accessors = []struct {
	size int
	call func(*AttributeDecoder)
}{
	{0, func(ad *AttributeDecoder) { ad.Flag() }},
	{1, func(ad *AttributeDecoder) { ad.Uint8(); ad.Int8() }},
	{2, func(ad *AttributeDecoder) { ad.Uint16(); ad.Int16() }},
	{4, func(ad *AttributeDecoder) { ad.Uint32(); ad.Int32() }},
	{8, func(ad *AttributeDecoder) { ad.Uint64(); ad.Int64() }},
}

// tryAccessors calls each accessor on an attribute with payload data,
// checking that exactly the one of matching size succeeds.
func tryAccessors(t *testing.T, data []byte) {
	attr := concat(rawAttrLen(len(data)), data)
	for _, acc := range accessors {
		size, fn := acc.size, acc.call
		ad, err := NewAttributeDecoder(attr)
		if err != nil || !ad.Next() {
			t.Fatalf("re-decoding one attribute of %d bytes: %v", len(data), err)
		}
		_ = ad.String()
		fn(ad)
		if (ad.Err() == nil) != (len(data) == size) {
			t.Fatalf("%d-byte accessor on %d bytes: error %v", size, len(data), ad.Err())
		}
	}
}

// rawAttrLen returns the header of an attribute of type 1 with n bytes of
// payload.
func rawAttrLen(n int) []byte { return rawAttr(1, make([]byte, n))[:nlaHeaderLen] }
