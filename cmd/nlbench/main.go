// Command nlbench compares netlink clients on the same scenario in the same
// run: nlring with each backend and API, a raw x/sys/unix loop (the floor),
// and the Go libraries programs use today. It needs root: every scenario
// lives in a network namespace it creates and deletes.
//
// With no flags it runs the embedded default scenario and prints a table;
// see -h for sizes, selections, -json and -plot.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "nlbench:", err)
		os.Exit(1)
	}
}
