//go:build linux

package iouring

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/netns"
	"github.com/nlring/netlink/internal/nstest"
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

func TestSupported(t *testing.T) {
	err := Supported()
	if err != nil {
		var ue *UnsupportedError
		if !errors.As(err, &ue) || !errors.Is(err, errors.ErrUnsupported) {
			t.Fatalf("Supported() = %v, want nil or an *UnsupportedError", err)
		}
		t.Skip(err)
	}
	if err2 := Supported(); err2 != nil {
		t.Errorf("second Supported() = %v after nil", err2)
	}
}

func TestGetLinkRoundTrip(t *testing.T) {
	ns := nstest.NS(t)
	s := openIn(t, ns, backend.Config{})
	if s.Kind() != backend.IOUring || s.PID() == 0 {
		t.Fatalf("Kind %q PID %d", s.Kind(), s.PID())
	}
	for seq := uint32(1); seq <= 3; seq++ {
		if err := s.Send(getLink(seq, 1)); err != nil {
			t.Fatal(err)
		}
		d, err := s.Recv()
		if err != nil {
			t.Fatal(err)
		}
		ms := messages(t, d.Data)
		if len(ms) != 1 || ms[0].typ != unix.RTM_NEWLINK || ms[0].seq != seq {
			t.Fatalf("reply %+v, want one RTM_NEWLINK with seq %d", ms, seq)
		}
		if d.Sender != 0 || d.Groups != 0 {
			t.Errorf("Sender %d Groups %d, want the kernel, unicast", d.Sender, d.Groups)
		}
		s.Release(d)
	}
}

func TestRouteDump(t *testing.T) {
	ns := nstest.NS(t)
	const n = 80000 // about 160 datagrams: more than numBuffers
	addRoutes(t, ns, n)
	s := openIn(t, ns, backend.Config{BufferSize: backend.MinBufferSize})

	t.Run("release each", func(t *testing.T) {
		routes, datagrams := dump(t, s, 1, 0)
		if routes < n {
			t.Errorf("%d routes in %d datagrams, want at least %d", routes, datagrams, n)
		}
		if datagrams <= numBuffers {
			t.Errorf("only %d datagrams: the test needs more than %d", datagrams, numBuffers)
		}
	})
	t.Run("buffer ring runs dry", func(t *testing.T) {
		// Keep every buffer until all are out: the multishot receive ends
		// with ENOBUFS on an empty ring, and must be re-armed when they come
		// back, with nothing lost and no error reported.
		before := s.dryRuns.Load()
		routes, datagrams := dump(t, s, 2, numBuffers)
		if routes < n {
			t.Errorf("%d routes in %d datagrams, want at least %d", routes, datagrams, n)
		}
		if s.dryRuns.Load() == before {
			t.Error("the buffer ring never ran dry")
		}
	})
	t.Run("round trip after", func(t *testing.T) {
		if err := s.Send(getLink(3, 1)); err != nil {
			t.Fatal(err)
		}
		d, err := s.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if ms := messages(t, d.Data); ms[0].seq != 3 {
			t.Errorf("reply seq %d, want 3", ms[0].seq)
		}
		s.Release(d)
	})
}

// peer opens a plain netlink socket in ns to send datagrams from user space.
func peer(t *testing.T, ns *netns.NS) (fd int, pid uint32) {
	t.Helper()
	done := make(chan struct{})
	var err error
	go func() {
		defer close(done)
		// A thread of our own, never handed back: it exits with this
		// goroutine instead of running others in ns.
		runtime.LockOSThread()
		if err = unix.Setns(ns.FD(), unix.CLONE_NEWNET); err != nil {
			return
		}
		fd, err = unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
		if err != nil {
			return
		}
		if err = unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
			return
		}
		var sa unix.Sockaddr
		sa, err = unix.Getsockname(fd)
		if err == nil {
			pid = sa.(*unix.SockaddrNetlink).Pid
		}
	}()
	<-done
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return fd, pid
}

func TestTruncationAndSender(t *testing.T) {
	ns := nstest.NS(t)
	s := openIn(t, ns, backend.Config{BufferSize: 32 << 10})
	fd, pid := peer(t, ns)
	to := &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: s.PID()}

	big := make([]byte, 40<<10)
	if err := unix.Sendto(fd, big, 0, to); err != nil {
		t.Fatal(err)
	}
	if err := unix.Sendto(fd, []byte("small datagram"), 0, to); err != nil {
		t.Fatal(err)
	}
	_, err := s.Recv()
	var te *backend.TruncatedError
	if !errors.As(err, &te) || te.Size != len(big) || te.Buffer != 32<<10 {
		t.Fatalf("Recv of a %d-byte datagram = %v, want TruncatedError{%d, %d}", len(big), err, len(big), 32<<10)
	}
	d, err := s.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if string(d.Data) != "small datagram" || d.Sender != pid {
		t.Errorf("got %q from %d, want %q from %d", d.Data, d.Sender, "small datagram", pid)
	}
	s.Release(d)
	// The truncated datagram's buffer went back: all of them are free.
	s.mu.Lock()
	held := s.held
	s.mu.Unlock()
	if held != 0 {
		t.Errorf("%d buffers held after everything was released", held)
	}
}

