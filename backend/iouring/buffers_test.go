//go:build linux

package iouring

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/uring"
	"golang.org/x/sys/unix"
)

// fakeBuffers returns n small buffers in Go memory: decodeRecv only reads
// them.
func fakeBuffers(n, size int) *buffers {
	b := &buffers{size: size}
	b.grow(n)
	return b
}

// fill writes what a multishot recvmsg would into buffer id and returns the
// CQE that would announce it.
func fill(b *buffers, id uint16, payload []byte, reported int, msgFlags uint32, pid, groups uint32) uring.CQE {
	mem := b.buf(id)
	binary.NativeEndian.PutUint32(mem[0:], unix.SizeofSockaddrNetlink)
	binary.NativeEndian.PutUint32(mem[4:], 0)
	binary.NativeEndian.PutUint32(mem[8:], uint32(reported))
	binary.NativeEndian.PutUint32(mem[12:], msgFlags)
	binary.NativeEndian.PutUint16(mem[outSize:], unix.AF_NETLINK)
	binary.NativeEndian.PutUint32(mem[outSize+4:], pid)
	binary.NativeEndian.PutUint32(mem[outSize+8:], groups)
	n := copy(mem[headerSize:], payload)
	return uring.CQE{
		UserData: udRecv,
		Res:      int32(headerSize + n),
		Flags:    uring.IORING_CQE_F_BUFFER | uring.IORING_CQE_F_MORE | uint32(id)<<uring.IORING_CQE_BUFFER_SHIFT,
	}
}

func TestDecodeRecv(t *testing.T) {
	b := fakeBuffers(4, 64)
	payload := []byte("0123456789abcdef")

	t.Run("datagram", func(t *testing.T) {
		c := fill(b, 2, payload, len(payload), 0, 1234, 1<<4)
		d, buf, err := decodeRecv(c, b)
		if err != nil || buf != 2 {
			t.Fatalf("decodeRecv = buf %d, %v; want buf 2, nil", buf, err)
		}
		if !bytes.Equal(d.Data, payload) || d.Sender != 1234 || d.Groups != 1<<4 || d.Ref != 3 {
			t.Errorf("datagram = %+v", d)
		}
		if cap(d.Data) != len(payload) {
			t.Errorf("cap(Data) = %d: appending would write into the buffer", cap(d.Data))
		}
	})
	t.Run("kernel sender", func(t *testing.T) {
		d, _, err := decodeRecv(fill(b, 0, payload, len(payload), 0, 0, 0), b)
		if err != nil || d.Sender != 0 || d.Groups != 0 {
			t.Errorf("decodeRecv = %+v, %v", d, err)
		}
	})
	t.Run("MSG_TRUNC", func(t *testing.T) {
		c := fill(b, 1, payload, 100, unix.MSG_TRUNC, 0, 0)
		d, buf, err := decodeRecv(c, b)
		var te *backend.TruncatedError
		if !errors.As(err, &te) || te.Size != 100 || te.Buffer != 64 || !errors.Is(err, backend.ErrTruncated) {
			t.Fatalf("err = %v, want a TruncatedError{100, 64}", err)
		}
		if buf != 1 || d.Ref != 2 || d.Data != nil {
			t.Errorf("truncated: buf %d, datagram %+v; want the buffer back and no data", buf, d)
		}
	})
	t.Run("payload over capacity without MSG_TRUNC", func(t *testing.T) {
		_, buf, err := decodeRecv(fill(b, 1, payload, 65, 0, 0, 0), b)
		if !errors.Is(err, backend.ErrTruncated) || buf != 1 {
			t.Errorf("buf %d, err %v; want the buffer and ErrTruncated", buf, err)
		}
	})
	t.Run("ENOBUFS", func(t *testing.T) {
		d, buf, err := decodeRecv(uring.CQE{UserData: udRecv, Res: -int32(unix.ENOBUFS)}, b)
		if err != unix.ENOBUFS || buf != -1 || d.Ref != 0 {
			t.Errorf("= %+v, %d, %v; want no buffer, ENOBUFS", d, buf, err)
		}
	})
	t.Run("no buffer flag", func(t *testing.T) {
		_, buf, err := decodeRecv(uring.CQE{UserData: udRecv, Res: 40}, b)
		if err == nil || buf != -1 {
			t.Errorf("= %d, %v; want an error and no buffer", buf, err)
		}
	})
	t.Run("buffer out of range", func(t *testing.T) {
		_, buf, err := decodeRecv(uring.CQE{Res: 40, Flags: uring.IORING_CQE_F_BUFFER | 9<<uring.IORING_CQE_BUFFER_SHIFT}, b)
		if err == nil || buf != -1 {
			t.Errorf("= %d, %v; want an error and no buffer", buf, err)
		}
	})
	t.Run("short result", func(t *testing.T) {
		c := fill(b, 3, payload, len(payload), 0, 0, 0)
		c.Res = int32(headerSize - 1)
		_, buf, err := decodeRecv(c, b)
		if err == nil || buf != 3 {
			t.Errorf("= %d, %v; want an error with buffer 3 to return", buf, err)
		}
	})
}

// FuzzDecodeRecv feeds arbitrary completions and buffer contents: decodeRecv
// must never panic, never hand out data beyond the buffer's capacity, and
// always give back the buffer a completion names.
func FuzzDecodeRecv(f *testing.F) {
	f.Add(int32(headerSize+4), uint32(uring.IORING_CQE_F_BUFFER|uring.IORING_CQE_F_MORE), []byte{12, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0})
	f.Add(int32(-105), uint32(0), []byte{})
	f.Add(int32(headerSize), uint32(uring.IORING_CQE_F_BUFFER|3<<16), []byte{0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x20})
	f.Fuzz(func(t *testing.T, res int32, flags uint32, header []byte) {
		b := fakeBuffers(4, 64)
		id, hasBuf := uring.CQE{Flags: flags}.BufferID()
		if hasBuf && int(id) < b.count() {
			copy(b.buf(id), header)
		}
		d, buf, err := decodeRecv(uring.CQE{Res: res, Flags: flags}, b)
		if hasBuf && int(id) < b.count() {
			if buf != int(id) || d.Ref != buf+1 {
				t.Fatalf("completion names buffer %d; got buf %d, Ref %d", id, buf, d.Ref)
			}
		} else if buf != -1 || d.Ref != 0 {
			t.Fatalf("no valid buffer named; got buf %d, Ref %d", buf, d.Ref)
		}
		if err != nil {
			if d.Data != nil {
				t.Fatalf("error %v with data", err)
			}
			return
		}
		if len(d.Data) > b.size {
			t.Fatalf("%d bytes of data from a %d-byte buffer", len(d.Data), b.size)
		}
	})
}
