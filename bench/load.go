package bench

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"

	"github.com/mdlayher/netlink"
	"github.com/ti-mo/conntrack"
)

// batchScript streams the `ip -batch` commands that load s: host routes
// through the veth device, permanent neighbours, ifb links. Streaming keeps
// a million-route script out of memory.
func batchScript(s Scenario) io.Reader {
	r, w := io.Pipe()
	go func() {
		bw := bufio.NewWriterSize(w, 64<<10)
		for i := range s.Routes4 {
			fmt.Fprintf(bw, "route add %s/32 dev %s\n", nthHost4(scenarioBase4, i), vethName)
		}
		for i := range s.Routes6 {
			fmt.Fprintf(bw, "route add %s/128 dev %s\n", nthHost6(scenarioBase6, i), vethName)
		}
		for i := range s.Neighbours {
			fmt.Fprintf(bw, "neigh add %s lladdr 02:00:00:00:%02x:%02x dev %s nud permanent\n",
				nthHost4(neighBase4, i), byte(i>>8), byte(i), vethName)
		}
		// Links last: every link makes each IPv4 route insert slower (see
		// Setup), and 2,000 of them turn seconds of loading into minutes.
		for i := range s.Links {
			fmt.Fprintf(bw, "link add nlbifb%d type ifb\n", i)
		}
		w.CloseWithError(bw.Flush())
	}()
	return r
}

// createConntrack creates n UDP entries with ctnetlink requests in the
// namespace: entries without traffic, which live for an hour.
func createConntrack(nsFD, n int) error {
	if n == 0 {
		return nil
	}
	c, err := conntrack.Dial(&netlink.Config{NetNS: nsFD})
	if err != nil {
		return fmt.Errorf("conntrack: %w", err)
	}
	defer c.Close()
	src := netip.MustParseAddr("100.64.0.0")
	dst := netip.MustParseAddr("100.127.255.254")
	for i := range n {
		f := conntrack.NewFlow(17, 0, nthHost4(src, i), dst, uint16(1024+i%60000), 53, 3600, 0)
		if err := c.Create(f); err != nil {
			return fmt.Errorf("creating conntrack entry %d: %w", i, err)
		}
	}
	return nil
}
