package netlink

import "github.com/nlring/netlink/backend"

// Config configures a Conn. The zero value is a sensible default.
type Config struct {
	// Groups is a bitmask of multicast groups (the first 32) to join when
	// the socket is bound. JoinGroup joins any group after Dial.
	Groups uint32

	// NetNS is a file descriptor of the network namespace to open the socket
	// in. The socket stays in that namespace for its whole life; no thread of
	// the program is left in it.
	//
	// Zero means the namespace of the calling thread. Entering a namespace
	// needs CAP_SYS_ADMIN; most programs leave NetNS at 0.
	NetNS int

	// DisableNSLockThread has no effect.
	//
	// Deprecated: it only exists for compatibility with
	// github.com/mdlayher/netlink.
	DisableNSLockThread bool

	// PID is the port ID to bind the socket to; 0 lets the kernel choose
	// one. Only a few protocols expect a fixed port ID.
	PID uint32

	// Strict turns on ExtendedAcknowledge (error messages from the kernel)
	// and GetStrictCheck (strict checking of GET requests in rtnetlink).
	// Dial fails if the kernel lacks either. Recommended on modern kernels.
	Strict bool

	// MessageBufferSize is the size of the largest datagram the Conn
	// receives. A larger datagram is never cut: receiving it fails with an
	// error wrapping backend.ErrTruncated.
	//
	// The kernel never sends dump or event datagrams larger than 32 KiB, so
	// the default (0: backend.DefaultBufferSize, 1 MiB, on the syscall
	// backend) only matters for unusual replies and peers, and costs a Conn
	// nothing: the syscall backend receives into 32 KiB buffers and lets
	// larger datagrams spill into scratch memory shared by the process. On
	// io_uring the default is backend.MinBufferSize, 32 KiB per buffer. A value is used as given:
	// below backend.MinBufferSize (32 KiB) the kernel builds smaller dump
	// datagrams, so dumps take more system calls, and larger datagrams fail
	// as described above.
	MessageBufferSize int

	// Backend chooses how the Conn moves datagrams: backend.Syscall
	// (recvmsg/sendmsg through the Go runtime poller), backend.IOUring
	// (io_uring with multishot receives) or backend.Auto, the default,
	// which runs the syscall backend (see package backend). The
	// NLRING_BACKEND environment variable overrides this field. Asking for
	// io_uring where it is unavailable makes Dial fail with the reason.
	Backend backend.Kind

	// AllowUserSenders accepts unicast datagrams from other user-space
	// sockets.
	//
	// By default a unicast datagram whose sender is neither the kernel nor
	// this socket is dropped: any process can send to a port ID, and a forged
	// ACK or NLMSG_DONE would otherwise be taken as the kernel's reply.
	// Multicast datagrams are always accepted. Set this for protocols whose
	// peers are user-space programs (NETLINK_USERSOCK, for instance).
	AllowUserSenders bool

	// KeepReadBuffer keeps the socket's receive buffer as the kernel made
	// it when the Conn listens to multicast groups.
	//
	// By default, joining a group (Config.Groups, JoinGroup, Subscribe)
	// raises the receive buffer to DefaultEventBuffer, as Subscribe always
	// did, unless the program set one with SetReadBuffer: with the
	// kernel's default (208 KiB) a burst of events overruns it and is
	// lost. The kernel charges only for datagrams actually queued.
	KeepReadBuffer bool
}
