// Package ebpf provides eBPF socket filters for netlink event sockets,
// whose criteria live in BPF maps: they change at run time without
// re-attaching the filter. Each filter also counts the datagrams it passed
// and dropped, and looks at every message of a datagram (up to
// MaxMessages), passing the datagram if any of them matches.
//
// The criteria are those of package filter's classic programs, as sets of
// values: message types, route tables (RTA_TABLE), interface indexes,
// conntrack zones, and one integer attribute chosen when the filter is
// created (AttrKey, nested or not). Byte-string attributes are classic
// only.
//
//	f, err := ebpf.New(ebpf.Spec{
//		PortID: conn.PID(),
//		Types:  map[uint16]ebpf.Match{unix.RTM_NEWROUTE: ebpf.MatchTable},
//		Tables: []uint32{100},
//	})
//	...
//	defer f.Close()
//	err = f.Attach(conn) // SO_ATTACH_BPF
//	...
//	err = f.Tables().Set(1000) // from now on, table 1000 only
//
// The programs are assembled in Go with cilium/ebpf's asm package: no C
// compiler, no generated object files.
//
// # What a filter can and cannot do
//
// A socket filter runs on every datagram the socket receives: multicast
// events, but also replies to its own requests, ACKs and every part of a
// dump. It can only keep or drop a whole datagram; dropping a dump part
// stalls the dump. So, like the classic filters of package
// [github.com/nlring/netlink/filter], every filter passes without looking
// at its criteria any datagram holding a message that is
//
//   - a control message (nlmsg_type below NLMSG_MIN_TYPE, 16): ACKs,
//     errors, NLMSG_DONE;
//   - flagged NLM_F_MULTI: a dump part;
//   - addressed with the socket's own port ID in nlmsg_pid: a reply to its
//     own request (or an event its own request caused).
//
// These are counted as Exempt. Filters are meant for sockets that subscribe
// to multicast groups.
//
// # Privileges
//
// Loading eBPF programs needs root or CAP_BPF when the kernel forbids
// unprivileged BPF, as most distributions do
// (kernel.unprivileged_bpf_disabled); these programs need no CAP_PERFMON.
// New reports a refusal as ErrPermission, which also matches
// os.ErrPermission. Attaching a loaded filter to a socket needs no
// privilege. Classic filters need none at all.
//
// BPF memory is charged to the memory cgroup on current kernels (5.11 and
// later): this package never raises RLIMIT_MEMLOCK, and programs need not
// either.
package ebpf
