package main

import (
	"io"

	"github.com/schollz/progressbar/v3"
)

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
