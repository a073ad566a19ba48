package bench

import (
	"errors"
	"fmt"
	"slices"
)

// Options configure a benchmark run.
type Options struct {
	Scenario Scenario
	// Workloads and Clients name what to run; empty means all. The floor
	// and reference clients always run, as the ratios need them.
	Workloads, Clients []string
	// Rounds is how many measured runs each client makes per workload.
	Rounds int
	// Warmup runs each client once per workload before measuring.
	Warmup bool
	// Progress, if not nil, follows the run.
	Progress Progress
}

// Progress follows a run: Start once with the number of steps, then Step
// after each.
type Progress interface {
	Start(total int)
	Step(desc string)
}

type noProgress struct{}

func (noProgress) Start(int)   {}
func (noProgress) Step(string) {}

// setupSteps is how many steps NewEnv reports.
const setupSteps = 3

// Run builds the scenario's namespace, runs the workloads and deletes the
// namespace. Clients run interleaved: in each round every client runs once,
// starting one further along the list each round, so drift in the machine's
// speed spreads over all of them instead of biasing one.
func Run(o Options) (*Report, error) {
	if o.Rounds < 1 {
		return nil, errors.New("bench: rounds must be at least 1")
	}
	if o.Progress == nil {
		o.Progress = noProgress{}
	}
	wls, err := selectWorkloads(o.Workloads)
	if err != nil {
		return nil, err
	}
	specs, err := selectClients(o.Clients)
	if err != nil {
		return nil, err
	}
	warm := 0
	if o.Warmup {
		warm = 1
	}
	o.Progress.Start(setupSteps + len(wls)*len(specs)*(o.Rounds+warm))

	env, err := NewEnv(o.Scenario, o.Progress.Step)
	if err != nil {
		return nil, err
	}
	defer env.Close()

	clients := make([]Client, len(specs))
	defer func() {
		for _, c := range clients {
			if c != nil {
				c.Close()
			}
		}
	}()
	for i, s := range specs {
		if clients[i], err = s.New(env); err != nil {
			return nil, fmt.Errorf("opening client %s: %w", s.Name, err)
		}
	}

	rep := newReport(o)
	for _, w := range wls {
		var idx []int // clients that support w
		for i, c := range clients {
			if w.Supports(c) {
				idx = append(idx, i)
			} else {
				rep.Unsupported = append(rep.Unsupported, Pair{w.Name, specs[i].Name})
				o.Progress.Step(fmt.Sprintf("%s: %s n/a", w.Name, specs[i].Name))
				for range o.Rounds + warm - 1 {
					o.Progress.Step("")
				}
			}
		}
		failed := map[int]error{}
		for round := -warm; round < o.Rounds; round++ {
			for k := range idx {
				i := idx[(k+max(round, 0))%len(idx)]
				name := specs[i].Name
				o.Progress.Step(fmt.Sprintf("%s: %s", w.Name, name))
				if failed[i] != nil {
					continue
				}
				s, err := w.Run(env, clients[i])
				if err != nil {
					failed[i] = err
					rep.fail(w, name, err)
					continue
				}
				if round >= 0 {
					rep.add(w, name, round, s)
				}
			}
		}
	}
	rep.summarize()
	return rep, nil
}

func selectWorkloads(names []string) ([]Workload, error) {
	if len(names) == 0 {
		return Workloads(), nil
	}
	var ws []Workload
	for _, n := range names {
		w, ok := LookupWorkload(n)
		if !ok {
			return nil, unknownWorkload(n)
		}
		if !slices.ContainsFunc(ws, func(x Workload) bool { return x.Name == n }) {
			ws = append(ws, w)
		}
	}
	return ws, nil
}

// selectClients resolves names into specs in report order (see
// ClientSpec.Rank), adding the floor and the reference.
func selectClients(names []string) ([]ClientSpec, error) {
	if len(names) == 0 {
		return Clients(), nil
	}
	for _, n := range names {
		if _, ok := LookupClient(n); !ok {
			return nil, unknownClient(n)
		}
	}
	want := append([]string{FloorClient, ReferenceClient}, names...)
	var specs []ClientSpec
	for _, s := range registry {
		if slices.Contains(want, s.Name) {
			specs = append(specs, s)
		}
	}
	return specs, nil
}
