package netlink

import (
	"context"
	"errors"
	"fmt"
	"math/bits"

	"github.com/nlring/netlink/internal/unix"
)

// How a batch runs, and why it cannot misattribute a reply.
//
// Every kernel netlink family handles a datagram inside the sendmsg call that
// delivers it (netlink_unicast_kernel calls the family's input function), so
// when the send returns, every reply to the datagram is on the socket's
// receive queue or was dropped. The socket's drop counter (SO_MEMINFO), read
// before and after the send, says which: if it did not move, every reply is
// there to be read. A group is sent only once the previous one is fully
// read, and is never larger than the receive buffer can hold replies for,
// so drops only come from outside causes (another sender filling the
// buffer) and are then detected, not guessed at.
//
// A group ends with a barrier where the family allows it (see BatchBarrier).
// After a drop the group's own barrier may be lost, so the batch sends a
// resynchronizing barrier once the queue is empty and reads up to its
// acknowledgement: everything queued before it is then attributed by
// sequence number, and requests left unanswered get ErrOutcomeUnknown.

// extAckAllowance bounds what extended acknowledgement attributes add to an
// error reply: a message of a few dozen characters, an offset, sometimes a
// missing-attribute nest or a policy.
const extAckAllowance = 256

// replyCost estimates the receive buffer memory the kernel charges for the
// Error message answering a request of reqLen bytes: the skb's truesize.
// The data (header, errno, echoed request, extended acknowledgement) is
// allocated together with struct skb_shared_info (320 bytes) in a
// power-of-two kmalloc bucket, and struct sk_buff (256 bytes) comes on top.
func replyCost(reqLen int) int {
	data := nlmsgHeaderLen + 4 + reqLen + extAckAllowance + 320
	return 1<<bits.Len(uint(data-1)) + 256
}

// maxResyncs bounds the attempts to resynchronize after an overrun. Each
// attempt follows a full drain of the receive queue, so only a socket that
// something else keeps flooding needs more than one or two.
const maxResyncs = 64

// A batchRun is the state of one ExecuteBatch.
type batchRun struct {
	c               *Conn
	reqs            []Message
	mode            BatchMode
	barrier         bool // the family allows barriers (see barrierFamily)
	separateBarrier bool // send the barrier in a datagram of its own

	results  []error
	answered []bool
	first    uint32 // sequence number of reqs[0]; reqs[i] has first+i

	maxBytes    int // largest datagram the socket sends (sndbuf - 32)
	replyBudget int // receive buffer the replies of one group may take

	buf []byte
	rx  *recvScope
}

func (b *batchRun) run(ctx context.Context, opts *BatchOptions) ([]error, error) {
	n := len(b.reqs)
	if err := b.sizeBuffers(opts); err != nil {
		return nil, err
	}
	b.results = make([]error, n)
	b.answered = make([]bool, n)
	b.first = b.c.seq.Add(uint32(n)) - uint32(n) + 1
	b.rx = b.c.openRecvScope(ctx)
	defer b.rx.close()

	for start := 0; start < n; {
		if err := ctx.Err(); err != nil {
			return b.stop(start, start, err)
		}
		end, bseq := b.pack(start)
		lossy, attempted, err := b.send(start, end, bseq)
		switch {
		case err == nil:
		case !attempted:
			return b.stop(start, start, err)
		case errors.Is(err, unix.EMSGSIZE):
			// The kernel refused the datagram whole; the next group
			// may fit.
			start = end
			continue
		default:
			return b.stop(start, end, err)
		}
		if err := b.await(start, end, bseq, lossy); err != nil {
			return b.stop(start, end, err)
		}
		start = end
	}
	return b.results, nil
}

// sizeBuffers raises the socket buffers as opts ask and derives the group
// limits from what the kernel granted.
func (b *batchRun) sizeBuffers(opts *BatchOptions) error {
	rb, wb := opts.ReadBuffer, opts.WriteBuffer
	if rb == 0 {
		rb = defaultBatchReadBuffer
	}
	if wb == 0 {
		wb = defaultBatchWriteBuffer
	}
	if rb > 0 {
		if err := b.c.raiseBuffer(true, rb, true); err != nil {
			return err
		}
	}
	if wb > 0 {
		if err := b.c.raiseBuffer(false, wb, true); err != nil {
			return err
		}
	}
	rcv, err := b.c.ReadBuffer()
	if err != nil {
		return err
	}
	snd, err := b.c.WriteBuffer()
	if err != nil {
		return err
	}
	// The kernel refuses datagrams longer than sk_sndbuf - 32 (EMSGSIZE),
	// and queues a reply while the queue holds no more than sk_rcvbuf:
	// leave room for the barrier's acknowledgement.
	b.maxBytes = snd - 32
	b.replyBudget = rcv - replyCost(nlmsgHeaderLen)
	return nil
}

