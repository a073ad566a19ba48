package main

import (
	"fmt"
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/nlring/netlink/bench"
)

// newProgress returns a progress bar when w is a terminal, and otherwise a
// line per step: a bar redraws itself with carriage returns, which a log
// file keeps as thousands of frames.
func newProgress(w io.Writer) bench.Progress {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return newProgressBar(w)
	}
	return &progressLines{w: w}
}

// progressLines writes one line per step.
type progressLines struct {
	w        io.Writer
	n, total int
}

func (p *progressLines) Start(total int) { p.total = total }

func (p *progressLines) Step(desc string) {
	p.n++
	fmt.Fprintf(p.w, "nlbench: step %d of %d: %s\n", p.n, p.total, desc)
}

// progressBar shows a run's progress on stderr.
type progressBar struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

func newProgressBar(w io.Writer) *progressBar { return &progressBar{w: w} }

func (p *progressBar) Start(total int) {
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(0),
	)
}

// Step is called as each step begins: the bar shows what runs now.
func (p *progressBar) Step(desc string) {
	if desc != "" {
		p.bar.Describe(desc)
	}
	p.bar.Add(1)
}
