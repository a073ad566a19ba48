// Package syscall is nlring's default backend: one recvmsg or sendto per
// datagram, waiting through the Go runtime's network poller only when a
// receive finds nothing to read.
//
// It runs on every Linux kernel nlring supports. Its receive path is built
// for dumps: it never peeks at a datagram's size first (peeking keeps the
// kernel's dump datagrams small, doubling the syscalls), it receives into
// 32 KiB buffers shared by the process (a rare larger datagram spills into
// scratch memory), and a Recv in steady state allocates nothing.
//
// Importers usually alias the package, since its name shadows the standard
// library's:
//
//	import nlsyscall "github.com/nlring/netlink/backend/syscall"
package syscall
