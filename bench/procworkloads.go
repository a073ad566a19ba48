package bench

import (
	"fmt"
)

// ChildSizes size the process-per-run workloads. A zero field follows the
// scenario: Churn is 2/5 of its RoundTrips (2,000 in the default scenario),
// Conns is 200, ConnExecs a tenth of its RoundTrips (500).
type ChildSizes struct {
	// Churn is the number of Dial/Execute/Close cycles of dial-churn.
	Churn int
	// Conns is the number of Conns open at once in conns, each on its own
	// goroutine; ConnExecs how many Executes each does.
	Conns, ConnExecs int
}

// childSizes is set by Run from Options.Sizes.
var childSizes ChildSizes

func (s ChildSizes) resolve(sc Scenario) ChildSizes {
	if s.Churn <= 0 {
		s.Churn = max(1, sc.RoundTrips*2/5)
	}
	if s.Conns <= 0 {
		s.Conns = 200
	}
	if s.ConnExecs <= 0 {
		s.ConnExecs = max(1, sc.RoundTrips/10)
	}
	return s
}

// The process-per-run workloads (see child.go).
var (
	dialChurnWorkload = Workload{
		Name: "dial-churn", Bench: "DialChurn", Metric: WallTime,
		Doc:      "Dial, one Execute (RTM_GETLINK for lo), Close, over and over; a fresh process per run",
		Supports: implements[DialChurner],
		RunExtra: func(env *Env, c Client) (Sample, Extra, error) {
			n := childSizes.resolve(env.Scenario).Churn
			s, x, err := c.(DialChurner).DialChurn(n)
			if err == nil && s.Msgs != n {
				err = fmt.Errorf("%d of %d cycles done", s.Msgs, n)
			}
			return s, x, err
		},
	}
	connsWorkload = Workload{
		Name: "conns", Bench: "Conns", Metric: WallTime, Optional: true,
		Doc:      "Conns open at once, one per goroutine, each doing Executes (RTM_GETLINK for lo); a fresh process per run; only when named",
		Supports: implements[ConnsRunner],
		RunExtra: func(env *Env, c Client) (Sample, Extra, error) {
			sz := childSizes.resolve(env.Scenario)
			s, x, err := c.(ConnsRunner).Conns(sz.Conns, sz.ConnExecs)
			if err == nil && s.Msgs != sz.Conns*sz.ConnExecs {
				err = fmt.Errorf("%d of %d Executes done", s.Msgs, sz.Conns*sz.ConnExecs)
			}
			return s, x, err
		},
	}
)

// withProc is a message-API client with the process-per-run workloads.
type withProc[M any] struct {
	*msgClient[M]
	procConnsClient
}

// addProc gives c, a message-API client, the process-per-run workloads of
// client name.
func addProc[M any](c Client, err error, name string, env *Env) (Client, error) {
	if err != nil {
		return nil, err
	}
	return &withProc[M]{c.(*msgClient[M]), procConnsClient{newProcClient(name, env)}}, nil
}
