//go:build linux

package syscall

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/nstest"
)

const recvFunc = "backend/syscall.(*Socket).recv"

// TestUnblock checks each way a blocked Recv is released.
func TestUnblock(t *testing.T) {
	tests := []struct {
		name    string
		unblock func(*Socket) error
		want    error
	}{
		{"Close", (*Socket).Close, net.ErrClosed},
		{"SetReadDeadline", func(s *Socket) error { return s.SetReadDeadline(time.Now().Add(-time.Second)) }, os.ErrDeadlineExceeded},
		{"SetDeadline", func(s *Socket) error { return s.SetDeadline(longAgo) }, os.ErrDeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openRoute(t, backend.Config{})
			c := recvAsync(s, s.Recv)
			waitBlocked(t, recvFunc, 1)
			if err := tt.unblock(s); err != nil {
				t.Fatalf("unblocking: %v", err)
			}
			if r := await(t, c); !errors.Is(r.err, tt.want) {
				t.Errorf("Recv = %v, want an error wrapping %v", r.err, tt.want)
			}
		})
	}
}

// TestDeadline checks deadlines set before Recv, and that clearing one makes
// the socket usable again.
func TestDeadline(t *testing.T) {
	tests := []struct {
		name     string
		deadline time.Time
	}{
		{"past", longAgo},
		{"near future", time.Now().Add(20 * time.Millisecond)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openRoute(t, backend.Config{})
			if err := s.SetReadDeadline(tt.deadline); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Recv(); !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("Recv = %v, want os.ErrDeadlineExceeded", err)
			}
			if err := s.SetReadDeadline(time.Time{}); err != nil {
				t.Fatal(err)
			}
			if err := s.Send(noop(1)); err != nil {
				t.Fatal(err)
			}
			if _, b := recvOne(t, s); ackError(t, parse(t, b)[0]) != 0 {
				t.Error("NOOP not acknowledged")
			}
		})
	}
}

// TestWriteDeadline checks that a past write deadline fails Send and
// SendBatch as it fails a write in package net, and that clearing it undoes
// that.
func TestWriteDeadline(t *testing.T) {
	s, _ := openRoute(t, backend.Config{})
	if err := s.SetWriteDeadline(longAgo); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(noop(1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Send = %v, want os.ErrDeadlineExceeded", err)
	}
	if n, err := s.SendBatch(noops(2)); n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("SendBatch = %d, %v; want 0, os.ErrDeadlineExceeded", n, err)
	}
	if err := s.SetWriteDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(noop(1)); err != nil {
		t.Errorf("Send after clearing the deadline: %v", err)
	}
}

func TestRecvContext(t *testing.T) {
	tests := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		// cancel, if set, is called once the call is blocked.
		cancel bool
		want   error
	}{
		{"canceled while blocked", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }, true, context.Canceled},
		{"canceled before", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, false, context.Canceled},
		{"timeout", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 20*time.Millisecond)
		}, false, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openRoute(t, backend.Config{})
			ctx, cancel := tt.ctx()
			defer cancel()
			c := recvAsync(s, func() (backend.Datagram, error) { return s.RecvContext(ctx) })
			if tt.cancel {
				waitBlocked(t, recvFunc, 1)
				cancel()
			}
			if r := await(t, c); !errors.Is(r.err, tt.want) {
				t.Errorf("RecvContext = %v, want an error wrapping %v", r.err, tt.want)
			}
			// The interruption is over: the socket works, with no deadline.
			if err := s.Send(noop(1)); err != nil {
				t.Fatal(err)
			}
			recvOne(t, s)
		})
	}
}

// TestRecvContextSparesOthers checks that cancelling one RecvContext does
// not fail a Recv blocked in another goroutine, whichever of the two is the
// one waiting in the poller (the other waits for the descriptor's read lock).
func TestRecvContextSparesOthers(t *testing.T) {
	for _, canceledFirst := range []bool{false, true} {
		name := map[bool]string{false: "plain Recv in the poller", true: "RecvContext in the poller"}[canceledFirst]
		t.Run(name, func(t *testing.T) {
			s, _ := openRoute(t, backend.Config{})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var other, canceled <-chan result
			start := []func(){
				func() { other = recvAsync(s, s.Recv) },
				func() { canceled = recvAsync(s, func() (backend.Datagram, error) { return s.RecvContext(ctx) }) },
			}
			if canceledFirst {
				start[0], start[1] = start[1], start[0]
			}
			start[0]()
			waitBlocked(t, recvFunc, 1)
			start[1]()
			waitBlocked(t, recvFunc, 2)

			cancel()
			if r := await(t, canceled); !errors.Is(r.err, context.Canceled) {
				t.Fatalf("RecvContext = %v, want context.Canceled", r.err)
			}
			if err := s.Send(noop(42)); err != nil {
				t.Fatal(err)
			}
			r := await(t, other)
			if r.err != nil {
				t.Fatalf("the other Recv failed: %v", r.err)
			}
			if m := parse(t, r.data)[0]; m.Seq != 42 || ackError(t, m) != 0 {
				t.Errorf("the other Recv got seq %d, want the ACK of 42", m.Seq)
			}
		})
	}
}

