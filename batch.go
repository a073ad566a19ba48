package netlink

import (
	"context"
	"errors"
	"fmt"

	"github.com/nlring/netlink/internal/unix"
)

// A BatchMode says how ExecuteBatch learns the outcome of each request.
type BatchMode int

const (
	// BatchAuto uses BatchBarrier where the family is known to allow it
	// (NETLINK_ROUTE, NETLINK_GENERIC, NETLINK_NETFILTER and NETLINK_XFRM)
	// and BatchAckEach otherwise.
	BatchAuto BatchMode = iota

	// BatchAckEach sends every request with the Acknowledge flag: each is
	// answered by its own Error message, matched to it by sequence number.
	// A nil result means the kernel acknowledged the request.
	//
	// It works with any family that acknowledges requests, at the cost of
	// one reply datagram per request. In the families that allow barriers
	// (see BatchBarrier) each group still ends with one, so that a request
	// the kernel handled without answering is reported as
	// ErrOutcomeUnknown instead of waited for. In other families the batch
	// waits for every acknowledgement, and after an overrun it stops with
	// an error, since the answers lost cannot be told from answers late.
	BatchAckEach

	// BatchBarrier sends requests without the Acknowledge flag, so that
	// only failures are answered, and follows each group with a barrier:
	// a Noop request with the Acknowledge flag, at the end of the group's
	// datagram (in a datagram of its own on NETLINK_NETFILTER, which
	// refuses a whole datagram when the sender lacks CAP_NET_ADMIN).
	//
	// In the families allowed, the kernel handles the messages of a
	// datagram one after the other within the send call (netlink_rcv_skb),
	// answers a failed request with an Error message even without the
	// Acknowledge flag, and acknowledges a Noop request without doing
	// anything. The barrier's acknowledgement therefore proves that every
	// request before it was handled and that any failure was reported
	// before it. A nil result means the kernel handled the request and
	// reported no error. The one case this cannot tell apart: a handler
	// that returns EINTR is neither acknowledged nor reported by the
	// kernel, and counts as a success (in BatchAckEach it is reported as
	// ErrOutcomeUnknown). Dumps, the usual source of it, are rejected.
	//
	// If the barrier itself is answered with an error, the requests of its
	// group that got no answer are reported with an error wrapping
	// ErrOutcomeUnknown and that error.
	//
	// This is the fast mode: one reply datagram per group of up to
	// thousands of requests, plus one per failure.
	BatchBarrier
)

func (m BatchMode) String() string {
	switch m {
	case BatchAuto:
		return "auto"
	case BatchAckEach:
		return "ack-each"
	case BatchBarrier:
		return "barrier"
	}
	return fmt.Sprintf("BatchMode(%d)", int(m))
}

// BatchOptions tune ExecuteBatch. The zero value (or nil) is the default.
type BatchOptions struct {
	// Mode chooses how outcomes are learnt; see BatchMode.
	Mode BatchMode

	// ReadBuffer and WriteBuffer are the sizes the socket's receive and
	// send buffers are raised to before the batch, as SetReadBuffer counts
	// them. Defaults: 4 MiB and 1 MiB. Buffers are raised only with
	// SO_RCVBUFFORCE/SO_SNDBUFFORCE, which need CAP_NET_ADMIN; without it
	// they stay as they are and the batch adapts its groups to them. A
	// buffer is never lowered, and stays raised after the batch. A
	// negative value leaves the buffer alone.
	ReadBuffer, WriteBuffer int
}

// Default socket buffer sizes for batches. 4 MiB of receive buffer holds
// the replies of about 3,000 failed requests (the kernel counts about
// 1.3 KiB for each error reply of a small request), which is what it takes
// to send thousands of requests per datagram; 1 MiB of send buffer holds a
// datagram of that many route requests.
const (
	defaultBatchReadBuffer  = 4 << 20
	defaultBatchWriteBuffer = 1 << 20
)

// ExecuteBatch sends reqs to the kernel, packed into as few datagrams as
// the socket allows, and returns the outcome of each: results[i] is nil
// when reqs[i] succeeded, or the error the kernel answered it with: an
// *OpError whose Err is the errno and whose Message and Offset carry the
// extended acknowledgement, exactly as Execute reports it. Replies other
// than Error messages (data a request asked for) are discarded: the batch
// is meant for requests that change state.
//
// ExecuteBatch sets the Request flag and, as the mode requires, sets or
// clears the Acknowledge flag of every request; it gives each request a
// sequence number of its own, ignoring Header.Sequence and Header.PID.
// Header.Length is filled in when zero. reqs are not modified.
//
// Requests are sent in groups, each one datagram no larger than the send
// buffer allows and with no more requests than the receive buffer can hold
// replies for even if all of them fail, and the replies of a group are
// read before the next is sent: the receive buffer does not overrun, and
// no reply is ever attributed to the wrong request. If the buffer overruns
// anyway (something else filled it), requests whose replies may have been
// lost get an error wrapping ErrOutcomeUnknown and unix.ENOBUFS, never a
// guessed success, and the batch goes on (in a family without barriers it
// stops: see BatchAckEach). See BatchOptions for the buffer sizes.
//
// A dump request (Dump flag), a request with the Echo flag, an rtnetlink
// GET and, on NETLINK_NETFILTER, a batch begin or end message are
// rejected before anything is sent: their replies are not acknowledgements.
//
// err is non-nil when the batch could not run to the end: the context
// ended, the socket failed or was closed, or an overrun could not be
// resolved. results then still has an entry for every request: its
// outcome, an error wrapping ErrOutcomeUnknown for a request sent but not
// answered, or an error wrapping ErrNotSent. A rejected request makes err
// non-nil and results nil.
//
// The batch holds the Conn for its whole run, as Execute does; multicast
// datagrams received in the meantime are discarded, so subscribe on
// another Conn.
func (c *Conn) ExecuteBatch(reqs []Message, opts *BatchOptions) (results []error, err error) {
	return c.ExecuteBatchContext(context.Background(), reqs, opts)
}

