//go:build linux

package netlink

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nlring/netlink/backend"
	"golang.org/x/sys/unix"
)

// backendTransport runs a Conn on an nlring backend socket. This file moves
// its datagrams; sockopt.go sets its options.
type backendTransport struct {
	s backend.Socket
	// ctxRecv is s if its backend can wait for a datagram and a context at
	// once; otherwise cancellation falls back to moving the read deadline.
	ctxRecv contextReceiver

	closed atomic.Bool
	// busyAtClose says the Conn was in use when Close was called: see
	// closedErr. It is final before closed is set.
	busyAtClose bool
	// What "in use" means: calls under way in the backend, datagrams
	// handed out and not released, and a multi-part reply begun and not
	// ended (its reader is between two datagrams).
	active   atomic.Int32
	held     atomic.Int32
	midReply atomic.Bool
	// replySeq is the sequence number of that unfinished reply.
	replySeq atomic.Uint32

	// A dump request sent while an earlier multi-part reply is unfinished
	// would be refused by the kernel (EBUSY: one dump at a time per
	// socket), and what is left of the old one would come first. So the
	// send reads the old reply to its end first (finishReplyBefore). rxMu
	// is held meanwhile; other datagrams met on the way wait in deferred,
	// in order, for recv. recvs counts receives under way, which
	// finishReplyBefore must not compete with; hasDeferred lets recv skip
	// rxMu otherwise.
	rxMu        sync.Mutex
	deferred    datagramQueue
	recvs       atomic.Int32
	hasDeferred atomic.Bool

	// sendBufs recycles the buffers requests are encoded into.
	sendBufs sync.Pool

	// deadlineMu guards readDeadline, the read deadline the caller last
	// set, which is put back after a cancelled receive moved it. close
	// takes it too, so that no deadline is set once the Conn is closed.
	deadlineMu   sync.Mutex
	readDeadline time.Time
}

// contextReceiver is implemented by backends whose receive can be cancelled
// by a context directly.
type contextReceiver interface {
	RecvContext(ctx context.Context) (backend.Datagram, error)
}

// maxPooledSendBuf bounds the send buffers kept for reuse, so that one huge
// batch does not pin its buffer for the life of the Conn.
const maxPooledSendBuf = 64 << 10

func newBackendTransport(s backend.Socket) *backendTransport {
	t := &backendTransport{s: s}
	t.ctxRecv, _ = s.(contextReceiver)
	return t
}

func (t *backendTransport) send(m Message) error {
	return t.sendMessages([]Message{m})
}

func (t *backendTransport) sendMessages(msgs []Message) error {
	t.active.Add(1)
	defer t.active.Add(-1)
	if t.closed.Load() {
		return t.closedErr("sendmsg")
	}
	bp, _ := t.sendBufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	b := (*bp)[:0]
	var err error
	for _, m := range msgs {
		if b, err = appendMessage(b, m); err != nil {
			break
		}
	}
	if err == nil {
		t.finishReplyBefore(b)
		err = t.s.Send(b)
	}
	if cap(b) <= maxPooledSendBuf {
		*bp = b
		t.sendBufs.Put(bp)
	}
	return t.ioErr("sendmsg", nil, err)
}

func (t *backendTransport) encoded() bool { return true }

func (t *backendTransport) recv(ctx context.Context) (datagram, error) {
	t.active.Add(1)
	defer t.active.Add(-1)
	if t.closed.Load() {
		return datagram{}, t.closedErr("recvmsg")
	}
	// Counted before hasDeferred is read, and finishReplyBefore sets
	// hasDeferred before it reads recvs: one of them sees the other.
	t.recvs.Add(1)
	defer t.recvs.Add(-1)
	if t.hasDeferred.Load() {
		if d, ok := t.popDeferred(); ok {
			// An error in the queue is an overrun of it, reported in
			// order as the socket's own would be.
			return d, d.err
		}
	}
	var (
		bd  backend.Datagram
		err error
	)
	switch {
	case ctx == nil || ctx.Done() == nil:
		bd, err = t.s.Recv()
	case t.ctxRecv != nil:
		bd, err = t.ctxRecv.RecvContext(ctx)
	default:
		bd, err = t.recvByDeadline(ctx)
	}
	if err != nil {
		return datagram{}, t.ioErr("recvmsg", ctx, err)
	}
	t.held.Add(1)
	return datagram{
		b:       bd.Data,
		sender:  bd.Sender,
		unicast: bd.Groups == 0,
		bd:      bd,
		held:    true,
		counted: true,
		noteEnd: bd.Groups == 0,
	}, nil
}

