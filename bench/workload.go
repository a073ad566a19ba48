package bench

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Metric says what a workload's Sample.Time measures.
type Metric string

const (
	WallTime Metric = "wall"
	// CPUTime is the receiving client's CPU time: for event workloads.
	CPUTime Metric = "cpu"
)

// A Workload is one job every client that supports it does on the same
// scenario.
type Workload struct {
	// Name is the CLI name; Bench is the name of its Go benchmark.
	Name, Bench string
	Doc         string
	Metric      Metric
	// SameMsgs says every client must see as many messages as the floor:
	// a dump of a table nothing changes.
	SameMsgs bool
	// Writes says the workload changes routes, and runs in Setup.Writes.
	Writes bool
	// Supports reports whether c implements the workload's interface.
	Supports func(c Client) bool
	// Run runs c once, measured, and restores the namespace afterwards.
	Run func(env *Env, c Client) (Sample, error)
	// RunExtra, for workloads that measure more than a Sample holds, is
	// Run with those figures (see withExtra).
	RunExtra func(env *Env, c Client) (Sample, Extra, error)
	// Optional workloads run only when asked for by name: they would make
	// the default run too long.
	Optional bool
}

// run runs c once, through Run or RunExtra.
func (w Workload) run(env *Env, c Client) (Sample, Extra, error) {
	if w.RunExtra != nil {
		return w.RunExtra(env, c)
	}
	s, err := w.Run(env, c)
	return s, Extra{}, err
}

// withExtra makes a workload whose Run is its RunExtra without the extra
// figures.
func withExtra(w Workload) Workload {
	run := w.RunExtra
	w.Run = func(env *Env, c Client) (Sample, error) {
		s, _, err := run(env, c)
		return s, err
	}
	return w
}

// Workloads lists every workload in the order reports show them.
func Workloads() []Workload { return slices.Clone(workloads) }

// LookupWorkload finds a workload by its CLI name.
func LookupWorkload(name string) (Workload, bool) {
	i := slices.IndexFunc(workloads, func(w Workload) bool { return w.Name == name })
	if i < 0 {
		return Workload{}, false
	}
	return workloads[i], true
}

func implements[T any](c Client) bool {
	_, ok := c.(T)
	return ok
}

var workloads = []Workload{
	{
		Name: "route-dump", SameMsgs: true, Bench: "RouteDump", Metric: WallTime,
		Doc:      "dump every IPv4 and IPv6 route of every table",
		Supports: implements[RouteDumper],
		Run: func(env *Env, c Client) (Sample, error) {
			return measure(c.(RouteDumper).DumpRoutes)
		},
	},
	{
		Name: "link-dump", SameMsgs: true, Bench: "LinkDump", Metric: WallTime,
		Doc:      "dump every link",
		Supports: implements[LinkDumper],
		Run: func(env *Env, c Client) (Sample, error) {
			return measure(c.(LinkDumper).DumpLinks)
		},
	},
	{
		Name: "conntrack-dump", SameMsgs: true, Bench: "ConntrackDump", Metric: WallTime,
		Doc:      "dump the conntrack table",
		Supports: implements[ConntrackDumper],
		Run: func(env *Env, c Client) (Sample, error) {
			return measure(c.(ConntrackDumper).DumpConntrack)
		},
	},
	{
		Name: "route-add", Writes: true, Bench: "RouteAdd", Metric: WallTime,
		Doc:      "add routes one request per round trip",
		Supports: implements[RouteAdder],
		Run: func(env *Env, c Client) (Sample, error) {
			return runInstall(env, c.(RouteAdder).AddRoutes)
		},
	},
	{
		Name: "route-add-batch", Writes: true, Bench: "RouteAddBatch", Metric: WallTime,
		Doc:      fmt.Sprintf("add routes in batches: %d requests per send, or the library's own batching", batchSize),
		Supports: implements[RouteBatchAdder],
		Run: func(env *Env, c Client) (Sample, error) {
			return runInstall(env, c.(RouteBatchAdder).AddRoutesBatch)
		},
	},
	{
		Name: "route-events", Writes: true, Bench: "RouteEvents", Metric: CPUTime,
		Doc:      "receive the events of a batched route install burst",
		Supports: implements[RouteEventSubscriber],
		Run: func(env *Env, c Client) (Sample, error) {
			return runEvents(env, c.(RouteEventSubscriber))
		},
	},
	{
		Name: "getlink-rtt", Bench: "GetLinkRTT", Metric: WallTime,
		Doc:      "RTM_GETLINK for lo, one round trip at a time",
		Supports: implements[LinkGetter],
		Run: func(env *Env, c Client) (Sample, error) {
			n := env.Scenario.RoundTrips
			s, err := measure(func() (Counts, error) { return c.(LinkGetter).GetLink(1, n) })
			if err == nil && s.Msgs != n {
				err = fmt.Errorf("%d replies to %d requests", s.Msgs, n)
			}
			return s, err
		},
	},
	withExtra(dialChurnWorkload),
	withExtra(connsWorkload),
}

// WorkloadNames lists the workloads' CLI names.
func WorkloadNames() []string {
	names := make([]string, len(workloads))
	for i, w := range workloads {
		names[i] = w.Name
	}
	return names
}

func unknownWorkload(name string) error {
	return fmt.Errorf("unknown workload %q (have %s)", name, strings.Join(WorkloadNames(), ", "))
}

// runInstall measures one install round, then deletes the routes so the
// next round starts from the same table. The delete doubles as a check: it
// fails if any route is missing.
func runInstall(env *Env, add func(RouteTarget, []netip.Prefix, [][]byte) (Counts, error)) (Sample, error) {
	set := env.installRoutes()
	t := RouteTarget{LinkIndex: set.LinkIdx, Table: set.Table}
	s, err := measure(func() (Counts, error) { return add(t, set.Prefixes, set.Bodies) })
	if err != nil {
		return s, errors.Join(err, env.flushInstallTable())
	}
	if s.Msgs != len(set.Prefixes) {
		return s, errors.Join(fmt.Errorf("%d of %d routes reported added", s.Msgs, len(set.Prefixes)), env.flushInstallTable())
	}
	if err := env.deleteRoutes(set); err != nil {
		return s, errors.Join(fmt.Errorf("deleting installed routes: %w", err), env.flushInstallTable())
	}
	return s, nil
}
