package testutil

import (
	"errors"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/nlring/netlink/internal/netns"
	"github.com/nlring/netlink/internal/nlsock"
	"golang.org/x/sys/unix"
)

// EventGroups are the multicast groups a route event socket joins: link
// and IPv4 route events.
const EventGroups = unix.RTMGRP_LINK | unix.RTMGRP_IPV4_ROUTE

// A Requester is a netlink socket a test sends requests and reads messages
// through: a Socket, or a Conn behind a few lines of adapter in the test
// (this package cannot import the root package, whose own tests import it).
type Requester interface {
	// PID is the port ID the socket is bound to.
	PID() uint32
	// Request sends a request and returns its sequence number.
	Request(t testing.TB, typ, flags uint16, body []byte) (seq uint32)
	// Read returns the messages of the next datagram, or of the next
	// batch the Conn receives; it fails t rather than wait forever.
	Read(t testing.TB) []Received
}

// Sync returns the messages r received until now. It asks for the loopback
// link with NLM_F_ACK and reads until the ACK: the kernel delivered every
// earlier event before it. The reply must arrive before the ACK; both are
// checked and left out, and a filter that dropped either fails t.
func Sync(t testing.TB, r Requester) []Received {
	t.Helper()
	seq := r.Request(t, unix.RTM_GETLINK, unix.NLM_F_REQUEST|unix.NLM_F_ACK, LinkBody(1))
	return readToACK(t, r, seq, false)
}

// readToACK reads from r until the ACK of request seq and returns what
// came before it, without the request's reply; replied says whether a
// reply is still awaited.
func readToACK(t testing.TB, r Requester, seq uint32, replied bool) []Received {
	t.Helper()
	var got []Received
	for {
		for _, m := range r.Read(t) {
			switch {
			case m.Seq == seq && m.PID == r.PID() && m.Type == unix.RTM_NEWLINK:
				replied = true
			case m.Seq == seq && m.Type == unix.NLMSG_ERROR:
				if !replied {
					t.Fatal("ACK without the reply: the filter dropped the reply to a request")
				}
				return got
			default:
				got = append(got, m)
			}
		}
	}
}

// Socket is a raw netlink event socket in a namespace: it sees what the
// kernel sends without the Conn under test in between.
type Socket struct {
	f      *os.File
	fd     int
	pid    uint32
	seq    uint32
	family int
}

// Listen opens a netlink route socket in ns subscribed to EventGroups,
// closed when t ends. Its receive timeout makes a filter that drops what
// it must not fail the test instead of hanging it; its receive buffer is
// 8 MiB.
func Listen(t testing.TB, ns *netns.NS) *Socket {
	t.Helper()
	return listen(t, ns, unix.NETLINK_ROUTE, EventGroups)
}

// ListenConntrack opens a netfilter socket in ns subscribed to conntrack
// creation and destruction events, as Listen does.
func ListenConntrack(t testing.TB, ns *netns.NS) *Socket {
	t.Helper()
	return listen(t, ns, unix.NETLINK_NETFILTER, 1<<(unix.NFNLGRP_CONNTRACK_NEW-1)|1<<(unix.NFNLGRP_CONNTRACK_DESTROY-1))
}

func listen(t testing.TB, ns *netns.NS, family int, groups uint32) *Socket {
	t.Helper()
	fd, pid, err := nlsock.Open(nlsock.Options{Family: family, Groups: groups, NetNS: ns.FD()})
	if err != nil {
		t.Fatal(err)
	}
	s := &Socket{f: os.NewFile(uintptr(fd), "netlink"), fd: fd, pid: pid, family: family}
	t.Cleanup(func() { s.f.Close() })
	tv := unix.NsecToTimeval((5 * time.Second).Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		t.Fatal(err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 8<<20); err != nil {
		t.Fatal(err)
	}
	return s
}

// FD is the socket's descriptor.
func (s *Socket) FD() int { return s.fd }

// PID is the port ID the socket is bound to.
func (s *Socket) PID() uint32 { return s.pid }

// SyscallConn gives raw access to the socket, as *netlink.Conn does.
func (s *Socket) SyscallConn() (syscall.RawConn, error) { return s.f.SyscallConn() }

// Request sends a request with the socket's next sequence number.
func (s *Socket) Request(t testing.TB, typ, flags uint16, body []byte) uint32 {
	t.Helper()
	s.seq++
	if err := unix.Sendto(s.fd, Request(typ, flags, s.seq, body), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		t.Fatalf("sendto: %v", err)
	}
	return s.seq
}

// Read reads one datagram and parses its messages.
func (s *Socket) Read(t testing.TB) []Received {
	t.Helper()
	buf := make([]byte, 64<<10)
	n, _, err := unix.Recvfrom(s.fd, buf, 0)
	if errors.Is(err, unix.EAGAIN) {
		t.Fatal("no datagram for 5 s: the filter dropped something the socket waits for")
	}
	if err != nil {
		t.Fatalf("recvfrom: %v", err)
	}
	msgs, err := Parse(buf[:n])
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// Sync is Sync on s. A socket of another family than NETLINK_ROUTE sends an
// NLMSG_NOOP instead, which has no reply.
func (s *Socket) Sync(t testing.TB) []Received {
	t.Helper()
	if s.family == unix.NETLINK_ROUTE {
		return Sync(t, s)
	}
	seq := s.Request(t, unix.NLMSG_NOOP, unix.NLM_F_REQUEST|unix.NLM_F_ACK, nil)
	return readToACK(t, s, seq, true)
}

// DumpRoutes dumps the IPv4 routes and returns how many arrived before
// NLMSG_DONE.
func (s *Socket) DumpRoutes(t testing.TB) int {
	t.Helper()
	seq := s.Request(t, unix.RTM_GETROUTE, unix.NLM_F_REQUEST|unix.NLM_F_DUMP, RouteDumpBody(unix.AF_INET))
	n := 0
	for {
		for _, m := range s.Read(t) {
			if m.Seq != seq {
				continue // an event
			}
			switch m.Type {
			case unix.NLMSG_DONE:
				return n
			case unix.NLMSG_ERROR:
				t.Fatal("route dump failed")
			case unix.RTM_NEWROUTE:
				n++
			}
		}
	}
}