// pack encodes the group starting at reqs[start] into b.buf, followed by
// the barrier if one goes in the same datagram. It returns where the group
// ends and the barrier's sequence number (0 and unused without barriers).
// A group has at least one request.
func (b *batchRun) pack(start int) (end int, bseq uint32) {
	tail := 0
	if b.barrier && !b.separateBarrier {
		tail = nlmsgHeaderLen
	}
	flags := Request
	if b.mode == BatchAckEach {
		flags |= Acknowledge
	}

	b.buf = b.buf[:0]
	budget := b.replyBudget
	for end = start; end < len(b.reqs); end++ {
		m := b.reqs[end]
		l := m.Header.Length
		if l == 0 {
			l = uint32(nlmsgHeaderLen + len(m.Data))
		}
		size, cost := nlmsgAlign(int(l)), replyCost(int(l))
		if end > start && (len(b.buf)+size+tail > b.maxBytes || cost > budget) {
			break
		}
		budget -= cost
		m.Header = Header{
			Length:   l,
			Type:     m.Header.Type,
			Flags:    m.Header.Flags&^Acknowledge | flags,
			Sequence: b.first + uint32(end),
			PID:      b.c.pid,
		}
		// checkBatchRequest made sure every request encodes.
		b.buf, _ = appendMessage(b.buf, m)
	}
	if b.barrier {
		bseq = b.c.seq.Add(1)
		if !b.separateBarrier {
			b.buf = appendBarrier(b.buf, bseq, b.c.pid)
		}
	}
	return end, bseq
}

// appendBarrier appends a Noop request with the Acknowledge flag.
func appendBarrier(dst []byte, seq, pid uint32) []byte {
	dst, _ = appendMessage(dst, Message{Header: Header{
		Length:   nlmsgHeaderLen,
		Type:     Noop,
		Flags:    Request | Acknowledge,
		Sequence: seq,
		PID:      pid,
	}})
	return dst
}

// send sends the packed group and reports whether the socket dropped
// datagrams meanwhile: replies of the group may be among them.
//
// On error, attempted is false if nothing was sent. Otherwise the group's
// results are settled: an error sending the group means the kernel
// handled none of it, and its requests get that error; after any later
// error their outcome is unknown.
func (b *batchRun) send(start, end int, bseq uint32) (lossy, attempted bool, err error) {
	before, err := b.c.queueStat()
	if err != nil {
		return false, false, err
	}
	if err := b.sendRaw(b.buf); err != nil {
		for i := start; i < end; i++ {
			b.results[i], b.answered[i] = err, true
		}
		return false, true, err
	}
	if b.barrier && b.separateBarrier {
		b.buf = appendBarrier(b.buf[:0], bseq, b.c.pid)
		if err := b.sendRaw(b.buf); err != nil {
			b.settle(start, end, err)
			return false, true, err
		}
	}
	after, err := b.c.queueStat()
	if err != nil {
		b.settle(start, end, err)
		return false, true, err
	}
	return after.drops != before.drops, true, nil
}

// sendRaw sends one encoded datagram. It is sendMessages without the
// re-encoding: a group is encoded once, straight into b.buf.
func (b *batchRun) sendRaw(buf []byte) error {
	return newOpError("send", b.c.t.sendRaw(buf))
}

// await reads the replies of the group reqs[start:end] and settles the
// result of each of its requests.
func (b *batchRun) await(start, end int, bseq uint32, lossy bool) error {
	if !b.barrier {
		return b.awaitEach(start, end, lossy)
	}
	var barrierErr error
	if !lossy {
		var err error
		barrierErr, err = b.readUntil(bseq)
		switch {
		case errors.Is(err, unix.ENOBUFS):
			// Something overran the socket after the group was sent;
			// the barrier itself may be gone.
			lossy = true
		case err != nil:
			return err
		}
	}
	cause := error(nil)
	switch {
	case lossy:
		if err := b.resync(); err != nil {
			return err
		}
		cause = errOverrun
	case barrierErr != nil:
		cause = barrierErr
	case b.mode == BatchAckEach:
		cause = errNoAck
	}
	b.settle(start, end, cause)
	return nil
}

// awaitEach reads the group's replies in a family without barriers: every
// request is acknowledged, so the group is complete when each one is
// answered. After a drop there is no way to tell which answers will never
// come: the batch stops.
func (b *batchRun) awaitEach(start, end int, lossy bool) error {
	for i := start; i < end && !lossy; {
		if b.answered[i] {
			i++
			continue
		}
		if _, err := b.readOne(0); err != nil {
			if !errors.Is(err, unix.ENOBUFS) {
				return err
			}
			lossy = true
		}
	}
	if !lossy {
		return nil
	}
	if _, err := b.drainUntil(0); err != nil {
		return err
	}
	return errOverrun
}

