module github.com/nlring/netlink

go 1.25.0

require (
	golang.org/x/net v0.53.0
	golang.org/x/sys v0.43.0
)
