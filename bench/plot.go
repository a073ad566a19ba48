package bench

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// WritePlot draws the report as grouped bars: one group per workload, one
// bar per client, its height the median ×floor on a log scale. Bars grow
// from 1 (the floor) so that a bar's length is how much slower a client is,
// and one 10× slower stands out as much as it should next to one 1.2×.
// The format follows the file's extension: .png or .svg.
func (r *Report) WritePlot(path string) error {
	format, err := PlotFormat(path)
	if err != nil {
		return err
	}
	workloads, clients := r.plotAxes()
	if len(workloads) == 0 {
		return fmt.Errorf("plot %s: no results to draw", path)
	}

	p := plot.New()
	p.Title.Text = fmt.Sprintf("time relative to the raw floor (lower is better): %s scenario, %s",
		r.Scenario.Name, roundsText(r.Rounds))
	p.Y.Label.Text = "× floor (log scale)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = ratioTicks{}
	p.Y.Min, p.Y.Max = 1, 1
	p.NominalX(workloads...)
	p.Add(plotter.NewGrid())
	one := plotter.NewFunction(func(float64) float64 { return 1 })
	one.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
	p.Add(one)

	legend := plot.NewLegend()
	legend.TextStyle.Font = font.From(plot.DefaultFont, 11)
	groupWidth := 0.8
	barWidth := groupWidth / float64(len(clients))
	for i, client := range clients {
		bars := &ratioBars{
			values: make([]float64, len(workloads)),
			offset: -groupWidth/2 + barWidth*(float64(i)+0.5),
			width:  barWidth * 0.9,
			color:  palette[i%len(palette)],
		}
		for j, w := range workloads {
			bars.values[j] = r.ratio(strings.TrimSuffix(w, cpuSuffix), client)
		}
		p.Add(bars)
		legend.Add(client, bars)
	}
	// Headroom above the tallest bar for its label.
	p.Y.Max *= 1.6

	// A tenth of an inch per bar keeps the labels legible.
	width := vg.Length(max(8, float64(len(workloads))*(0.1*float64(len(clients))+0.35)+2.5)) * vg.Inch
	height := 6 * vg.Inch
	legendWidth := 1.8 * vg.Inch
	cw, err := draw.NewFormattedCanvas(width, height, format)
	if err != nil {
		return err
	}
	dc := draw.New(cw)
	p.Draw(draw.Crop(dc, 0, -legendWidth, 0, 0))
	legend.Top, legend.Left = true, true
	legend.Draw(draw.Crop(dc, width-legendWidth+vg.Points(6), 0, 0, -vg.Points(30)))

	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := cw.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func roundsText(n int) string {
	if n == 1 {
		return "1 round"
	}
	return fmt.Sprintf("median of %d rounds", n)
}

// PlotFormat returns the image format WritePlot uses for path, or an error
// if its extension names none: callers check before a long run.
func PlotFormat(path string) (string, error) {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format != "png" && format != "svg" {
		return "", fmt.Errorf("plot %s: want a .png or .svg file", path)
	}
	return format, nil
}

// cpuSuffix marks workloads whose ratio compares CPU time per event
// received, not wall time.
const cpuSuffix = " (cpu/event)"

// plotAxes lists the workloads (as axis labels) and clients that have at
// least one measured row, in report order.
func (r *Report) plotAxes() (workloads, clients []string) {
	seenW, seenC := map[string]bool{}, map[string]bool{}
	for _, row := range r.Rows {
		if row.Rounds == 0 {
			continue
		}
		if !seenW[row.Workload] {
			seenW[row.Workload] = true
			label := row.Workload
			if row.Metric == CPUTime {
				label += cpuSuffix
			}
			workloads = append(workloads, label)
		}
		seenC[row.Client] = true
	}
	// Clients in registry order, whatever order rows came in.
	for _, s := range registry {
		if seenC[s.Name] {
			clients = append(clients, s.Name)
		}
	}
	return workloads, clients
}

// ratio is the median ×floor of a client on a workload, 0 when not measured.
func (r *Report) ratio(workload, client string) float64 {
	for _, row := range r.Rows {
		if row.Workload == workload && row.Client == client && row.Rounds > 0 {
			return row.XFloor
		}
	}
	return 0
}

// ratioBars are bars that start at 1 on a log axis, labelled with their
// value. A missing value (0) draws nothing.
type ratioBars struct {
	values        []float64
	offset, width float64 // in units of the nominal X axis
	color         color.Color
}

func (b *ratioBars) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	label := draw.TextStyle{
		Color:    color.Black,
		Font:     font.From(plot.DefaultFont, 7),
		Handler:  plt.TextHandler,
		Rotation: math.Pi / 2,
		XAlign:   draw.XLeft,
		YAlign:   draw.YCenter,
	}
	for i, v := range b.values {
		if v <= 0 {
			continue
		}
		x := float64(i) + b.offset
		x0, x1 := trX(x-b.width/2), trX(x+b.width/2)
		y0, y1 := trY(1), trY(v)
		c.FillPolygon(b.color, c.ClipPolygonY([]vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}))
		// The label reads upwards from the bar's end: above a bar that
		// rises from 1, below one that falls from it.
		at, sty := vg.Point{X: trX(x), Y: y1 + vg.Points(2)}, label
		if v < 1 {
			at.Y, sty.XAlign = y1-vg.Points(2), draw.XRight
		}
		c.FillText(sty, at, fmtRatioShort(v))
	}
}

