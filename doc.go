// Package netlink provides access to Linux netlink sockets (AF_NETLINK).
//
// It is a drop-in replacement for github.com/mdlayher/netlink v1.11: the same
// types, functions and behaviour, so programs and libraries built on that
// package (rtnetlink, genetlink, conntrack, ...) switch with a replace
// directive. What differs is underneath and in a few corrections, below.
//
// # Sending and receiving
//
// Dial opens a socket of a netlink family. Execute sends a request and
// returns its reply; Send and Receive do the two halves separately, for
// multicast listeners and pipelined requests. Messages carry their payload as
// bytes: AttributeEncoder and AttributeDecoder build and read the
// type-length-value attributes most families use.
//
// Receive, Execute and ReceiveIter return messages the caller owns and may
// keep, as in mdlayher/netlink; ReceiveIter copies each datagram once and
// allocates nothing per message. ReceiveIterBorrowed is nlring's zero-copy
// iteration for large dumps: it parses each datagram where the backend
// received it, and the Data it yields is valid only until the next step.
//
// ExecuteContext, ReceiveContext and ReceiveIterContext stop waiting as soon
// as their context is done.
//
// # Backends
//
// A Conn runs on a backend that moves datagrams between the socket and
// receive buffers in Go memory:
//
//   - syscall: one recvmsg or sendmsg per datagram, through the Go runtime
//     poller. It works on every kernel.
//   - iouring: io_uring with multishot receives into a ring of provided
//     buffers. A dump is received with a handful of system calls instead of
//     one per datagram.
//
// Config.Backend chooses; the default, backend.Auto, runs the syscall
// backend, which costs a Conn the least and serves requests as fast; io_uring
// runs where a program asks for it. The
// NLRING_BACKEND environment variable (syscall, iouring or auto) overrides
// Config.Backend, so any program can be switched without a change.
// Conn.Backend tells which backend runs and why.
//
// # Differences from github.com/mdlayher/netlink
//
// The few behaviours that differ on purpose, each where mdlayher/netlink
// loses data, hangs or hides a failure, are listed in the repository's
// docs/differences.md, and a differential test keeps that list exact.
//
// # Network namespaces
//
// Config.NetNS opens the socket in another network namespace. The socket
// stays there for its whole life; no thread of the program is left in that
// namespace.
//
// # Testing
//
// Package nltest makes a Conn whose requests are answered by a function, for
// testing code built on this package without a kernel.
package netlink
