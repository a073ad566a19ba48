package bench

import (
	"flag"
	"os"
	"sync"
	"testing"
	"time"
)

// The workloads as Go benchmarks, one sub-benchmark per client:
//
//	sudo go test -run '^$' -bench . ./bench/                  # small scenario
//	sudo go test -run '^$' -bench RouteDump ./bench/ -args -scenario default
//	NLBENCH_SCENARIO=my.json sudo -E go test -bench . ./bench/
//
// Each reports msgs/s, allocs/msg and x-floor: its mean time over the
// floor's median measured in the same process; route-events also lost/op. ns/op is the measured part
// of a run only (route deletes between rounds and GCs are not in it); for
// route-events it is replaced by cpu-ns/op, the receiver's CPU time.
var scenarioFlag = flag.String("scenario", "", "scenario for benchmarks: tiny, small (default), default or a JSON file; or set NLBENCH_SCENARIO")

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	shared.close()
	os.Exit(code)
}

// shared is the namespace and the open clients every benchmark uses: the
// scenario is built once per process.
var shared benchState

type benchState struct {
	mu      sync.Mutex
	setup   *Setup
	err     error
	clients map[clientKey]Client
	floor   map[string]float64
}

type clientKey struct {
	env  *Env
	name string
}

func (s *benchState) close() {
	for _, c := range s.clients {
		c.Close()
	}
	if s.setup != nil {
		s.setup.Close()
	}
}

func benchScenario() (Scenario, error) {
	name := *scenarioFlag
	if name == "" {
		name = os.Getenv("NLBENCH_SCENARIO")
	}
	if name == "" {
		return SmallScenario(), nil
	}
	return LoadScenario(name)
}

// benchEnv returns the namespace w runs in, building the scenario on first
// use.
func benchEnv(b *testing.B, w Workload) *Env {
	if os.Geteuid() != 0 {
		b.Skip("skipped: needs root to create a network namespace")
	}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.setup == nil && shared.err == nil {
		sc, err := benchScenario()
		if err == nil {
			shared.setup, err = NewSetup(sc, nil)
		}
		shared.err = err
		shared.clients = map[clientKey]Client{}
		shared.floor = map[string]float64{}
	}
	if shared.err != nil {
		b.Fatal(shared.err)
	}
	return shared.setup.For(w)
}

func benchClient(b *testing.B, env *Env, spec ClientSpec) Client {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	key := clientKey{env, spec.Name}
	if c, ok := shared.clients[key]; ok {
		return c
	}
	c, err := spec.New(env)
	if err != nil {
		b.Fatalf("opening %s: %v", spec.Name, err)
	}
	shared.clients[key] = c
	return c
}

// floorCost is the floor's median cost (see costFunc) on w over floorRounds
// runs, measured once per process.
func floorCost(b *testing.B, env *Env, w Workload) float64 {
	const floorRounds = 5
	floor, _ := LookupClient(FloorClient)
	c := benchClient(b, env, floor)
	shared.mu.Lock()
	cost, ok := shared.floor[w.Name]
	shared.mu.Unlock()
	if ok {
		return cost
	}
	var costs []float64
	for range floorRounds {
		s, err := w.Run(env, c)
		if err != nil {
			b.Fatalf("floor on %s: %v", w.Name, err)
		}
		costs = append(costs, costFunc(w.Metric)(&s))
	}
	cost = median(costs)
	shared.mu.Lock()
	shared.floor[w.Name] = cost
	shared.mu.Unlock()
	return cost
}

func benchWorkload(b *testing.B, name string) {
	w, ok := LookupWorkload(name)
	if !ok {
		b.Fatal(unknownWorkload(name))
	}
	env := benchEnv(b, w)
	for _, spec := range Clients() {
		b.Run("client="+spec.Name, func(b *testing.B) {
			c := benchClient(b, env, spec)
			if !w.Supports(c) {
				b.Skipf("%s has no API for %s", spec.Name, w.Name)
			}
			floor := floorCost(b, env, w)
			var sum Sample
			n := 0
			for b.Loop() {
				s, err := w.Run(env, c)
				if err != nil {
					b.Fatal(err)
				}
				sum.Time += s.Time
				sum.Wall += s.Wall
				sum.Msgs += s.Msgs
				sum.Mallocs += s.Mallocs
				sum.External = s.External
				sum.Want += s.Want
				n++
			}
			mean := sum.Time / time.Duration(n)
			if w.Metric == CPUTime {
				b.ReportMetric(float64(mean), "cpu-ns/op")
				b.ReportMetric(float64(sum.Wall)/float64(n), "ns/op")
			} else {
				b.ReportMetric(float64(mean), "ns/op")
			}
			if sum.Time > 0 {
				b.ReportMetric(float64(sum.Msgs)/sum.Time.Seconds(), "msgs/s")
			}
			if sum.Msgs > 0 && !sum.External {
				b.ReportMetric(float64(sum.Mallocs)/float64(sum.Msgs), "allocs/msg")
			}
			avg := Sample{Time: mean, Msgs: sum.Msgs / n}
			if floor > 0 {
				b.ReportMetric(costFunc(w.Metric)(&avg)/floor, "x-floor")
			}
			if sum.Want > 0 {
				b.ReportMetric(float64(sum.Want-sum.Msgs)/float64(n), "lost/op")
			}
		})
	}
}

func BenchmarkRouteDump(b *testing.B)     { benchWorkload(b, "route-dump") }
func BenchmarkLinkDump(b *testing.B)      { benchWorkload(b, "link-dump") }
func BenchmarkConntrackDump(b *testing.B) { benchWorkload(b, "conntrack-dump") }
func BenchmarkRouteAdd(b *testing.B)      { benchWorkload(b, "route-add") }
func BenchmarkRouteAddBatch(b *testing.B) { benchWorkload(b, "route-add-batch") }
func BenchmarkRouteEvents(b *testing.B)   { benchWorkload(b, "route-events") }
func BenchmarkGetLinkRTT(b *testing.B)    { benchWorkload(b, "getlink-rtt") }
func BenchmarkDialChurn(b *testing.B)     { benchWorkload(b, "dial-churn") }
func BenchmarkConns(b *testing.B)         { benchWorkload(b, "conns") }
