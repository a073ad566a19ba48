//go:build linux

package netlink

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

// Unit tests of the Conn over a fake backend: everything about framing,
// reply boundaries and buffer ownership that needs no kernel.

const typeReply HeaderType = 0x10 // a family message type, as RTM_NEWLINK

func TestConnSendFillsHeader(t *testing.T) {
	tests := []struct {
		name string
		in   Message
		want Header // Sequence 0 means "the Conn's next"
		wire []byte // expected datagram after the header
	}{
		{
			name: "all zero",
			in:   Message{},
			want: Header{Length: 16, PID: 100},
		},
		{
			name: "payload padded",
			in:   Message{Header: Header{Type: typeReply, Flags: Request}, Data: []byte{1, 2, 3, 4, 5}},
			want: Header{Length: 24, Type: typeReply, Flags: Request, PID: 100},
			wire: []byte{1, 2, 3, 4, 5, 0, 0, 0},
		},
		{
			name: "caller's fields kept",
			in:   Message{Header: Header{Length: 20, Sequence: 7, PID: 9}, Data: []byte{1, 2, 3, 4}},
			want: Header{Length: 20, Sequence: 7, PID: 9},
			wire: []byte{1, 2, 3, 4},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := fakeConn(t, nil)
			got, err := c.Send(tt.in)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if tt.want.Sequence == 0 {
				tt.want.Sequence = c.seq.Load()
			}
			if diff := testutil.Diff(tt.want, got.Header); diff != "" {
				t.Errorf("returned header (-want +got):\n%s", diff)
			}
			if len(s.sent) != 1 {
				t.Fatalf("sent %d datagrams, want 1", len(s.sent))
			}
			if diff := testutil.Diff(tt.want, sentHeader(s.sent[0])); diff != "" {
				t.Errorf("header on the wire (-want +got):\n%s", diff)
			}
			// nil and empty payloads are alike on the wire.
			if got := s.sent[0][16:]; !bytes.Equal(tt.wire, got) {
				t.Errorf("payload on the wire = %#v, want %#v", got, tt.wire)
			}
		})
	}
}

func TestConnSendSequenceIncrements(t *testing.T) {
	c, _ := fakeConn(t, nil)
	first, err := c.Send(Message{})
	if err != nil {
		t.Fatal(err)
	}
	for i := uint32(1); i <= 3; i++ {
		m, err := c.Send(Message{})
		if err != nil {
			t.Fatal(err)
		}
		if want := first.Header.Sequence + i; m.Header.Sequence != want {
			t.Fatalf("sequence %d, want %d", m.Header.Sequence, want)
		}
	}
}