func TestSendWhileRecvBlocked(t *testing.T) {
	s, _ := openRoute(t, backend.Config{})
	c := recvAsync(s, s.Recv)
	waitBlocked(t, recvFunc, 1)

	sent := make(chan error, 1)
	go func() { sent <- s.Send(noop(5)) }()
	select {
	case err := <-sent:
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Send blocked behind a blocked Recv")
	}
	if r := await(t, c); r.err != nil || parse(t, r.data)[0].Seq != 5 {
		t.Errorf("Recv = %v, want the ACK of seq 5", r.err)
	}
}

func TestSendBatch(t *testing.T) {
	huge := make([]byte, 1<<20) // beyond the default send buffer: EMSGSIZE
	tests := []struct {
		name     string
		bufs     [][]byte
		wantSent int
		wantErr  error
	}{
		{"empty", nil, 0, nil},
		// More than UIO_MAXIOV, so the kernel takes it in several calls.
		{"3000", noops(3000), 3000, nil},
		{"fails at third", append(noops(2), huge, noop(3)), 2, unix.EMSGSIZE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openRoute(t, backend.Config{})
			if err := s.SetSockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 64<<20); err != nil {
				t.Fatal(err)
			}
			sent, err := s.SendBatch(tt.bufs)
			if sent != tt.wantSent || !errors.Is(err, tt.wantErr) || (err != nil) != (tt.wantErr != nil) {
				t.Fatalf("SendBatch = %d, %v; want %d, %v", sent, err, tt.wantSent, tt.wantErr)
			}
			// Every datagram sent is acknowledged, in order.
			for seq := uint32(1); seq <= uint32(sent); seq++ {
				_, b := recvOne(t, s)
				if m := parse(t, b)[0]; m.Seq != seq || ackError(t, m) != 0 {
					t.Fatalf("got seq %d error %d, want the ACK of %d", m.Seq, ackError(t, m), seq)
				}
			}
		})
	}
}

// noops returns n NOOP requests, numbered from 1.
func noops(n int) [][]byte {
	bufs := make([][]byte, n)
	for i := range bufs {
		bufs[i] = noop(uint32(i + 1))
	}
	return bufs
}

func TestClosed(t *testing.T) {
	s, _ := openRoute(t, backend.Config{})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	tests := []struct {
		name string
		call func() error
	}{
		{"Close", s.Close},
		{"Recv", func() error { _, err := s.Recv(); return err }},
		{"RecvContext", func() error { _, err := s.RecvContext(context.Background()); return err }},
		{"Send", func() error { return s.Send(noop(1)) }},
		{"SendBatch", func() error { _, err := s.SendBatch(noops(2)); return err }},
		{"JoinGroup", func() error { return s.JoinGroup(1) }},
		{"GetSockoptInt", func() error { _, err := s.GetSockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUF); return err }},
		{"SetReadDeadline", func() error { return s.SetReadDeadline(time.Time{}) }},
		{"SetWriteDeadline", func() error { return s.SetWriteDeadline(time.Time{}) }},
		{"SyscallConn", func() error { _, err := s.SyscallConn(); return err }},
	}
	for _, tt := range tests {
		if err := tt.call(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("%s after Close = %v, want an error wrapping net.ErrClosed", tt.name, err)
		}
	}
}

func TestSockopt(t *testing.T) {
	s, _ := openRoute(t, backend.Config{})
	if s.Kind() != backend.Syscall {
		t.Errorf("Kind = %q, want %q", s.Kind(), backend.Syscall)
	}
	if err := s.SetSockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 1<<20); err != nil {
		t.Fatal(err)
	}
	// The kernel doubles the value for its bookkeeping.
	if got, err := s.GetSockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUF); err != nil || got != 2<<20 {
		t.Errorf("SO_RCVBUF = %d, %v; want %d", got, err, 2<<20)
	}
	if _, err := s.GetSockoptInt(unix.SOL_SOCKET, -1); !errors.Is(err, unix.ENOPROTOOPT) {
		t.Errorf("unknown option: %v, want ENOPROTOOPT", err)
	}
}

func TestOpenBindsPID(t *testing.T) {
	ns := nstest.NS(t)
	s := openIn(t, ns, backend.Config{PID: 4242})
	if s.PID() != 4242 {
		t.Errorf("PID = %d, want 4242", s.PID())
	}
	if _, err := Open(backend.Config{Family: unix.NETLINK_ROUTE, NetNS: ns.FD(), PID: 4242}); !errors.Is(err, unix.EADDRINUSE) {
		t.Errorf("second Open on port 4242 = %v, want EADDRINUSE", err)
	}
}

// TestNoLeak opens and closes many sockets, each used for a round trip (so
// its buffer is mapped), and checks no descriptor or mapping stays behind.
func TestNoLeak(t *testing.T) {
	ns := nstest.NS(t)
	before := countFDs(t)
	for i := range 1000 {
		s, err := open(backend.Config{Family: unix.NETLINK_ROUTE, NetNS: ns.FD()})
		if err != nil {
			t.Fatalf("Open #%d: %v", i, err)
		}
		if err := s.Send(noop(1)); err != nil {
			t.Fatal(err)
		}
		recvOne(t, s)
		if err := s.Close(); err != nil {
			t.Fatalf("Close #%d: %v", i, err)
		}
		if n, idle := s.pool.held(); n != 0 || idle {
			t.Fatalf("after Close %d buffers still out (idle kept: %v)", n, idle)
		}
	}
	if after := countFDs(t); after != before {
		t.Errorf("%d descriptors open before, %d after", before, after)
	}
}
