package ebpf_test

import (
	"errors"
	"testing"

	"github.com/nlring/netlink/filter/ebpf"
	"github.com/nlring/netlink/internal/testutil"
	"github.com/nlring/netlink/internal/testutil/conntest"
	"golang.org/x/sys/unix"
)

// TestConnRouteTables attaches a filter to nlring's Conn: table 100's
// events arrive, then after Tables().Set(1000) table 1000's, with the
// counters matching; a request and a dump on the same Conn still work.
func TestConnRouteTables(t *testing.T) {
	const perTable = 5
	ns := testutil.VethNS(t)
	c := conntest.Dial(t, ns)
	f, err := ebpf.New(ebpf.Spec{
		PortID: c.PID(),
		Types:  map[uint16]ebpf.Match{unix.RTM_NEWROUTE: ebpf.MatchTable},
		Tables: []uint32{100},
	})
	if errors.Is(err, ebpf.ErrPermission) {
		t.Skipf("skipped: loading eBPF needs root or CAP_BPF: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Attach(c); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		tables []uint32
		want   map[string]int
		counts ebpf.Counters
	}{
		// Each round adds perTable routes in 3 tables; ConnSync's reply
		// and ACK are exempt.
		{[]uint32{100}, map[string]int{"route/100": perTable}, ebpf.Counters{Matched: perTable, Dropped: 2 * perTable, Exempt: 2}},
		{[]uint32{1000}, map[string]int{"route/1000": perTable}, ebpf.Counters{Matched: 2 * perTable, Dropped: 4 * perTable, Exempt: 4}},
		{[]uint32{100, 200}, map[string]int{"route/100": perTable, "route/200": perTable}, ebpf.Counters{Matched: 4 * perTable, Dropped: 5 * perTable, Exempt: 6}},
	}
	for i, tt := range tests {
		if err := f.Tables().Set(tt.tables...); err != nil {
			t.Fatal(err)
		}
		for _, table := range []int{100, 200, 1000} {
			testutil.AddRoutes(t, ns, table, i*perTable, perTable)
		}
		got := testutil.Count(conntest.Sync(t, c))
		if diff := testutil.Diff(tt.want, got); diff != "" {
			t.Errorf("tables %v: events received (-want +got):\n%s", tt.tables, diff)
		}
		counts, err := f.Counters()
		if err != nil {
			t.Fatal(err)
		}
		if diff := testutil.Diff(tt.counts, counts); diff != "" {
			t.Errorf("tables %v: counters (-want +got):\n%s", tt.tables, diff)
		}
	}
	if n := conntest.DumpRoutes(t, c); n < 9*perTable {
		t.Errorf("dump returned %d routes, want at least %d", n, 9*perTable)
	}
}