func TestConnSendMessagesOneDatagram(t *testing.T) {
	c, s := fakeConn(t, nil)
	msgs, err := c.SendMessages([]Message{{Data: []byte{1}}, {Data: []byte{2, 3, 4, 5}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.sent) != 1 {
		t.Fatalf("sent %d datagrams, want 1", len(s.sent))
	}
	var want []byte
	for _, m := range []Message{
		{Header: Header{Length: 20, Sequence: msgs[0].Header.Sequence, PID: 100}, Data: []byte{1}},
		{Header: Header{Length: 20, Sequence: msgs[1].Header.Sequence, PID: 100}, Data: []byte{2, 3, 4, 5}},
	} {
		want, _ = appendMessage(want, m)
	}
	if diff := testutil.Diff(want, s.sent[0]); diff != "" {
		t.Errorf("datagram (-want +got):\n%s", diff)
	}
	if msgs[0].Header.Sequence == msgs[1].Header.Sequence {
		t.Error("both messages got the same sequence number")
	}
}

func TestConnSendBadLength(t *testing.T) {
	c, s := fakeConn(t, nil)
	_, err := c.Send(Message{Header: Header{Length: 17}, Data: make([]byte, 8)})
	var oe *OpError
	if !errors.As(err, &oe) || oe.Op != "send" || !errors.Is(err, errIncorrectMessageLength) {
		t.Fatalf("Send = %v, want send OpError wrapping errIncorrectMessageLength", err)
	}
	if len(s.sent) != 0 {
		t.Fatal("a malformed message was sent")
	}
}

// replyCase is a scripted answer to one request, checked through Execute,
// Receive and ReceiveIter alike.
type replyCase struct {
	name string
	// answer returns the datagrams the kernel sends for a request with
	// sequence seq from port pid.
	answer func(seq, pid uint32) []backend.Datagram
	// allowUser sets Config.AllowUserSenders.
	allowUser bool
	// want are the messages returned, as (type, data) pairs.
	want []msg
	// wantErr is matched with errors.Is; nil means success.
	wantErr error
	// wantErrno, if non-zero, is the errno of the returned *OpError.
	wantSeqInErr bool
}

var replyCases = []replyCase{
	{
		name: "single message",
		answer: func(seq, pid uint32) []backend.Datagram {
			return []backend.Datagram{kernelDgram(msg{typ: typeReply, seq: seq, pid: pid, data: []byte{1, 2, 3, 4}})}
		},
		want: []msg{{typ: typeReply, data: []byte{1, 2, 3, 4}}},
	},
	{
		name: "acknowledgement",
		answer: func(seq, pid uint32) []backend.Datagram {
			return []backend.Datagram{kernelDgram(msg{typ: Error, seq: seq, pid: pid, data: errnoData(0)})}
		},
		want: []msg{{typ: Error, data: errnoData(0)}},
	},
	{
		name: "error code",
		answer: func(seq, pid uint32) []backend.Datagram {
			return []backend.Datagram{kernelDgram(msg{typ: Error, seq: seq, pid: pid, data: errnoData(int32(unix.ENOENT))})}
		},
		wantErr:      unix.ENOENT,
		wantSeqInErr: true,
	},
	{
		name: "multi-part across datagrams",
		answer: func(seq, pid uint32) []backend.Datagram {
			return []backend.Datagram{
				kernelDgram(
					msg{typ: typeReply, flags: Multi, seq: seq, pid: pid, data: []byte{1}},
					msg{typ: typeReply, flags: Multi, seq: seq, pid: pid, data: []byte{2}},
				),
				kernelDgram(
					msg{typ: typeReply, flags: Multi, seq: seq, pid: pid, data: []byte{3}},
					msg{typ: Done, flags: Multi, seq: seq, pid: pid, data: errnoData(0)},
				),
			}
		},
		want: []msg{
			{typ: typeReply, flags: Multi, data: []byte{1}},
			{typ: typeReply, flags: Multi, data: []byte{2}},
			{typ: typeReply, flags: Multi, data: []byte{3}},
		},
	},
	{
		// ctnetlink answers a GET with NLM_F_ACK this way: waiting for a
		// Done after the ACK hangs github.com/mdlayher/netlink.
		name: "multi-part without done, then a separate ack",
		answer: func(seq, pid uint32) []backend.Datagram {
			return []backend.Datagram{
				kernelDgram(msg{typ: typeReply, flags: Multi, seq: seq, pid: pid, data: []byte{1}}),
				kernelDgram(msg{typ: Error, seq: seq, pid: pid, data: errnoData(0)}),
			}
		},
		want: []msg{
			{typ: typeReply, flags: Multi, data: []byte{1}},
			{typ: Error, data: errnoData(0)},
		},
	},
	{
		name: "dump ending in an error",
		answer: func(seq, pid uint32) []backend.Datagram {
			return []backend.Datagram{
				kernelDgram(msg{typ: typeReply, flags: Multi, seq: seq, pid: pid, data: []byte{1}}),
				kernelDgram(msg{typ: Done, flags: Multi, seq: seq, pid: pid, data: errnoData(int32(unix.EBUSY))}),
			}
		},
		wantErr:      unix.EBUSY,
		wantSeqInErr: true,
	},
	{
		name: "dump interrupted",
		answer: func(seq, pid uint32) []backend.Datagram {
			return []backend.Datagram{
				kernelDgram(msg{typ: typeReply, flags: Multi, seq: seq, pid: pid, data: []byte{1}}),
				kernelDgram(
					msg{typ: typeReply, flags: Multi | DumpInterrupted, seq: seq, pid: pid, data: []byte{2}},
					msg{typ: typeReply, flags: Multi, seq: seq, pid: pid, data: []byte{3}},
				),
				kernelDgram(msg{typ: Done, flags: Multi | DumpInterrupted, seq: seq, pid: pid, data: errnoData(0)}),
			}
		},
		want: []msg{
			{typ: typeReply, flags: Multi, data: []byte{1}},
			{typ: typeReply, flags: Multi | DumpInterrupted, data: []byte{2}},
			{typ: typeReply, flags: Multi, data: []byte{3}},
		},
		wantErr:      ErrDumpInterrupted,
		wantSeqInErr: true,
	},
	{
		name: "forged unicast replies dropped",
		answer: func(seq, pid uint32) []backend.Datagram {
			forged := kernelDgram(msg{typ: Error, seq: seq, pid: pid, data: errnoData(0)})
			forged.Sender = 4242
			forgedDone := kernelDgram(msg{typ: Done, flags: Multi, seq: seq, pid: pid})
			forgedDone.Sender = 4243
			return []backend.Datagram{
				forged,
				kernelDgram(msg{typ: typeReply, flags: Multi, seq: seq, pid: pid, data: []byte{1}}),
				forgedDone,
				kernelDgram(msg{typ: Done, flags: Multi, seq: seq, pid: pid}),
			}
		},
		want: []msg{{typ: typeReply, flags: Multi, data: []byte{1}}},
	},
	{
		name:      "user senders allowed",
		allowUser: true,
		answer: func(seq, pid uint32) []backend.Datagram {
			d := kernelDgram(msg{typ: typeReply, seq: seq, pid: pid, data: []byte{9}})
			d.Sender = 4242
			return []backend.Datagram{d}
		},
		want: []msg{{typ: typeReply, data: []byte{9}}},
	},
	{
		name: "own port ID accepted",
		answer: func(seq, pid uint32) []backend.Datagram {
			d := kernelDgram(msg{typ: typeReply, seq: seq, pid: pid, data: []byte{9}})
			d.Sender = pid
			return []backend.Datagram{d}
		},
		want: []msg{{typ: typeReply, data: []byte{9}}},
	},
	{
		name: "multicast from user space accepted",
		answer: func(seq, pid uint32) []backend.Datagram {
			d := kernelDgram(msg{typ: typeReply, seq: seq, pid: pid, data: []byte{9}})
			d.Sender, d.Groups = 4242, 1
			return []backend.Datagram{d}
		},
		want: []msg{{typ: typeReply, data: []byte{9}}},
	},
	{
		name: "final padding missing",
		answer: func(seq, pid uint32) []backend.Datagram {
			b := encode(msg{typ: typeReply, seq: seq, pid: pid, data: []byte{1, 2, 3, 4, 5}})
			return []backend.Datagram{{Data: b[:21]}}
		},
		want: []msg{{typ: typeReply, data: []byte{1, 2, 3, 4, 5}}},
	},
	{
		name: "datagram shorter than a header",
		answer: func(seq, pid uint32) []backend.Datagram {
			return []backend.Datagram{{Data: make([]byte, 10)}}
		},
		wantErr: errShortMessage,
	},
	{
		name: "length below a header",
		answer: func(seq, pid uint32) []backend.Datagram {
			b := encode(msg{typ: typeReply, seq: seq, pid: pid})
			b[0] = 8
			return []backend.Datagram{{Data: b}}
		},
		wantErr: errIncorrectMessageLength,
	},
	{
		name: "length beyond the datagram",
		answer: func(seq, pid uint32) []backend.Datagram {
			b := encode(msg{typ: typeReply, seq: seq, pid: pid, data: []byte{1, 2, 3, 4}})
			b[0] = 200
			return []backend.Datagram{{Data: b}}
		},
		wantErr: errShortMessage,
	},
	{
		name: "trailing bytes",
		answer: func(seq, pid uint32) []backend.Datagram {
			b := encode(msg{typ: typeReply, seq: seq, pid: pid, data: []byte{1, 2, 3, 4}})
			return []backend.Datagram{{Data: append(b, 1, 2, 3, 4, 5, 6, 7, 8)}}
		},
		wantErr: errShortMessage,
	},
	{
		name: "truncated datagram",
		answer: func(seq, pid uint32) []backend.Datagram {
			return []backend.Datagram{truncatedDatagram(40000)}
		},
		wantErr: ErrTruncated,
	},
}

// receiveModes are the three ways to read a reply.
var receiveModes = []struct {
	name string
	run  func(c *Conn, req Message) ([]Message, error)
}{
	{"Execute", func(c *Conn, req Message) ([]Message, error) { return c.Execute(req) }},
	{"Receive", func(c *Conn, req Message) ([]Message, error) {
		if _, err := c.Send(req); err != nil {
			return nil, err
		}
		return c.Receive()
	}},
	{"ReceiveIter", func(c *Conn, req Message) ([]Message, error) {
		if _, err := c.Send(req); err != nil {
			return nil, err
		}
		var msgs []Message
		for m, err := range c.ReceiveIter() {
			if err != nil {
				return msgs, err
			}
			// Data is only valid until the next step.
			m.Data = bytes.Clone(m.Data)
			msgs = append(msgs, m)
		}
		return msgs, nil
	}},
}

func TestConnReplies(t *testing.T) {
	for _, mode := range receiveModes {
		for _, tt := range replyCases {
			t.Run(mode.name+"/"+tt.name, func(t *testing.T) {
				var seq uint32
				c, s := fakeConn(t, func(b []byte) []backend.Datagram {
					h := sentHeader(b)
					seq = h.Sequence
					return tt.answer(h.Sequence, h.PID)
				})
				c.allowUserSenders = tt.allowUser

				got, err := mode.run(c, Message{Header: Header{Type: typeReply, Flags: Request}})

				if tt.wantErr == nil && err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if tt.wantErr != nil {
					var oe *OpError
					if !errors.As(err, &oe) || !errors.Is(err, tt.wantErr) {
						t.Fatalf("error %v, want an *OpError wrapping %v", err, tt.wantErr)
					}
					if oe.Op != "receive" {
						t.Errorf("Op %q, want receive", oe.Op)
					}
					if tt.wantSeqInErr && oe.Sequence != seq {
						t.Errorf("error sequence %d, want %d", oe.Sequence, seq)
					}
				}
				var want []Message
				for _, m := range tt.want {
					want = append(want, Message{
						Header: Header{
							Length:   uint32(nlmsgHeaderLen + len(m.data)),
							Type:     m.typ,
							Flags:    m.flags,
							Sequence: seq,
							PID:      c.PID(),
						},
						Data: m.data,
					})
				}
				// ReceiveIter yields what it parsed before a failure; the
				// other modes return nothing with a failure.
				partial := mode.name == "ReceiveIter" && tt.wantErr != nil && tt.wantErr != ErrDumpInterrupted
				if diff := testutil.Diff(want, got); diff != "" && !partial {
					t.Errorf("messages (-want +got):\n%s", diff)
				}
				if n := s.held(); n != 0 {
					t.Errorf("%d datagrams not released", n)
				}
			})
		}
	}
}

func TestConnReceiveCopies(t *testing.T) {
	c, s := fakeConn(t, nil)
	d := kernelDgram(
		msg{typ: typeReply, data: []byte{1, 1, 1, 1}},
		msg{typ: typeReply, data: []byte{2, 2, 2, 2}},
	)
	s.push(d)
	got, err := c.Receive()
	if err != nil {
		t.Fatal(err)
	}
	clear(d.Data) // the backend reuses its buffer
	if !bytes.Equal(got[0].Data, []byte{1, 1, 1, 1}) || !bytes.Equal(got[1].Data, []byte{2, 2, 2, 2}) {
		t.Fatalf("received data changed with the backend's buffer: %v", got)
	}
	// Appending to one message's Data must not overwrite the next one.
	_ = append(got[0].Data, 9)
	if !bytes.Equal(got[1].Data, []byte{2, 2, 2, 2}) {
		t.Fatal("appending to a message's Data overwrote the next message")
	}
}

func TestConnReceiveIterEarlyStopDrainsReply(t *testing.T) {
	c, s := fakeConn(t, nil)
	s.push(
		kernelDgram(msg{typ: typeReply, flags: Multi, data: []byte{1}}, msg{typ: typeReply, flags: Multi, data: []byte{2}}),
		kernelDgram(msg{typ: typeReply, flags: Multi, data: []byte{3}}),
		kernelDgram(msg{typ: Done, flags: Multi}),
		kernelDgram(msg{typ: typeReply, data: []byte{4}}),
	)
	for m, err := range c.ReceiveIter() {
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m.Data, []byte{1}) {
			t.Fatalf("first message %v", m.Data)
		}
		break
	}
	if n := s.held(); n != 0 {
		t.Fatalf("%d datagrams held after the iteration stopped", n)
	}
	got, err := c.Receive()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !bytes.Equal(got[0].Data, []byte{4}) {
		t.Fatalf("the next Receive got %v, want the message after the dump", got)
	}
}

func TestConnReceiveIterReleasesAsItGoes(t *testing.T) {
	c, s := fakeConn(t, nil)
	s.push(
		kernelDgram(msg{typ: typeReply, flags: Multi, data: []byte{1}}),
		kernelDgram(msg{typ: typeReply, flags: Multi, data: []byte{2}}),
		kernelDgram(msg{typ: Done, flags: Multi}),
	)
	for _, err := range c.ReceiveIterBorrowed(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if n := s.held(); n != 1 {
			t.Fatalf("%d datagrams held while iterating, want only the current one", n)
		}
	}
}

func TestConnReceiveIterAllocations(t *testing.T) {
	const datagrams, perDatagram = 10, 100
	c, s := fakeConn(t, nil)
	var dump []backend.Datagram
	for i := range datagrams {
		var ms []msg
		for range perDatagram {
			ms = append(ms, msg{typ: typeReply, flags: Multi, data: make([]byte, 64)})
		}
		if i == datagrams-1 {
			ms = append(ms, msg{typ: Done, flags: Multi})
		}
		dump = append(dump, kernelDgram(ms...))
	}
	s.queue = make([]backend.Datagram, 0, 4*datagrams)

	var n int
	allocs := testing.AllocsPerRun(20, func() {
		s.mu.Lock()
		s.queue = append(s.queue[:0], dump...)
		s.mu.Unlock()
		for _, err := range c.ReceiveIterBorrowed(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
	})
	if n == 0 {
		t.Fatal("no messages received")
	}
	if perMsg := allocs / (datagrams * perDatagram); perMsg >= 0.01 {
		t.Fatalf("%.0f allocations for %d messages: %.3f per message, want none", allocs, datagrams*perDatagram, perMsg)
	}
}

// TestConnReceiveIterOwnsData checks that ReceiveIter's messages are the
// caller's: each datagram is copied once, and its buffer goes back to the
// backend before the first message is yielded.
func TestConnReceiveIterOwnsData(t *testing.T) {
	c, s := fakeConn(t, nil)
	s.push(
		kernelDgram(msg{typ: typeReply, flags: Multi, data: []byte{1}}, msg{typ: typeReply, flags: Multi, data: []byte{2}}),
		kernelDgram(msg{typ: typeReply, flags: Multi, data: []byte{3}}),
		kernelDgram(msg{typ: Done, flags: Multi}),
	)
	var kept []Message
	for m, err := range c.ReceiveIter() {
		if err != nil {
			t.Fatal(err)
		}
		if n := s.held(); n != 0 {
			t.Fatalf("%d datagrams held while iterating, want none", n)
		}
		kept = append(kept, m)
	}
	var got []byte
	for _, m := range kept {
		got = append(got, m.Data[0])
	}
	if !bytes.Equal(got, []byte{1, 2, 3}) {
		t.Fatalf("kept messages hold %v, want [1 2 3]", got)
	}
}

func TestConnCloseUnblocksReceive(t *testing.T) {
	for _, iter := range []bool{false, true} {
		name := map[bool]string{false: "Receive", true: "ReceiveIter"}[iter]
		t.Run(name, func(t *testing.T) {
			c, s := fakeConn(t, nil)
			errc := make(chan error, 1)
			go func() {
				if !iter {
					_, err := c.Receive()
					errc <- err
					return
				}
				for _, err := range c.ReceiveIter() {
					errc <- err
					return
				}
				errc <- nil
			}()
			<-s.recvWaiting
			if err := c.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			err := <-errc
			var oe *OpError
			if !errors.As(err, &oe) || !errors.Is(err, net.ErrClosed) || oe.Err.Error() != "use of closed file" {
				t.Fatalf("blocked receive returned %v, want an OpError for a closed socket", err)
			}
			if err := c.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
		})
	}
}

func TestConnClosedCallsFailWithEBADF(t *testing.T) {
	c, _ := fakeConn(t, nil)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	calls := map[string]func() error{
		"Receive":     func() error { _, err := c.Receive(); return err },
		"Send":        func() error { _, err := c.Send(Message{}); return err },
		"SetOption":   func() error { return c.SetOption(ExtendedAcknowledge, true) },
		"SyscallConn": func() error { _, err := c.SyscallConn(); return err },
		"JoinGroup":   func() error { return c.JoinGroup(1) },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, unix.EBADF) {
			t.Errorf("%s after Close = %v, want EBADF", name, err)
		}
	}
}

func TestConnReceiveContextCancel(t *testing.T) {
	for _, ctxRecv := range []bool{true, false} {
		name := map[bool]string{true: "RecvContext", false: "deadline fallback"}[ctxRecv]
		t.Run(name, func(t *testing.T) {
			s := newFakeSocket(100, nil)
			var bs backend.Socket = s
			if !ctxRecv {
				bs = plainFakeSocket{s}
			}
			c := newConn(newBackendTransport(bs), s.pid)
			defer c.Close()

			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			go func() {
				_, err := c.ReceiveContext(ctx)
				errc <- err
			}()
			<-s.recvWaiting
			cancel()
			if err := <-errc; !errors.Is(err, context.Canceled) {
				t.Fatalf("ReceiveContext = %v, want context.Canceled", err)
			}

			// The caller's deadline (none) is back: the Conn still receives.
			s.push(kernelDgram(msg{typ: typeReply, data: []byte{1}}))
			got, err := c.Receive()
			if err != nil || len(got) != 1 {
				t.Fatalf("Receive after a cancelled receive = %v, %v", got, err)
			}
		})
	}
}

func TestConnExecuteContextCancelledBeforeLock(t *testing.T) {
	c, s := fakeConn(t, nil)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Receive()
		errc <- err
	}()
	<-s.recvWaiting
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.ExecuteContext(ctx, Message{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("ExecuteContext = %v, want context.Canceled", err)
	}
	c.Close()
	<-errc
}

func TestConnSendNotBlockedByReceive(t *testing.T) {
	c, s := fakeConn(t, nil)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Receive()
		errc <- err
	}()
	<-s.recvWaiting

	sent := make(chan error, 1)
	go func() {
		_, err := c.Send(Message{})
		sent <- err
	}()
	select {
	case err := <-sent:
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Send blocked behind a Receive")
	}
	c.Close()
	<-errc
}