func TestOverrun(t *testing.T) {
	ns := nstest.NS(t)
	addRoutes(t, ns, 1)
	s := openIn(t, ns, backend.Config{Groups: unix.RTMGRP_IPV4_ROUTE})
	if err := s.SetSockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUF, 4096); err != nil {
		t.Fatal(err)
	}
	// Nobody receives: numBuffers events fill the buffers, a few more the
	// socket, and the rest overrun it.
	var b strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&b, "route add 10.200.%d.%d/32 dev va\n", i>>8, i&0xff)
	}
	if err := ns.Batch(strings.NewReader(b.String())); err != nil {
		t.Fatal(err)
	}
	overruns, events := 0, 0
	if err := s.SetReadDeadline(time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	for {
		d, err := s.Recv()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
		if errors.Is(err, unix.ENOBUFS) {
			overruns++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		events++
		s.Release(d)
	}
	// Drops that go on after the first report, while the ring is dry, are
	// reported again when found: at least one report, never a flood.
	if overruns == 0 || overruns > 3 || events == 0 {
		t.Fatalf("%d events and %d overrun errors; want events and one to three overrun errors", events, overruns)
	}
	if events >= 2000 {
		t.Fatalf("all %d events arrived: no overrun happened", events)
	}

	// The socket still works.
	s.SetReadDeadline(time.Time{})
	if err := ns.IP("route", "add", "10.201.0.1/32", "dev", "va"); err != nil {
		t.Fatal(err)
	}
	d, err := s.Recv()
	if err != nil {
		t.Fatal(err)
	}
	ms := messages(t, d.Data)
	if len(ms) != 1 || ms[0].typ != unix.RTM_NEWROUTE || d.Groups != unix.RTMGRP_IPV4_ROUTE {
		t.Errorf("after the overrun: %+v in group %#x, want one RTM_NEWROUTE event", ms, d.Groups)
	}
	s.Release(d)
}

func TestSendBatch(t *testing.T) {
	ns := nstest.NS(t)
	s := openIn(t, ns, backend.Config{})
	if err := s.SetSockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 8<<20); err != nil {
		t.Fatal(err)
	}

	t.Run("order across chunks", func(t *testing.T) {
		const n = 3*sqEntries + 7
		bufs := make([][]byte, n)
		for i := range bufs {
			bufs[i] = getLink(uint32(i+1), 1)
		}
		sent, err := s.SendBatch(bufs)
		if sent != n || err != nil {
			t.Fatalf("SendBatch = %d, %v; want %d, nil", sent, err, n)
		}
		for i := range n {
			d, err := s.Recv()
			if err != nil {
				t.Fatal(err)
			}
			if seq := messages(t, d.Data)[0].seq; seq != uint32(i+1) {
				t.Fatalf("reply %d has seq %d: requests were reordered", i, seq)
			}
			s.Release(d)
		}
	})
	t.Run("first failure stops the rest", func(t *testing.T) {
		sndbuf, err := s.GetSockoptInt(unix.SOL_SOCKET, unix.SO_SNDBUF)
		if err != nil {
			t.Fatal(err)
		}
		bufs := [][]byte{getLink(101, 1), getLink(102, 1), make([]byte, sndbuf), getLink(103, 1)}
		sent, err := s.SendBatch(bufs)
		if sent != 2 || !errors.Is(err, unix.EMSGSIZE) {
			t.Fatalf("SendBatch = %d, %v; want 2, EMSGSIZE", sent, err)
		}
		for _, want := range []uint32{101, 102} {
			d, err := s.Recv()
			if err != nil {
				t.Fatal(err)
			}
			if seq := messages(t, d.Data)[0].seq; seq != want {
				t.Fatalf("reply seq %d, want %d", seq, want)
			}
			s.Release(d)
		}
		s.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if d, err := s.Recv(); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("a reply to a request after the failure: %v %q", err, d.Data)
		}
		s.SetReadDeadline(time.Time{})
	})
	t.Run("send error", func(t *testing.T) {
		if err := s.Send(nlmsg(unix.RTM_GETLINK, unix.NLM_F_REQUEST, 1, make([]byte, 1<<24))); !errors.Is(err, unix.EMSGSIZE) {
			t.Errorf("Send of 16 MiB = %v, want EMSGSIZE", err)
		}
	})
}

