//go:build linux

package conntest

import (
	"testing"
	"time"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

// Dial opens a Conn in ns subscribed to testutil.EventGroups, with an
// 8 MiB receive buffer; it is closed when t ends.
func Dial(t testing.TB, ns interface{ FD() int }) *netlink.Conn {
	t.Helper()
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.FD(), Groups: testutil.EventGroups})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SetReadBuffer(8 << 20); err != nil {
		t.Fatal(err)
	}
	return c
}

// Sync is testutil.Sync through a Conn: the events c received until
// now, with a request and its ACK as the synchronisation point.
func Sync(t testing.TB, c *netlink.Conn) []testutil.Received {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return testutil.Sync(t, requester{c})
}

// requester is a Conn as testutil.Sync drives it.
type requester struct{ *netlink.Conn }

func (c requester) Request(t testing.TB, typ, flags uint16, body []byte) uint32 {
	t.Helper()
	req, err := c.Send(netlink.Message{
		Header: netlink.Header{Type: netlink.HeaderType(typ), Flags: netlink.HeaderFlags(flags)},
		Data:   body,
	})
	if err != nil {
		t.Fatal(err)
	}
	return req.Header.Sequence
}

func (c requester) Read(t testing.TB) []testutil.Received {
	t.Helper()
	msgs, err := c.Receive()
	if err != nil {
		t.Fatalf("receiving (did the filter drop the reply or the ACK?): %v", err)
	}
	got := make([]testutil.Received, len(msgs))
	for i, m := range msgs {
		h := m.Header
		got[i] = testutil.NewReceived(uint16(h.Type), uint16(h.Flags), h.Sequence, h.PID, m.Data)
	}
	return got
}

// DumpRoutes dumps the IPv4 routes through c's Execute and returns how
// many there are.
func DumpRoutes(t testing.TB, c *netlink.Conn) int {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Execute(netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETROUTE, Flags: netlink.Request | netlink.Dump},
		Data:   testutil.RouteDumpBody(unix.AF_INET),
	})
	if err != nil {
		t.Fatalf("route dump (did the filter drop a part?): %v", err)
	}
	return len(msgs)
}