// recvByDeadline cancels a plain Recv when ctx is done.
func (t *backendTransport) recvByDeadline(ctx context.Context) (backend.Datagram, error) {
	stop := t.interruptOnDone(ctx)
	bd, err := t.s.Recv()
	stop()
	return bd, err
}

// interruptOnDone moves the read deadline into the past once ctx is done,
// which wakes a blocked receive on either backend. stop disarms it and, if
// it fired, restores the caller's read deadline.
func (t *backendTransport) interruptOnDone(ctx context.Context) (stop func()) {
	fired := make(chan struct{})
	after := context.AfterFunc(ctx, func() {
		defer close(fired)
		t.deadlineMu.Lock()
		defer t.deadlineMu.Unlock()
		_ = t.s.SetReadDeadline(time.Unix(1, 0))
	})
	return func() {
		if after() {
			return
		}
		<-fired
		t.deadlineMu.Lock()
		_ = t.s.SetReadDeadline(t.readDeadline)
		t.deadlineMu.Unlock()
	}
}

func (t *backendTransport) sendRaw(b []byte) error {
	t.active.Add(1)
	defer t.active.Add(-1)
	if t.closed.Load() {
		return t.closedErr("sendmsg")
	}
	t.finishReplyBefore(b)
	return t.ioErr("sendmsg", nil, t.s.Send(b))
}

// finishReplyWait bounds each receive of finishReplyBefore. The kernel
// builds the next part of a dump inside the recvmsg that asks for it, so a
// part never takes long: the bound only keeps a send from hanging should
// the rest of the reply never come (a peer's multi-part reply without a
// Done).
const finishReplyWait = time.Second

// finishReplyBefore finishes an unfinished multi-part reply if request b
// is a dump request, so that the kernel accepts it. It does nothing while
// another goroutine receives: that receive is reading the old reply (or
// will), and a dump sent meanwhile fails as the kernel says. If the rest
// cannot be read (deadline, Close) the request is sent all the same.
func (t *backendTransport) finishReplyBefore(b []byte) {
	if !t.midReply.Load() || len(b) < nlmsgHeaderLen ||
		HeaderFlags(binary.NativeEndian.Uint16(b[6:]))&Dump != Dump {
		return
	}
	t.hasDeferred.Store(true)
	t.rxMu.Lock()
	defer func() {
		t.hasDeferred.Store(len(t.deferred.q) > 0)
		t.rxMu.Unlock()
	}()
	if t.recvs.Load() > 0 || t.ctxRecv == nil {
		return
	}
	seq := t.replySeq.Load()
	for t.midReply.Load() {
		ctx, cancel := context.WithTimeout(context.Background(), finishReplyWait)
		bd, err := t.ctxRecv.RecvContext(ctx)
		cancel()
		if err != nil {
			return
		}
		if bd.Groups == 0 && len(bd.Data) >= nlmsgHeaderLen && binary.NativeEndian.Uint32(bd.Data[8:]) == seq {
			// A part of the old reply: drop it.
			t.noteReply(bd.Data, endsMidReply(bd.Data))
			t.s.Release(bd)
			continue
		}
		// Anything else (an event, the reply to another request) is kept
		// for recv, in order, in memory of its own.
		t.deferred.push(datagram{b: bd.Data, sender: bd.Sender, unicast: bd.Groups == 0})
		t.s.Release(bd)
	}
}

