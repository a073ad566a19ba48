//go:build linux

package syscall

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/testutil"
)

// TestDumpFitsBuffers checks that dump datagrams, sized by the kernel for
// the default 1 MiB buffer, fit the 32 KiB receive buffers: none may spill,
// and the socket keeps no buffer out once they are released.
func TestDumpFitsBuffers(t *testing.T) {
	s, ns := openRoute(t, backend.Config{})
	testutil.AddVethRoutes(t, ns, 3000)

	if err := s.Send(testutil.Request(unix.RTM_GETROUTE, unix.NLM_F_REQUEST|unix.NLM_F_DUMP, 1, testutil.RouteDumpBody(unix.AF_INET))); err != nil {
		t.Fatalf("Send: %v", err)
	}
	spilledBefore := spilled.Load()
	for done := false; !done; {
		_, b := recvOne(t, s)
		for _, m := range testutil.MustParse(t, b) {
			done = done || m.Type == unix.NLMSG_DONE
		}
	}
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
	ns := testutil.NS(t)
	s := openIn(t, ns, backend.Config{Family: unix.NETLINK_USERSOCK})
	p := testutil.OpenUserSock(t, ns)

	want := bytes.Repeat([]byte("0123456789abcdef"), 200<<10/16)
	p.Send(t, s.PID(), 0, want)
	d, got := recvOne(t, s)
	if d.Sender != p.PID || d.Groups != 0 {
		t.Errorf("Sender, Groups = %d, %d; want %d, 0", d.Sender, d.Groups, p.PID)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("received %d bytes, not the %d sent", len(got), len(want))
	}
}

// TestStaleRelease checks that releasing a datagram whose buffer went on
// to hold another does not free that one: a Ref names one loan of a
// buffer, not the buffer.
func TestStaleRelease(t *testing.T) {
	ns := testutil.NS(t)
	s := openIn(t, ns, backend.Config{Family: unix.NETLINK_USERSOCK})
	p := testutil.OpenUserSock(t, ns)
	p.Send(t, s.PID(), 0, []byte("one"))
	p.Send(t, s.PID(), 0, []byte("two"))

	d1, err := s.Recv()
	if err != nil {
		t.Fatal(err)
	}
	s.Release(d1)
	d2, err := s.Recv() // reuses d1's buffer under a new Ref
	if err != nil {
		t.Fatal(err)
	}
	s.Release(d1)
	if got, _ := s.pool.held(); got != 1 || string(d2.Data) != "two" {
		t.Errorf("after a stale Release: %d buffers out, d2 reads %q; want 1, %q", got, d2.Data, "two")
	}
	s.Release(d2)
}
