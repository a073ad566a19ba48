// Package testutil is the one place for the helpers nlring's tests share,
// in all four modules of the repository:
//
//   - leak.go, diff.go: a goroutine-leak check for TestMain and a readable
//     diff of two values (every platform);
//   - backends.go: the backends a test runs on;
//   - namespace_linux.go, veth_linux.go: throw-away network namespaces and
//     the one veth-and-routes layout tests build in them;
//   - request_linux.go, builder_linux.go, families_linux.go: netlink
//     messages as bytes, from a plain request to a synthetic event encoded
//     in either byte order;
//   - received_linux.go, socket_linux.go, conntrack_linux.go: raw sockets
//     that collect what the kernel sends, without the Conn under test.
//
// It depends on the standard library, golang.org/x/sys and the library's own
// packages, never on the root package (whose own tests import it), so that
// the library's module needs no test-only dependencies.
package testutil
