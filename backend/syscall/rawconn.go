//go:build linux

package syscall

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// A lazyConn is the socket's descriptor, handed to the runtime poller only
// once a call has to wait.
//
// A descriptor in the poller's epoll set makes the kernel wake the poller's
// thread for every datagram that arrives, whether or not anyone waits: a
// thread blocked in epoll_wait is woken from inside the sendmsg that
// carried a request, since the kernel queues the reply there. That made a
// request's round trip 1.5 times as long as on a descriptor outside the set.
// Replies to requests and the parts of a dump are queued by the time the
// receive that wants them runs, so a Conn that only makes requests never
// waits and never joins the set; a Conn that waits for events joins it at
// its first wait, for good.
//
// Until then every call runs its function on the descriptor directly,
// under mu held for reading, and deadlines are checked against the times
// remembered here; afterwards calls go through the poller's own RawConn,
// which also handles deadlines.
type lazyConn struct {
	fd int

	mu      sync.RWMutex
	closed  bool
	f       *os.File        // set once registered
	rc      syscall.RawConn // f's
	polling atomic.Bool     // f is set

	// Deadlines, as Unix nanoseconds (0: none), while not registered.
	readDL, writeDL atomic.Int64
}

var _ syscall.RawConn = (*lazyConn)(nil)

// errFileClosing is what a call on a closed descriptor returns: the text
// and type of the runtime poller's own error, which callers of SyscallConn
// may compare (the Socket turns it into net.ErrClosed for its own calls).
var errFileClosing = errors.New("use of closed file")

func newLazyConn(fd int) *lazyConn { return &lazyConn{fd: fd} }

// Control runs fn on the descriptor.
func (c *lazyConn) Control(fn func(fd uintptr)) error {
	if c.polling.Load() {
		return c.rc.Control(fn)
	}
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return errFileClosing
	}
	if c.f != nil {
		c.mu.RUnlock()
		return c.rc.Control(fn)
	}
	fn(uintptr(c.fd))
	c.mu.RUnlock()
	return nil
}

// Read runs fn until it returns true, waiting for the descriptor to become
// readable in between, as syscall.RawConn's Read does.
func (c *lazyConn) Read(fn func(fd uintptr) bool) error {
	return c.io(fn, &c.readDL, false)
}

// Write is Read for writing.
func (c *lazyConn) Write(fn func(fd uintptr) bool) error {
	return c.io(fn, &c.writeDL, true)
}

func (c *lazyConn) io(fn func(fd uintptr) bool, dl *atomic.Int64, write bool) error {
	if !c.polling.Load() {
		c.mu.RLock()
		switch {
		case c.closed:
			c.mu.RUnlock()
			return errFileClosing
		case c.f == nil:
			if d := dl.Load(); d != 0 && time.Now().UnixNano() >= d {
				c.mu.RUnlock()
				return os.ErrDeadlineExceeded
			}
			done := fn(uintptr(c.fd))
			c.mu.RUnlock()
			if done {
				return nil
			}
			if err := c.register(); err != nil {
				return err
			}
		default:
			c.mu.RUnlock()
		}
	}
	if write {
		return c.rc.Write(fn)
	}
	return c.rc.Read(fn)
}

// register hands the descriptor to the poller, with the deadlines set so
// far.
func (c *lazyConn) register() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errFileClosing
	}
	if c.f != nil {
		return nil
	}
	// The descriptor is non-blocking, so NewFile registers it. From here
	// on f owns the descriptor (and would close it when collected), so it
	// is kept whatever happens next.
	f := os.NewFile(uintptr(c.fd), "netlink")
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	c.f, c.rc = f, rc
	c.polling.Store(true)
	// NewFile falls back to blocking I/O, silently, when the poller refuses
	// a descriptor; deadlines then fail with ErrNoDeadline, and nothing
	// could interrupt a wait.
	if err := f.SetReadDeadline(unixTime(c.readDL.Load())); err != nil {
		return fmt.Errorf("netlink socket not usable with the runtime poller: %w", err)
	}
	if err := f.SetWriteDeadline(unixTime(c.writeDL.Load())); err != nil {
		return fmt.Errorf("netlink socket not usable with the runtime poller: %w", err)
	}
	return nil
}

func unixTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

func deadlineNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return max(t.UnixNano(), 1)
}

// SetReadDeadline and SetWriteDeadline set deadlines as os.File's do.
func (c *lazyConn) SetReadDeadline(t time.Time) error {
	return c.setDeadline(t, &c.readDL, (*os.File).SetReadDeadline)
}

func (c *lazyConn) SetWriteDeadline(t time.Time) error {
	return c.setDeadline(t, &c.writeDL, (*os.File).SetWriteDeadline)
}

func (c *lazyConn) setDeadline(t time.Time, dl *atomic.Int64, set func(*os.File, time.Time) error) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return errFileClosing
	}
	if c.f != nil {
		return set(c.f, t)
	}
	// register reads it under the write lock: it cannot miss this.
	dl.Store(deadlineNanos(t))
	return nil
}

// Close closes the descriptor once no call uses it. Calls waiting in the
// poller return with an error.
func (c *lazyConn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return net.ErrClosed
	}
	c.closed = true
	f := c.f
	c.mu.Unlock()
	if f != nil {
		return f.Close()
	}
	return os.NewSyscallError("close", syscall.Close(c.fd))
}
