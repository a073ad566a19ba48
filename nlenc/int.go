package nlenc

import (
	"encoding/binary"
	"fmt"
)

// mustLen panics unless b is exactly n bytes long. The message names the
// caller and is worded as github.com/mdlayher/netlink/nlenc's: tests that
// recover the panic compare it.
func mustLen(fn string, b []byte, n int) {
	if len(b) != n {
		panic(fmt.Sprintf("%s: unexpected byte slice length: %d", fn, len(b)))
	}
}

// PutUint8 stores v in b, which must be 1 byte long.
//
// Deprecated: assign b[0] = v.
func PutUint8(b []byte, v uint8) {
	mustLen("PutUint8", b, 1)
	b[0] = v
}

// PutUint16 stores v in b, which must be 2 bytes long, in host byte order.
//
// Deprecated: use binary.NativeEndian.PutUint16.
func PutUint16(b []byte, v uint16) {
	mustLen("PutUint16", b, 2)
	binary.NativeEndian.PutUint16(b, v)
}

// PutUint32 stores v in b, which must be 4 bytes long, in host byte order.
//
// Deprecated: use binary.NativeEndian.PutUint32.
func PutUint32(b []byte, v uint32) {
	mustLen("PutUint32", b, 4)
	binary.NativeEndian.PutUint32(b, v)
}

// PutUint64 stores v in b, which must be 8 bytes long, in host byte order.
//
// Deprecated: use binary.NativeEndian.PutUint64.
func PutUint64(b []byte, v uint64) {
	mustLen("PutUint64", b, 8)
	binary.NativeEndian.PutUint64(b, v)
}

// PutInt32 stores v in b, which must be 4 bytes long, in host byte order.
//
// Deprecated: use binary.NativeEndian.PutUint32 with a conversion.
func PutInt32(b []byte, v int32) {
	mustLen("PutInt32", b, 4)
	binary.NativeEndian.PutUint32(b, uint32(v))
}

// Uint8 returns the value stored in b, which must be 1 byte long.
//
// Deprecated: read b[0].
func Uint8(b []byte) uint8 {
	mustLen("Uint8", b, 1)
	return b[0]
}

// Uint16 decodes b, which must be 2 bytes long, in host byte order.
//
// Deprecated: use binary.NativeEndian.Uint16.
func Uint16(b []byte) uint16 {
	mustLen("Uint16", b, 2)
	return binary.NativeEndian.Uint16(b)
}

// Uint32 decodes b, which must be 4 bytes long, in host byte order.
//
// Deprecated: use binary.NativeEndian.Uint32.
func Uint32(b []byte) uint32 {
	mustLen("Uint32", b, 4)
	return binary.NativeEndian.Uint32(b)
}

// Uint64 decodes b, which must be 8 bytes long, in host byte order.
//
// Deprecated: use binary.NativeEndian.Uint64.
func Uint64(b []byte) uint64 {
	mustLen("Uint64", b, 8)
	return binary.NativeEndian.Uint64(b)
}

// Int32 decodes b, which must be 4 bytes long, in host byte order.
//
// Deprecated: use binary.NativeEndian.Uint32 with a conversion.
func Int32(b []byte) int32 {
	mustLen("Int32", b, 4)
	return int32(binary.NativeEndian.Uint32(b))
}

// Uint8Bytes returns a new 1-byte slice holding v.
//
// Deprecated: write []byte{v}.
func Uint8Bytes(v uint8) []byte { return []byte{v} }

// Uint16Bytes returns a new 2-byte slice holding v in host byte order.
func Uint16Bytes(v uint16) []byte {
	return binary.NativeEndian.AppendUint16(make([]byte, 0, 2), v)
}

// Uint32Bytes returns a new 4-byte slice holding v in host byte order.
func Uint32Bytes(v uint32) []byte {
	return binary.NativeEndian.AppendUint32(make([]byte, 0, 4), v)
}

// Uint64Bytes returns a new 8-byte slice holding v in host byte order.
func Uint64Bytes(v uint64) []byte {
	return binary.NativeEndian.AppendUint64(make([]byte, 0, 8), v)
}

// Int32Bytes returns a new 4-byte slice holding v in host byte order.
func Int32Bytes(v int32) []byte { return Uint32Bytes(uint32(v)) }
