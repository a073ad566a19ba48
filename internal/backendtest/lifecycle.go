//go:build linux

package backendtest

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/testutil"
)

// testClosed checks that every call on a closed socket fails with an error
// wrapping net.ErrClosed.
func testClosed(t *testing.T, b Backend) {
	s := openIn(t, b, testutil.NS(t), backend.Config{})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	tests := []struct {
		name string
		call func() error
	}{
		{"Close", s.Close},
		{"Recv", func() error { _, err := s.Recv(); return err }},
		{"RecvContext", func() error { _, err := s.(recvContexter).RecvContext(context.Background()); return err }},
		{"Send", func() error { return s.Send(testutil.Noop(1)) }},
		{"JoinGroup", func() error { return s.JoinGroup(1) }},
		{"GetSockoptInt", func() error { _, err := s.GetSockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUF); return err }},
		{"SetReadDeadline", func() error { return s.SetReadDeadline(time.Time{}) }},
		{"SetWriteDeadline", func() error { return s.SetWriteDeadline(time.Time{}) }},
		// A backend may hand out the RawConn and fail its calls instead.
		{"SyscallConn", func() error {
			rc, err := s.SyscallConn()
			if err != nil {
				return err
			}
			return rc.Control(func(uintptr) {})
		}},
	}
	for _, tt := range tests {
		if err := tt.call(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("%s after Close = %v, want an error wrapping net.ErrClosed", tt.name, err)
		}
	}
}

func testSockopt(t *testing.T, b Backend) {
	s := openIn(t, b, testutil.NS(t), backend.Config{})
	if err := s.SetSockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 1<<20); err != nil {
		t.Fatal(err)
	}
	// The kernel doubles the value for its bookkeeping.
	if got, err := s.GetSockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUF); err != nil || got != 2<<20 {
		t.Errorf("SO_RCVBUF = %d, %v; want %d", got, err, 2<<20)
	}
	if got, err := s.GetSockoptInt(unix.SOL_SOCKET, unix.SO_TYPE); err != nil || got != unix.SOCK_RAW {
		t.Errorf("SO_TYPE = %d, %v; want SOCK_RAW", got, err)
	}
	if _, err := s.GetSockoptInt(unix.SOL_SOCKET, -1); !errors.Is(err, unix.ENOPROTOOPT) {
		t.Errorf("unknown option: %v, want ENOPROTOOPT", err)
	}
}

func testOpenBindsPID(t *testing.T, b Backend) {
	ns := testutil.NS(t)
	s := openIn(t, b, ns, backend.Config{PID: 4242})
	if s.PID() != 4242 {
		t.Errorf("PID = %d, want 4242", s.PID())
	}
	if s2, err := b.Open(backend.Config{Family: unix.NETLINK_ROUTE, NetNS: ns.FD(), PID: 4242}); !errors.Is(err, unix.EADDRINUSE) {
		if err == nil {
			s2.Close()
		}
		t.Errorf("second Open on port 4242 = %v, want EADDRINUSE", err)
	}
}

// testOpenCloseLeaks opens and closes many sockets, each used for a round
// trip, half of them closed with the reply still held: no descriptor or
// buffer stays behind, and a held datagram reads the same after Close.
func testOpenCloseLeaks(t *testing.T, b Backend) {
	ns := testutil.NS(t)
	before := countFDs(t)
	for i := range 1000 {
		s, err := b.Open(backend.Config{Family: unix.NETLINK_ROUTE, NetNS: ns.FD()})
		if err != nil {
			t.Fatalf("Open #%d: %v", i, err)
		}
		if err := s.Send(testutil.Noop(1)); err != nil {
			t.Fatal(err)
		}
		d, err := s.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			want := string(d.Data)
			if n := closeAndCount(t, b, s); n != 1 {
				t.Fatalf("Close #%d with a datagram held: %d buffers kept, want 1", i, n)
			}
			if string(d.Data) != want {
				t.Fatal("a held datagram changed at Close")
			}
			s.Release(d)
		} else {
			s.Release(d)
			closeAndCount(t, b, s)
		}
		if n := b.Retained(s); n != 0 {
			t.Fatalf("Close #%d: %d buffers kept after every datagram was released", i, n)
		}
	}
	if after := countFDs(t); after != before {
		t.Errorf("%d descriptors open before, %d after", before, after)
	}
	// The leak check of the calling package's TestMain verifies that
	// nothing (a timer, a context callback) left a goroutine behind.
}

// testZeroAllocs checks that a request's round trip allocates nothing in
// steady state.
func testZeroAllocs(t *testing.T, b Backend) {
	s := openIn(t, b, testutil.NS(t), backend.Config{})
	var seq uint32
	req := testutil.Noop(0)
	roundTrip := func() {
		seq++
		binary.NativeEndian.PutUint32(req[8:12], seq)
		if err := s.Send(req); err != nil {
			t.Fatal(err)
		}
		d, err := s.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if got := binary.NativeEndian.Uint32(d.Data[8:12]); got != seq {
			t.Fatalf("ACK for seq %d, want %d", got, seq)
		}
		s.Release(d)
	}
	roundTrip() // warms pools and buffers
	n := testing.AllocsPerRun(1000, roundTrip)
	if n != 0 && RaceEnabled {
		t.Skipf("%v allocations per round trip under the race detector, which allocates on synchronization", n)
	}
	if n != 0 {
		t.Errorf("Send+Recv+Release allocates %v times, want 0", n)
	}
}
