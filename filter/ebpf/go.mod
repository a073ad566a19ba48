module github.com/nlring/netlink/filter/ebpf

go 1.25.0

require (
	github.com/cilium/ebpf v0.22.0
	github.com/nlring/netlink v0.0.0-00010101000000-000000000000
	golang.org/x/net v0.53.0
	golang.org/x/sys v0.43.0
)

// The library in this repository, at the same commit.
replace github.com/nlring/netlink => ../..