func (b *ratioBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	ymin, ymax = 1, 1
	for _, v := range b.values {
		if v > 0 {
			ymin, ymax = min(ymin, v), max(ymax, v)
		}
	}
	return -0.5, float64(len(b.values)) - 0.5, ymin / 1.2, ymax
}

// Thumbnail draws the legend swatch.
func (b *ratioBars) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(b.color, []vg.Point{
		{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y},
		{X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y},
	})
}

func fmtRatioShort(v float64) string {
	if v >= 10 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2g", v)
}

// ratioTicks labels a log axis of ratios at 1-2-5 steps, which read better
// than powers of ten alone when the whole axis spans 0.5× to 20×.
type ratioTicks struct{}

func (ratioTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for decade := math.Pow(10, math.Floor(math.Log10(lo))); decade <= hi; decade *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if v := decade * m; v >= lo && v <= hi {
				ticks = append(ticks, plot.Tick{Value: v, Label: fmt.Sprintf("%g×", v)})
			}
		}
		for _, m := range []float64{3, 4, 6, 7, 8, 9} {
			if v := decade * m; v >= lo && v <= hi {
				ticks = append(ticks, plot.Tick{Value: v})
			}
		}
	}
	return ticks
}

// palette holds colours told apart at a glance (Tableau 10 and more), the
// floor first in grey: its bars are the dashed line at 1.
var palette = []color.Color{
	color.RGBA{0x79, 0x70, 0x6e, 0xff},
	color.RGBA{0x4e, 0x79, 0xa7, 0xff},
	color.RGBA{0xf2, 0x8e, 0x2b, 0xff},
	color.RGBA{0xe1, 0x57, 0x59, 0xff},
	color.RGBA{0x76, 0xb7, 0xb2, 0xff},
	color.RGBA{0x59, 0xa1, 0x4f, 0xff},
	color.RGBA{0xed, 0xc9, 0x48, 0xff},
	color.RGBA{0xb0, 0x7a, 0xa1, 0xff},
	color.RGBA{0xff, 0x9d, 0xa7, 0xff},
	color.RGBA{0x9c, 0x75, 0x5f, 0xff},
	color.RGBA{0x1f, 0x3a, 0x5f, 0xff},
	color.RGBA{0x8c, 0xd1, 0x7d, 0xff},
	color.RGBA{0x6a, 0x3d, 0x9a, 0xff},
	color.RGBA{0xb1, 0x59, 0x28, 0xff},
	color.RGBA{0x00, 0x80, 0x80, 0xff},
	color.RGBA{0xd4, 0x3f, 0x8d, 0xff},
}
