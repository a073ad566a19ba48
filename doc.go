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
// ReceiveIter is the fast way to read large dumps: it parses each datagram
// where the backend received it and allocates nothing per message. The Data
// of the messages it yields is only valid until the next iteration step.
// Receive and Execute return copies the caller keeps.
//
// ExecuteContext, ReceiveContext and ReceiveIterContext stop waiting as soon
// as their context is done.
//
// # Backends
//
// A Conn runs on a backend that moves datagrams between the socket and
// buffers mapped outside the Go heap:
//
//   - syscall: one recvmsg or sendmsg per datagram, through the Go runtime
//     poller. It works on every kernel.
//   - iouring: io_uring with multishot receives into a ring of provided
//     buffers. A dump is received with a handful of system calls instead of
//     one per datagram.
//
// Config.Backend chooses; the default, backend.Auto, takes io_uring where the
// kernel supports all it needs and the syscall backend otherwise. The
// NLRING_BACKEND environment variable (syscall, iouring or auto) overrides
// Config.Backend, so any program can be switched without a change.
// Conn.Backend tells which backend runs and why.
//
// # Differences from github.com/mdlayher/netlink
//
//   - A reply made of a multi-part message without a Done, followed by a
//     separate ACK (ctnetlink's answer to a GET with NLM_F_ACK), ends at the
//     ACK; mdlayher/netlink v1.10 to v1.11.2 wait forever.
//   - A dump the kernel flagged NLM_F_DUMP_INTR returns its messages and an
//     error wrapping ErrDumpInterrupted: the dump may be inconsistent.
//   - Unicast datagrams from user-space senders are dropped unless
//     Config.AllowUserSenders is set: a forged ACK or Done from another
//     process is never taken for the kernel's reply.
//   - A datagram larger than the receive buffer fails with an error wrapping
//     ErrTruncated instead of being cut, and never costs a second system
//     call to size it: the default buffer has room for any datagram the
//     kernel builds.
//   - Close unblocks receives in other goroutines on every backend, and
//     Send is never held up by a Receive waiting in another goroutine.
//   - The NLDEBUG debugging output is not implemented.
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
