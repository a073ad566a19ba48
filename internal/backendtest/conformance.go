//go:build linux

package backendtest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/testutil"
)

// A Backend is what the conformance suite needs to know of a backend.
type Backend struct {
	// Open opens a socket as the backend's Open does.
	Open func(backend.Config) (backend.Socket, error)
	// Retained returns how many receive buffers a closed socket still keeps
	// alive. It must be exactly the number of datagrams not yet released:
	// Close lets go of everything else.
	Retained func(backend.Socket) int
}

// recvContexter is the optional method the root package's transport uses
// to wait for a datagram or a context, whichever comes first.
type recvContexter interface {
	RecvContext(context.Context) (backend.Datagram, error)
}

// Run runs the conformance suite: what backend.Socket promises, checked on
// sockets of b in fresh network namespaces. It needs root.
func Run(t *testing.T, b Backend) {
	tests := []struct {
		name string
		fn   func(*testing.T, Backend)
	}{
		{"GetLinkRoundTrip", testGetLinkRoundTrip},
		{"RouteDump", testRouteDump},
		{"Truncated", testTruncated},
		{"HeldDatagrams", testHeldDatagrams},
		{"JoinLeaveGroup", testJoinLeaveGroup},
		{"Overrun", testOverrun},
		{"Unblock", testUnblock},
		{"Deadline", testDeadline},
		{"WriteDeadline", testWriteDeadline},
		{"RecvContext", testRecvContext},
		{"SendWhileRecvBlocked", testSendWhileRecvBlocked},
		{"Concurrent", testConcurrent},
		{"Closed", testClosed},
		{"Sockopt", testSockopt},
		{"OpenBindsPID", testOpenBindsPID},
		{"OpenCloseLeaks", testOpenCloseLeaks},
		{"ZeroAllocs", testZeroAllocs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, b) })
	}
}

// closeAndCount closes s and returns how many buffers it still keeps.
func closeAndCount(t *testing.T, b Backend, s backend.Socket) int {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return b.Retained(s)
}

func testGetLinkRoundTrip(t *testing.T, b Backend) {
	s := openIn(t, b, testutil.NS(t), backend.Config{})
	if s.PID() == 0 {
		t.Fatal("PID 0: the socket is not bound")
	}
	type summary struct {
		Sender, Groups uint32
		Type           uint16
		Seq, PID       uint32
		Index          uint32
		Name           string
	}
	for seq := uint32(1); seq <= 3; seq++ {
		if err := s.Send(getLink(seq, 1)); err != nil {
			t.Fatalf("Send: %v", err)
		}
		d, data := recvOne(t, s)
		msgs := parse(t, data)
		if len(msgs) != 1 {
			t.Fatalf("got %d messages, want 1", len(msgs))
		}
		m := msgs[0]
		got := summary{
			Sender: d.Sender, Groups: d.Groups,
			Type: m.Type, Seq: m.Seq, PID: m.PID,
			Index: m.Index,
			Name:  string(bytes.TrimRight(attr(m.Data[unix.SizeofIfInfomsg:], unix.IFLA_IFNAME), "\x00")),
		}
		want := summary{Type: unix.RTM_NEWLINK, Seq: seq, PID: s.PID(), Index: 1, Name: "lo"}
		if diff := testutil.Diff(want, got); diff != "" {
			t.Errorf("reply (-want +got):\n%s", diff)
		}
	}
}

