package bench

import (
	"encoding/binary"
	"net/netip"
)

// Address plan. Scenario routes, installed routes and neighbours use
// disjoint ranges so a workload never trips over another's objects, and
// installed routes live in their own table so resetting them never touches
// the table the dumps walk.
const (
	// installTable holds the routes the install and event workloads add.
	installTable = 100

	maxScenarioRoutes = 1 << 22 // in 10.0.0.0/8 and 2001:db8::/32
	maxInstallRoutes  = 1 << 20 // in 172.16.0.0/12
	maxNeighbours     = 1 << 16 // in 192.168.0.0/16
)

var (
	scenarioBase4 = netip.MustParseAddr("10.0.0.0")
	installBase4  = netip.MustParseAddr("172.16.0.0")
	neighBase4    = netip.MustParseAddr("192.168.0.0")
	scenarioBase6 = netip.MustParseAddr("2001:db8::")
)

// nthHost4 returns base + n + 1: the n-th host address after base.
func nthHost4(base netip.Addr, n int) netip.Addr {
	b := base.As4()
	v := binary.BigEndian.Uint32(b[:]) + uint32(n) + 1
	binary.BigEndian.PutUint32(b[:], v)
	return netip.AddrFrom4(b)
}

// nthHost6 returns base + n + 1 in the low 64 bits.
func nthHost6(base netip.Addr, n int) netip.Addr {
	b := base.As16()
	v := binary.BigEndian.Uint64(b[8:]) + uint64(n) + 1
	binary.BigEndian.PutUint64(b[8:], v)
	return netip.AddrFrom16(b)
}

// installPrefixes returns the n host routes the install and event
// workloads add, as /32 prefixes.
func installPrefixes(n int) []netip.Prefix {
	p := make([]netip.Prefix, n)
	for i := range p {
		p[i] = netip.PrefixFrom(nthHost4(installBase4, i), 32)
	}
	return p
}
