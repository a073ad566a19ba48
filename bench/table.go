package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteTable prints the report as an aligned text table, then the noise
// level and any errors.
func (r *Report) WriteTable(w io.Writer) error {
	sc := r.Scenario
	fmt.Fprintf(w, "scenario %s: %d IPv4 + %d IPv6 routes, %d links, %d neighbours, %d conntrack entries; "+
		"%d routes per install, %d events, %d round trips\n\n",
		sc.Name, sc.Routes4, sc.Routes6, sc.Links, sc.Neighbours, sc.Conntrack, sc.Install, sc.Events, sc.RoundTrips)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\tclient\tmedian\tmsgs/s\t×floor\t×mdlayher\tallocs/msg\tpeak mem\tsyscalls\tevents lost\t")
	prev := ""
	for _, row := range r.Rows {
		wl := row.Workload
		if wl == prev {
			wl = ""
		}
		prev = row.Workload
		if row.Rounds == 0 {
			fmt.Fprintf(tw, "%s\t%s\t%s\t\t\t\t\t\t\t\t\n", wl, row.Client, "failed")
			continue
		}
		median := fmtDuration(time.Duration(row.MedianNs))
		if row.Metric == CPUTime {
			median += " cpu"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
			wl, row.Client, median, fmtSI(row.MsgsPerSec), fmtRatio(&row.XFloor), fmtRatio(row.XReference),
			fmtOpt(row.AllocsPerMsg, "%.2f"), fmtBytes(row.PeakMemBytes)+" "+row.MemKind,
			fmtOpt(row.Syscalls, "%.0f"), fmtLost(row))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var noise []string
	for _, row := range r.Rows {
		if row.Client == FloorClient && row.Rounds > 0 {
			noise = append(noise, fmt.Sprintf("%s %.1f%%", row.Workload, 100*row.Spread))
		}
	}
	fmt.Fprintf(w, "\nnoise (floor IQR/median over %d rounds): %s\n", r.Rounds, strings.Join(noise, ", "))
	fmt.Fprintf(w, "machine: %d CPUs, load average %.1f at start, %.1f at end; kernel %s, %s\n",
		r.CPUs, r.LoadStart, r.LoadEnd, r.Kernel, r.GoVersion)
	fmt.Fprintln(w, "time: median wall time per round; for route-events, receiver CPU time during the burst (msgs/s and ratios: per event received)")
	fmt.Fprintln(w, "peak mem: heap = Go heap growth over the run (sampled every 2 ms); rss = peak RSS of the other process")
	fmt.Fprintln(w, "syscalls: the client's own count (raw), else the whole process's during the run (eBPF sys_enter counter); blank = not measured")
	for _, row := range r.Rows {
		if row.Error != "" {
			fmt.Fprintf(w, "error: %s %s: %s\n", row.Workload, row.Client, row.Error)
		}
	}
	return nil
}

func fmtDuration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.1fµs", float64(d)/1e3)
	}
}

func fmtSI(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

func fmtBytes(v float64) string {
	switch {
	case v >= 1<<30:
		return fmt.Sprintf("%.1f GiB", v/(1<<30))
	case v >= 1<<20:
		return fmt.Sprintf("%.1f MiB", v/(1<<20))
	case v >= 1<<10:
		return fmt.Sprintf("%.0f KiB", v/(1<<10))
	}
	return fmt.Sprintf("%.0f B", v)
}

func fmtRatio(v *float64) string {
	if v == nil {
		return ""
	}
	return fmt.Sprintf("%.2f", *v)
}

func fmtOpt(v *float64, format string) string {
	if v == nil {
		return ""
	}
	return fmt.Sprintf(format, *v)
}

func fmtLost(row Row) string {
	if row.EventsLost == nil {
		return ""
	}
	want := row.Msgs + *row.EventsLost
	if want == 0 {
		return "0"
	}
	return fmt.Sprintf("%.0f (%.1f%%)", *row.EventsLost, 100**row.EventsLost/want)
}