// testRouteDump dumps a few thousand routes, then makes a request: the dump
// comes whole, in datagrams of the kernel's full size, and leaves nothing
// behind.
func testRouteDump(t *testing.T, b Backend) {
	const routes = 3000
	ns := testutil.NS(t)
	testutil.AddVethRoutes(t, ns, routes)
	s := openIn(t, b, ns, backend.Config{})

	if err := s.Send(dumpRoutes(1)); err != nil {
		t.Fatalf("Send: %v", err)
	}
	var ours, datagrams int
	for done := false; !done; {
		d, data := recvOne(t, s)
		datagrams++
		if d.Sender != 0 {
			t.Fatalf("datagram from port %d, want the kernel", d.Sender)
		}
		for _, m := range parse(t, data) {
			switch m.Type {
			case unix.NLMSG_DONE:
				done = true
			case unix.RTM_NEWROUTE:
				// rtm_dst_len is byte 1, rtm_table byte 4.
				if m.Seq == 1 && m.Data[1] == 32 && m.Data[4] == unix.RT_TABLE_MAIN {
					ours++
				}
			default:
				t.Fatalf("unexpected message type %d", m.Type)
			}
		}
	}
	if ours != routes {
		t.Errorf("dump held %d of our routes, want %d", ours, routes)
	}
	// The kernel sizes dump datagrams from the receive buffer: a few
	// thousand routes must not take one datagram per route.
	if datagrams > routes/10 {
		t.Errorf("dump took %d datagrams for %d routes: datagrams are too small", datagrams, routes)
	}
	if err := s.Send(getLink(2, 1)); err != nil {
		t.Fatal(err)
	}
	if _, data := recvOne(t, s); parse(t, data)[0].Seq != 2 {
		t.Errorf("reply after the dump has seq %d, want 2", parse(t, data)[0].Seq)
	}
	if n := closeAndCount(t, b, s); n != 0 {
		t.Errorf("%d buffers kept after Close, with every datagram released", n)
	}
}

// testTruncated sends a datagram larger than the buffer, then a small one:
// the first is reported, with its size, and its buffer goes back.
func testTruncated(t *testing.T, b Backend) {
	ns := testutil.NS(t)
	s := openIn(t, b, ns, backend.Config{Family: unix.NETLINK_USERSOCK, BufferSize: backend.MinBufferSize})
	p := openPeer(t, ns)

	p.send(t, s.PID(), 0, make([]byte, 40<<10))
	p.send(t, s.PID(), 0, []byte("next"))

	_, err := s.Recv()
	var te *backend.TruncatedError
	if !errors.As(err, &te) || !errors.Is(err, backend.ErrTruncated) {
		t.Fatalf("Recv = %v, want a *backend.TruncatedError", err)
	}
	if diff := testutil.Diff(backend.TruncatedError{Size: 40 << 10, Buffer: backend.MinBufferSize}, *te); diff != "" {
		t.Errorf("TruncatedError (-want +got):\n%s", diff)
	}
	if d, data := recvOne(t, s); string(data) != "next" || d.Sender != p.pid {
		t.Errorf("datagram after the truncated one = %q from %d, want %q from %d", data, d.Sender, "next", p.pid)
	}
	if n := closeAndCount(t, b, s); n != 0 {
		t.Errorf("%d buffers kept after Close: the truncated datagram's was not given back", n)
	}
}

// testHeldDatagrams checks that datagrams held by callers have buffers of
// their own, that Release is safe against double and zero use, and that
// held datagrams stay readable across Close, which lets go of their buffers
// once they are released.
func testHeldDatagrams(t *testing.T, b Backend) {
	ns := testutil.NS(t)
	s := openIn(t, b, ns, backend.Config{Family: unix.NETLINK_USERSOCK})
	p := openPeer(t, ns)
	for _, m := range []string{"one", "two", "three"} {
		p.send(t, s.PID(), 0, []byte(m))
	}

	d1, err := s.Recv()
	if err != nil {
		t.Fatal(err)
	}
	d2, err := s.Recv() // must not wait for d1's release
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{string(d1.Data), string(d2.Data)}; got[0] != "one" || got[1] != "two" {
		t.Fatalf("held datagrams = %q", got)
	}
	s.Release(d1)
	s.Release(d1) // double release: no effect
	s.Release(backend.Datagram{})
	d3, err := s.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{string(d2.Data), string(d3.Data)}; got[0] != "two" || got[1] != "three" {
		t.Fatalf("after releasing d1 the held datagrams are %q", got)
	}

	if n := closeAndCount(t, b, s); n != 2 {
		t.Errorf("after Close %d buffers kept, want 2 (the held ones)", n)
	}
	if string(d2.Data) != "two" || string(d3.Data) != "three" {
		t.Errorf("held datagrams read %q, %q after Close", d2.Data, d3.Data)
	}
	s.Release(d2)
	s.Release(d3)
	if n := b.Retained(s); n != 0 {
		t.Errorf("after Release %d buffers kept, want none", n)
	}
}

