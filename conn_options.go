package netlink

import (
	"errors"
	"syscall"
	"time"

	"golang.org/x/net/bpf"
)

// The Conn's socket options. Each is the transport's (see transport.go),
// with the error wrapped in an OpError named after the operation.

// JoinGroup joins the multicast group with the given ID, which unlike
// Config.Groups may be above 32.
func (c *Conn) JoinGroup(group uint32) error {
	if err := c.t.joinGroup(group); err != nil {
		return newOpError("join-group", err)
	}
	c.listen()
	return nil
}

// listen marks the Conn as one that receives events and, unless the program
// chose its receive buffer, raises it for bursts of them (see
// Config.KeepReadBuffer). A buffer that cannot be raised is left as it is.
func (c *Conn) listen() {
	if c.listening.Swap(true) || c.keepReadBuffer || c.readBufferSet.Load() {
		return
	}
	_ = c.raiseBuffer(true, DefaultEventBuffer, false)
}

// LeaveGroup leaves the multicast group with the given ID.
func (c *Conn) LeaveGroup(group uint32) error {
	return newOpError("leave-group", c.t.leaveGroup(group))
}

// SetBPF attaches a classic BPF program to the socket; the kernel drops the
// datagrams it rejects before they are queued. Package filter builds
// programs that are safe for netlink. A filter that drops or trims part of
// a dump stalls the dump or silently loses messages: filters are for
// multicast sockets.
func (c *Conn) SetBPF(filter []bpf.RawInstruction) error {
	return newOpError("set-bpf", c.t.setBPF(filter))
}

// RemoveBPF detaches the socket's BPF program.
func (c *Conn) RemoveBPF() error {
	return newOpError("remove-bpf", c.t.removeBPF())
}

// SetDeadline sets the read and write deadlines, as net.Conn does: once
// past, blocked and later calls fail with an error wrapping
// os.ErrDeadlineExceeded. The zero time means no deadline.
func (c *Conn) SetDeadline(t time.Time) error {
	return newOpError("set-deadline", c.t.setDeadline(t))
}

// SetReadDeadline sets the deadline of Receive, ReceiveIter and the receive
// half of Execute.
func (c *Conn) SetReadDeadline(t time.Time) error {
	return newOpError("set-read-deadline", c.t.setReadDeadline(t))
}

// SetWriteDeadline sets the deadline of Send, SendMessages and the send half
// of Execute.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	return newOpError("set-write-deadline", c.t.setWriteDeadline(t))
}

// A ConnOption is a boolean netlink socket option (SOL_NETLINK).
type ConnOption int

// The options SetOption knows.
const (
	// PacketInfo (NETLINK_PKTINFO) asks for the destination group of each
	// datagram as ancillary data.
	PacketInfo ConnOption = iota
	// BroadcastError (NETLINK_BROADCAST_ERROR) makes a multicast sender
	// see delivery failures.
	BroadcastError
	// NoENOBUFS (NETLINK_NO_ENOBUFS) stops reporting receive buffer
	// overruns as ENOBUFS: lost messages then go unnoticed.
	NoENOBUFS
	// ListenAllNSID (NETLINK_LISTEN_ALL_NSID) delivers multicast messages
	// from every network namespace that has an ID in the socket's.
	ListenAllNSID
	// CapAcknowledge (NETLINK_CAP_ACK) leaves the request's payload out of
	// Error replies.
	CapAcknowledge
	// ExtendedAcknowledge (NETLINK_EXT_ACK) adds the kernel's error message
	// and the offending attribute's offset to Error replies; see OpError.
	ExtendedAcknowledge
	// GetStrictCheck (NETLINK_GET_STRICT_CHK) makes rtnetlink check GET
	// requests strictly and honour their filters.
	GetStrictCheck
)

// SetOption turns a netlink socket option on or off. An unknown option
// fails with ENOPROTOOPT, as the kernel answers.
func (c *Conn) SetOption(option ConnOption, enable bool) error {
	return newOpError("set-option", c.t.setOption(option, enable))
}

// SetReadBuffer sets the socket's receive buffer (SO_RCVBUF). A privileged
// caller gets the size asked for even above net.core.rmem_max
// (SO_RCVBUFFORCE). Multicast listeners and programs that pipeline many
// acknowledged requests need far more than the default to avoid ENOBUFS.
func (c *Conn) SetReadBuffer(bytes int) error {
	c.readBufferSet.Store(true)
	return newOpError("set-read-buffer", c.t.setReadBuffer(bytes))
}

// SetWriteBuffer sets the socket's send buffer (SO_SNDBUF), forcing it
// above net.core.wmem_max for a privileged caller (SO_SNDBUFFORCE). A
// datagram larger than the send buffer cannot be sent.
func (c *Conn) SetWriteBuffer(bytes int) error {
	return newOpError("set-write-buffer", c.t.setWriteBuffer(bytes))
}

// ReadBuffer returns the size of the socket's receive buffer as the kernel
// reports it: twice what was set, for its bookkeeping.
func (c *Conn) ReadBuffer() (int, error) {
	n, err := c.t.readBuffer()
	if err != nil {
		return 0, newOpError("get-read-buffer", err)
	}
	return n, nil
}

// WriteBuffer returns the size of the socket's send buffer as the kernel
// reports it.
func (c *Conn) WriteBuffer() (int, error) {
	n, err := c.t.writeBuffer()
	if err != nil {
		return 0, newOpError("get-write-buffer", err)
	}
	return n, nil
}

// SyscallConn gives raw access to the socket, for options the Conn has no
// method for. What is done through it must not disturb the Conn: reading
// from the socket, for one, steals its replies.
func (c *Conn) SyscallConn() (syscall.RawConn, error) {
	rc, err := c.t.syscallConn()
	if errors.Is(err, errNotSupported) {
		// The one error of the Conn's own: the socket's pass as they are,
		// as in github.com/mdlayher/netlink.
		return nil, notSupported("syscall-conn")
	}
	return rc, err
}
