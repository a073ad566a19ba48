//go:build linux

package backendtest

import (
	"bytes"
	"errors"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/testutil"
)

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
		if err := s.Send(testutil.GetLinkRequest(seq, 1)); err != nil {
			t.Fatalf("Send: %v", err)
		}
		d, data := recvOne(t, s)
		msgs := testutil.MustParse(t, data)
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

	if err := s.Send(testutil.RouteDumpRequest(1)); err != nil {
		t.Fatalf("Send: %v", err)
	}
	var ours, datagrams int
	for done := false; !done; {
		d, data := recvOne(t, s)
		datagrams++
		if d.Sender != 0 {
			t.Fatalf("datagram from port %d, want the kernel", d.Sender)
		}
		for _, m := range testutil.MustParse(t, data) {
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
	if err := s.Send(testutil.GetLinkRequest(2, 1)); err != nil {
		t.Fatal(err)
	}
	if _, data := recvOne(t, s); testutil.MustParse(t, data)[0].Seq != 2 {
		t.Errorf("reply after the dump has seq %d, want 2", testutil.MustParse(t, data)[0].Seq)
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
	p := testutil.OpenUserSock(t, ns)

	p.Send(t, s.PID(), 0, make([]byte, 40<<10))
	p.Send(t, s.PID(), 0, []byte("next"))

	_, err := s.Recv()
	var te *backend.TruncatedError
	if !errors.As(err, &te) || !errors.Is(err, backend.ErrTruncated) {
		t.Fatalf("Recv = %v, want a *backend.TruncatedError", err)
	}
	if diff := testutil.Diff(backend.TruncatedError{Size: 40 << 10, Buffer: backend.MinBufferSize}, *te); diff != "" {
		t.Errorf("TruncatedError (-want +got):\n%s", diff)
	}
	if d, data := recvOne(t, s); string(data) != "next" || d.Sender != p.PID {
		t.Errorf("datagram after the truncated one = %q from %d, want %q from %d", data, d.Sender, "next", p.PID)
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
	p := testutil.OpenUserSock(t, ns)
	for _, m := range []string{"one", "two", "three"} {
		p.Send(t, s.PID(), 0, []byte(m))
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
	p := testutil.OpenUserSock(t, ns)

	if err := s.JoinGroup(3); err != nil {
		t.Fatalf("JoinGroup: %v", err)
	}
	p.Send(t, 0, 1<<2, []byte("joined"))
	if d, data := recvOne(t, s); string(data) != "joined" || d.Groups != 1<<2 || d.Sender != p.PID {
		t.Fatalf("got %q for groups %#x from %d, want %q for 0x4 from %d", data, d.Groups, d.Sender, "joined", p.PID)
	}
	if err := s.LeaveGroup(3); err != nil {
		t.Fatalf("LeaveGroup: %v", err)
	}
	p.Send(t, 0, 1<<2, []byte("left"))
	p.Send(t, s.PID(), 0, []byte("unicast"))
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
	p := testutil.OpenUserSock(t, ns)
	if err := s.JoinGroup(1); err != nil {
		t.Fatalf("JoinGroup: %v", err)
	}
	if err := s.SetSockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUF, 4096); err != nil {
		t.Fatalf("SO_RCVBUF: %v", err)
	}
	const sent = 1000
	for range sent {
		p.Send(t, 0, 1, make([]byte, 1024))
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
			if d.Sender != p.PID || d.Groups != 1 {
				t.Fatalf("Sender, Groups = %d, %d; want %d, 1", d.Sender, d.Groups, p.PID)
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
		sendErr <- unix.Sendto(p.FD, []byte("after"), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: s.PID()})
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

// testSendError checks that a datagram the kernel refuses fails Send with
// the kernel's errno, and that the socket works on.
func testSendError(t *testing.T, b Backend) {
	s := openIn(t, b, testutil.NS(t), backend.Config{})
	huge := testutil.Request(unix.RTM_GETLINK, unix.NLM_F_REQUEST, 1, make([]byte, 16<<20))
	if err := s.Send(huge); !errors.Is(err, unix.EMSGSIZE) {
		t.Errorf("Send of 16 MiB = %v, want EMSGSIZE", err)
	}
	if err := s.Send(testutil.GetLinkRequest(2, 1)); err != nil {
		t.Fatal(err)
	}
	if _, data := recvOne(t, s); testutil.MustParse(t, data)[0].Seq != 2 {
		t.Errorf("reply after the failed send has seq %d, want 2", testutil.MustParse(t, data)[0].Seq)
	}
}
