// Command summarize reads the `go test -json` output of the compatibility
// suites and prints how many tests passed, failed and were skipped, per
// suite and in total. Failures listed as kernel-caused or as deliberate
// differences are reported apart and not counted as failures; any other
// failure makes it exit with status 1.
//
// Usage:
//
//	summarize -kernel kernel-failures.txt -differences differences.txt suite=file.json...
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	kernel := flag.String("kernel", "", "file listing kernel-caused failures")
	differences := flag.String("differences", "", "file listing deliberate behaviour differences")
	flag.Parse()
	if err := run(os.Stdout, *kernel, *differences, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "summarize:", err)
		os.Exit(1)
	}
}

// errFailures is returned when a test failed for no listed reason.
var errFailures = fmt.Errorf("unexpected failures")

func run(w io.Writer, kernelFile, diffFile string, args []string) error {
	var known []knownFailure
	for _, f := range []struct{ path, kind string }{{kernelFile, "kernel"}, {diffFile, "difference"}} {
		if f.path == "" {
			continue
		}
		k, err := readKnown(f.path, f.kind)
		if err != nil {
			return err
		}
		known = append(known, k...)
	}

	var suites []*suite
	for _, arg := range args {
		name, file, ok := strings.Cut(arg, "=")
		if !ok {
			return fmt.Errorf("argument %q: want suite=file.json", arg)
		}
		r, err := os.Open(file)
		if err != nil {
			return err
		}
		s, err := readSuite(name, r)
		r.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		suites = append(suites, s)
	}

	t := summarize(suites, known)
	t.print(w)
	if t.failed > 0 {
		return errFailures
	}
	return nil
}
