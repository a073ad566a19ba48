package nlenc

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/cpu"
)

// hostOrder returns le on little-endian hosts and le reversed on big-endian
// ones: the expected bytes of a value written in host order.
func hostOrder(le []byte) []byte {
	if cpu.IsBigEndian {
		b := slices.Clone(le)
		slices.Reverse(b)
		return b
	}
	return le
}

func TestNativeEndian(t *testing.T) {
	if NativeEndian() != binary.ByteOrder(binary.NativeEndian) {
		t.Errorf("NativeEndian() = %v, want binary.NativeEndian", NativeEndian())
	}
}

func TestIntegers(t *testing.T) {
	tests := []struct {
		name   string
		le     []byte // little-endian encoding
		put    func([]byte)
		get    func([]byte) any
		alloc  func() []byte
		value  any
		length int
	}{
		{
			name: "uint8", le: []byte{0xf1},
			put:   func(b []byte) { PutUint8(b, 0xf1) },
			get:   func(b []byte) any { return Uint8(b) },
			alloc: func() []byte { return Uint8Bytes(0xf1) },
			value: uint8(0xf1),
		},
		{
			name: "uint16", le: []byte{0x02, 0xf1},
			put:   func(b []byte) { PutUint16(b, 0xf102) },
			get:   func(b []byte) any { return Uint16(b) },
			alloc: func() []byte { return Uint16Bytes(0xf102) },
			value: uint16(0xf102),
		},
		{
			name: "uint32", le: []byte{0x04, 0x03, 0x02, 0xf1},
			put:   func(b []byte) { PutUint32(b, 0xf1020304) },
			get:   func(b []byte) any { return Uint32(b) },
			alloc: func() []byte { return Uint32Bytes(0xf1020304) },
			value: uint32(0xf1020304),
		},
		{
			name: "uint64", le: []byte{0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0xf1},
			put:   func(b []byte) { PutUint64(b, 0xf102030405060708) },
			get:   func(b []byte) any { return Uint64(b) },
			alloc: func() []byte { return Uint64Bytes(0xf102030405060708) },
			value: uint64(0xf102030405060708),
		},
		{
			name: "int32", le: []byte{0xfe, 0xff, 0xff, 0xff},
			put:   func(b []byte) { PutInt32(b, -2) },
			get:   func(b []byte) any { return Int32(b) },
			alloc: func() []byte { return Int32Bytes(-2) },
			value: int32(-2),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := hostOrder(tt.le)
			b := make([]byte, len(want))
			tt.put(b)
			if diff := testutil.Diff(want, b); diff != "" {
				t.Errorf("Put (-want +got):\n%s", diff)
			}
			if diff := testutil.Diff(tt.value, tt.get(want)); diff != "" {
				t.Errorf("Get (-want +got):\n%s", diff)
			}
			if diff := testutil.Diff(want, tt.alloc()); diff != "" {
				t.Errorf("Bytes (-want +got):\n%s", diff)
			}

			// Any other length is a programming error and panics with
			// github.com/mdlayher/netlink/nlenc's message, which names the
			// function and the length.
			name := strings.ToUpper(tt.name[:1]) + tt.name[1:]
			for _, n := range []int{0, len(want) - 1, len(want) + 1} {
				for op, fn := range map[string]func([]byte){
					"Put": tt.put,
					"":    func(b []byte) { tt.get(b) },
				} {
					msg := panicMessage(func() { fn(make([]byte, n)) })
					if w := fmt.Sprintf("%s%s: unexpected byte slice length: %d", op, name, n); msg != w {
						t.Errorf("%s%s with %d bytes: panic %q, want %q", op, name, n, msg, w)
					}
				}
			}
		})
	}
}

// panicMessage runs fn and returns what it panicked with, or "" if it did
// not panic.
func panicMessage(fn func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	fn()
	return ""
}