func TestUnblock(t *testing.T) {
	ns := nstest.NS(t)
	wait := func(t *testing.T, s *Socket, recv func() (backend.Datagram, error), unblock func(), want error) {
		t.Helper()
		errc := make(chan error, 1)
		go func() {
			_, err := recv()
			errc <- err
		}()
		// Recv must not return before unblock; give it a moment to block.
		select {
		case err := <-errc:
			t.Fatalf("Recv returned %v before being unblocked", err)
		case <-time.After(20 * time.Millisecond):
		}
		unblock()
		if err := <-errc; !errors.Is(err, want) {
			t.Fatalf("Recv = %v, want %v", err, want)
		}
	}
	t.Run("Close", func(t *testing.T) {
		s := openIn(t, ns, backend.Config{})
		wait(t, s, s.Recv, func() { s.Close() }, net.ErrClosed)
		if _, err := s.Recv(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("Recv after Close = %v", err)
		}
		if err := s.Send(getLink(1, 1)); !errors.Is(err, net.ErrClosed) {
			t.Errorf("Send after Close = %v", err)
		}
		if err := s.JoinGroup(1); !errors.Is(err, net.ErrClosed) {
			t.Errorf("JoinGroup after Close = %v", err)
		}
		if err := s.Close(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("second Close = %v", err)
		}
	})
	t.Run("read deadline", func(t *testing.T) {
		s := openIn(t, ns, backend.Config{})
		wait(t, s, s.Recv, func() { s.SetReadDeadline(time.Now()) }, os.ErrDeadlineExceeded)
		// A deadline set in the future fires by itself.
		s.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
		if _, err := s.Recv(); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("Recv = %v, want a timeout", err)
		}
		// Clearing it lets data through again.
		s.SetReadDeadline(time.Time{})
		if err := s.Send(getLink(1, 1)); err != nil {
			t.Fatal(err)
		}
		d, err := s.Recv()
		if err != nil {
			t.Fatal(err)
		}
		s.Release(d)
	})
	t.Run("write deadline", func(t *testing.T) {
		s := openIn(t, ns, backend.Config{})
		s.SetWriteDeadline(time.Now().Add(-time.Second))
		if err := s.Send(getLink(1, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("Send past the deadline = %v", err)
		}
	})
	t.Run("RawConn", func(t *testing.T) {
		s := openIn(t, ns, backend.Config{})
		rc, err := s.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		never := func(uintptr) bool { return false }
		s.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		if err := rc.Read(never); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("Read past the deadline = %v", err)
		}
		s.SetReadDeadline(time.Time{})
		errc := make(chan error, 1)
		go func() { errc <- rc.Read(never) }()
		select {
		case err := <-errc:
			t.Fatalf("Read returned %v before Close", err)
		case <-time.After(20 * time.Millisecond):
		}
		s.Close()
		if err := <-errc; !errors.Is(err, net.ErrClosed) {
			t.Errorf("Read after Close = %v, want net.ErrClosed", err)
		}
		if err := rc.Write(never); !errors.Is(err, net.ErrClosed) {
			t.Errorf("Write after Close = %v, want net.ErrClosed", err)
		}
	})
	t.Run("context", func(t *testing.T) {
		s := openIn(t, ns, backend.Config{})
		ctx, cancel := context.WithCancel(context.Background())
		wait(t, s, func() (backend.Datagram, error) { return s.RecvContext(ctx) }, cancel, context.Canceled)
	})
}

func TestConcurrent(t *testing.T) {
	ns := nstest.NS(t)
	s := openIn(t, ns, backend.Config{})
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
				d, err := s.RecvContext(ctx)
				if errors.Is(err, context.Canceled) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[messages(t, d.Data)[0].seq] = true
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

func TestSyscallConn(t *testing.T) {
	// NETLINK_USERSOCK lets non-root processes send to each other.
	s := openIn(t, nil, backend.Config{Family: unix.NETLINK_USERSOCK})
	rc, err := s.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var got uint32
	err = rc.Control(func(fd uintptr) {
		sa, err := unix.Getsockname(int(fd))
		if err == nil {
			got = sa.(*unix.SockaddrNetlink).Pid
		}
	})
	if err != nil || got != s.PID() {
		t.Errorf("Control: port %d, %v; want %d", got, err, s.PID())
	}
	// Write: a datagram to our own port arrives through Recv.
	var werr error
	err = rc.Write(func(fd uintptr) bool {
		werr = unix.Sendto(int(fd), []byte("raw datagram"), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: s.PID()})
		return werr != unix.EAGAIN
	})
	if err != nil || werr != nil {
		t.Fatalf("Write = %v, sendto: %v", err, werr)
	}
	d, err := s.Recv()
	if err != nil || string(d.Data) != "raw datagram" || d.Sender != s.PID() {
		t.Fatalf("Recv after a raw write = %q from %d, %v", d.Data, d.Sender, err)
	}
	s.Release(d)
	// Read calls f again after waiting for readiness, until it returns true.
	calls := 0
	if err := rc.Read(func(uintptr) bool { calls++; return calls == 3 }); err != nil || calls != 3 {
		t.Errorf("Read = %v after %d calls, want nil after 3", err, calls)
	}
	// rtnetlink lets non-root processes join its groups.
	rt := openIn(t, nil, backend.Config{Family: unix.NETLINK_ROUTE})
	if err := rt.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		t.Error(err)
	}
	if err := rt.LeaveGroup(unix.RTNLGRP_LINK); err != nil {
		t.Error(err)
	}
	if v, err := s.GetSockoptInt(unix.SOL_SOCKET, unix.SO_TYPE); err != nil || v != unix.SOCK_RAW {
		t.Errorf("SO_TYPE = %d, %v", v, err)
	}
}