// ExecuteBatchContext is ExecuteBatch with a context. When ctx ends,
// waiting for the Conn or for replies stops at once and no further group
// is sent; a group the kernel is already handling cannot be interrupted
// (the kernel handles it inside the send call). The requests of the group
// in flight get an error wrapping ErrOutcomeUnknown and ctx.Err(), the
// rest ErrNotSent and ctx.Err(). Replies not read stay queued on the
// socket: a Conn whose batch was cancelled is best closed.
func (c *Conn) ExecuteBatchContext(ctx context.Context, reqs []Message, opts *BatchOptions) ([]error, error) {
	ctx = orBackground(ctx)
	if opts == nil {
		opts = &BatchOptions{}
	}
	if len(reqs) == 0 {
		return []error{}, nil
	}
	if uint64(len(reqs)) > 1<<31 {
		return nil, newOpError("execute-batch", errors.New("too many requests for distinct sequence numbers"))
	}
	if !c.t.encoded() {
		return nil, notSupported("execute-batch")
	}
	family, err := c.protocol()
	if err != nil {
		return nil, err
	}
	mode, err := batchModeFor(opts.Mode, family)
	if err != nil {
		return nil, newOpError("execute-batch", err)
	}
	for i, m := range reqs {
		if err := checkBatchRequest(family, m); err != nil {
			return nil, newOpError("execute-batch", fmt.Errorf("request %d: %w", i, err))
		}
	}

	if err := c.lockRecv(ctx); err != nil {
		return nil, newOpError("execute-batch", err)
	}
	defer c.unlockRecv()
	c.sendMu.Lock()
	defer c.sendMu.Unlock()

	b := &batchRun{
		c:               c,
		reqs:            reqs,
		mode:            mode,
		barrier:         barrierFamily(family),
		separateBarrier: family == unix.NETLINK_NETFILTER,
	}
	return b.run(ctx, opts)
}

// barrierFamily reports whether the kernel side of family handles the
// messages of a datagram in order with netlink_rcv_skb, synchronously
// within the send call, so that an acknowledged Noop proves everything
// before it was handled and answered.
func barrierFamily(family int) bool {
	switch family {
	case unix.NETLINK_ROUTE, unix.NETLINK_GENERIC, unix.NETLINK_NETFILTER, unix.NETLINK_XFRM:
		return true
	}
	return false
}

func batchModeFor(m BatchMode, family int) (BatchMode, error) {
	switch m {
	case BatchAuto:
		if barrierFamily(family) {
			return BatchBarrier, nil
		}
		return BatchAckEach, nil
	case BatchAckEach:
		return m, nil
	case BatchBarrier:
		if !barrierFamily(family) {
			return 0, fmt.Errorf("BatchBarrier is not proven safe for netlink family %d", family)
		}
		return m, nil
	}
	return 0, fmt.Errorf("unknown batch mode %v", m)
}

// nfnlBatchBegin and nfnlBatchEnd are NFNL_MSG_BATCH_BEGIN and _END: an
// nfnetlink transaction, answered after its end and possibly replayed,
// which a batch of independent requests cannot express.
const (
	nfnlBatchBegin = 0x10
	nfnlBatchEnd   = 0x11
)

// checkBatchRequest rejects requests whose replies are not a plain
// acknowledgement.
func checkBatchRequest(family int, m Message) error {
	switch {
	case m.Header.Flags&Dump == Dump:
		return errors.New("dump requests cannot be batched")
	case m.Header.Flags&Echo != 0:
		return errors.New("requests with the Echo flag cannot be batched")
	case family == unix.NETLINK_ROUTE && m.Header.Type >= unix.RTM_BASE && (m.Header.Type-unix.RTM_BASE)%4 == 2:
		return fmt.Errorf("rtnetlink GET requests (type %d) cannot be batched", m.Header.Type)
	case family == unix.NETLINK_NETFILTER && (m.Header.Type == nfnlBatchBegin || m.Header.Type == nfnlBatchEnd):
		return errors.New("nfnetlink batch messages cannot be batched")
	case m.Header.Type < 0x10:
		return fmt.Errorf("control messages (type %d) cannot be batched", m.Header.Type)
	case m.Header.Length != 0 && (m.Header.Length < nlmsgHeaderLen ||
		uint64(m.Header.Length) < uint64(nlmsgHeaderLen+len(m.Data))):
		return fmt.Errorf("%w: length %d cannot hold a header and %d bytes of data",
			errIncorrectMessageLength, m.Header.Length, len(m.Data))
	}
	return nil
}