func TestConnDeadlineError(t *testing.T) {
	c, _ := fakeConn(t, nil)
	if err := c.SetReadDeadline(time.Unix(1, 0)); err != nil {
		t.Fatal(err)
	}
	_, err := c.Receive()
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Receive past the deadline = %v, want a timeout", err)
	}
}

func TestConnBackend(t *testing.T) {
	c, _ := fakeConn(t, nil)
	c.kind, c.reason = backend.Syscall, "auto: io_uring unavailable: test"
	kind, reason := c.Backend()
	if kind != backend.Syscall || reason == "" {
		t.Fatalf("Backend() = %q, %q", kind, reason)
	}
}

// FuzzConnReceive feeds arbitrary datagrams to the receive path: it must
// return messages or an error, never panic, and release every buffer.
func FuzzConnReceive(f *testing.F) {
	f.Add(encode(msg{typ: typeReply, data: []byte{1, 2, 3}}))
	f.Add(encode(msg{typ: typeReply, flags: Multi}, msg{typ: Done, flags: Multi}))
	f.Add(encode(msg{typ: Error, data: errnoData(2)}))
	f.Add(encode(msg{typ: Error, flags: AcknowledgeTLVs, data: append(errnoData(22), encode(msg{})...)}))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, iter := range []bool{false, true} {
			s := newFakeSocket(100, nil)
			c := newConn(newBackendTransport(s), s.pid)
			// A Done after the fuzzed datagram ends any multi-part reply
			// it starts.
			s.push(backend.Datagram{Data: bytes.Clone(b)}, kernelDgram(msg{typ: Done, flags: Multi}))
			if iter {
				for range c.ReceiveIter() {
				}
			} else {
				_, _ = c.Receive()
			}
			if n := s.held(); n != 0 {
				t.Fatalf("%d datagrams not released", n)
			}
			c.Close()
		}
	})
}

