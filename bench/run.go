package bench

import (
	"context"
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
	// Sizes size the process-per-run workloads (dial-churn, conns); zero
	// fields follow the scenario.
	Sizes ChildSizes
	// Extras, if not nil, receives what those workloads measure beyond a
	// Sample: OS threads, peak RSS, the backend nlring chose.
	Extras *Extras
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

// Run builds the scenario's namespace, runs the workloads and deletes the
// namespace. Clients run interleaved: in each round every client runs once,
// starting one further along the list each round, so drift in the machine's
// speed spreads over all of them instead of biasing one.
//
// Cancelling ctx stops the run after the step in progress and still deletes
// the namespace.
func Run(ctx context.Context, o Options) (*Report, error) {
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
	steps := setupSteps + len(wls)*len(specs)*o.Rounds
	if o.Warmup {
		steps += len(wls) * len(specs)
	}
	o.Progress.Start(steps)
	childSizes = o.Sizes
	defer func() { childSizes = ChildSizes{} }()

	setup, err := NewSetup(o.Scenario, o.Progress.Step)
	if err != nil {
		return nil, err
	}
	defer setup.Close()
	// Clients are opened in each namespace when a workload first needs them.
	opened := map[*Env][]Client{}
	defer func() {
		for _, cs := range opened {
			closeClients(cs)
		}
	}()

	rep := newReport(o)
	for _, w := range wls {
		env := setup.For(w)
		if opened[env] == nil {
			if opened[env], err = openClients(env, specs); err != nil {
				return nil, err
			}
		}
		if err := runWorkload(ctx, o, env, w, specs, opened[env], rep); err != nil {
			return nil, err
		}
	}
	rep.summarize()
	return rep, nil
}

// runWorkload runs the rounds of one workload, interleaving the clients
// that support it. A client that fails is reported and left out of the
// remaining rounds; the others go on.
func runWorkload(ctx context.Context, o Options, env *Env, w Workload, specs []ClientSpec, clients []Client, rep *Report) error {
	warm := 0
	if o.Warmup {
		warm = 1
	}
	var idx []int // clients that support w
	for i, c := range clients {
		if w.Supports(c) {
			idx = append(idx, i)
			continue
		}
		rep.Unsupported = append(rep.Unsupported, Pair{w.Name, specs[i].Name})
		o.Progress.Step(fmt.Sprintf("%s: %s n/a", w.Name, specs[i].Name))
		for range o.Rounds + warm - 1 {
			o.Progress.Step("")
		}
	}
	failed := map[int]bool{}
	for round := -warm; round < o.Rounds; round++ {
		for k := range idx {
			i := idx[(k+max(round, 0))%len(idx)]
			name := specs[i].Name
			o.Progress.Step(fmt.Sprintf("%s: %s", w.Name, name))
			if err := ctx.Err(); err != nil {
				return err
			}
			if failed[i] {
				continue
			}
			s, x, err := w.run(env, clients[i])
			switch {
			case err != nil:
				failed[i] = true
				rep.fail(w, name, err)
			case round >= 0:
				rep.add(w, name, round, s)
				if w.RunExtra != nil {
					o.Extras.add(Pair{w.Name, name}, round, o.Rounds, s.Time, x)
				}
			}
		}
	}
	return nil
}

func openClients(env *Env, specs []ClientSpec) ([]Client, error) {
	clients := make([]Client, len(specs))
	for i, s := range specs {
		c, err := s.New(env)
		if err != nil {
			closeClients(clients[:i])
			return nil, fmt.Errorf("opening client %s: %w", s.Name, err)
		}
		clients[i] = c
	}
	return clients, nil
}

func closeClients(clients []Client) {
	for _, c := range clients {
		c.Close()
	}
}

func selectWorkloads(names []string) ([]Workload, error) {
	if len(names) == 0 {
		var ws []Workload
		for _, w := range workloads {
			if !w.Optional {
				ws = append(ws, w)
			}
		}
		return ws, nil
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