// countFDs counts the process's open descriptors.
func countFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func TestOpenCloseLeaks(t *testing.T) {
	requireSupported(t)
	before := countFDs(t)
	for i := range 1000 {
		s, err := open(backend.Config{Family: unix.NETLINK_ROUTE})
		if err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
		if i%2 == 0 {
			// Close with a datagram outstanding: it stays readable, and
			// the socket lets go of its buffers.
			if err := s.Send(getLink(1, 1)); err != nil {
				t.Fatal(err)
			}
			d, err := s.Recv()
			if err != nil {
				t.Fatal(err)
			}
			want := string(d.Data)
			s.Close()
			if string(d.Data) != want {
				t.Fatal("a held datagram changed at Close")
			}
			s.Release(d)
			if s.bufs.bufs != nil {
				t.Fatal("the socket still holds its buffers after Close")
			}
		} else if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if after := countFDs(t); after != before {
		t.Errorf("%d descriptors before 1000 Open/Close cycles, %d after", before, after)
	}
	// The leak check in TestMain verifies that nothing (a timer, a context callback)
	// left a goroutine behind.
}

func TestZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	ns := nstest.NS(t)
	s := openIn(t, ns, backend.Config{})
	req := getLink(1, 1)
	bufs := [][]byte{req, req}
	roundTrip := func() {
		if err := s.Send(req); err != nil {
			t.Fatal(err)
		}
		d, err := s.Recv()
		if err != nil {
			t.Fatal(err)
		}
		s.Release(d)
		if _, err := s.SendBatch(bufs); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			d, err := s.Recv()
			if err != nil {
				t.Fatal(err)
			}
			s.Release(d)
		}
	}
	roundTrip() // warm the request pool
	if n := testing.AllocsPerRun(200, roundTrip); n != 0 {
		t.Errorf("%.1f allocations per Send+SendBatch+3 Recv, want 0", n)
	}
}

// TestReceiverMigrates moves the receiver between threads: to a goroutine
// that exits while locked to its thread (which takes the thread with it, and
// with it the receiver's task work), then back. Nothing may be lost.
func TestReceiverMigrates(t *testing.T) {
	ns := nstest.NS(t)
	s := openIn(t, ns, backend.Config{})
	roundTrip := func(seq uint32) error {
		if err := s.Send(getLink(seq, 1)); err != nil {
			return err
		}
		d, err := s.Recv()
		if err != nil {
			return err
		}
		defer s.Release(d)
		if got := messages(t, d.Data)[0].seq; got != seq {
			return fmt.Errorf("reply seq %d, want %d", got, seq)
		}
		return nil
	}
	for i := range 20 {
		errc := make(chan error, 1)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread exits with us
			errc <- roundTrip(uint32(2*i + 1))
		}()
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		if err := roundTrip(uint32(2*i + 2)); err != nil {
			t.Fatal(err)
		}
	}
	// An event that arrives while the thread that armed the receiver is gone.
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		errc <- roundTrip(100)
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	if err := roundTrip(101); err != nil {
		t.Fatal(err)
	}
	t.Logf("receiver ended by its thread's exit %d times", s.orphaned.Load())
}

// TestSendWhileRecvBlocked checks that a Recv waiting on the ring does not
// hold up Send, and gets the reply.
func TestSendWhileRecvBlocked(t *testing.T) {
	ns := nstest.NS(t)
	s := openIn(t, ns, backend.Config{})
	type res struct {
		seq uint32
		err error
	}
	resc := make(chan res, 1)
	go func() {
		d, err := s.Recv()
		if err != nil {
			resc <- res{err: err}
			return
		}
		resc <- res{seq: messages(t, d.Data)[0].seq}
		s.Release(d)
	}()
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	if err := s.Send(getLink(7, 1)); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("Send took %v with a Recv blocked", d)
	}
	r := <-resc
	if r.err != nil || r.seq != 7 {
		t.Fatalf("blocked Recv = seq %d, %v; want 7", r.seq, r.err)
	}
}
