package filter

import "encoding/binary"

// hostOrder is the byte order of netlink headers and of most attributes on
// this machine. Programs are compiled for an explicit order so that tests
// can check the big-endian encoding on a little-endian machine.
var hostOrder binary.AppendByteOrder = binary.NativeEndian

// loaded16 returns what a classic BPF half-word load reads from the bytes of
// v stored in order: loads are big-endian whatever the host.
func loaded16(order binary.AppendByteOrder, v uint16) uint32 {
	return uint32(binary.BigEndian.Uint16(order.AppendUint16(nil, v)))
}

// loaded32 is loaded16 for words.
func loaded32(order binary.AppendByteOrder, v uint32) uint32 {
	return binary.BigEndian.Uint32(order.AppendUint32(nil, v))
}
