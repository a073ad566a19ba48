package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"

	"golang.org/x/sys/unix"

	"github.com/nlring/netlink/internal/netns"
)

// Env is a network namespace set up for a scenario. Everything the
// benchmark creates lives in it and goes away with Close; no packet ever
// leaves it. A run uses two (see Setup).
type Env struct {
	Scenario Scenario
	NS       *netns.NS
	// LinkIndex is the ifindex of the veth device every route points at.
	LinkIndex int

	// writer installs and deletes routes for the workloads, outside any
	// client's measurement.
	writer *rawConn
	// installSet and eventSet are built on first use, once.
	installSet, eventSet *routeSet
}

// installRoutes is the route set of the install workloads.
func (e *Env) installRoutes() *routeSet {
	if e.installSet == nil {
		e.installSet = newRouteSet(installPrefixes(e.Scenario.Install), e.LinkIndex, installTable)
	}
	return e.installSet
}

// eventRoutes is the route set the event workload's installer adds.
func (e *Env) eventRoutes() *routeSet {
	if e.eventSet == nil {
		e.eventSet = newRouteSet(installPrefixes(e.Scenario.Events), e.LinkIndex, installTable)
	}
	return e.eventSet
}

const (
	vethName = "nlb0"
	vethPeer = "nlb1"
)

// Setup is the two namespaces of a run.
//
// Tables holds the scenario's tables (routes, links, neighbours,
// conntrack entries): dumps and round trips run there. Writes holds only
// lo and the veth device: route installs and the event burst run there,
// because on this kernel an IPv4 route insert costs time in proportion to
// the number of links in the namespace (measured: ~8 µs with none, ~190 µs
// with 2,000), which would bury every client's own cost under the
// kernel's.
type Setup struct {
	Tables, Writes *Env
}

// setupSteps is how many steps NewSetup reports.
const setupSteps = 4

// NewSetup creates both namespaces and loads s. step, if not nil, is told
// what is being loaded. It needs root.
func NewSetup(s Scenario, step func(string)) (*Setup, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if os.Geteuid() != 0 {
		return nil, errors.New("bench: needs root to create a network namespace (run with sudo)")
	}
	if step == nil {
		step = func(string) {}
	}
	tables, err := newEnv(s, step, true)
	if err != nil {
		return nil, err
	}
	writes, err := newEnv(s, step, false)
	if err != nil {
		tables.Close()
		return nil, err
	}
	return &Setup{Tables: tables, Writes: writes}, nil
}

// For returns the namespace workload w runs in.
func (s *Setup) For(w Workload) *Env {
	if w.Writes {
		return s.Writes
	}
	return s.Tables
}

// Close deletes both namespaces.
func (s *Setup) Close() error { return errors.Join(s.Tables.Close(), s.Writes.Close()) }

// newEnv creates a namespace with the veth device, and loads the scenario's
// tables into it if withTables.
func newEnv(s Scenario, step func(string), withTables bool) (*Env, error) {
	ns, err := netns.New("nlbench")
	if err != nil {
		return nil, err
	}
	e := &Env{Scenario: s, NS: ns}
	if err := e.load(step, withTables); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

func (e *Env) load(step func(string), withTables bool) error {
	step("namespace " + e.NS.Name())
	if err := e.NS.IP("link", "add", vethName, "type", "veth", "peer", "name", vethPeer); err != nil {
		return err
	}
	for _, dev := range []string{vethName, vethPeer} {
		if err := e.NS.IP("link", "set", dev, "up"); err != nil {
			return err
		}
	}
	idx, err := e.linkIndex(vethName)
	if err != nil {
		return err
	}
	e.LinkIndex = idx
	if e.writer, err = dialRaw(e.NS.FD(), unix.NETLINK_ROUTE, 0); err != nil {
		return err
	}
	if !withTables {
		return nil
	}
	step(fmt.Sprintf("%d links, %d+%d routes, %d neighbours", e.Scenario.Links,
		e.Scenario.Routes4, e.Scenario.Routes6, e.Scenario.Neighbours))
	if err := e.NS.Batch(batchScript(e.Scenario)); err != nil {
		return err
	}
	step(fmt.Sprintf("%d conntrack entries", e.Scenario.Conntrack))
	return createConntrack(e.NS.FD(), e.Scenario.Conntrack)
}

// linkIndex asks iproute2 for a device's index.
func (e *Env) linkIndex(name string) (int, error) {
	out, err := exec.Command("ip", "-n", e.NS.Name(), "-j", "link", "show", "dev", name).Output()
	if err != nil {
		return 0, fmt.Errorf("ip link show %s: %w", name, err)
	}
	var links []struct {
		Index int `json:"ifindex"`
	}
	if err := json.Unmarshal(out, &links); err != nil || len(links) != 1 {
		return 0, fmt.Errorf("ip link show %s: unexpected output %q", name, out)
	}
	return links[0].Index, nil
}

// deleteRoutes removes a route set with the batched raw writer: the fastest
// way, and the reset between rounds.
func (e *Env) deleteRoutes(s *routeSet) error {
	_, err := e.writer.writeBatched(unix.RTM_DELROUTE, delFlags, s.Bodies, s.batchBuffer())
	return err
}

// flushInstallTable removes whatever a failed round left in the install
// table, so the next round starts equal.
func (e *Env) flushInstallTable() error {
	return e.NS.IP("route", "flush", "table", fmt.Sprint(installTable))
}

// Close deletes the namespace and everything in it.
func (e *Env) Close() error {
	if e.writer != nil {
		e.writer.Close()
	}
	return e.NS.Close()
}