// settle gives every unanswered request of reqs[start:end] its result:
// success, or an error wrapping ErrOutcomeUnknown and cause.
func (b *batchRun) settle(start, end int, cause error) {
	var unknown error
	if cause != nil {
		unknown = &OpError{Op: "execute-batch", Err: fmt.Errorf("%w: %w", ErrOutcomeUnknown, cause)}
	}
	for i := start; i < end; i++ {
		if !b.answered[i] {
			b.results[i], b.answered[i] = unknown, true
		}
	}
}

// resync makes sure that every reply queued so far has been read. It sends
// a barrier and reads up to its acknowledgement, which the kernel queues
// after every earlier reply. If the drop counter moved meanwhile, the
// barrier may be among the datagrams dropped (the kernel drops replies
// while a socket that overran still has anything queued): it then reads
// what is queued, stopping early if the acknowledgement turns up, and
// tries again once the queue is empty.
func (b *batchRun) resync() error {
	for range maxResyncs {
		seq := b.c.seq.Add(1)
		before, err := b.c.queueStat()
		if err != nil {
			return err
		}
		if err := b.sendRaw(appendBarrier(b.buf[:0], seq, b.c.pid)); err != nil {
			return err
		}
		after, err := b.c.queueStat()
		if err != nil {
			return err
		}
		if after.drops == before.drops {
			for {
				_, err := b.readUntil(seq)
				if !errors.Is(err, unix.ENOBUFS) {
					// An overrun reported now is an earlier one: the
					// barrier's acknowledgement is queued.
					return err
				}
			}
		}
		found, err := b.drainUntil(seq)
		if found || err != nil {
			return err
		}
	}
	return fmt.Errorf("%w: the receive queue kept overrunning", ErrOutcomeUnknown)
}

// drainUntil reads, and attributes, the datagrams queued on the socket
// until the queue is empty or the Error message with sequence number seq
// turns up (found). A receive is only started while the kernel reports a
// non-empty queue, so it never waits for a datagram that is not coming;
// an empty queue is then cleared of the overrun mark (see
// clearCongestion). On the io_uring backend datagrams already taken from
// the queue may remain unread: a later read gets them in order.
func (b *batchRun) drainUntil(seq uint32) (found bool, err error) {
	for {
		st, err := b.c.queueStat()
		if err != nil {
			return false, err
		}
		if st.queued == 0 {
			return false, b.c.clearCongestion()
		}
		f, err := b.readOne(seq)
		if err != nil && !errors.Is(err, unix.ENOBUFS) {
			return false, err
		}
		if f != nil {
			return true, nil
		}
	}
}

// readUntil reads datagrams, attributing their replies, until the Error
// message with sequence number seq arrives, and returns the error it
// carries (nil for an acknowledgement).
func (b *batchRun) readUntil(seq uint32) (seqErr error, err error) {
	for {
		found, err := b.readOne(seq)
		if err != nil {
			return nil, err
		}
		if found != nil {
			return *found, nil
		}
	}
}

// readOne reads one datagram and attributes the Error messages in it. If
// one has sequence number seq, found points to the error it carries.
func (b *batchRun) readOne(seq uint32) (found *error, err error) {
	d, err := b.rx.recv()
	if err != nil {
		return nil, newOpError("receive", err)
	}
	defer b.c.t.release(d)
	if !d.unicast {
		// A multicast datagram on a Conn that joined groups: not ours.
		return nil, nil
	}
	var m Message
	for {
		ok, err := d.next(&m)
		if err != nil {
			return found, newOpError("receive", err)
		}
		if !ok {
			return found, nil
		}
		if m.Header.Type != Error {
			continue
		}
		s := m.Header.Sequence
		if s == seq && found == nil && b.barrier {
			e := checkMessage(m)
			found = &e
			continue
		}
		if i := s - b.first; uint64(i) < uint64(len(b.reqs)) && !b.answered[i] {
			b.results[i], b.answered[i] = checkMessage(m), true
		}
	}
}

// stop ends a batch that cannot go on: requests from inFlight that are
// unanswered get ErrOutcomeUnknown, those from notSent on ErrNotSent, both
// wrapping cause.
func (b *batchRun) stop(inFlight, notSent int, cause error) ([]error, error) {
	if inFlight < notSent {
		b.settle(inFlight, notSent, cause)
	}
	if notSent < len(b.reqs) {
		e := &OpError{Op: "execute-batch", Err: fmt.Errorf("%w: %w", ErrNotSent, cause)}
		for i := notSent; i < len(b.reqs); i++ {
			b.results[i] = e
		}
	}
	var oe *OpError
	if !errors.As(cause, &oe) {
		cause = &OpError{Op: "execute-batch", Err: cause}
	}
	return b.results, cause
}
