//go:build linux

package syscall

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/netns"
	"github.com/nlring/netlink/internal/nlsock"
	"github.com/nlring/netlink/internal/nstest"
	"github.com/nlring/netlink/internal/testutil"
)

func TestMain(m *testing.M) { testutil.VerifyTestMain(m) }

// openIn opens a socket in ns (NETLINK_ROUTE unless cfg says otherwise),
// closed when t ends.
func openIn(t testing.TB, ns *netns.NS, cfg backend.Config) *Socket {
	t.Helper()
	if cfg.Family == 0 {
		cfg.Family = unix.NETLINK_ROUTE
	}
	cfg.NetNS = ns.FD()
	s, err := open(cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		// Tests that close the socket themselves get net.ErrClosed here.
		if err := s.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// openRoute opens a NETLINK_ROUTE socket in a fresh namespace.
func openRoute(t testing.TB, cfg backend.Config) (*Socket, *netns.NS) {
	t.Helper()
	ns := nstest.NS(t)
	return openIn(t, ns, cfg), ns
}

// peer is a plain blocking netlink socket standing for another program.
type peer struct {
	fd  int
	pid uint32
}

// openPeer opens a NETLINK_USERSOCK socket in ns, closed when t ends.
func openPeer(t testing.TB, ns *netns.NS) *peer {
	t.Helper()
	fd, pid, err := nlsock.Open(nlsock.Options{Family: unix.NETLINK_USERSOCK, NetNS: ns.FD()})
	if err != nil {
		t.Fatalf("opening peer socket: %v", err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return &peer{fd: fd, pid: pid}
}

// send sends b to port pid and to multicast groups.
func (p *peer) send(t testing.TB, pid, groups uint32, b []byte) {
	t.Helper()
	to := &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: pid, Groups: groups}
	err := unix.Sendto(p.fd, b, 0, to)
	if groups != 0 && pid == 0 && errors.Is(err, unix.ECONNREFUSED) {
		// The multicast went out; the kernel then also tried port 0, which
		// NETLINK_USERSOCK does not have.
		err = nil
	}
	if err != nil {
		t.Fatalf("peer sendto: %v", err)
	}
}

// request encodes one netlink message.
func request(typ, flags uint16, seq uint32, payload []byte) []byte {
	b := make([]byte, unix.NLMSG_HDRLEN, unix.NLMSG_HDRLEN+len(payload))
	binary.NativeEndian.PutUint32(b[0:4], uint32(unix.NLMSG_HDRLEN+len(payload)))
	binary.NativeEndian.PutUint16(b[4:6], typ)
	binary.NativeEndian.PutUint16(b[6:8], flags)
	binary.NativeEndian.PutUint32(b[8:12], seq)
	return append(b, payload...)
}

// noop is a request the kernel only acknowledges.
func noop(seq uint32) []byte {
	return request(unix.NLMSG_NOOP, unix.NLM_F_REQUEST|unix.NLM_F_ACK, seq, nil)
}

// message is one parsed netlink message.
type message struct {
	Type, Flags uint16
	Seq, PID    uint32
	Data        []byte
}

// parse splits a datagram into messages.
func parse(t testing.TB, b []byte) []message {
	t.Helper()
	var msgs []message
	for len(b) > 0 {
		if len(b) < unix.NLMSG_HDRLEN {
			t.Fatalf("parse: %d trailing bytes", len(b))
		}
		n := int(binary.NativeEndian.Uint32(b[0:4]))
		if n < unix.NLMSG_HDRLEN || n > len(b) {
			t.Fatalf("parse: message length %d, %d bytes left", n, len(b))
		}
		msgs = append(msgs, message{
			Type:  binary.NativeEndian.Uint16(b[4:6]),
			Flags: binary.NativeEndian.Uint16(b[6:8]),
			Seq:   binary.NativeEndian.Uint32(b[8:12]),
			PID:   binary.NativeEndian.Uint32(b[12:16]),
			Data:  b[unix.NLMSG_HDRLEN:n],
		})
		b = b[min(len(b), nlmsgAlign(n)):]
	}
	return msgs
}

func nlmsgAlign(n int) int { return (n + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1) }

// ackError returns the error code of an NLMSG_ERROR message.
func ackError(t testing.TB, m message) int32 {
	t.Helper()
	if m.Type != unix.NLMSG_ERROR || len(m.Data) < 4 {
		t.Fatalf("want NLMSG_ERROR, got type %d with %d bytes", m.Type, len(m.Data))
	}
	return int32(binary.NativeEndian.Uint32(m.Data))
}

// recvOne receives a datagram, copies it and releases it.
func recvOne(t testing.TB, s *Socket) (backend.Datagram, []byte) {
	t.Helper()
	d, err := s.Recv()
	if err != nil {
		t.Fatalf("Recv: %v", err)
	}
	b := append([]byte(nil), d.Data...)
	s.Release(d)
	return d, b
}

// waitBlocked waits until n goroutines are parked somewhere inside fn (a
// function name as runtime.Stack prints it). It is how a test knows a Recv
// is really blocked before it tries to unblock it.
func waitBlocked(t testing.TB, fn string, n int) {
	t.Helper()
	buf := make([]byte, 1<<20)
	for start := time.Now(); ; {
		stacks := string(buf[:runtime.Stack(buf, true)])
		got := 0
		for _, g := range strings.Split(stacks, "\n\n") {
			header, _, _ := strings.Cut(g, "\n")
			if strings.Contains(g, fn) && (strings.Contains(header, "[IO wait") || strings.Contains(header, "[sync.Mutex") || strings.Contains(header, "[semacquire") || strings.Contains(header, "[select") || strings.Contains(header, "[chan receive")) {
				got++
			}
		}
		if got >= n {
			return
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("%d goroutines blocked in %s, want %d; stacks:\n%s", got, fn, n, stacks)
		}
		time.Sleep(time.Millisecond)
	}
}

// result is what a Recv in another goroutine returned.
type result struct {
	d    backend.Datagram
	data []byte
	err  error
}

// recvAsync runs recv in a new goroutine and returns where its result will
// arrive.
func recvAsync(s *Socket, recv func() (backend.Datagram, error)) <-chan result {
	c := make(chan result, 1)
	go func() {
		d, err := recv()
		r := result{d: d, err: err}
		if err == nil {
			r.data = append([]byte(nil), d.Data...)
			s.Release(d)
		}
		c <- r
	}()
	return c
}

// await waits for a result, failing the test if none comes: the call it
// waits for was supposed to be unblocked.
func await(t testing.TB, c <-chan result) result {
	t.Helper()
	select {
	case r := <-c:
		return r
	case <-time.After(30 * time.Second):
		t.Fatal("call still blocked after 30s")
		return result{}
	}
}

// addRoutes creates link va (a veth, up, peer vb) in ns and n /32 routes
// through it, from 10.1.0.0 up.
func addRoutes(t testing.TB, ns *netns.NS, n int) {
	t.Helper()
	for _, args := range [][]string{
		{"link", "add", "name", "va", "type", "veth", "peer", "name", "vb"},
		{"link", "set", "va", "up"},
		{"link", "set", "vb", "up"},
	} {
		if err := ns.IP(args...); err != nil {
			t.Fatal(err)
		}
	}
	var cmds strings.Builder
	for i := range n {
		fmt.Fprintf(&cmds, "route add 10.%d.%d.%d/32 dev va\n", 1+i>>16, i>>8&0xff, i&0xff)
	}
	if err := ns.Batch(strings.NewReader(cmds.String())); err != nil {
		t.Fatal(err)
	}
}
