//go:build linux

package scenario

import (
	"testing"
	"time"

	"github.com/nlring/netlink"
	"golang.org/x/sys/unix"
)

// Dial opens a Conn in ns subscribed to Groups, with an 8 MiB receive
// buffer; it is closed when t ends.
func Dial(t testing.TB, ns interface{ FD() int }) *netlink.Conn {
	t.Helper()
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.FD(), Groups: Groups})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SetReadBuffer(8 << 20); err != nil {
		t.Fatal(err)
	}
	return c
}

// ConnSync is Socket.Sync through a Conn: it returns the events received
// until now, with a request and its ACK as the synchronisation point.
func ConnSync(t testing.TB, c *netlink.Conn) []Msg {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	req, err := c.Send(netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request | netlink.Acknowledge},
		Data:   getLoopback(),
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []Msg
	var reply bool
	for {
		msgs, err := c.Receive()
		if err != nil {
			t.Fatalf("receiving (did the filter drop the reply or the ACK?): %v", err)
		}
		for _, m := range msgs {
			h := m.Header
			switch {
			case h.Sequence == req.Header.Sequence && h.PID == c.PID() && h.Type == unix.RTM_NEWLINK:
				reply = true
			case h.Sequence == req.Header.Sequence && h.Type == netlink.Error:
				if !reply {
					t.Fatal("ACK without the reply: the filter dropped the reply to a request")
				}
				return got
			default:
				msg := Msg{Type: uint16(h.Type), Flags: uint16(h.Flags), Seq: h.Sequence, PID: h.PID}
				msg.parseBody(m.Data)
				got = append(got, msg)
			}
		}
	}
}

// ConnDumpRoutes dumps the IPv4 routes through c and returns how many
// there are.
func ConnDumpRoutes(t testing.TB, c *netlink.Conn) int {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Execute(netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETROUTE, Flags: netlink.Request | netlink.Dump},
		Data:   []byte{unix.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	})
	if err != nil {
		t.Fatalf("route dump (did the filter drop a part?): %v", err)
	}
	return len(msgs)
}
