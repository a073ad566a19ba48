//go:build linux

package syscall

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/nstest"
	"github.com/nlring/netlink/internal/testutil"
)

// getLink asks for link ifindex.
func getLink(seq uint32, ifindex int32) []byte {
	ifi := make([]byte, unix.SizeofIfInfomsg)
	binary.NativeEndian.PutUint32(ifi[4:8], uint32(ifindex))
	return request(unix.RTM_GETLINK, unix.NLM_F_REQUEST, seq, ifi)
}

// attr returns the payload of attribute typ in b, a run of rtattrs.
func attr(b []byte, typ uint16) []byte {
	for len(b) >= unix.SizeofRtAttr {
		n := int(binary.NativeEndian.Uint16(b[0:2]))
		if n < unix.SizeofRtAttr || n > len(b) {
			return nil
		}
		if binary.NativeEndian.Uint16(b[2:4]) == typ {
			return b[unix.SizeofRtAttr:n]
		}
		b = b[min(len(b), (n+3)&^3):]
	}
	return nil
}

func TestGetLinkRoundTrip(t *testing.T) {
	s, _ := openRoute(t, backend.Config{})
	if err := s.Send(getLink(7, 1)); err != nil {
		t.Fatalf("Send: %v", err)
	}
	d, b := recvOne(t, s)
	msgs := parse(t, b)
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	type summary struct {
		Sender, Groups uint32
		Type           uint16
		Seq, PID       uint32
		Index          uint32
		Name           string
	}
	got := summary{
		Sender: d.Sender, Groups: d.Groups,
		Type: m.Type, Seq: m.Seq, PID: m.PID,
		Index: binary.NativeEndian.Uint32(m.Data[4:8]),
		Name:  string(bytes.TrimRight(attr(m.Data[unix.SizeofIfInfomsg:], unix.IFLA_IFNAME), "\x00")),
	}
	want := summary{Type: unix.RTM_NEWLINK, Seq: 7, PID: s.PID(), Index: 1, Name: "lo"}
	if diff := testutil.Diff(want, got); diff != "" {
		t.Errorf("reply (-want +got):\n%s", diff)
	}
}

