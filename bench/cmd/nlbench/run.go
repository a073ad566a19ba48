package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/nlring/netlink/bench"
)

// run is nlbench without the process around it, so tests can call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("nlbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		scenario  = fs.String("scenario", "default", "scenario: default, small, tiny, or a JSON `file`")
		workloads = fs.String("workloads", "", "comma-separated workloads (default all; see -list)")
		clients   = fs.String("clients", "", "comma-separated clients (default all; raw and mdlayher always run)")
		rounds    = fs.Int("rounds", 3, "measured rounds per client and workload")
		warmup    = fs.Bool("warmup", true, "run every client once per workload before measuring")
		asJSON    = fs.Bool("json", false, "print the report as JSON instead of a table")
		plotFile  = fs.String("plot", "", "write a chart of ×floor to `file` (.png or .svg)")
		quiet     = fs.Bool("quiet", false, "no progress bar")
		list      = fs.Bool("list", false, "list workloads and clients, then exit")
		churn     = fs.Int("churn", 0, "Dial/Execute/Close cycles per dial-churn run (default: 2/5 of the round trips)")
		conns     = fs.Int("conns", 0, "Conns open at once in the conns workload (default 200)")
		connExecs = fs.Int("conn-execs", 0, "Executes per Conn in the conns workload (default: a tenth of the round trips)")
	)
	sizes := sizeFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: nlbench [flags]  (needs root)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *list {
		return printList(stdout)
	}
	sc, err := bench.LoadScenario(*scenario)
	if err != nil {
		return err
	}
	sizes.apply(fs, &sc)
	if err := sc.Validate(); err != nil {
		return err
	}
	if *plotFile != "" {
		if _, err := bench.PlotFormat(*plotFile); err != nil {
			return err
		}
	}
	var progress bench.Progress
	if !*quiet {
		progress = newProgress(stderr)
	}
	extras := bench.NewExtras()
	rep, err := bench.Run(ctx, bench.Options{
		Scenario:  sc,
		Workloads: splitList(*workloads),
		Clients:   splitList(*clients),
		Rounds:    *rounds,
		Warmup:    *warmup,
		Progress:  progress,
		Sizes:     bench.ChildSizes{Churn: *churn, Conns: *conns, ConnExecs: *connExecs},
		Extras:    extras,
	})
	if err != nil {
		return err
	}
	if *plotFile != "" {
		if err := rep.WritePlot(*plotFile); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			*bench.Report
			// Extra holds the threads and RSS of the process-per-run
			// workloads.
			Extra []bench.ExtraRow `json:"extra,omitempty"`
		}{rep, extras.Rows()})
	}
	if err := rep.WriteTable(stdout); err != nil {
		return err
	}
	return extras.WriteTable(stdout)
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func printList(w io.Writer) error {
	fmt.Fprintln(w, "workloads:")
	for _, wl := range bench.Workloads() {
		fmt.Fprintf(w, "  %-16s %s\n", wl.Name, wl.Doc)
	}
	fmt.Fprintln(w, "clients:")
	for _, c := range bench.Clients() {
		fmt.Fprintf(w, "  %-22s %s\n", c.Name, c.Doc)
	}
	return nil
}
