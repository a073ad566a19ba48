//go:build linux

package netlink

import (
	"github.com/nlring/netlink/internal/nlsock"
	"golang.org/x/sys/unix"
)

// What batches and subscriptions do on the Conn's socket directly: read the
// facts they base their guarantees on from the kernel rather than remember
// them (the protocol the socket was opened with, the receive queue's
// accounting), raise its buffers, and clear an overrun.

// rawControl runs fn on the socket's descriptor. It fails on a Conn whose
// socket does not expose one (NewConn with a Socket that lacks SyscallConn).
func (c *Conn) rawControl(op string, fn func(fd int) error) error {
	rc, err := c.t.syscallConn()
	if err != nil {
		return newOpError(op, err)
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return newOpError(op, err)
	}
	return newOpError(op, syscallErr("getsockopt", ferr))
}

// protocol returns the netlink family the socket was opened with
// (SO_PROTOCOL).
func (c *Conn) protocol() (int, error) {
	var p int
	err := c.rawControl("get-protocol", func(fd int) (err error) {
		p, err = nlsock.Protocol(fd)
		return err
	})
	return p, err
}

// queueStat is the part of SO_MEMINFO that tells whether datagrams were
// lost and whether any are waiting.
type queueStat struct {
	// drops counts the datagrams the kernel could not queue on the socket
	// since it was opened. It counts every drop, whether or not the socket
	// has NoENOBUFS set: the kernel increments it before deciding whether
	// to report the overrun.
	drops uint32
	// queued is the memory held by datagrams in the socket's receive queue
	// (sk_rmem_alloc): 0 means the queue is empty.
	queued uint32
}

// queueStat reads the socket's SO_MEMINFO.
func (c *Conn) queueStat() (queueStat, error) {
	var mi [unix.SK_MEMINFO_VARS]uint32
	err := c.rawControl("get-meminfo", func(fd int) error { return nlsock.MemInfo(fd, &mi) })
	if err != nil {
		return queueStat{}, err
	}
	return queueStat{drops: mi[unix.SK_MEMINFO_DROPS], queued: mi[unix.SK_MEMINFO_RMEM_ALLOC]}, nil
}

// raiseBuffer makes the socket's receive (rcv) or send buffer at least
// bytes large, as SetReadBuffer and SetWriteBuffer count them (the kernel
// doubles the value for its bookkeeping). It never lowers a buffer.
//
// With force, only SO_RCVBUFFORCE/SO_SNDBUFFORCE are tried: they need
// CAP_NET_ADMIN, and without it the buffer is left as it is. Without force,
// the unprivileged option is the fallback, which the kernel caps at
// net.core.rmem_max or wmem_max.
func (c *Conn) raiseBuffer(rcv bool, bytes int, force bool) error {
	get := c.WriteBuffer
	if rcv {
		get = c.ReadBuffer
	}
	cur, err := get()
	if err != nil {
		return err
	}
	if cur/2 >= bytes {
		return nil
	}
	if force {
		_ = c.rawControl("set-buffer", func(fd int) error { return nlsock.ForceBuffer(fd, rcv, bytes) })
		return nil
	}
	return c.rawControl("set-buffer", func(fd int) error { return nlsock.SetBuffer(fd, rcv, bytes) })
}

// clearCongestion makes the kernel look at the socket's receive queue
// again, as it does at the end of every receive: if the queue is empty, it
// stops dropping datagrams.
//
// After an overrun the kernel drops everything for the socket until a
// receive finds the queue empty. A broadcast racing with the receive that
// emptied the queue can mark the socket overrun again just after; the
// pending ENOBUFS then wakes a blocked reader, whose receive clears the
// mark. A caller that checks the queue before receiving (see queueStat)
// never makes that receive, so it makes one here: a non-blocking peek,
// which takes nothing from the queue. It may consume a pending ENOBUFS,
// which is why only callers that already know of the overrun use it.
func (c *Conn) clearCongestion() error {
	return c.rawControl("recvmsg", func(fd int) error {
		var b [1]byte
		_, _, err := unix.Recvfrom(fd, b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		if err == unix.EAGAIN || err == unix.ENOBUFS {
			return nil
		}
		return err
	})
}
