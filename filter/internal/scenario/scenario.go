//go:build linux

// Package scenario sets up the test scenario of nlring's socket filters: a
// throw-away network namespace with a veth pair, routes added in several
// tables, and a raw netlink socket subscribed to link and IPv4 route events
// whose received messages can be collected up to a synchronisation point.
//
// It uses raw sockets (internal/nlsock) so that the filters are tested
// without depending on the Conn.
package scenario

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlring/netlink/internal/netns"
	"github.com/nlring/netlink/internal/nlsock"
	"github.com/nlring/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// Link is the name of the veth end that routes go through.
const Link = "nlf0"

// Groups are the multicast groups the event socket joins.
const Groups = unix.RTMGRP_LINK | unix.RTMGRP_IPV4_ROUTE

// NS returns a namespace with a veth pair (Link and its peer) up, Link
// addressed 10.255.0.1/24. It skips t when not root.
func NS(t testing.TB) *netns.NS {
	t.Helper()
	ns := nstest.NS(t)
	for _, args := range [][]string{
		{"link", "add", Link, "type", "veth", "peer", "name", Link + "p"},
		{"link", "set", Link, "up"},
		{"link", "set", Link + "p", "up"},
		{"addr", "add", "10.255.0.1/24", "dev", Link},
	} {
		if err := ns.IP(args...); err != nil {
			t.Fatal(err)
		}
	}
	return ns
}

// LinkIndex returns the interface index of the link name in ns.
func LinkIndex(t testing.TB, ns *netns.NS, name string) uint32 {
	t.Helper()
	out, err := exec.Command("ip", "-n", ns.Name(), "-o", "link", "show", "dev", name).Output()
	if err != nil {
		t.Fatalf("ip link show %s: %v", name, err)
	}
	idx, _, ok := strings.Cut(string(out), ":")
	n, err := strconv.ParseUint(idx, 10, 32)
	if !ok || err != nil {
		t.Fatalf("ip link show %s: unexpected output %q", name, out)
	}
	return uint32(n)
}

// AddRoutes adds n host routes through Link in table, numbered from first:
// 10.<k>.<i/256>.<i%256>/32 with k derived from the table.
func AddRoutes(t testing.TB, ns *netns.NS, table, first, n int) {
	t.Helper()
	var b strings.Builder
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&b, "route add 10.%d.%d.%d/32 dev %s table %d\n", table%200+1, i/256, i%256, Link, table)
	}
	if err := ns.Batch(strings.NewReader(b.String())); err != nil {
		t.Fatal(err)
	}
}

// Msg is what the tests need of a received message.
type Msg struct {
	Type, Flags uint16
	Seq, PID    uint32
	// Table is RTA_TABLE of a route message, Index ifi_index of a link
	// message.
	Table, Index uint32
	// Zone is CTA_ZONE of a conntrack message, 0 if it has none.
	Zone uint16
}

// Socket is a raw event socket in a namespace.
type Socket struct {
	f      *os.File
	fd     int
	pid    uint32
	seq    uint32
	family int
}

// Open opens a netlink route socket in ns subscribed to Groups, with a
// receive timeout so that a filter dropping what it must not fails the test
// instead of hanging it, and an 8 MiB receive buffer.
func Open(t testing.TB, ns *netns.NS) *Socket {
	t.Helper()
	return open(t, ns, unix.NETLINK_ROUTE, Groups)
}

// OpenConntrack opens a netfilter socket in ns subscribed to conntrack
// creation and destruction events, as Open does.
func OpenConntrack(t testing.TB, ns *netns.NS) *Socket {
	t.Helper()
	return open(t, ns, unix.NETLINK_NETFILTER, 1<<(unix.NFNLGRP_CONNTRACK_NEW-1)|1<<(unix.NFNLGRP_CONNTRACK_DESTROY-1))
}

