//go:build linux

package netlink

import (
	"context"
	"encoding/binary"
	"iter"
	"testing"

	"github.com/nlring/netlink/backend"
	"golang.org/x/sys/unix"
)

// replaySocket hands out the same dump datagrams on every Recv, ending each
// round with a Done datagram: the kernel's part of a dump costs nothing, so
// a benchmark over it measures only what the Conn does per message.
type replaySocket struct {
	*fakeSocket
	parts [][]byte
	done  []byte
	next  int
}

func (s *replaySocket) Recv() (backend.Datagram, error) {
	if s.next == len(s.parts) {
		s.next = 0
		return backend.Datagram{Data: s.done}, nil
	}
	s.next++
	return backend.Datagram{Data: s.parts[s.next-1]}, nil
}

func (s *replaySocket) Release(backend.Datagram) {}

// routeDumpParts returns n route messages as the kernel packs them, in
// datagrams of at most 32 KiB, each carrying RTA_TABLE, RTA_DST and RTA_OIF.
func routeDumpParts(n int) [][]byte {
	var parts [][]byte
	var b []byte
	for i := range n {
		body := make([]byte, unix.SizeofRtMsg, 64)
		body[0], body[1] = unix.AF_INET, 32
		body = append(body, rawAttr(unix.RTA_TABLE, le32(254))...)
		body = append(body, rawAttr(unix.RTA_DST, binary.BigEndian.AppendUint32(nil, uint32(i)))...)
		body = append(body, rawAttr(unix.RTA_OIF, le32(2))...)
		m := encode(msg{typ: unix.RTM_NEWROUTE, flags: Multi, seq: 1, data: body})
		if len(b)+len(m) > 32<<10 {
			parts, b = append(parts, b), nil
		}
		b = append(b, m...)
	}
	return append(parts, b)
}

// BenchmarkReceiveIterUserSpace reports the user-space cost per message of
// a route dump read with ReceiveIter, against a bare header walk over the
// same bytes (what the bench package's raw floor does per message). The
// attribute walks compare AttributeDecoder with a hand-written loop: what
// the decoder's API costs over the least a walk must do.
//
//	go test -run '^$' -bench ReceiveIterUserSpace .
func BenchmarkReceiveIterUserSpace(b *testing.B) {
	const routes = 100_000
	parts := routeDumpParts(routes)
	done := encode(msg{typ: Done, flags: Multi, seq: 1, data: make([]byte, 4)})

	b.Run("header-walk", func(b *testing.B) {
		for b.Loop() {
			n := 0
			for _, p := range parts {
				for len(p) >= nlmsgHeaderLen {
					l := nlmsgAlign(int(binary.NativeEndian.Uint32(p)))
					n++
					p = p[min(l, len(p)):]
				}
			}
			if n != routes {
				b.Fatalf("walked %d messages, want %d", n, routes)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*routes), "ns/msg")
	})

	walks := []struct {
		name string
		walk func(attrs []byte) int // returns the attributes walked
	}{
		{"receive-iter", func([]byte) int { return 0 }},
		{"receive-iter+decoder", func(attrs []byte) int {
			ad, err := NewAttributeDecoder(attrs)
			if err != nil {
				return 0
			}
			n := 0
			for ad.Next() {
				n++
			}
			return n
		}},
		{"receive-iter+hand-walk", func(attrs []byte) int {
			n := 0
			for len(attrs) >= nlaHeaderLen {
				l := int(binary.NativeEndian.Uint16(attrs))
				if l < nlaHeaderLen || l > len(attrs) {
					break
				}
				n++
				attrs = attrs[min(nlaAlign(l), len(attrs)):]
			}
			return n
		}},
	}
	iters := []struct {
		name string
		iter func(c *Conn) iter.Seq2[Message, error]
	}{
		{"owned", func(c *Conn) iter.Seq2[Message, error] { return c.ReceiveIter() }},
		{"borrowed", func(c *Conn) iter.Seq2[Message, error] { return c.ReceiveIterBorrowed(context.Background()) }},
	}
	for i, w := range walks {
		want := 3 * routes
		if i == 0 {
			want = 0
		}
		for _, it := range iters {
			b.Run(w.name+"/"+it.name, func(b *testing.B) {
				s := &replaySocket{fakeSocket: newFakeSocket(100, nil), parts: parts, done: done}
				c := newConn(newBackendTransport(s), s.pid)
				defer c.Close()
				b.ReportAllocs()
				for b.Loop() {
					n, a := 0, 0
					for m, err := range it.iter(c) {
						if err != nil {
							b.Fatal(err)
						}
						n++
						a += w.walk(m.Data[unix.SizeofRtMsg:])
					}
					if n != routes || a != want {
						b.Fatalf("got %d messages and %d attributes, want %d and %d", n, a, routes, want)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*routes), "ns/msg")
			})
		}
	}
}
