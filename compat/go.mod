module github.com/nlring/netlink/compat

go 1.26.0

require (
	github.com/mdlayher/netlink v1.11.2
	github.com/nlring/netlink v0.0.0-00010101000000-000000000000
	golang.org/x/net v0.53.0
	golang.org/x/sys v0.43.0
)

require (
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/mdlayher/socket v0.6.0 // indirect
	golang.org/x/sync v0.20.0 // indirect
)

// The library in this repository, at the same commit.
replace github.com/nlring/netlink => ..
