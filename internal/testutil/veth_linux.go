package testutil

import (
	"fmt"
	"net/netip"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlring/netlink/internal/netns"
)

// The one link layout of the tests: a veth pair, both ends up, and Link
// addressed LinkAddr. Routes go through Link; its peer exists so that Link
// has a carrier and for tests that need a second link.
const (
	Link     = "v0"
	Peer     = "v1"
	LinkAddr = "10.255.0.1/24"
)

// VethNS returns a fresh network namespace holding the veth pair, deleted
// when t ends. It skips t when not root.
func VethNS(t testing.TB) *netns.NS {
	t.Helper()
	ns := NS(t)
	AddVeth(t, ns)
	return ns
}

// AddVeth creates the veth pair Link and Peer in ns, both up, with LinkAddr
// on Link. It returns once both ends are operationally up: the kernel
// announces that in link events of its own, a moment after the links are
// set up, and a test that counts events must not see them arrive late.
func AddVeth(t testing.TB, ns *netns.NS) {
	t.Helper()
	batch := fmt.Sprintf("link add %[1]s type veth peer name %[2]s\nlink set %[1]s up\nlink set %[2]s up\naddr add %[3]s dev %[1]s\n",
		Link, Peer, LinkAddr)
	if err := ns.Batch(strings.NewReader(batch)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{Link, Peer} {
		waitOperUp(t, ns, name)
	}
}

// waitOperUp waits until the link name in ns is operationally up.
func waitOperUp(t testing.TB, ns *netns.NS, name string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, err := exec.Command("ip", "-n", ns.Name(), "-o", "link", "show", "dev", name).Output()
		if err != nil {
			t.Fatalf("ip link show %s: %v", name, err)
		}
		if strings.Contains(string(out), " state UP ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not operationally up after 5 s: %s", name, out)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// AddVethRoutes creates the veth pair in ns with n routes through Link in
// the main table: RouteDst(0) to RouteDst(n-1).
func AddVethRoutes(t testing.TB, ns *netns.NS, n int) {
	t.Helper()
	AddVeth(t, ns)
	AddRoutes(t, ns, 0, 0, n)
}

// AddRoutes adds n /32 routes through Link in table (0: the main table),
// to RouteDst(first) up to RouteDst(first+n-1), in one `ip -batch`. Link
// must exist. Tables are separate, so every table can hold the same
// destinations.
func AddRoutes(t testing.TB, ns *netns.NS, table, first, n int) {
	t.Helper()
	var b strings.Builder
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&b, "route add %s/32 dev %s", RouteDst(i), Link)
		if table != 0 {
			fmt.Fprintf(&b, " table %d", table)
		}
		b.WriteByte('\n')
	}
	if err := ns.Batch(strings.NewReader(b.String())); err != nil {
		t.Fatal(err)
	}
}

// RouteDst is the destination of the i-th test route: 10.1.0.0 onwards,
// 65,536 routes per second octet, clear of LinkAddr below i = 254<<16
// (16.6 million routes).
func RouteDst(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, byte(1 + i>>16), byte(i >> 8), byte(i)})
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
