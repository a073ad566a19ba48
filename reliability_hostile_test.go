//go:build linux

package netlink

// Hostile datagrams through a real socket pair: a second user-space netlink
// socket in the test's namespace sends malformed or forged datagrams to the
// Conn's port ID, and the Conn must answer each with a clear error, or drop
// it as documented (Config.AllowUserSenders), never with a panic, a hang or
// a message handed over as valid. See docs/reliability.md.
//
// These tests are internal (package netlink) so that they can name the
// exact framing error each input must produce.

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/backend/iouring"
	"github.com/nlring/netlink/internal/netns"
	"github.com/nlring/netlink/internal/nlsock"
	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

// hungAfter bounds every receive of these tests: a receive still blocked
// then is a hang, not a slow machine.
const hungAfter = 10 * time.Second

// hostileBackends runs fn as a subtest per available backend, in a
// namespace of its own.
func hostileBackends(t *testing.T, fn func(t *testing.T, ns *netns.NS, kind backend.Kind)) {
	testutil.ForEachBackend(t, iouring.Supported, func(t *testing.T, kind backend.Kind) { fn(t, testutil.NS(t), kind) })
}

// hostileDial opens a NETLINK_ROUTE Conn in ns on backend kind, closed when
// t ends.
func hostileDial(t *testing.T, ns *netns.NS, kind backend.Kind, allowUserSenders bool) *Conn {
	t.Helper()
	c, err := Dial(unix.NETLINK_ROUTE, &Config{NetNS: ns.FD(), Backend: kind, AllowUserSenders: allowUserSenders})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SetReadDeadline(time.Now().Add(hungAfter)); err != nil {
		t.Fatal(err)
	}
	return c
}

// rawPeer is a user-space NETLINK_ROUTE socket in the same namespace that
// sends datagrams byte for byte, with no framing checks at all.
type rawPeer struct{ fd int }

