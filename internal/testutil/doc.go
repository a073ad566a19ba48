// Package testutil is the one place for the helpers nlring's tests share,
// in all four modules of the repository. Each file holds one concern:
//
//   - leak.go, diff.go: a goroutine-leak check for TestMain and a readable
//     diff of two values, on every platform;
//   - backends.go: the backends a test runs on;
//   - namespace_linux.go, veth_linux.go: throw-away network namespaces and
//     the one veth-and-routes layout the tests build in them;
//   - request_linux.go: plain requests for raw sockets;
//   - builder_linux.go, families_linux.go: synthetic messages and events,
//     encoded in either byte order, for the socket filters' tests;
//   - received_linux.go, socket_linux.go: raw event sockets that collect
//     what the kernel sends without the Conn under test in between;
//   - conntrack_linux.go: ctnetlink's numbers, its events and real entries.
//
// It depends on the standard library, golang.org/x/sys and the library's
// own packages, never on the root package, whose own tests import it: the
// library's module needs no test-only dependency.
package testutil
