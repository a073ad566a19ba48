//go:build linux

package netlink

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/nlring/netlink/internal/testutil"
	"github.com/nlring/netlink/nlenc"
	"golang.org/x/sys/unix"
)

// decoded is what decodeAll records of one attribute.
type decoded struct {
	Type, Flags uint16
	Value       any
}

// decodeAll walks b with a decoder, decoding each attribute with the
// accessor kinds names for its type (attribute types are 1-based indexes
// into kinds; "nested" recurses with the same kinds).
func decodeAll(b []byte, order binary.ByteOrder, kinds []string) ([]decoded, error) {
	ad, err := NewAttributeDecoder(b)
	if err != nil {
		return nil, err
	}
	ad.ByteOrder = order
	var out []decoded
	for ad.Next() {
		d := decoded{Type: ad.Type(), Flags: ad.TypeFlags()}
		kind := "bytes"
		if i := int(ad.Type()) - 1; i >= 0 && i < len(kinds) {
			kind = kinds[i]
		}
		switch kind {
		case "uint8":
			d.Value = ad.Uint8()
		case "uint16":
			d.Value = ad.Uint16()
		case "uint32":
			d.Value = ad.Uint32()
		case "uint64":
			d.Value = ad.Uint64()
		case "int8":
			d.Value = ad.Int8()
		case "int16":
			d.Value = ad.Int16()
		case "int32":
			d.Value = ad.Int32()
		case "int64":
			d.Value = ad.Int64()
		case "flag":
			d.Value = ad.Flag()
		case "string":
			d.Value = ad.String()
		case "bytes":
			d.Value = ad.Bytes()
		case "nested":
			ad.Nested(func(nad *AttributeDecoder) error {
				var err error
				d.Value, err = decodeAll(nad.rest, nad.ByteOrder, kinds)
				return err
			})
		}
		out = append(out, d)
	}
	return out, ad.Err()
}