func open(t testing.TB, ns *netns.NS, family int, groups uint32) *Socket {
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

// Sync returns the messages received until now. It sends a request with
// NLM_F_ACK and reads until the ACK: the kernel delivered every earlier
// event before it. On a route socket, the request asks for the loopback
// link, and the reply must arrive before the ACK; on others, it is an
// NLMSG_NOOP. The reply and the ACK are checked and left out; a filter that
// dropped them fails t.
func (s *Socket) Sync(t testing.TB) []Msg {
	t.Helper()
	s.seq++
	seq := s.seq
	req := request(unix.NLMSG_NOOP, unix.NLM_F_REQUEST|unix.NLM_F_ACK, seq, nil)
	reply := true
	if s.family == unix.NETLINK_ROUTE {
		req = request(unix.RTM_GETLINK, unix.NLM_F_REQUEST|unix.NLM_F_ACK, seq, getLoopback())
		reply = false
	}
	s.send(t, req)
	var got []Msg
	for {
		for _, m := range s.recv(t) {
			switch {
			case m.Seq == seq && m.PID == s.pid && m.Type == unix.RTM_NEWLINK:
				reply = true
			case m.Seq == seq && m.Type == unix.NLMSG_ERROR:
				if !reply {
					t.Fatal("ACK without the reply: the filter dropped the reply to a request")
				}
				return got
			default:
				got = append(got, m)
			}
		}
	}
}

// DumpRoutes dumps the IPv4 routes and returns how many arrived with
// NLM_F_MULTI before NLMSG_DONE.
func (s *Socket) DumpRoutes(t testing.TB) int {
	t.Helper()
	s.seq++
	seq := s.seq
	s.send(t, request(unix.RTM_GETROUTE, unix.NLM_F_REQUEST|unix.NLM_F_DUMP, seq, []byte{unix.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}))
	n := 0
	for {
		for _, m := range s.recv(t) {
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

// getLoopback is the body of an RTM_GETLINK request for lo (index 1).
func getLoopback() []byte {
	b := binary.NativeEndian.AppendUint32([]byte{unix.AF_UNSPEC, 0, 0, 0}, 1)
	return append(b, make([]byte, 8)...)
}

func request(typ, flags uint16, seq uint32, body []byte) []byte {
	b := binary.NativeEndian.AppendUint32(nil, uint32(unix.NLMSG_HDRLEN+len(body)))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = binary.NativeEndian.AppendUint16(b, flags)
	b = binary.NativeEndian.AppendUint32(b, seq)
	b = binary.NativeEndian.AppendUint32(b, 0)
	return append(b, body...)
}

func (s *Socket) send(t testing.TB, b []byte) {
	t.Helper()
	if err := unix.Sendto(s.fd, b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		t.Fatalf("sendto: %v", err)
	}
}

// recv reads one datagram and parses its messages.
func (s *Socket) recv(t testing.TB) []Msg {
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

// Parse parses the messages of a datagram.
func Parse(b []byte) ([]Msg, error) {
	var msgs []Msg
	for len(b) >= unix.NLMSG_HDRLEN {
		l := int(binary.NativeEndian.Uint32(b))
		if l < unix.NLMSG_HDRLEN || l > len(b) {
			return nil, fmt.Errorf("bad message length %d", l)
		}
		m := Msg{
			Type:  binary.NativeEndian.Uint16(b[4:]),
			Flags: binary.NativeEndian.Uint16(b[6:]),
			Seq:   binary.NativeEndian.Uint32(b[8:]),
			PID:   binary.NativeEndian.Uint32(b[12:]),
		}
		m.parseBody(b[unix.NLMSG_HDRLEN:l])
		msgs = append(msgs, m)
		b = b[min((l+3)&^3, len(b)):]
	}
	return msgs, nil
}

// parseBody fills in what the tests need of a message's body.
func (m *Msg) parseBody(body []byte) {
	switch m.Type {
	case unix.RTM_NEWROUTE, unix.RTM_DELROUTE:
		if len(body) >= unix.SizeofRtMsg {
			m.Table = attrU32(body[unix.SizeofRtMsg:], unix.RTA_TABLE)
		}
	case unix.RTM_NEWLINK, unix.RTM_DELLINK:
		if len(body) >= unix.SizeofIfInfomsg {
			m.Index = binary.NativeEndian.Uint32(body[4:])
		}
	case ctNew, ctDelete:
		if len(body) >= nfgenmsgLen {
			m.Zone = uint16(attr(body[nfgenmsgLen:], ctaZone, 2))
		}
	}
}

func attrU32(b []byte, typ uint16) uint32 { return attr(b, typ, 4) }

// attr returns the value of the first attribute of type typ in b, if it
// has size bytes: host-endian for 4, big-endian for 2 (CTA_ZONE).
func attr(b []byte, typ uint16, size int) uint32 {
	for len(b) >= 4 {
		l := int(binary.NativeEndian.Uint16(b))
		if l < 4 || l > len(b) {
			return 0
		}
		if binary.NativeEndian.Uint16(b[2:])&^(unix.NLA_F_NESTED|unix.NLA_F_NET_BYTEORDER) == typ && l == 4+size {
			if size == 2 {
				return uint32(binary.BigEndian.Uint16(b[4:]))
			}
			return binary.NativeEndian.Uint32(b[4:])
		}
		b = b[min((l+3)&^3, len(b)):]
	}
	return 0
}

// Count counts the messages of each kind: "route/<table>" for routes,
// "link" for links, "ct/<zone>" for conntrack events, the type otherwise.
func Count(msgs []Msg) map[string]int {
	c := make(map[string]int)
	for _, m := range msgs {
		switch m.Type {
		case unix.RTM_NEWROUTE, unix.RTM_DELROUTE:
			c[fmt.Sprintf("route/%d", m.Table)]++
		case unix.RTM_NEWLINK, unix.RTM_DELLINK:
			c["link"]++
		case ctNew, ctDelete:
			c[fmt.Sprintf("ct/%d", m.Zone)]++
		default:
			c[fmt.Sprintf("type %d", m.Type)]++
		}
	}
	return c
}
