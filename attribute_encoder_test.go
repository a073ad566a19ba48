//go:build linux

package netlink

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/nlring/netlink/internal/testutil"
	"github.com/nlring/netlink/nlenc"
)

func TestAttributeEncoder(t *testing.T) {
	ints := func(ae *AttributeEncoder) {
		ae.Uint8(1, 0xf1)
		ae.Uint16(2, 0xf102)
		ae.Uint32(3, 0xf1020304)
		ae.Uint64(4, 0xf102030405060708)
		ae.Int8(5, -1)
		ae.Int16(6, -2)
		ae.Int32(7, -3)
		ae.Int64(8, -4)
	}
	tests := []struct {
		name  string
		order binary.ByteOrder // nil keeps NewAttributeEncoder's
		fn    func(ae *AttributeEncoder)
		want  []byte
	}{
		{name: "nothing", fn: func(*AttributeEncoder) {}, want: []byte{}},
		{name: "integers native", fn: ints, want: intAttrs(binary.NativeEndian)},
		{name: "integers little endian", order: binary.LittleEndian, fn: ints, want: intAttrs(binary.LittleEndian)},
		{name: "integers big endian", order: binary.BigEndian, fn: ints, want: intAttrs(binary.BigEndian)},
		{
			name: "flags",
			fn:   func(ae *AttributeEncoder) { ae.Flag(1, true); ae.Flag(2, false); ae.Flag(3, true) },
			want: concat(rawAttr(1, nil), rawAttr(3, nil)),
		},
		{
			name: "string, bytes, do",
			fn: func(ae *AttributeEncoder) {
				ae.String(1, "eth0")
				ae.String(2, "")
				ae.Bytes(3, []byte{1, 2, 3})
				ae.Bytes(4, nil)
				ae.Do(5, func() ([]byte, error) { return []byte{9}, nil })
			},
			want: concat(rawAttr(1, nlenc.Bytes("eth0")), rawAttr(2, []byte{0}), rawAttr(3, []byte{1, 2, 3}), rawAttr(4, nil), rawAttr(5, []byte{9})),
		},
		{
			name:  "nested, byte order inherited",
			order: binary.BigEndian,
			fn: func(ae *AttributeEncoder) {
				ae.Nested(1, func(nae *AttributeEncoder) error {
					nae.Uint16(2, 2)
					nae.Nested(3, func(nnae *AttributeEncoder) error {
						nnae.Uint32(4, 4)
						return nil
					})
					return nil
				})
				ae.Nested(5, func(*AttributeEncoder) error { return nil })
			},
			want: concat(
				rawAttr(1|Nested, concat(
					rawAttr(2, binary.BigEndian.AppendUint16(nil, 2)),
					rawAttr(3|Nested, rawAttr(4, binary.BigEndian.AppendUint32(nil, 4))),
				)),
				rawAttr(5|Nested, nil),
			),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ae := NewAttributeEncoder()
			if tt.order != nil {
				ae.ByteOrder = tt.order
			}
			tt.fn(ae)
			got, err := ae.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if diff := testutil.Diff(tt.want, got); diff != "" {
				t.Errorf("bytes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAttributeEncoderErrors(t *testing.T) {
	errFn := errors.New("fn failed")
	tests := []struct {
		name    string
		fn      func(ae *AttributeEncoder)
		is      error
		wantMsg string
	}{
		{
			name:    "bytes too large",
			fn:      func(ae *AttributeEncoder) { ae.Bytes(1, make([]byte, maxAttrData+1)) },
			wantMsg: "byte slice is too large to fit in a netlink attribute",
		},
		{
			name:    "string too large",
			fn:      func(ae *AttributeEncoder) { ae.String(1, strings.Repeat("x", maxAttrData+1)) },
			wantMsg: "string is too large to fit in a netlink attribute",
		},
		{
			// The payload fits but its NUL does not.
			name:    "string one byte too large",
			fn:      func(ae *AttributeEncoder) { ae.String(1, strings.Repeat("x", maxAttrData)) },
			wantMsg: "invalid attribute; length too short or too large",
		},
		{
			name:    "do result too large",
			fn:      func(ae *AttributeEncoder) { ae.Do(1, func() ([]byte, error) { return make([]byte, 1<<16), nil }) },
			wantMsg: "byte slice produced by Do is too large to fit in a netlink attribute",
		},
		{
			name: "nested too large",
			fn: func(ae *AttributeEncoder) {
				ae.Nested(1, func(nae *AttributeEncoder) error {
					nae.Bytes(1, make([]byte, maxAttrData-nlaHeaderLen))
					nae.Uint8(2, 1)
					return nil
				})
			},
			wantMsg: "byte slice produced by Do is too large to fit in a netlink attribute",
		},
		{
			name: "do error",
			fn:   func(ae *AttributeEncoder) { ae.Do(1, func() ([]byte, error) { return nil, errFn }) },
			is:   errFn,
		},
		{
			name: "nested fn error",
			fn:   func(ae *AttributeEncoder) { ae.Nested(1, func(*AttributeEncoder) error { return errFn }) },
			is:   errFn,
		},
		{
			name: "nested encoder error",
			fn: func(ae *AttributeEncoder) {
				ae.Nested(1, func(nae *AttributeEncoder) error {
					nae.Do(1, func() ([]byte, error) { return nil, errFn })
					return nil
				})
			},
			is: errFn,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ae := NewAttributeEncoder()
			ae.Uint8(1, 1)
			tt.fn(ae)
			// Nothing is encoded or called after an error.
			ae.Uint32(2, 2)
			ae.Flag(3, true)
			ae.String(4, "x")
			ae.Do(5, func() ([]byte, error) { t.Error("Do called fn after an error"); return nil, nil })
			ae.Nested(6, func(*AttributeEncoder) error { t.Error("Nested called fn after an error"); return nil })

			b, err := ae.Encode()
			switch {
			case err == nil:
				t.Fatal("no error")
			case tt.is != nil && !errors.Is(err, tt.is):
				t.Errorf("error = %v, want %v", err, tt.is)
			case tt.wantMsg != "" && err.Error() != tt.wantMsg:
				// The texts are github.com/mdlayher/netlink's.
				t.Errorf("error = %q, want %q", err, tt.wantMsg)
			}
			if b != nil {
				t.Errorf("Encode returned %d bytes with its error", len(b))
			}
		})
	}
}

// TestAttributeEncoderEncodeStable checks that a result of Encode is not
// changed by attributes encoded afterwards, and that a zero encoder (nil
// ByteOrder) encodes in host order.
func TestAttributeEncoderEncodeStable(t *testing.T) {
	var ae AttributeEncoder
	ae.Uint32(1, 1)
	first, err := ae.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte(nil), first...)
	ae.Uint32(2, 2)
	_ = append(first, 0xff, 0xff, 0xff, 0xff)
	second, err := ae.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if diff := testutil.Diff(rawAttr(1, le32(1)), want); diff != "" {
		t.Errorf("first (-want +got):\n%s", diff)
	}
	if diff := testutil.Diff(want, first); diff != "" {
		t.Errorf("first changed (-want +got):\n%s", diff)
	}
	if diff := testutil.Diff(concat(rawAttr(1, le32(1)), rawAttr(2, le32(2))), second); diff != "" {
		t.Errorf("second (-want +got):\n%s", diff)
	}
}

// TestAttributeEncoderDecoderRoundTrip encodes every kind of attribute and
// decodes it back.
func TestAttributeEncoderDecoderRoundTrip(t *testing.T) {
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		t.Run(order.String(), func(t *testing.T) {
			ae := NewAttributeEncoder()
			ae.ByteOrder = order
			ae.Uint8(1, 0xf1)
			ae.Uint16(2, 0xf102)
			ae.Uint32(3, 0xf1020304)
			ae.Uint64(4, 0xf102030405060708)
			ae.Int8(5, -1)
			ae.Int16(6, -2)
			ae.Int32(7, -3)
			ae.Int64(8, -4)
			ae.Flag(9, true)
			ae.String(10, "hello")
			ae.Bytes(11, []byte{1, 2, 3})
			ae.Nested(12, func(nae *AttributeEncoder) error {
				nae.Uint16(2, 7)
				return nil
			})
			b, err := ae.Encode()
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeAll(b, order, intKinds)
			if err != nil {
				t.Fatal(err)
			}
			want := append(append([]decoded(nil), intValues...),
				decoded{9, 0, true}, decoded{10, 0, "hello"}, decoded{11, 0, []byte{1, 2, 3}},
				decoded{12, Nested, []decoded{{2, 0, uint16(7)}}})
			if diff := testutil.Diff(want, got); diff != "" {
				t.Errorf("decoded (-want +got):\n%s", diff)
			}
		})
	}
}
