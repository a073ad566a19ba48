// Package syscall is nlring's fallback backend: one recvmsg or sendmsg per
// datagram, through the Go runtime's network poller.
//
// It runs on every Linux kernel nlring supports and is the reference the
// io_uring backend is measured against. Its receive path is built for dumps:
// it never peeks at a datagram's size first (peeking keeps the kernel's dump
// datagrams small, doubling the syscalls), it receives straight into
// buffers mapped outside the Go heap (so the garbage collector never scans or
// frees them), and a Recv in steady state allocates nothing.
//
// Importers usually alias the package, since its name shadows the standard
// library's:
//
//	import nlsyscall "github.com/nlring/netlink/backend/syscall"
package syscall