func testJoinLeaveGroup(t *testing.T, b Backend) {
	ns := testutil.NS(t)
	s := openIn(t, b, ns, backend.Config{Family: unix.NETLINK_USERSOCK})
	p := openPeer(t, ns)

	if err := s.JoinGroup(3); err != nil {
		t.Fatalf("JoinGroup: %v", err)
	}
	p.send(t, 0, 1<<2, []byte("joined"))
	if d, data := recvOne(t, s); string(data) != "joined" || d.Groups != 1<<2 || d.Sender != p.pid {
		t.Fatalf("got %q for groups %#x from %d, want %q for 0x4 from %d", data, d.Groups, d.Sender, "joined", p.pid)
	}
	if err := s.LeaveGroup(3); err != nil {
		t.Fatalf("LeaveGroup: %v", err)
	}
	p.send(t, 0, 1<<2, []byte("left"))
	p.send(t, s.PID(), 0, []byte("unicast"))
	if _, data := recvOne(t, s); string(data) != "unicast" {
		t.Errorf("after LeaveGroup got %q, want %q", data, "unicast")
	}
}

// testOverrun floods a small receive buffer with multicasts while nobody
// receives: the overrun is reported as ENOBUFS, once or a few times but
// never a flood, and the socket keeps working.
func testOverrun(t *testing.T, b Backend) {
	ns := testutil.NS(t)
	s := openIn(t, b, ns, backend.Config{Family: unix.NETLINK_USERSOCK})
	p := openPeer(t, ns)
	if err := s.JoinGroup(1); err != nil {
		t.Fatalf("JoinGroup: %v", err)
	}
	if err := s.SetSockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUF, 4096); err != nil {
		t.Fatalf("SO_RCVBUF: %v", err)
	}
	const sent = 1000
	for range sent {
		p.send(t, 0, 1, make([]byte, 1024))
	}

	var got, overruns int
	for overruns == 0 {
		d, err := s.Recv()
		switch {
		case errors.Is(err, unix.ENOBUFS):
			overruns++
		case err != nil:
			t.Fatalf("Recv: %v", err)
		default:
			if d.Sender != p.pid || d.Groups != 1 {
				t.Fatalf("Sender, Groups = %d, %d; want %d, 1", d.Sender, d.Groups, p.pid)
			}
			s.Release(d)
			if got++; got == sent {
				t.Fatal("every multicast arrived: no overrun to test")
			}
		}
	}
	// Whatever is still queued, then a fresh datagram, must arrive. The
	// overrun marked the socket congested: the peer's unicast waits until
	// the queue has been drained, so it is sent from another goroutine.
	sendErr := make(chan error, 1)
	go func() {
		sendErr <- unix.Sendto(p.fd, []byte("after"), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: s.PID()})
	}()
	for {
		d, err := s.Recv()
		if errors.Is(err, unix.ENOBUFS) {
			overruns++
			continue
		}
		if err != nil {
			t.Fatalf("Recv: %v", err)
		}
		after := string(d.Data) == "after"
		s.Release(d)
		if after {
			break
		}
	}
	if err := <-sendErr; err != nil {
		t.Errorf("peer sendto: %v", err)
	}
	// Drops that go on after the first report may be reported again when
	// found.
	if overruns > 3 {
		t.Errorf("%d overrun errors for one flood, want one to three", overruns)
	}
}

// testUnblock checks each way a blocked Recv is released.
func testUnblock(t *testing.T, b Backend) {
	tests := []struct {
		name    string
		unblock func(backend.Socket) error
		want    error
	}{
		{"Close", backend.Socket.Close, net.ErrClosed},
		{"SetReadDeadline", func(s backend.Socket) error { return s.SetReadDeadline(time.Now().Add(-time.Second)) }, os.ErrDeadlineExceeded},
		{"SetDeadline", func(s backend.Socket) error { return s.SetDeadline(time.Unix(1, 0)) }, os.ErrDeadlineExceeded},
	}
	ns := testutil.NS(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openIn(t, b, ns, backend.Config{})
			c := recvAsync(s, s.Recv)
			blocked(t, c)
			if err := tt.unblock(s); err != nil {
				t.Fatalf("unblocking: %v", err)
			}
			if r := await(t, c); !errors.Is(r.err, tt.want) {
				t.Errorf("Recv = %v, want an error wrapping %v", r.err, tt.want)
			}
		})
	}
}