var intKinds = []string{"uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "flag", "string", "bytes", "nested"}

// intAttrs encodes one attribute of each integer kind in order.
func intAttrs(order binary.AppendByteOrder) []byte {
	return concat(
		rawAttr(1, []byte{0xf1}),
		rawAttr(2, order.AppendUint16(nil, 0xf102)),
		rawAttr(3, order.AppendUint32(nil, 0xf1020304)),
		rawAttr(4, order.AppendUint64(nil, 0xf102030405060708)),
		rawAttr(5, []byte{0xff}),
		rawAttr(6, order.AppendUint16(nil, 0xfffe)),
		rawAttr(7, order.AppendUint32(nil, 0xfffffffd)),
		rawAttr(8, order.AppendUint64(nil, 0xfffffffffffffffc)),
	)
}

var intValues = []decoded{
	{1, 0, uint8(0xf1)},
	{2, 0, uint16(0xf102)},
	{3, 0, uint32(0xf1020304)},
	{4, 0, uint64(0xf102030405060708)},
	{5, 0, int8(-1)},
	{6, 0, int16(-2)},
	{7, 0, int32(-3)},
	{8, 0, int64(-4)},
}

func TestAttributeDecoder(t *testing.T) {
	tests := []struct {
		name  string
		b     []byte
		order binary.ByteOrder
		want  []decoded
	}{
		{name: "empty"},
		{name: "native endian", b: intAttrs(binary.NativeEndian), order: binary.NativeEndian, want: intValues},
		{name: "little endian", b: intAttrs(binary.LittleEndian), order: binary.LittleEndian, want: intValues},
		{name: "big endian", b: intAttrs(binary.BigEndian), order: binary.BigEndian, want: intValues},
		{name: "nil byte order is native", b: intAttrs(binary.NativeEndian), want: intValues},
		{
			name: "flag, string, bytes",
			b:    concat(rawAttr(9, nil), rawAttr(10, nlenc.Bytes("eth0")), rawAttr(10, []byte("x\x00\x00\x00")), rawAttr(11, []byte{1, 2, 3})),
			want: []decoded{{9, 0, true}, {10, 0, "eth0"}, {10, 0, "x"}, {11, 0, []byte{1, 2, 3}}},
		},
		{
			name: "nested, byte order inherited",
			b: concat(
				rawAttr(12|Nested, concat(rawAttr(2, binary.BigEndian.AppendUint16(nil, 2)), rawAttr(12|Nested, rawAttr(3, binary.BigEndian.AppendUint32(nil, 3))))),
				rawAttr(1, []byte{1}),
			),
			order: binary.BigEndian,
			want: []decoded{
				{12, Nested, []decoded{{2, 0, uint16(2)}, {12, Nested, []decoded{{3, 0, uint32(3)}}}}},
				{1, 0, uint8(1)},
			},
		},
		{
			name: "type flags",
			b:    concat(rawAttr(11|NetByteOrder, []byte{1}), rawAttr(11|Nested|NetByteOrder, nil)),
			want: []decoded{{11, NetByteOrder, []byte{1}}, {11, Nested | NetByteOrder, []byte{}}},
		},
		{
			name: "zero-length attribute is yielded empty",
			b:    concat(make([]byte, 4), rawAttr(1, []byte{1})),
			want: []decoded{{0, 0, []byte{}}, {1, 0, uint8(1)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeAll(tt.b, tt.order, intKinds)
			if err != nil {
				t.Fatal(err)
			}
			if diff := testutil.Diff(tt.want, got); diff != "" {
				t.Errorf("decoded (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAttributeDecoderErrors(t *testing.T) {
	errDo := errors.New("do failed")
	tests := []struct {
		name    string
		b       []byte
		kinds   []string
		want    []decoded // what was decoded before the error stopped the walk
		wantErr string
		is      error
	}{
		{
			name:    "uint8 of 2 bytes",
			b:       concat(rawAttr(1, []byte{1, 2}), rawAttr(1, []byte{3})),
			kinds:   []string{"uint8"},
			want:    []decoded{{1, 0, uint8(0)}},
			wantErr: "netlink: attribute 1 is not a uint8; length: 2",
		},
		{name: "uint16", b: rawAttr(1, []byte{1}), kinds: []string{"uint16"}, want: []decoded{{1, 0, uint16(0)}}, wantErr: "netlink: attribute 1 is not a uint16; length: 1"},
		{name: "uint32", b: rawAttr(1, []byte{1}), kinds: []string{"uint32"}, want: []decoded{{1, 0, uint32(0)}}, wantErr: "netlink: attribute 1 is not a uint32; length: 1"},
		{name: "uint64", b: rawAttr(1, []byte{1}), kinds: []string{"uint64"}, want: []decoded{{1, 0, uint64(0)}}, wantErr: "netlink: attribute 1 is not a uint64; length: 1"},
		{name: "int8", b: rawAttr(1, nil), kinds: []string{"int8"}, want: []decoded{{1, 0, int8(0)}}, wantErr: "netlink: attribute 1 is not a int8; length: 0"},
		{name: "int16", b: rawAttr(1, nil), kinds: []string{"int16"}, want: []decoded{{1, 0, int16(0)}}, wantErr: "netlink: attribute 1 is not a int16; length: 0"},
		{name: "int32", b: rawAttr(1, nil), kinds: []string{"int32"}, want: []decoded{{1, 0, int32(0)}}, wantErr: "netlink: attribute 1 is not a int32; length: 0"},
		{name: "int64", b: rawAttr(1, nil), kinds: []string{"int64"}, want: []decoded{{1, 0, int64(0)}}, wantErr: "netlink: attribute 1 is not a int64; length: 0"},
		{name: "flag with data", b: rawAttr(1, []byte{1}), kinds: []string{"flag"}, want: []decoded{{1, 0, false}}, wantErr: "netlink: attribute 1 is not a flag; length: 1"},
		{
			name:    "type flags masked in message",
			b:       rawAttr(1|Nested, []byte{1}),
			kinds:   []string{"uint32"},
			want:    []decoded{{1, Nested, uint32(0)}},
			wantErr: "netlink: attribute 1 is not a uint32; length: 1",
		},
		{
			name:  "length beyond data",
			b:     concat(rawAttr(1, []byte{1}), []byte{0xff, 0, 1, 0}),
			kinds: []string{"uint8"},
			want:  []decoded{{1, 0, uint8(1)}},
			is:    errInvalidAttribute,
		},
		{
			name:  "length below header",
			b:     []byte{1, 0, 1, 0},
			kinds: []string{"uint8"},
			is:    errInvalidAttribute,
		},
		{
			name:  "nested framing error",
			b:     rawAttr(1|Nested, []byte{1, 2}),
			kinds: []string{"nested"},
			want:  []decoded{{1, Nested, nil}},
			is:    errInvalidAttribute,
		},
		{
			name:  "nested accessor error",
			b:     rawAttr(1|Nested, rawAttr(2, []byte{1})),
			kinds: []string{"nested", "uint16"},
			want:  []decoded{{1, Nested, []decoded{{2, 0, uint16(0)}}}},
			// The nested error propagates through fn's return and
			// through the nested decoder's Err.
			wantErr: "netlink: attribute 2 is not a uint16; length: 1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeAll(tt.b, nil, tt.kinds)
			switch {
			case err == nil:
				t.Fatal("no error")
			case tt.is != nil && !errors.Is(err, tt.is):
				t.Errorf("error = %v, want %v", err, tt.is)
			case tt.wantErr != "" && err.Error() != tt.wantErr:
				t.Errorf("error = %q, want %q", err, tt.wantErr)
			}
			if diff := testutil.Diff(tt.want, got); diff != "" {
				t.Errorf("decoded (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("do", func(t *testing.T) {
		ad, err := NewAttributeDecoder(concat(rawAttr(1, []byte("abc")), rawAttr(2, nil)))
		if err != nil {
			t.Fatal(err)
		}
		var seen []string
		for ad.Next() {
			ad.Do(func(b []byte) error {
				seen = append(seen, string(b))
				return errDo
			})
			ad.Do(func([]byte) error {
				t.Error("Do called fn after an error")
				return nil
			})
			if ad.Uint8() != 0 || ad.String() != "" || ad.Flag() {
				t.Error("accessors return values after an error")
			}
		}
		if !errors.Is(ad.Err(), errDo) {
			t.Errorf("Err() = %v, want %v", ad.Err(), errDo)
		}
		if diff := testutil.Diff([]string{"abc"}, seen); diff != "" {
			t.Errorf("Do saw (-want +got):\n%s", diff)
		}
	})

	t.Run("nested fn error", func(t *testing.T) {
		ad, err := NewAttributeDecoder(rawAttr(1|Nested, nil))
		if err != nil {
			t.Fatal(err)
		}
		ad.Next()
		ad.Nested(func(*AttributeDecoder) error { return errDo })
		if !errors.Is(ad.Err(), errDo) {
			t.Errorf("Err() = %v, want %v", ad.Err(), errDo)
		}
	})
}

func TestNewAttributeDecoderLen(t *testing.T) {
	tests := []struct {
		name    string
		b       []byte
		want    int
		wantErr error
	}{
		{name: "empty"},
		{name: "partial header", b: []byte{4, 0}, wantErr: errInvalidAttribute},
		{name: "partial header after attribute", b: concat(rawAttr(1, nil), []byte{4}), wantErr: errInvalidAttribute},
		{name: "zero-length attributes not counted", b: concat(make([]byte, 4), rawAttr(1, nil), make([]byte, 4)), want: 1},
		// Overlong lengths are reported by Next, not counted away.
		{name: "overlong length", b: []byte{0xff, 0, 1, 0}, want: 1},
		{name: "three", b: concat(rawAttr(1, nil), rawAttr(2, []byte{1}), rawAttr(3, []byte("abcdefghi"))), want: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ad, err := NewAttributeDecoder(tt.b)
			if err != tt.wantErr {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if ad != nil {
					t.Error("non-nil decoder with an error")
				}
				return
			}
			if got := ad.Len(); got != tt.want {
				t.Errorf("Len() = %d, want %d", got, tt.want)
			}
		})
	}
}

// TestAttributeDecoderBytesCopies checks that Bytes returns a copy, unlike
// the other accessors, and that the decoder reads the input in place.
func TestAttributeDecoderBytesCopies(t *testing.T) {
	b := rawAttr(1, []byte{1, 2})
	ad, err := NewAttributeDecoder(b)
	if err != nil {
		t.Fatal(err)
	}
	ad.Next()
	got := ad.Bytes()
	b[4] = 9
	if got[0] != 1 {
		t.Error("Bytes aliases the input")
	}
	ad.Do(func(d []byte) error {
		if d[0] != 9 {
			t.Error("Do does not see the input in place")
		}
		return nil
	})
}

// TestAttributeDecoderKernel decodes the attributes of a link captured from
// the kernel.
func TestAttributeDecoderKernel(t *testing.T) {
	m, _, err := parseMessage(kernelDatagram(t, "getlink_reply.bin"))
	if err != nil {
		t.Fatal(err)
	}
	ad, err := NewAttributeDecoder(m.Data[16:]) // after struct ifinfomsg
	if err != nil {
		t.Fatal(err)
	}
	var name string
	var mtu uint32
	nested := 0
	for ad.Next() {
		switch ad.Type() {
		case unix.IFLA_IFNAME:
			name = ad.String()
		case unix.IFLA_MTU:
			mtu = ad.Uint32()
		case unix.IFLA_AF_SPEC, unix.IFLA_LINKINFO, unix.IFLA_PROP_LIST:
			ad.Nested(func(nad *AttributeDecoder) error {
				for nad.Next() {
					nested++
				}
				return nil
			})
		}
	}
	if err := ad.Err(); err != nil {
		t.Fatal(err)
	}
	if name != "lo" || mtu != 65536 || nested == 0 {
		t.Errorf("got name %q, MTU %d, %d nested attributes; want lo, 65536, some", name, mtu, nested)
	}
}

func TestAttributeDecoderAllocs(t *testing.T) {
	b := routeAttrs(t)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := walkRoute(b); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("walking attributes allocated %v times, want 0", allocs)
	}
}

// routeAttrs returns the attributes of a route message captured from the
// kernel.
func routeAttrs(tb testing.TB) []byte {
	m, _, err := parseMessage(kernelDatagram(tb, "route_dump.bin"))
	if err != nil {
		tb.Fatal(err)
	}
	return m.Data[unix.SizeofRtMsg:]
}

// walkRoute decodes route attributes as a route-dump consumer does.
func walkRoute(b []byte) (uint32, error) {
	ad, err := NewAttributeDecoder(b)
	if err != nil {
		return 0, err
	}
	var sum uint32
	for ad.Next() {
		switch ad.Type() {
		case unix.RTA_TABLE, unix.RTA_OIF, unix.RTA_PRIORITY:
			sum += ad.Uint32()
		case unix.RTA_DST, unix.RTA_GATEWAY, unix.RTA_PREFSRC:
			ad.Do(func(b []byte) error {
				if len(b) != 4 {
					return fmt.Errorf("address of %d bytes", len(b))
				}
				sum += uint32(b[3])
				return nil
			})
		}
	}
	return sum, ad.Err()
}

func BenchmarkAttributeDecoder(b *testing.B) {
	attrs := routeAttrs(b)
	b.SetBytes(int64(len(attrs)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := walkRoute(attrs); err != nil {
			b.Fatal(err)
		}
	}
}

// conntrackLike builds the nesting of a conntrack flow: two tuples of an
// address pair and a protocol triple, two counter pairs, and flat words.
func conntrackLike() []byte {
	u32 := func(t uint16, v uint32) []byte { return rawAttr(t, binary.BigEndian.AppendUint32(nil, v)) }
	u64 := func(t uint16, v uint64) []byte { return rawAttr(t, binary.BigEndian.AppendUint64(nil, v)) }
	tuple := func(t uint16) []byte {
		ip := rawAttr(1|Nested, concat(u32(1, 0x0a000001), u32(2, 0x0a000002)))
		proto := rawAttr(2|Nested, concat(rawAttr(1, []byte{6}), rawAttr(2, []byte{0, 80}), rawAttr(3, []byte{1, 187})))
		return rawAttr(t|Nested, concat(ip, proto))
	}
	counters := func(t uint16) []byte { return rawAttr(t|Nested, concat(u64(1, 10), u64(2, 1500))) }
	return concat(tuple(1), tuple(2), u32(3, 0x188), u32(7, 120), counters(9), counters(10), u32(12, 42))
}

// walkNested decodes b to the leaves through a decoder on the heap, as a
// library that passes its decoder around does.
//
//go:noinline
func walkNested(b []byte) (uint64, error) {
	ad, err := NewAttributeDecoder(b)
	if err != nil {
		return 0, err
	}
	var sum uint64
	var walk func(nad *AttributeDecoder) error
	walk = func(nad *AttributeDecoder) error {
		for nad.Next() {
			if nad.TypeFlags()&Nested != 0 {
				nad.Nested(walk)
				continue
			}
			sum += uint64(len(nad.Bytes()))
		}
		return nil
	}
	if err := walk(ad); err != nil {
		return 0, err
	}
	return sum, ad.Err()
}

func BenchmarkAttributeDecoderNested(b *testing.B) {
	attrs := conntrackLike()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := walkNested(attrs); err != nil {
			b.Fatal(err)
		}
	}
}

// TestNestedDecoders checks how Nested hands out decoders across a tree
// deeper and wider than one batch: never one still in use, the same ones
// again once their fn returned, so that the walk allocates only its batch;
// and a decoder kept past its fn (against Nested's rules) walks whatever it
// is given next without faulting.
func TestNestedDecoders(t *testing.T) {
	b := concat(conntrackLike(), conntrackLike())
	ad, err := NewAttributeDecoder(b)
	if err != nil {
		t.Fatal(err)
	}
	var (
		active []*AttributeDecoder
		kept   []*AttributeDecoder
		calls  int
	)
	var walk func(nad *AttributeDecoder) error
	walk = func(nad *AttributeDecoder) error {
		if slices.Contains(active, nad) || nad == ad {
			t.Fatalf("decoder %p handed out while in use", nad)
		}
		calls++
		active = append(active, nad)
		kept = append(kept, nad)
		for nad.Next() {
			if nad.TypeFlags()&Nested != 0 {
				nad.Nested(walk)
			}
		}
		active = active[:len(active)-1]
		return nil
	}
	ad.Nested(func(*AttributeDecoder) error { return nil }) // before Next: an empty nest
	for ad.Next() {
		if ad.TypeFlags()&Nested != 0 {
			ad.Nested(walk)
		}
	}
	if err := ad.Err(); err != nil {
		t.Fatal(err)
	}
	if calls != 16 {
		t.Fatalf("%d nested decoders, want 16", calls)
	}
	distinct := map[*AttributeDecoder]bool{}
	for _, nad := range kept {
		distinct[nad] = true
		for nad.Next() { // stale: whatever it walked last, or nothing
			_ = nad.Bytes()
		}
	}
	if len(distinct) > 3 {
		t.Errorf("%d distinct decoders for a tree 3 deep, want at most 3", len(distinct))
	}

	allocs := testing.AllocsPerRun(100, func() {
		if _, err := walkNested(b); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 2 {
		t.Errorf("walking two conntrack flows allocated %v times, want at most 2 (the decoder and one batch)", allocs)
	}
}
