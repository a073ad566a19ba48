package bench

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"
)

// Extras collects, per workload, client and round, the Extra figures of
// the process-per-run workloads. A nil *Extras discards them.
type Extras struct {
	order []Pair
	x     map[Pair][]*timedExtra
}

type timedExtra struct {
	Extra
	time time.Duration
}

// NewExtras returns an empty collection, for Options.Extras.
func NewExtras() *Extras { return &Extras{x: map[Pair][]*timedExtra{}} }

// add records round's figures and its time, the Sample's.
func (e *Extras) add(p Pair, round, rounds int, t time.Duration, x Extra) {
	if e == nil {
		return
	}
	if _, ok := e.x[p]; !ok {
		e.x[p] = make([]*timedExtra, rounds)
		e.order = append(e.order, p)
	}
	e.x[p][round] = &timedExtra{x, t}
}

// ExtraRow summarizes the rounds of one client on one process-per-run
// workload.
type ExtraRow struct {
	Workload string `json:"workload"`
	Client   string `json:"client"`
	Rounds   int    `json:"rounds"`
	// Threads is the median over rounds of the peak OS thread count of the
	// client's process; ThreadsMin and ThreadsMax are the extremes.
	Threads    float64 `json:"threads"`
	ThreadsMin int     `json:"threadsMin"`
	ThreadsMax int     `json:"threadsMax"`
	// ThreadsStart is the median count before the client started.
	ThreadsStart float64 `json:"threadsStart"`
	// OverMdlayher is the median over rounds of Threads minus mdlayher's
	// in the same round.
	OverMdlayher *float64 `json:"threadsOverMdlayher"`
	// TimeXMdlayher is the median over rounds of the ratio of the round's
	// time to mdlayher's in the same round (the main table's ×mdlayher);
	// TimeXMin and TimeXMax are its extremes: the spread.
	TimeXMdlayher *float64 `json:"timeXMdlayher"`
	TimeXMin      float64  `json:"timeXMin"`
	TimeXMax      float64  `json:"timeXMax"`
	// RSSPeak is the median peak resident set of the process, in bytes.
	RSSPeak float64 `json:"rssPeak"`
	// Backend is what nlring's Conn.Backend said, for nlring clients.
	Backend string `json:"backend,omitempty"`
}

// Rows summarizes the collection in the order figures arrived.
func (e *Extras) Rows() []ExtraRow {
	if e == nil {
		return nil
	}
	var rows []ExtraRow
	for _, p := range e.order {
		ref := e.x[Pair{p.Workload, ReferenceClient}]
		row := ExtraRow{Workload: p.Workload, Client: p.Client}
		var threads, start, rss, over, tx []float64
		for i, x := range e.x[p] {
			if x == nil {
				continue
			}
			if row.Rounds == 0 || x.Threads < row.ThreadsMin {
				row.ThreadsMin = x.Threads
			}
			row.ThreadsMax = max(row.ThreadsMax, x.Threads)
			row.Rounds++
			threads = append(threads, float64(x.Threads))
			start = append(start, float64(x.ThreadsStart))
			rss = append(rss, float64(x.RSSPeak))
			if i < len(ref) && ref[i] != nil {
				over = append(over, float64(x.Threads-ref[i].Threads))
				if ref[i].time > 0 {
					tx = append(tx, float64(x.time)/float64(ref[i].time))
				}
			}
			if row.Backend == "" {
				row.Backend = x.Backend
			}
		}
		if row.Rounds == 0 {
			continue
		}
		row.Threads = median(threads)
		row.ThreadsStart = median(start)
		row.RSSPeak = median(rss)
		row.OverMdlayher = medianOrNil(over)
		row.TimeXMdlayher = medianOrNil(tx)
		if len(tx) > 0 {
			row.TimeXMin, row.TimeXMax = slices.Min(tx), slices.Max(tx)
		}
		rows = append(rows, row)
	}
	// Report order: by workload as they came, clients in registry order.
	rank := map[string]int{}
	for i, s := range registry {
		rank[s.Name] = i
	}
	wl := map[string]int{}
	for _, p := range e.order {
		if _, ok := wl[p.Workload]; !ok {
			wl[p.Workload] = len(wl)
		}
	}
	slices.SortStableFunc(rows, func(a, b ExtraRow) int {
		if d := wl[a.Workload] - wl[b.Workload]; d != 0 {
			return d
		}
		return rank[a.Client] - rank[b.Client]
	})
	return rows
}

// WriteTable prints the rows as a table; nothing if there are none.
func (e *Extras) WriteTable(w io.Writer) error {
	rows := e.Rows()
	if len(rows) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\tclient\t×mdlayher\t(min–max)\tpeak threads\t(min–max)\t−mdlayher\tat start\tpeak RSS\tbackend\t")
	prev := ""
	for _, r := range rows {
		wl := r.Workload
		if wl == prev {
			wl = ""
		}
		prev = r.Workload
		over := ""
		if r.OverMdlayher != nil {
			over = fmt.Sprintf("%+.0f", *r.OverMdlayher)
		}
		tx, txRange := "", ""
		if r.TimeXMdlayher != nil {
			tx, txRange = fmt.Sprintf("%.2f", *r.TimeXMdlayher), fmt.Sprintf("%.2f–%.2f", r.TimeXMin, r.TimeXMax)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.0f\t%d–%d\t%s\t%.0f\t%s\t%s\t\n", wl, r.Client, tx, txRange, r.Threads,
			r.ThreadsMin, r.ThreadsMax, over, r.ThreadsStart, fmtBytes(r.RSSPeak), r.Backend)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "×mdlayher: median and extremes of the per-round time ratio to mdlayher; threads: OS threads of the client's own process")
	fmt.Fprintln(w, "(a fresh one per run), peak over the run sampled every 1 ms; −mdlayher: median per-round difference; peak RSS: VmHWM")
	return nil
}
