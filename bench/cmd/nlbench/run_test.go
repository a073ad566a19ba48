package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nlring/netlink/bench"
)

// TestSmoke runs nlbench on the tiny scenario with every workload and
// client, once each, and checks what a person or a script would rely on:
// every pair is reported (or declared unsupported), the figures are
// positive, the floor's ratio is 1, and the chart is a real PNG and SVG.
// It is what CI runs; it needs root.
func TestSmoke(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipped: nlbench needs root to create a network namespace")
	}
	dir := t.TempDir()
	pngFile := filepath.Join(dir, "chart.png")
	var stdout, stderr bytes.Buffer
	args := []string{"-scenario", "tiny", "-rounds", "1", "-warmup=false", "-quiet", "-json", "-plot", pngFile}
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("nlbench %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}

	var rep bench.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("decoding -json output: %v\n%s", err, stdout.Bytes())
	}
	checkRows(t, &rep)
	checkPNG(t, pngFile)

	svgFile := filepath.Join(dir, "chart.svg")
	if err := rep.WritePlot(svgFile); err != nil {
		t.Fatalf("WritePlot from decoded JSON: %v", err)
	}
	checkSVG(t, svgFile)
}

func checkRows(t *testing.T, rep *bench.Report) {
	t.Helper()
	rows := map[bench.Pair]bench.Row{}
	for _, r := range rep.Rows {
		rows[bench.Pair{Workload: r.Workload, Client: r.Client}] = r
	}
	unsupported := map[bench.Pair]bool{}
	for _, p := range rep.Unsupported {
		unsupported[p] = true
	}
	for _, w := range bench.Workloads() {
		if w.Optional {
			continue // only run when named
		}
		measured := 0
		for _, c := range bench.Clients() {
			p := bench.Pair{Workload: w.Name, Client: c.Name}
			r, ok := rows[p]
			switch {
			case unsupported[p]:
				if ok {
					t.Errorf("%v: both measured and unsupported", p)
				}
				continue
			case !ok:
				t.Errorf("%v: missing from the report", p)
				continue
			}
			measured++
			checkRow(t, rep, w, r)
		}
		if measured < 2 {
			t.Errorf("%s: only %d clients measured", w.Name, measured)
		}
	}
}

func checkRow(t *testing.T, rep *bench.Report, w bench.Workload, r bench.Row) {
	t.Helper()
	if r.Error != "" {
		t.Errorf("%s %s: %s", r.Workload, r.Client, r.Error)
		return
	}
	if r.Rounds != rep.Rounds {
		t.Errorf("%s %s: %d rounds, want %d", r.Workload, r.Client, r.Rounds, rep.Rounds)
	}
	if r.MedianNs <= 0 || r.XFloor <= 0 || r.PeakMemBytes < 0 {
		t.Errorf("%s %s: non-positive figures: %+v", r.Workload, r.Client, r)
	}
	if w.Metric == bench.CPUTime {
		// Events: a client may lose most of them, but received and lost
		// must account for every one sent.
		if r.EventsLost == nil || r.Msgs+*r.EventsLost != float64(rep.Scenario.Events) {
			t.Errorf("%s %s: %v received + %v lost != %d sent", r.Workload, r.Client, r.Msgs, r.EventsLost, rep.Scenario.Events)
		}
	} else if r.Msgs <= 0 || r.MsgsPerSec <= 0 {
		t.Errorf("%s %s: %v msgs, %v msgs/s", r.Workload, r.Client, r.Msgs, r.MsgsPerSec)
	}
	if r.Client == bench.FloorClient {
		if r.XFloor != 1 {
			t.Errorf("%s: floor's ratio to itself is %v", r.Workload, r.XFloor)
		}
		if r.Syscalls == nil || *r.Syscalls <= 0 {
			t.Errorf("%s: floor reports no syscalls", r.Workload)
		}
	}
	if r.Client == bench.ReferenceClient && (r.XReference == nil || *r.XReference != 1) {
		t.Errorf("%s: reference's ratio to itself is %v", r.Workload, r.XReference)
	}
}

func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatalf("%s: not a PNG: %v", path, err)
	}
	if cfg.Width < 400 || cfg.Height < 300 {
		t.Errorf("%s: %dx%d, too small to read", path, cfg.Width, cfg.Height)
	}
}

func checkSVG(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	root := ""
	for {
		tok, err := dec.Token()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("%s: not well-formed XML: %v", path, err)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Errorf("%s: root element %q, want svg", path, root)
	}
}
