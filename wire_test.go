package netlink

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/cpu"
)

// Helpers shared by the wire-format tests.

// kernelDatagram returns a datagram captured from the kernel (see
// testdata/kernel/README.md). The captures are little-endian.
func kernelDatagram(tb testing.TB, name string) []byte {
	tb.Helper()
	if cpu.IsBigEndian {
		tb.Skip("kernel captures are little-endian")
	}
	b, err := os.ReadFile(filepath.Join("testdata", "kernel", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// rawMessage builds a message in wire form with the length field set to
// 16+len(data) and the payload padded to 4 bytes.
func rawMessage(typ HeaderType, flags HeaderFlags, seq uint32, data []byte) []byte {
	b := rawHeader(uint32(nlmsgHeaderLen+len(data)), typ, flags, seq, 0)
	b = append(b, data...)
	return append(b, make([]byte, nlmsgAlign(len(b))-len(b))...)
}

// rawHeader builds a message header in wire form.
func rawHeader(length uint32, typ HeaderType, flags HeaderFlags, seq, pid uint32) []byte {
	b := binary.NativeEndian.AppendUint32(nil, length)
	b = binary.NativeEndian.AppendUint16(b, uint16(typ))
	b = binary.NativeEndian.AppendUint16(b, uint16(flags))
	b = binary.NativeEndian.AppendUint32(b, seq)
	return binary.NativeEndian.AppendUint32(b, pid)
}

// rawAttr builds an attribute in wire form, padded to 4 bytes.
func rawAttr(typ uint16, data []byte) []byte {
	b := binary.NativeEndian.AppendUint16(nil, uint16(nlaHeaderLen+len(data)))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(b, data...)
	return append(b, make([]byte, nlaAlign(len(b))-len(b))...)
}

// le32 returns v as 4 bytes in host order.
func le32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

// concat joins byte slices.
func concat(bs ...[]byte) []byte {
	var out []byte
	for _, b := range bs {
		out = append(out, b...)
	}
	return out
}
