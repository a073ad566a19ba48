package netlink

import (
	"bytes"
	"errors"
	"testing"

	"github.com/nlring/netlink/internal/testutil"
)

func TestMarshalAttributes(t *testing.T) {
	tests := []struct {
		name    string
		attrs   []Attribute
		want    []byte
		wantErr error
	}{
		{name: "none", want: []byte{}},
		{name: "length below header", attrs: []Attribute{{Length: 3, Type: 1}}, wantErr: errInvalidAttribute},
		{
			name:    "length does not frame the data",
			attrs:   []Attribute{{Length: 12, Type: 1, Data: []byte{1}}},
			wantErr: errInvalidAttribute,
		},
		{
			name:    "data too large",
			attrs:   []Attribute{{Type: 1, Data: make([]byte, maxAttrData+1)}},
			wantErr: errInvalidAttribute,
		},
		{
			name:  "computed lengths",
			attrs: []Attribute{{Type: 1, Data: []byte{0xff}}, {Type: 2}, {Type: 0xffff, Data: []byte("abcd")}},
			want:  concat(rawAttr(1, []byte{0xff}), rawAttr(2, nil), rawAttr(0xffff, []byte("abcd"))),
		},
		{
			name:  "given lengths",
			attrs: []Attribute{{Length: 5, Type: 1, Data: []byte{0xff}}, {Length: 4, Type: 2, Data: []byte{}}},
			want:  concat(rawAttr(1, []byte{0xff}), rawAttr(2, nil)),
		},
		{
			name:  "given length counting padding that Data holds",
			attrs: []Attribute{{Length: 5, Type: 1, Data: []byte{0xff, 0, 0, 0}}},
			want:  []byte{5, 0, 1, 0, 0xff, 0, 0, 0},
		},
		{
			name:  "largest attribute",
			attrs: []Attribute{{Type: 1, Data: make([]byte, maxAttrData)}},
			want:  concat([]byte{0xff, 0xff, 1, 0}, make([]byte, maxAttrData+1)),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MarshalAttributes(tt.attrs)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if diff := testutil.Diff(tt.want, got); diff != "" {
				t.Errorf("bytes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnmarshalAttributes(t *testing.T) {
	tests := []struct {
		name    string
		b       []byte
		want    []Attribute
		wantErr error
	}{
		{name: "empty"},
		{name: "short header", b: make([]byte, 3), wantErr: errInvalidAttribute},
		{name: "length below header", b: []byte{3, 0, 1, 0}, wantErr: errInvalidAttribute},
		{name: "length beyond data", b: []byte{0xff, 0xff, 1, 0}, wantErr: errInvalidAttribute},
		{name: "trailing partial header", b: concat(rawAttr(1, nil), []byte{4, 0}), wantErr: errInvalidAttribute},
		{name: "only zero-length attributes", b: make([]byte, 8)},
		{
			name: "zero-length attributes skipped",
			b:    concat(make([]byte, 4), rawAttr(1, []byte{7}), make([]byte, 4)),
			want: []Attribute{{Length: 5, Type: 1, Data: []byte{7}}},
		},
		{
			name: "final attribute without padding",
			b:    []byte{5, 0, 1, 0, 0xff},
			want: []Attribute{{Length: 5, Type: 1, Data: []byte{0xff}}},
		},
		{
			name: "several, flags kept in Type",
			b:    concat(rawAttr(1, []byte{0xff}), rawAttr(2|Nested, rawAttr(1, nil)), rawAttr(3, []byte("abcdefgh"))),
			want: []Attribute{
				{Length: 5, Type: 1, Data: []byte{0xff}},
				{Length: 8, Type: 2 | Nested, Data: rawAttr(1, nil)},
				{Length: 12, Type: 3, Data: []byte("abcdefgh")},
			},
		},
		{
			name: "empty payload is not nil",
			b:    rawAttr(1, nil),
			want: []Attribute{{Length: 4, Type: 1, Data: []byte{}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := UnmarshalAttributes(tt.b)
			if err != tt.wantErr {
				// Compared with == on purpose: callers of
				// github.com/mdlayher/netlink compare the bare sentinel.
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			// Not EquateEmpty: an empty payload must be a non-nil slice, as
			// github.com/mdlayher/netlink returns.
			if diff := testutil.Diff(tt.want, got); diff != "" {
				t.Errorf("attributes (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUnmarshalAttributesCopies checks that the attributes do not alias the
// input, and that appending to one's Data does not overwrite the next.
func TestUnmarshalAttributesCopies(t *testing.T) {
	b := concat(rawAttr(1, []byte("ab")), rawAttr(2, []byte("cd")))
	attrs, err := UnmarshalAttributes(b)
	if err != nil {
		t.Fatal(err)
	}
	clear(b)
	_ = append(attrs[0].Data, 'X')
	want := []Attribute{{Length: 6, Type: 1, Data: []byte("ab")}, {Length: 6, Type: 2, Data: []byte("cd")}}
	if diff := testutil.Diff(want, attrs); diff != "" {
		t.Errorf("attributes (-want +got):\n%s", diff)
	}
}

func TestAttributesRoundTrip(t *testing.T) {
	in := kernelDatagram(t, "getlink_reply.bin")
	attrs := in[nlmsgHeaderLen+16:] // after the header and struct ifinfomsg
	parsed, err := UnmarshalAttributes(attrs)
	if err != nil {
		t.Fatal(err)
	}
	if len(parsed) < 20 {
		t.Fatalf("parsed only %d attributes of a link", len(parsed))
	}
	out, err := MarshalAttributes(parsed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, attrs) {
		t.Errorf("re-marshaled attributes differ from the kernel's:\n got %x\nwant %x", out, attrs)
	}
}
