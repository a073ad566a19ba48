// Command nlbench compares netlink clients on the same scenario in the same
// run: nlring with each backend and API, a raw x/sys/unix loop (the floor),
// and the Go libraries programs use today. It needs root: every scenario
// lives in a network namespace it creates and deletes.
//
// With no flags it runs the embedded default scenario and prints a table;
// see -h for sizes, selections, -json and -plot.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// An interrupt ends the run after the step in progress, so the
	// namespace is still deleted.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		stop()
		fmt.Fprintln(os.Stderr, "nlbench:", err)
		os.Exit(1)
	}
}
