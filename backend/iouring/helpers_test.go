//go:build linux

package iouring

import (
	"encoding/binary"
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

// getLink asks for link index.
func getLink(seq uint32, index int32) []byte {
	return testutil.Request(unix.RTM_GETLINK, unix.NLM_F_REQUEST, seq, testutil.LinkBody(index))
}

// dumpRoutes asks for every IPv4 route.
func dumpRoutes(seq uint32) []byte {
	return testutil.Request(unix.RTM_GETROUTE, unix.NLM_F_REQUEST|unix.NLM_F_DUMP, seq, testutil.RouteDumpBody(unix.AF_INET))
}

// messages splits a datagram into its netlink messages.
func messages(t testing.TB, b []byte) []testutil.Received {
	t.Helper()
	msgs, err := testutil.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// errnoOf returns the error an NLMSG_ERROR carries.
func errnoOf(m testutil.Received) unix.Errno {
	return unix.Errno(-int32(binary.NativeEndian.Uint32(m.Data)))
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
			if m.Seq != seq {
				t.Fatalf("message with seq %d in dump %d", m.Seq, seq)
			}
			switch m.Type {
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
