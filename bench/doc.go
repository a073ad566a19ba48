// Package bench compares netlink clients on the same scenario in the same
// run, and is the engine of cmd/nlbench and of this package's Go
// benchmarks.
//
// # Scenarios
//
// A Scenario is built in network namespaces of its own (NewSetup; root
// only) and loaded with `ip -batch`: host routes through a veth device
// (this kernel has no dummy links), ifb links, permanent neighbours, and
// conntrack entries created with ctnetlink requests. Route installs and
// the event burst run in a second namespace holding only the veth device,
// since every link makes each IPv4 route insert slower (see Setup).
// Nothing is ever sent outside the namespaces, and no packet is sent at
// all.
//
// # Workloads and clients
//
// A Workload is one job (route dump, bulk route install, event stream,
// ...). Each has a Client interface (RouteDumper, RouteAdder, ...); a
// client implements those it has an API for and registers itself with
// Register, so a new library or API plugs in with one file. The floor
// ("raw") is a loop on x/sys/unix doing the least work possible; the
// reference ("mdlayher") is what most Go programs use today. Both always run.
//
// # Measurement
//
// Clients run interleaved, in an order that rotates every round. Each run
// starts after a GC. Per client and workload a Row gives the median time,
// messages per second, and the median over rounds of the ratio of its time
// to the floor's and to the reference's in the same round; the floor's own
// spread (IQR/median) says how large a difference must be to mean anything.
// Performance is shown by these ratios, never by absolute thresholds.
//
// In the dump workloads the nlring and mdlayher clients walk every
// message's attributes with their library's AttributeDecoder, as a program
// reading a dump does at the least; the floor walks message headers only.
// The other libraries decode into their own types.
//
// What each figure is, exactly:
//   - time: wall time of the client call; for route-events, the receiving
//     side's CPU time (process CPU minus the installer thread's), since the
//     installer sets the pace. Its ratios and msgs/s are per event
//     received: a client that drops most events spends little in total.
//   - allocs/msg: growth of runtime.MemStats.Mallocs over the run (the whole
//     process, the client's goroutines included, the harness's own
//     allocations subtracted) per message.
//   - peak mem: for in-process clients the peak growth of the Go heap over
//     the run, sampled every 2 ms; for iproute2 the peak RSS of the ip
//     process. Memory outside the Go heap (io_uring rings, the syscall
//     backend's spill areas) is not in it; receive buffers are heap memory,
//     but those taken from the process's free list before the run are not
//     counted as growth.
//   - syscalls: what the client counted itself (the floor) or, for other
//     in-process clients, every system call of the process during the run,
//     counted by an eBPF program on the sys_enter raw tracepoint
//     (io_uring_enter included; the Go runtime's own calls add a few dozen).
//     Blank for iproute2 (another process) and for the event workload,
//     whose installer runs in this process.
//   - events lost: events the installer caused minus those the client
//     received before events stopped for 250 ms.
package bench