// FuzzReplyPlainPath checks that the reply reader's fast path for plain
// data messages decides every input exactly as the general path does: the
// same messages, the same end and the same error.
func FuzzReplyPlainPath(f *testing.F) {
	f.Add(encode(msg{typ: typeReply, flags: Multi, seq: 5}, msg{typ: typeReply, flags: Multi, seq: 5}), uint32(0))
	f.Add(encode(msg{typ: typeReply, seq: 4}, msg{typ: typeReply, flags: Multi | DumpInterrupted, seq: 5}), uint32(5))
	f.Add(encode(msg{typ: typeReply, flags: Multi}, msg{typ: Error, data: errnoData(2)}), uint32(0))
	f.Add(encode(msg{typ: typeReply, flags: Multi, seq: 3}, msg{typ: typeReply, flags: Multi | DumpInterrupted, seq: 3}), uint32(0))
	f.Add(encode(msg{typ: typeReply, flags: Multi}, msg{typ: Done, flags: Multi, data: errnoData(0)}, msg{typ: typeReply, flags: Multi}), uint32(0))
	f.Add(encode(msg{typ: typeReply, seq: 1}, msg{typ: typeReply, seq: 1}), uint32(0))
	f.Add(encode(msg{typ: typeReply, seq: 1}, msg{typ: typeReply, flags: Multi, seq: 1}), uint32(0))
	f.Add(encode(msg{typ: typeReply, flags: Multi, seq: 5}, msg{typ: typeReply, flags: Multi, seq: 4}, msg{typ: typeReply, flags: Multi, seq: 5}), uint32(5))
	f.Add([]byte{20, 0, 0, 0, 0, 1, 2, 0}, uint32(0))
	f.Fuzz(func(t *testing.T, b []byte, skipBefore uint32) {
		type step struct {
			ok  bool
			err string
			m   Message
		}
		// run returns the steps and how many datagrams were left unread.
		run := func(plain bool) ([]step, int) {
			s := newFakeSocket(100, nil)
			c := newConn(newBackendTransport(s), s.pid)
			defer c.Close()
			s.push(backend.Datagram{Data: bytes.Clone(b)}, kernelDgram(msg{typ: Done, flags: Multi}))
			r := replyReader{c: c, ctx: context.Background(), skipBefore: skipBefore}
			defer r.discard()
			var steps []step
			for {
				var ok bool
				var err error
				if plain {
					ok, err = r.next()
				} else {
					ok, err = r.nextSlow()
				}
				st := step{ok: ok, m: r.m}
				if err != nil {
					st.err = err.Error()
				}
				if !ok {
					st.m = Message{}
				}
				steps = append(steps, st)
				if !ok || err != nil {
					s.mu.Lock()
					defer s.mu.Unlock()
					return steps, len(s.queue)
				}
			}
		}
		want, wantLeft := run(false)
		got, gotLeft := run(true)
		if diff := testutil.Diff(want, got); diff != "" {
			t.Fatalf("fast path differs from the general one (-general +fast):\n%s", diff)
		}
		if wantLeft != gotLeft {
			t.Fatalf("fast path left %d datagrams unread, the general one %d", gotLeft, wantLeft)
		}
	})
}