func newRawPeer(t *testing.T, ns *netns.NS) *rawPeer {
	t.Helper()
	fd, _, err := nlsock.Open(nlsock.Options{Family: unix.NETLINK_ROUTE, NetNS: ns.FD()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return &rawPeer{fd: fd}
}

func (p *rawPeer) send(t *testing.T, to uint32, datagrams ...[]byte) {
	t.Helper()
	for _, b := range datagrams {
		if err := unix.Sendto(p.fd, b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: to}); err != nil {
			t.Fatalf("sending a %d-byte datagram to port %d: %v", len(b), to, err)
		}
	}
}

// wellFormed is a correctly framed message: header, data, padding.
func wellFormed(typ HeaderType, flags HeaderFlags, seq, pid uint32, data []byte) []byte {
	l := nlmsgHeaderLen + len(data)
	b := append(rawHeader(uint32(l), typ, flags, seq, pid), data...)
	return append(b, make([]byte, nlmsgAlign(l)-l)...)
}

// fakeLink is an RTM_NEWLINK payload for ifindex: an ifinfomsg and nothing
// else. The hostile messages use ifindex 999, which no link of the test's
// namespace has, so a forged message handed over is told from a real one.
func fakeLink(ifindex int32) []byte {
	b := make([]byte, unix.SizeofIfInfomsg)
	binary.NativeEndian.PutUint32(b[4:], uint32(ifindex))
	return b
}

const forgedIfindex = 999

// loRequest asks the kernel for the loopback link (ifindex 1).
func loRequest(seq uint32) Message {
	return Message{
		Header: Header{Type: unix.RTM_GETLINK, Flags: Request, Sequence: seq},
		Data:   fakeLink(1),
	}
}

// checkLoReply fails t unless msgs is the kernel's answer to loRequest.
func checkLoReply(t *testing.T, msgs []Message) {
	t.Helper()
	if len(msgs) != 1 || msgs[0].Header.Type != unix.RTM_NEWLINK || len(msgs[0].Data) < unix.SizeofIfInfomsg ||
		int32(binary.NativeEndian.Uint32(msgs[0].Data[4:])) != 1 {
		t.Fatalf("reply to RTM_GETLINK lo = %+v, want one RTM_NEWLINK for ifindex 1", msgs)
	}
}

// outcome is what one way of receiving must make of the hostile input:
// how many messages it returns (or yields before the error) and the error
// the failure must wrap (nil: no error).
type outcome struct {
	msgs int
	err  error
}

// A hostileCase is input a peer sends before the Conn receives, with what
// Receive, ReceiveIter and Execute (a request with sequence number seq)
// must make of it when the Conn accepts user-space senders.
type hostileCase struct {
	name      string
	datagrams func(pid, seq uint32) [][]byte
	// receive and iter are the outcomes of Receive and ReceiveIter;
	// execute is the outcome of Execute(loRequest(seq)).
	receive, iter, execute outcome
}

func hostileCases() []hostileCase {
	one := func(b []byte) [][]byte { return [][]byte{b} }
	return []hostileCase{
		{
			name:      "truncated header",
			datagrams: func(pid, seq uint32) [][]byte { return one(rawHeader(16, unix.RTM_NEWLINK, 0, seq, pid)[:10]) },
			receive:   outcome{err: errShortMessage},
			iter:      outcome{err: errShortMessage},
			execute:   outcome{err: errShortMessage},
		},
		{
			name: "length past the datagram",
			datagrams: func(pid, seq uint32) [][]byte {
				return one(append(rawHeader(100, unix.RTM_NEWLINK, 0, seq, pid), fakeLink(forgedIfindex)...))
			},
			receive: outcome{err: errShortMessage},
			iter:    outcome{err: errShortMessage},
			execute: outcome{err: errShortMessage},
		},
		{
			// The header claims 32 bytes (16 + a 16-byte ifinfomsg); the
			// datagram stops 3 bytes short.
			name: "length past the datagram by less than the padding",
			datagrams: func(pid, seq uint32) [][]byte {
				m := append(rawHeader(32, unix.RTM_NEWLINK, 0, seq, pid), fakeLink(forgedIfindex)...)
				return one(m[:29])
			},
			// The datagram is read as padded to 4 bytes with zeros, so the
			// length reaches only into that padding: accepted, as
			// github.com/mdlayher/netlink accepts it (drop-in behaviour its
			// TestIntegrationConnReceiveUnaligned checks).
			receive: outcome{msgs: 1},
			iter:    outcome{msgs: 1},
			execute: outcome{msgs: 1},
		},
		{
			name:      "length shorter than a header",
			datagrams: func(pid, seq uint32) [][]byte { return one(rawHeader(8, unix.RTM_NEWLINK, 0, seq, pid)) },
			receive:   outcome{err: errIncorrectMessageLength},
			iter:      outcome{err: errIncorrectMessageLength},
			execute:   outcome{err: errIncorrectMessageLength},
		},
		{
			name:      "zero length",
			datagrams: func(pid, seq uint32) [][]byte { return one(rawHeader(0, unix.RTM_NEWLINK, 0, seq, pid)) },
			receive:   outcome{err: errIncorrectMessageLength},
			iter:      outcome{err: errIncorrectMessageLength},
			execute:   outcome{err: errIncorrectMessageLength},
		},
		{
			// Two messages, the second packed right after the first's
			// unaligned end instead of at the next multiple of 4: read
			// where alignment puts it, its "header" is garbage that
			// claims 4,096 bytes. ReceiveIter has already yielded the
			// first, intact, message when it finds that out.
			name: "unaligned length, next message unpadded",
			datagrams: func(pid, seq uint32) [][]byte {
				first := append(rawHeader(21, unix.RTM_NEWLINK, Multi, seq, pid), append(fakeLink(forgedIfindex), 0)[:5]...)
				second := wellFormed(0x10, 0, seq, pid, []byte{1, 2, 3, 4})
				return one(append(first, second...))
			},
			receive: outcome{err: errShortMessage},
			iter:    outcome{msgs: 1, err: errShortMessage},
			execute: outcome{err: errShortMessage},
		},
		{
			// A final message without its padding is accepted, as from
			// github.com/mdlayher/netlink: user-space peers send them.
			name: "unaligned final message",
			datagrams: func(pid, seq uint32) [][]byte {
				return one(append(rawHeader(21, unix.RTM_NEWLINK, 0, seq, pid), 1, 2, 3, 4, 5))
			},
			receive: outcome{msgs: 1},
			iter:    outcome{msgs: 1},
			// It carries the request's sequence number: with
			// AllowUserSenders, a forgery that gets every field right
			// is indistinguishable from the kernel's reply.
			execute: outcome{msgs: 1},
		},
		{
			// A multi-part message that never ends, then an unrelated
			// single message in a datagram of its own: the reply ends
			// after the datagram without multi-part messages (as
			// documented on replyReader, and as in mdlayher/netlink)
			// rather than waiting for a Done that never comes.
			name: "multi-part without Done, then an unrelated message",
			datagrams: func(pid, seq uint32) [][]byte {
				return [][]byte{
					wellFormed(unix.RTM_NEWLINK, Multi, seq, pid, fakeLink(forgedIfindex)),
					wellFormed(unix.RTM_NEWLINK, 0, seq+50, pid, fakeLink(forgedIfindex)),
				}
			},
			receive: outcome{msgs: 2},
			iter:    outcome{msgs: 2},
			execute: outcome{err: errMismatchedSequence},
		},
		{
			// A Done for another request must not end this one's reply
			// as an empty success.
			name: "Done with the wrong sequence",
			datagrams: func(pid, seq uint32) [][]byte {
				return one(wellFormed(Done, Multi, seq+1, pid, make([]byte, 4)))
			},
			receive: outcome{},
			iter:    outcome{},
			execute: outcome{err: errMismatchedSequence},
		},
		{
			name: "multi-part whose Done has the wrong sequence",
			datagrams: func(pid, seq uint32) [][]byte {
				return one(append(wellFormed(unix.RTM_NEWLINK, Multi, seq, pid, fakeLink(forgedIfindex)),
					wellFormed(Done, Multi, seq+1, pid, make([]byte, 4))...))
			},
			receive: outcome{msgs: 1},
			iter:    outcome{msgs: 1},
			execute: outcome{err: errMismatchedSequence},
		},
		{
			name:      "Error with a short payload",
			datagrams: func(pid, seq uint32) [][]byte { return one(wellFormed(Error, 0, seq, pid, []byte{0xff, 0xff})) },
			receive:   outcome{err: errShortErrorMessage},
			iter:      outcome{err: errShortErrorMessage},
			execute:   outcome{err: errShortErrorMessage},
		},
		{
			// An error code flagged with extended acknowledgement TLVs
			// but without the echoed request header they follow.
			name: "Error with a cut extended acknowledgement",
			datagrams: func(pid, seq uint32) [][]byte {
				errno := -int32(unix.EINVAL)
				code := binary.NativeEndian.AppendUint32(nil, uint32(errno))
				return one(wellFormed(Error, AcknowledgeTLVs, seq, pid, code))
			},
			receive: outcome{err: errShortErrorMessage},
			iter:    outcome{err: errShortErrorMessage},
			execute: outcome{err: errShortErrorMessage},
		},
	}
}

// hostileReceivers are the ways of receiving the hostile input. Each
// returns the messages it got and the error it ended with; execute sends a
// request with sequence number seq.
var hostileReceivers = []struct {
	name string
	recv func(c *Conn, seq uint32) ([]Message, error)
	want func(hostileCase) outcome
}{
	{
		name: "Receive",
		recv: func(c *Conn, _ uint32) ([]Message, error) { return c.Receive() },
		want: func(hc hostileCase) outcome { return hc.receive },
	},
	{
		name: "ReceiveIter",
		recv: func(c *Conn, _ uint32) ([]Message, error) {
			var msgs []Message
			for m, err := range c.ReceiveIter() {
				if err != nil {
					return msgs, err
				}
				msgs = append(msgs, Message{Header: m.Header, Data: append([]byte(nil), m.Data...)})
			}
			return msgs, nil
		},
		want: func(hc hostileCase) outcome { return hc.iter },
	},
	{
		name: "Execute",
		recv: func(c *Conn, seq uint32) ([]Message, error) { return c.Execute(loRequest(seq)) },
		want: func(hc hostileCase) outcome { return hc.execute },
	},
}

// TestReliabilityHostileDatagrams sends each hostile input to a Conn that
// accepts user-space senders and checks what each way of receiving makes
// of it. Afterwards the Conn must still work.
func TestReliabilityHostileDatagrams(t *testing.T) {
	hostileBackends(t, func(t *testing.T, ns *netns.NS, kind backend.Kind) {
		peer := newRawPeer(t, ns)
		for _, hc := range hostileCases() {
			for _, r := range hostileReceivers {
				t.Run(hc.name+"/"+r.name, func(t *testing.T) {
					c := hostileDial(t, ns, kind, true)
					const seq = 4242
					peer.send(t, c.PID(), hc.datagrams(c.PID(), seq)...)

					msgs, err := r.recv(c, seq)
					want := r.want(hc)
					if !errors.Is(err, want.err) || (want.err == nil) != (err == nil) {
						t.Fatalf("got %d messages, error %v; want %d messages, error wrapping %v", len(msgs), err, want.msgs, want.err)
					}
					var oe *OpError
					if err != nil && !errors.As(err, &oe) {
						t.Fatalf("error %v (%T) is not an *OpError", err, err)
					}
					if len(msgs) != want.msgs {
						t.Fatalf("got %d messages (%+v), want %d", len(msgs), msgs, want.msgs)
					}
					if r.name == "Execute" && want.err == nil {
						// What Execute hands over with a nil error is
						// either the kernel's reply or a forgery that
						// got every field right.
						if msgs[0].Header.Sequence != seq {
							t.Fatalf("Execute returned a message with sequence %d for request %d", msgs[0].Header.Sequence, seq)
						}
						return
					}
					if r.name != "Execute" {
						// Nothing else is queued: the Conn answers the
						// next request as if nothing had happened.
						res, err := c.Execute(loRequest(0))
						if err != nil {
							t.Fatalf("Execute after the hostile input: %v", err)
						}
						checkLoReply(t, res)
					}
				})
			}
		}
	})
}

// TestReliabilityHostileDatagramsDropped sends the same inputs, and a
// well-formed forgery of the reply, to a Conn with the default config: all
// of them are dropped unseen, and the request that follows gets the
// kernel's own reply, whichever way it is received.
func TestReliabilityHostileDatagramsDropped(t *testing.T) {
	forgedReply := hostileCase{
		name: "forged reply with the request's sequence",
		datagrams: func(pid, seq uint32) [][]byte {
			return [][]byte{wellFormed(unix.RTM_NEWLINK, 0, seq, pid, fakeLink(forgedIfindex))}
		},
	}
	forgedAck := hostileCase{
		name: "forged ACK with the request's sequence",
		datagrams: func(pid, seq uint32) [][]byte {
			return [][]byte{wellFormed(Error, 0, seq, pid, make([]byte, 20))}
		},
	}
	cases := append(hostileCases(), forgedReply, forgedAck)

	// Each receives the reply to loRequest(seq): the request goes out
	// after the hostile datagrams are queued, the worst case.
	receivers := []struct {
		name string
		recv func(c *Conn, seq uint32) ([]Message, error)
	}{
		{"Receive", func(c *Conn, seq uint32) ([]Message, error) {
			if _, err := c.Send(loRequest(seq)); err != nil {
				return nil, err
			}
			return c.Receive()
		}},
		{"ReceiveIter", func(c *Conn, seq uint32) ([]Message, error) {
			if _, err := c.Send(loRequest(seq)); err != nil {
				return nil, err
			}
			var msgs []Message
			for m, err := range c.ReceiveIter() {
				if err != nil {
					return msgs, err
				}
				msgs = append(msgs, Message{Header: m.Header, Data: append([]byte(nil), m.Data...)})
			}
			return msgs, nil
		}},
		{"Execute", func(c *Conn, seq uint32) ([]Message, error) { return c.Execute(loRequest(seq)) }},
	}

	hostileBackends(t, func(t *testing.T, ns *netns.NS, kind backend.Kind) {
		peer := newRawPeer(t, ns)
		for _, r := range receivers {
			t.Run(r.name, func(t *testing.T) {
				// One Conn takes every case in turn: a datagram that
				// got through would spoil the replies that follow.
				c := hostileDial(t, ns, kind, false)
				for i, hc := range cases {
					seq := uint32(7000 + i)
					peer.send(t, c.PID(), hc.datagrams(c.PID(), seq)...)
					msgs, err := r.recv(c, seq)
					if err != nil {
						t.Fatalf("%s: %v", hc.name, err)
					}
					checkLoReply(t, msgs)
					if got := msgs[0].Header.Sequence; got != seq {
						t.Fatalf("%s: reply has sequence %d, want %d", hc.name, got, seq)
					}
				}
			})
		}
	})
}

// TestReliabilityHostileMulticast: a privileged user-space process may send
// to rtnetlink's multicast groups, and multicast datagrams are accepted
// from any sender (Config.AllowUserSenders is about unicast). A malformed
// one must still fail cleanly, and a Conn waiting for a reply must not take
// a forged multicast datagram for it.
func TestReliabilityHostileMulticast(t *testing.T) {
	hostileBackends(t, func(t *testing.T, ns *netns.NS, kind backend.Kind) {
		c, err := Dial(unix.NETLINK_ROUTE, &Config{NetNS: ns.FD(), Backend: kind, Groups: unix.RTMGRP_LINK})
		if err != nil {
			t.Fatalf("Dial: %v", err)
		}
		defer c.Close()
		if err := c.SetReadDeadline(time.Now().Add(hungAfter)); err != nil {
			t.Fatal(err)
		}
		peer := newRawPeer(t, ns)
		sendGroup := func(b []byte) {
			t.Helper()
			to := &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: unix.RTMGRP_LINK}
			if err := unix.Sendto(peer.fd, b, 0, to); err != nil {
				t.Skipf("sending to a multicast group: %v", err)
			}
		}

		sendGroup(rawHeader(100, unix.RTM_NEWLINK, 0, 0, 0))
		msgs, err := c.Receive()
		if !errors.Is(err, errShortMessage) || len(msgs) != 0 {
			t.Fatalf("Receive of a malformed multicast datagram = %d messages, %v; want an error wrapping %v", len(msgs), err, errShortMessage)
		}

		// A forged event queued before the request, with another
		// sequence number: Execute sets it aside as an event, returns the
		// kernel's reply behind it, and the next Receive gets the event.
		const seq = 99
		sendGroup(wellFormed(unix.RTM_NEWLINK, 0, seq+1, 0, fakeLink(forgedIfindex)))
		msgs, err = c.Execute(loRequest(seq))
		if err != nil {
			t.Fatalf("Execute behind a forged multicast message with another sequence = %v, want its reply", err)
		}
		checkLoReply(t, msgs)
		msgs, err = c.Receive()
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 1 || msgs[0].Header.Sequence != seq+1 {
			t.Fatalf("Receive after Execute = %+v, want the forged event", msgs)
		}
	})
}
