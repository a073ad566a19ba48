// Command nlbench compares netlink clients on the same scenario in the same
// run: nlring with each backend and API, a raw x/sys/unix loop (the floor),
// and the Go libraries programs use today. It needs root: every scenario
// lives in a network namespace it creates and deletes.
//
// With no flags it runs the embedded default scenario (100k IPv4 and 20k
// IPv6 routes, 2,000 links, 20k conntrack entries; a few minutes with every
// client on an idle 2-core machine) and prints a table. Examples:
//
//	sudo nlbench                                   # everything, default scenario
//	sudo nlbench -list                             # workloads and clients
//	sudo nlbench -workloads route-dump -clients nlring-syscall-iter,vishvananda -routes 1000000
//	sudo nlbench -scenario tiny -rounds 1 -json -plot chart.svg
//	sudo nlbench -workloads dial-churn,conns -rounds 5     # what a Conn costs; 200 Conns at once
//	sudo nlbench -workloads conns -conns 1000 -conn-execs 100
//
// dial-churn and conns run each client in a fresh process of their own and
// add a table of its OS threads and peak RSS; conns runs only when named.
//
// Every ratio is against the raw floor and mdlayher/netlink measured in the
// same run, interleaved; the footer gives the floor's spread across rounds,
// below which differences are noise, and the machine's load. See package
// github.com/nlring/netlink/bench for what each column measures.
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