// popDeferred returns the oldest datagram finishReplyBefore set aside,
// waiting for one under way to end first.
func (t *backendTransport) popDeferred() (datagram, bool) {
	t.rxMu.Lock()
	defer t.rxMu.Unlock()
	d, ok := t.deferred.pop()
	t.hasDeferred.Store(len(t.deferred.q) > 0)
	return d, ok
}

// noteReply records whether unicast datagram b leaves a multi-part reply
// unfinished (mid), and which. Only the end of that reply finishes it: the
// reply to a request sent in the middle of a dump comes before the dump's
// remaining parts, which the kernel builds as they are read.
func (t *backendTransport) noteReply(b []byte, mid bool) {
	if len(b) < nlmsgHeaderLen {
		return
	}
	seq := binary.NativeEndian.Uint32(b[8:])
	switch {
	case mid:
		t.replySeq.Store(seq)
		t.midReply.Store(true)
	case seq == t.replySeq.Load():
		t.midReply.Store(false)
	}
}

// ioErr gives a send or receive error the form github.com/mdlayher/netlink
// gave it: the context's error for a cancelled call, os.ErrDeadlineExceeded
// for a deadline, closingError for a call interrupted by Close, and system
// call errors as *os.SyscallError.
func (t *backendTransport) ioErr(op string, ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case ctx != nil && ctx.Err() != nil &&
		(errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
			errors.Is(err, os.ErrDeadlineExceeded)):
		return ctx.Err()
	case errors.Is(err, os.ErrDeadlineExceeded):
		return os.ErrDeadlineExceeded
	case errors.Is(err, net.ErrClosed):
		return closingError{}
	}
	return syscallErr(op, err)
}

// release gives d's buffer back to the backend, having first noted how d
// ends (noteReply). It is noted at release, not at receive, so that a
// reader that walked d to its end saves the transport a second walk over
// its headers.
func (t *backendTransport) release(d datagram) {
	if d.noteEnd {
		mid := d.endsMid
		if !d.endKnown {
			mid = endsMidReply(d.b)
		}
		t.noteReply(d.b, mid)
	}
	if d.counted {
		t.held.Add(-1)
	}
	if d.held {
		t.s.Release(d.bd)
	}
}

// endsMidReply reports whether the last message of datagram b is a part of
// a multi-part reply other than its Done: more of the reply is to come.
func endsMidReply(b []byte) bool {
	var last []byte
	for len(b) >= nlmsgHeaderLen {
		l := int(binary.NativeEndian.Uint32(b))
		if l < nlmsgHeaderLen {
			return false
		}
		last, b = b, b[min(nlmsgAlign(l), len(b)):]
	}
	if last == nil {
		return false
	}
	typ := HeaderType(binary.NativeEndian.Uint16(last[4:]))
	flags := HeaderFlags(binary.NativeEndian.Uint16(last[6:]))
	return flags&Multi != 0 && typ != Done && typ != Error
}

func (t *backendTransport) close() error {
	if t.closed.Load() {
		return nil
	}
	// Decided before closed is set, so that every call that sees closed
	// sees the final answer. A call that slips in between reaches the
	// backend, which reports net.ErrClosed itself.
	t.deadlineMu.Lock()
	if t.closed.Load() {
		t.deadlineMu.Unlock()
		return nil
	}
	t.busyAtClose = t.active.Load() > 0 || t.held.Load() > 0 || t.midReply.Load()
	t.closed.Store(true)
	t.deadlineMu.Unlock()
	return t.s.Close()
}

// closedErr is the error of a call that finds the Conn closed. A Conn
// closed while idle answers as github.com/mdlayher/netlink did, EBADF
// (programs and its tests check for it). A Conn closed while in use
// answers net.ErrClosed (closingError), to the calls under way and to all
// later ones: a call that was waiting for the Conn, or between two
// datagrams of a reply, when Close came cannot be told from a later one
// here, and must not get EBADF by a matter of timing.
func (t *backendTransport) closedErr(op string) error {
	if t.busyAtClose {
		return closingError{}
	}
	return os.NewSyscallError(op, unix.EBADF)
}
