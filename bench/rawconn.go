package bench

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/nlring/netlink/internal/nlsock"
)

// rawBufferSize is the floor's receive buffer: the kernel caps dump
// datagrams at 32,448 bytes, so 32 KiB takes every one whole in one call.
const rawBufferSize = 32 << 10

// rawConn is a netlink socket driven with blocking x/sys/unix system calls
// and nothing else: one preallocated buffer, recvmsg into it, a walk over the
// headers. It is the floor every other client is compared with, and the
// tool the benchmark itself uses to install and delete routes, so it never
// allocates after it is opened and counts its own system calls.
type rawConn struct {
	fd       int
	seq      uint32
	buf      []byte
	iov      unix.Iovec
	hdr      unix.Msghdr
	syscalls int64
	// owned makes read return each datagram in a fresh allocation, as an
	// API whose messages the caller keeps must (RawCopyClient).
	owned bool
}

// dialRaw opens a blocking netlink socket in the namespace nsFD.
func dialRaw(nsFD, family int, groups uint32) (*rawConn, error) {
	fd, _, err := nlsock.Open(nlsock.Options{Family: family, Groups: groups, NetNS: nsFD})
	if err != nil {
		return nil, err
	}
	c := &rawConn{fd: fd, buf: make([]byte, rawBufferSize)}
	c.iov.Base = &c.buf[0]
	c.iov.SetLen(len(c.buf))
	c.hdr.Iov = &c.iov
	c.hdr.SetIovlen(1)
	return c, nil
}

func (c *rawConn) Close() error { return unix.Close(c.fd) }

func (c *rawConn) nextSeq() uint32 {
	c.seq++
	return c.seq
}

// write sends b as one datagram to the kernel.
func (c *rawConn) write(b []byte) error {
	for {
		c.syscalls++
		_, err := unix.Write(c.fd, b)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return os.NewSyscallError("sendmsg", err)
		}
		return nil
	}
}

// read receives one datagram into the connection's buffer. MSG_TRUNC makes
// the kernel report a datagram's real size, so a cut one is an error rather
// than silently lost messages.
func (c *rawConn) read() ([]byte, error) {
	for {
		c.syscalls++
		n, _, errno := unix.Syscall(unix.SYS_RECVMSG, uintptr(c.fd), uintptr(unsafe.Pointer(&c.hdr)), unix.MSG_TRUNC)
		switch {
		case errno == unix.EINTR:
			continue
		case errno != 0:
			return nil, os.NewSyscallError("recvmsg", errno)
		case int(n) > len(c.buf):
			return nil, fmt.Errorf("netlink datagram of %d bytes truncated to %d", n, len(c.buf))
		case c.owned:
			return append([]byte(nil), c.buf[:n]...), nil
		}
		return c.buf[:n], nil
	}
}

// errDumpInterrupted reports NLM_F_DUMP_INTR: the table changed during the
// dump. The benchmark changes nothing while it dumps, so it is a bug.
var errDumpInterrupted = errors.New("netlink dump interrupted (NLM_F_DUMP_INTR)")

// collect reads the replies to request seq and returns how many messages
// they held, not counting NLMSG_DONE and ACKs. It returns at NLMSG_DONE, at
// the ACK for seq, or after a single-part reply to seq; an error reply to
// any request fails it (with ACKs only on the last request of a batch, the
// earlier ones answer only when they fail).
func (c *rawConn) collect(seq uint32) (int, error) {
	msgs, _, err := c.collectWalk(seq, 0)
	return msgs, err
}

// collectWalk is collect that, with hdrLen > 0, also counts the attributes
// after a family header of hdrLen bytes in each data message: the same work
// the message-level clients' Walk does, with the least code that does it.
func (c *rawConn) collectWalk(seq uint32, hdrLen int) (msgs, attrs int, err error) {
	for {
		b, err := c.read()
		if err != nil {
			return msgs, attrs, err
		}
		for {
			h, body, rest, ok := nextMsg(b)
			if !ok {
				break
			}
			b = rest
			switch {
			case h.Type == unix.NLMSG_ERROR:
				if e := errorCode(body); e != 0 {
					return msgs, attrs, fmt.Errorf("netlink request %d: %w", h.Seq, e)
				}
				if h.Seq == seq {
					return msgs, attrs, nil
				}
			case h.Flags&unix.NLM_F_DUMP_INTR != 0:
				return msgs, attrs, errDumpInterrupted
			case h.Type == unix.NLMSG_DONE:
				return msgs, attrs, nil
			default:
				msgs++
				if hdrLen > 0 && len(body) >= hdrLen {
					attrs += countAttrs(body[hdrLen:])
				}
				if h.Flags&unix.NLM_F_MULTI == 0 && h.Seq == seq {
					return msgs, attrs, nil
				}
			}
		}
	}
}

// request sends the prebuilt message req under a fresh sequence number and
// collects its replies.
func (c *rawConn) request(req []byte) (int, error) {
	n, _, err := c.requestWalk(req, 0)
	return n, err
}

// requestWalk is request with collectWalk's attribute count.
func (c *rawConn) requestWalk(req []byte, hdrLen int) (msgs, attrs int, err error) {
	seq := c.nextSeq()
	setSeq(req, seq)
	if err := c.write(req); err != nil {
		return 0, 0, err
	}
	return c.collectWalk(seq, hdrLen)
}

// countAttrs counts the well-formed attributes at the start of b.
func countAttrs(b []byte) (n int) {
	for len(b) >= 4 {
		l := int(binary.NativeEndian.Uint16(b))
		if l < 4 || l > len(b) {
			break
		}
		n++
		b = b[min(nlAlign(l), len(b)):]
	}
	return n
}
