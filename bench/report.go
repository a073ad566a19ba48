package bench

import (
	"fmt"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// A Report is the outcome of a run: one Row per workload and client.
type Report struct {
	Scenario  Scenario  `json:"scenario"`
	Rounds    int       `json:"rounds"`
	Started   time.Time `json:"started"`
	Kernel    string    `json:"kernel"`
	GoVersion string    `json:"goVersion"`
	CPUs      int       `json:"cpus"`
	// LoadStart and LoadEnd are the 1-minute load averages when the run
	// started and ended: well above CPUs, other work shared the machine
	// and absolute times say little (ratios still compare).
	LoadStart float64 `json:"loadStart"`
	LoadEnd   float64 `json:"loadEnd"`
	Rows      []Row   `json:"rows"`
	// Unsupported lists the requested pairs a client has no API for.
	Unsupported []Pair `json:"unsupported,omitempty"`
	// Noise is, per workload, the floor's spread (IQR/median of its
	// rounds): ratios closer to each other than this are not a difference.
	Noise map[string]float64 `json:"noise"`

	samples map[Pair][]*Sample
	errs    map[Pair]error
	order   []Pair
	metric  map[string]Metric
	same    map[string]bool
}

// Pair names a workload and a client.
type Pair struct {
	Workload string `json:"workload"`
	Client   string `json:"client"`
}

// Row summarizes the rounds of one client on one workload. Pointer fields
// are null where the figure does not apply or was not measured.
type Row struct {
	Workload string `json:"workload"`
	Client   string `json:"client"`
	// Metric says what MedianNs measures: wall time, or receiver CPU time.
	Metric Metric `json:"metric"`
	Rounds int    `json:"rounds"`
	// MedianNs is the median time of the rounds, in nanoseconds.
	MedianNs float64 `json:"medianNs"`
	// Msgs is the median message (or request) count of a round.
	Msgs float64 `json:"msgs"`
	// MsgsPerSec is Msgs over MedianNs.
	MsgsPerSec float64 `json:"msgsPerSec"`
	// XFloor and XReference are medians of per-round ratios of this
	// client's time to the floor's and to mdlayher's in the same round; for
	// CPU-time workloads, of CPU time per event received.
	XFloor     float64  `json:"xFloor"`
	XReference *float64 `json:"xMdlayher"`
	// AllocsPerMsg is heap allocations per message (null for clients in
	// another process).
	AllocsPerMsg *float64 `json:"allocsPerMsg"`
	// PeakMemBytes is the median peak memory of a round; MemKind says which:
	// "heap" (Go heap growth over the run, sampled) or "rss" (peak resident
	// set of another process).
	PeakMemBytes float64 `json:"peakMemBytes"`
	MemKind      string  `json:"memKind"`
	// Syscalls is the median system call count of a round, for clients
	// that count their own.
	Syscalls *float64 `json:"syscalls"`
	// EventsLost is the median number of events a round missed.
	EventsLost *float64 `json:"eventsLost"`
	// Spread is IQR/median of this client's rounds.
	Spread float64 `json:"spread"`
	Error  string  `json:"error,omitempty"`
}

func newReport(o Options) *Report {
	return &Report{
		Scenario:  o.Scenario,
		Rounds:    o.Rounds,
		Started:   time.Now().UTC(),
		Kernel:    kernelRelease(),
		GoVersion: runtime.Version(),
		CPUs:      runtime.NumCPU(),
		LoadStart: loadAverage(),
		Noise:     map[string]float64{},
		samples:   map[Pair][]*Sample{},
		errs:      map[Pair]error{},
		metric:    map[string]Metric{},
		same:      map[string]bool{},
	}
}

func (r *Report) pair(w Workload, client string) Pair {
	p := Pair{w.Name, client}
	if _, ok := r.samples[p]; !ok {
		r.samples[p] = make([]*Sample, r.Rounds)
		r.order = append(r.order, p)
		r.metric[w.Name] = w.Metric
		r.same[w.Name] = w.SameMsgs
	}
	return p
}

func (r *Report) add(w Workload, client string, round int, s Sample) {
	r.samples[r.pair(w, client)][round] = &s
}

func (r *Report) fail(w Workload, client string, err error) {
	r.errs[r.pair(w, client)] = err
}

// summarize turns the samples into rows.
func (r *Report) summarize() {
	r.LoadEnd = loadAverage()
	r.Rows = r.Rows[:0]
	for _, p := range r.order {
		row := r.row(p)
		if p.Client == FloorClient && row.Rounds > 0 {
			r.Noise[p.Workload] = row.Spread
		}
		r.Rows = append(r.Rows, row)
	}
}

func (r *Report) row(p Pair) Row {
	row := Row{Workload: p.Workload, Client: p.Client, Metric: r.metric[p.Workload]}
	if err := r.errs[p]; err != nil {
		row.Error = err.Error()
	}
	floor := r.samples[Pair{p.Workload, FloorClient}]
	ref := r.samples[Pair{p.Workload, ReferenceClient}]
	var times, msgs, xf, xr, allocs, mem, sys, lost []float64
	external := false
	for i, s := range r.samples[p] {
		if s == nil {
			continue
		}
		times = append(times, float64(s.Time))
		msgs = append(msgs, float64(s.Msgs))
		cost := costFunc(r.metric[p.Workload])
		if f := floor[i]; f != nil && cost(f) > 0 {
			xf = append(xf, cost(s)/cost(f))
		}
		if m := ref[i]; m != nil && cost(m) > 0 {
			xr = append(xr, cost(s)/cost(m))
		}
		external = s.External
		if s.External {
			mem = append(mem, float64(s.RSSPeak))
		} else {
			mem = append(mem, float64(s.HeapPeak))
			if s.Msgs > 0 {
				allocs = append(allocs, float64(s.Mallocs)/float64(s.Msgs))
			}
		}
		if s.Syscalls > 0 {
			sys = append(sys, float64(s.Syscalls))
		}
		if s.Want > 0 {
			lost = append(lost, float64(s.Want-s.Msgs))
		}
	}
	row.Rounds = len(times)
	if row.Rounds == 0 {
		return row
	}
	row.MedianNs = median(times)
	row.Msgs = median(msgs)
	if row.MedianNs > 0 {
		row.MsgsPerSec = row.Msgs / (row.MedianNs / 1e9)
	}
	row.XFloor = median(xf)
	row.XReference = medianOrNil(xr)
	row.AllocsPerMsg = medianOrNil(allocs)
	row.PeakMemBytes = median(mem)
	row.MemKind = "heap"
	if external {
		row.MemKind = "rss"
	}
	row.Syscalls = medianOrNil(sys)
	row.EventsLost = medianOrNil(lost)
	row.Spread = spread(times)
	if r.same[p.Workload] && row.Error == "" {
		row.Error = checkSameMsgs(msgs, floor)
	}
	return row
}

// costFunc returns what ratios compare for a metric: the time of a run, or
// for CPU time the CPU per event received. A client that loses most events
// spends little CPU in total; per event it does not.
func costFunc(m Metric) func(*Sample) float64 {
	if m == CPUTime {
		return func(s *Sample) float64 {
			if s.Msgs == 0 {
				return 0
			}
			return float64(s.Time) / float64(s.Msgs)
		}
	}
	return func(s *Sample) float64 { return float64(s.Time) }
}

func medianOrNil(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	m := median(xs)
	return &m
}

func kernelRelease() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return ""
	}
	return strings.TrimRight(string(u.Release[:]), "\x00")
}

// checkSameMsgs reports a client whose dumps held a different number of
// messages than the floor's: it missed messages or counted extra ones, and
// its time is not comparable.
func checkSameMsgs(msgs []float64, floor []*Sample) string {
	var want []float64
	for _, f := range floor {
		if f != nil {
			want = append(want, float64(f.Msgs))
		}
	}
	if len(want) == 0 {
		return ""
	}
	if got, w := median(msgs), median(want); got != w {
		return fmt.Sprintf("got %.0f messages per dump, the floor %.0f", got, w)
	}
	return ""
}

// loadAverage is the 1-minute load average, 0 if unknown.
func loadAverage() float64 {
	var info unix.Sysinfo_t
	if err := unix.Sysinfo(&info); err != nil {
		return 0
	}
	return float64(info.Loads[0]) / (1 << unix.SI_LOAD_SHIFT)
}