// testDeadline checks deadlines set before Recv, and that clearing one makes
// the socket usable again.
func testDeadline(t *testing.T, b Backend) {
	tests := []struct {
		name     string
		deadline time.Time
	}{
		{"past", time.Unix(1, 0)},
		{"near future", time.Now().Add(20 * time.Millisecond)},
	}
	ns := testutil.NS(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openIn(t, b, ns, backend.Config{})
			if err := s.SetReadDeadline(tt.deadline); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Recv(); !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("Recv = %v, want os.ErrDeadlineExceeded", err)
			}
			if err := s.SetReadDeadline(time.Time{}); err != nil {
				t.Fatal(err)
			}
			if err := s.Send(testutil.Noop(1)); err != nil {
				t.Fatal(err)
			}
			if _, data := recvOne(t, s); ackError(t, parse(t, data)[0]) != 0 {
				t.Error("NOOP not acknowledged")
			}
		})
	}
}

// testWriteDeadline checks that a past write deadline fails Send as it fails
// a write in package net, and that clearing it undoes that.
func testWriteDeadline(t *testing.T, b Backend) {
	s := openIn(t, b, testutil.NS(t), backend.Config{})
	if err := s.SetWriteDeadline(time.Unix(1, 0)); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(testutil.Noop(1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Send = %v, want os.ErrDeadlineExceeded", err)
	}
	if err := s.SetWriteDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(testutil.Noop(1)); err != nil {
		t.Errorf("Send after clearing the deadline: %v", err)
	}
}

// testRecvContext checks RecvContext, which the root package's transport
// uses when a backend has it.
func testRecvContext(t *testing.T, b Backend) {
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
	ns := testutil.NS(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openIn(t, b, ns, backend.Config{})
			rc, ok := s.(recvContexter)
			if !ok {
				t.Fatalf("%T has no RecvContext method", s)
			}
			ctx, cancel := tt.ctx()
			defer cancel()
			c := recvAsync(s, func() (backend.Datagram, error) { return rc.RecvContext(ctx) })
			if tt.cancel {
				blocked(t, c)
				cancel()
			}
			if r := await(t, c); !errors.Is(r.err, tt.want) {
				t.Errorf("RecvContext = %v, want an error wrapping %v", r.err, tt.want)
			}
			// The socket works on, with no deadline.
			if err := s.Send(testutil.Noop(1)); err != nil {
				t.Fatal(err)
			}
			recvOne(t, s)
		})
	}
}

// testSendWhileRecvBlocked checks that a blocked Recv does not hold up Send,
// and gets the reply.
func testSendWhileRecvBlocked(t *testing.T, b Backend) {
	s := openIn(t, b, testutil.NS(t), backend.Config{})
	c := recvAsync(s, s.Recv)
	blocked(t, c)

	sent := make(chan error, 1)
	go func() { sent <- s.Send(testutil.Noop(5)) }()
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

// testConcurrent has four goroutines send and two receive on one socket:
// every reply arrives once.
func testConcurrent(t *testing.T, b Backend) {
	s := openIn(t, b, testutil.NS(t), backend.Config{})
	rc, ok := s.(recvContexter)
	if !ok {
		t.Fatalf("%T has no RecvContext method", s)
	}
	if err := s.SetSockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 8<<20); err != nil {
		t.Fatal(err)
	}
	const senders, each = 4, 200
	var wg sync.WaitGroup
	for g := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := s.Send(getLink(uint32(g*each+i), 1)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	// Two receivers share the replies until all have arrived.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	seen := make(map[uint32]bool)
	var mu sync.Mutex
	var rwg sync.WaitGroup
	for range 2 {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			for {
				d, err := rc.RecvContext(ctx)
				if errors.Is(err, context.Canceled) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[parse(t, d.Data)[0].Seq] = true
				if len(seen) == senders*each {
					cancel()
				}
				mu.Unlock()
				s.Release(d)
			}
		}()
	}
	wg.Wait()
	rwg.Wait()
	if len(seen) != senders*each {
		t.Errorf("%d distinct replies, want %d", len(seen), senders*each)
	}
}

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
