//go:build linux

package iouring

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/netns"
	"github.com/nlring/netlink/internal/testutil"
)

func TestMain(m *testing.M) { testutil.VerifyTestMain(m) }

func requireSupported(t testing.TB) {
	t.Helper()
	if err := Supported(); err != nil {
		t.Skip(err)
	}
}

// openIn opens a socket in ns (nil: the test's own namespace) and closes it
// when t ends.
func openIn(t testing.TB, ns *netns.NS, cfg backend.Config) *Socket {
	t.Helper()
	requireSupported(t)
	if cfg.Family == 0 {
		cfg.Family = unix.NETLINK_ROUTE
	}
	if ns != nil {
		cfg.NetNS = ns.FD()
	}
	s, err := open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// nlmsg builds one netlink message.
func nlmsg(typ, flags uint16, seq uint32, body []byte) []byte {
	b := make([]byte, unix.NLMSG_HDRLEN+len(body))
	binary.NativeEndian.PutUint32(b[0:], uint32(len(b)))
	binary.NativeEndian.PutUint16(b[4:], typ)
	binary.NativeEndian.PutUint16(b[6:], flags)
	binary.NativeEndian.PutUint32(b[8:], seq)
	copy(b[unix.NLMSG_HDRLEN:], body)
	return b
}

// getLink asks for link index (struct ifinfomsg).
func getLink(seq uint32, index int32) []byte {
	body := make([]byte, unix.SizeofIfInfomsg)
	body[0] = unix.AF_UNSPEC
	binary.NativeEndian.PutUint32(body[4:], uint32(index))
	return nlmsg(unix.RTM_GETLINK, unix.NLM_F_REQUEST, seq, body)
}

// dumpRoutes asks for every IPv4 route (struct rtmsg).
func dumpRoutes(seq uint32) []byte {
	body := make([]byte, unix.SizeofRtMsg)
	body[0] = unix.AF_INET
	return nlmsg(unix.RTM_GETROUTE, unix.NLM_F_REQUEST|unix.NLM_F_DUMP, seq, body)
}

type msg struct {
	typ   uint16
	flags uint16
	seq   uint32
	body  []byte
}

// messages splits a datagram into its netlink messages.
func messages(t testing.TB, b []byte) []msg {
	t.Helper()
	var out []msg
	for len(b) >= unix.NLMSG_HDRLEN {
		n := int(binary.NativeEndian.Uint32(b))
		if n < unix.NLMSG_HDRLEN || n > len(b) {
			t.Fatalf("bad netlink message length %d in %d bytes", n, len(b))
		}
		out = append(out, msg{
			typ:   binary.NativeEndian.Uint16(b[4:]),
			flags: binary.NativeEndian.Uint16(b[6:]),
			seq:   binary.NativeEndian.Uint32(b[8:]),
			body:  b[unix.NLMSG_HDRLEN:n],
		})
		b = b[min((n+3)&^3, len(b)):]
	}
	return out
}

// errno returns the error an NLMSG_ERROR carries.
func errnoOf(m msg) unix.Errno {
	return unix.Errno(-int32(binary.NativeEndian.Uint32(m.body)))
}

// dump runs a route dump on s and counts RTM_NEWROUTE messages up to
// NLMSG_DONE. hold is how many datagrams to keep before releasing them all
// at once; 0 releases each at once.
func dump(t testing.TB, s *Socket, seq uint32, hold int) (routes, datagrams int) {
	t.Helper()
	if err := s.Send(dumpRoutes(seq)); err != nil {
		t.Fatal(err)
	}
	var held []backend.Datagram
	defer func() {
		for _, d := range held {
			s.Release(d)
		}
	}()
	for {
		d, err := s.Recv()
		if err != nil {
			t.Fatalf("after %d routes in %d datagrams: %v", routes, datagrams, err)
		}
		datagrams++
		done := false
		for _, m := range messages(t, d.Data) {
			if m.seq != seq {
				t.Fatalf("message with seq %d in dump %d", m.seq, seq)
			}
			switch m.typ {
			case unix.RTM_NEWROUTE:
				routes++
			case unix.NLMSG_DONE:
				done = true
			case unix.NLMSG_ERROR:
				t.Fatalf("dump failed: %v", errnoOf(m))
			}
		}
		if hold == 0 {
			s.Release(d)
		} else if held = append(held, d); len(held) == hold {
			for _, d := range held {
				s.Release(d)
			}
			held = held[:0]
		}
		if done {
			return routes, datagrams
		}
	}
}

// addRoutes creates a veth pair in ns and n /32 routes through it.
func addRoutes(t testing.TB, ns *netns.NS, n int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("link add name va type veth peer name vb\nlink set va up\nlink set vb up\n")
	for i := range n {
		fmt.Fprintf(&b, "route add 10.%d.%d.%d/32 dev va\n", i>>16&0xff, i>>8&0xff, i&0xff)
	}
	if err := ns.Batch(strings.NewReader(b.String())); err != nil {
		t.Fatal(err)
	}
}
