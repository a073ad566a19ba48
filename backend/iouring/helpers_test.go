//go:build linux

package iouring

import (
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

// dump runs a route dump on s and counts RTM_NEWROUTE messages up to
// NLMSG_DONE. hold is how many datagrams to keep before releasing them all
// at once; 0 releases each at once.
func dump(t testing.TB, s *Socket, seq uint32, hold int) (routes, datagrams int) {
	t.Helper()
	if err := s.Send(testutil.RouteDumpRequest(seq)); err != nil {
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
		for _, m := range testutil.MustParse(t, d.Data) {
			if m.Seq != seq {
				t.Fatalf("message with seq %d in dump %d", m.Seq, seq)
			}
			switch m.Type {
			case unix.RTM_NEWROUTE:
				routes++
			case unix.NLMSG_DONE:
				done = true
			case unix.NLMSG_ERROR:
				t.Fatalf("dump failed: %v", m.Errno(t))
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