func TestRouteDump(t *testing.T) {
	const routes = 3000
	s, ns := openRoute(t, backend.Config{})
	addRoutes(t, ns, routes)

	rtm := make([]byte, unix.SizeofRtMsg)
	rtm[0] = unix.AF_INET
	if err := s.Send(request(unix.RTM_GETROUTE, unix.NLM_F_REQUEST|unix.NLM_F_DUMP, 1, rtm)); err != nil {
		t.Fatalf("Send: %v", err)
	}
	var ours, datagrams int
	spilledBefore := spilled.Load()
	for done := false; !done; {
		d, b := recvOne(t, s)
		datagrams++
		if d.Sender != 0 {
			t.Fatalf("datagram from port %d, want the kernel", d.Sender)
		}
		for _, m := range parse(t, b) {
			switch m.Type {
			case unix.NLMSG_DONE:
				done = true
			case unix.RTM_NEWROUTE:
				// rtm_dst_len is byte 1, rtm_table byte 4.
				if m.Data[1] == 32 && m.Data[4] == unix.RT_TABLE_MAIN {
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
	// With a buffer of 1 MiB the kernel fills datagrams to ~32 KiB: a few
	// thousand routes must not take one datagram per route.
	if datagrams > routes/10 {
		t.Errorf("dump took %d datagrams for %d routes: datagrams are too small", datagrams, routes)
	}
	// Dump datagrams fit the 32 KiB buffers: none may have spilled, and the
	// socket keeps no more than one buffer once they are released.
	if n := spilled.Load() - spilledBefore; n != 0 {
		t.Errorf("%d dump datagrams spilled past the buffer", n)
	}
	if out, _ := s.pool.held(); out != 0 {
		t.Errorf("%d buffers still out after the dump", out)
	}
}

// TestLargeDatagram checks that a datagram far above the kernel's dump size
// but within the buffer arrives whole, with its sender.
func TestLargeDatagram(t *testing.T) {
	ns := nstest.NS(t)
	s := openIn(t, ns, backend.Config{Family: unix.NETLINK_USERSOCK})
	p := openPeer(t, ns)

	want := bytes.Repeat([]byte("0123456789abcdef"), 200<<10/16)
	p.send(t, s.PID(), 0, want)
	d, got := recvOne(t, s)
	if d.Sender != p.pid || d.Groups != 0 {
		t.Errorf("Sender, Groups = %d, %d; want %d, 0", d.Sender, d.Groups, p.pid)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("received %d bytes, not the %d sent", len(got), len(want))
	}
}

func TestTruncated(t *testing.T) {
	ns := nstest.NS(t)
	s := openIn(t, ns, backend.Config{Family: unix.NETLINK_USERSOCK, BufferSize: backend.MinBufferSize})
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
	if _, b := recvOne(t, s); string(b) != "next" {
		t.Errorf("datagram after the truncated one = %q, want %q", b, "next")
	}
}

// TestOverrun floods a small receive buffer with multicasts: the overrun is
// reported as ENOBUFS and the socket keeps working.
func TestOverrun(t *testing.T) {
	ns := nstest.NS(t)
	s := openIn(t, ns, backend.Config{Family: unix.NETLINK_USERSOCK})
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

	var got int
	for overrun := false; !overrun; {
		d, err := s.Recv()
		switch {
		case errors.Is(err, unix.ENOBUFS):
			overrun = true
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
		_, b := recvOne(t, s)
		if string(b) == "after" {
			break
		}
	}
	if err := <-sendErr; err != nil {
		t.Errorf("peer sendto: %v", err)
	}
}

func TestJoinLeaveGroup(t *testing.T) {
	ns := nstest.NS(t)
	s := openIn(t, ns, backend.Config{Family: unix.NETLINK_USERSOCK})
	p := openPeer(t, ns)

	if err := s.JoinGroup(3); err != nil {
		t.Fatalf("JoinGroup: %v", err)
	}
	p.send(t, 0, 1<<2, []byte("joined"))
	if d, b := recvOne(t, s); string(b) != "joined" || d.Groups != 1<<2 {
		t.Fatalf("got %q for groups %#x, want %q for 0x4", b, d.Groups, "joined")
	}
	if err := s.LeaveGroup(3); err != nil {
		t.Fatalf("LeaveGroup: %v", err)
	}
	p.send(t, 0, 1<<2, []byte("left"))
	p.send(t, s.PID(), 0, []byte("unicast"))
	if _, b := recvOne(t, s); string(b) != "unicast" {
		t.Errorf("after LeaveGroup got %q, want %q", b, "unicast")
	}
}

// TestHeldDatagrams checks that datagrams held by callers have buffers of
// their own, and that Release is safe against double and stale use.
func TestHeldDatagrams(t *testing.T) {
	ns := nstest.NS(t)
	s := openIn(t, ns, backend.Config{Family: unix.NETLINK_USERSOCK})
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
	if got := []string{string(d1.Data), string(d2.Data)}; !reflect.DeepEqual(got, []string{"one", "two"}) {
		t.Fatalf("held datagrams = %q", got)
	}
	s.Release(d1)
	s.Release(d1) // double release: no effect
	d3, err := s.Recv()
	if err != nil {
		t.Fatal(err)
	}
	s.Release(d1) // stale: d3 reuses d1's buffer under a new Ref
	s.Release(backend.Datagram{})
	if got := []string{string(d2.Data), string(d3.Data)}; !reflect.DeepEqual(got, []string{"two", "three"}) {
		t.Fatalf("after releasing d1 the held datagrams are %q", got)
	}
	if got, _ := s.pool.held(); got != 2 {
		t.Errorf("%d buffers out, want 2", got)
	}
	s.Release(d2)
	s.Release(d3)
}

// TestCloseWithHeldDatagram checks that a datagram held across Close stays
// readable, and that its buffer is let go once released.
func TestCloseWithHeldDatagram(t *testing.T) {
	ns := nstest.NS(t)
	s := openIn(t, ns, backend.Config{Family: unix.NETLINK_USERSOCK})
	p := openPeer(t, ns)
	p.send(t, s.PID(), 0, []byte("held"))
	p.send(t, s.PID(), 0, []byte("freed"))
	held, err := s.Recv()
	if err != nil {
		t.Fatal(err)
	}
	recvOne(t, s) // leaves a second, free buffer

	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got, idle := s.pool.held(); got != 1 || idle {
		t.Errorf("after Close %d buffers out (idle kept: %v), want 1 (the held one)", got, idle)
	}
	if string(held.Data) != "held" {
		t.Errorf("held datagram reads %q after Close", held.Data)
	}
	s.Release(held)
	if got, idle := s.pool.held(); got != 0 || idle {
		t.Errorf("after Release %d buffers out (idle kept: %v), want none", got, idle)
	}
}

func TestRecvAllocs(t *testing.T) {
	s, _ := openRoute(t, backend.Config{})
	var seq uint32
	req := noop(0)
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
	roundTrip() // maps the buffer
	if n := testing.AllocsPerRun(1000, roundTrip); n != 0 {
		t.Errorf("Send+Recv+Release allocates %v times, want 0", n)
	}
}
