package netlink

import (
	"context"
	"iter"
)

// A Socket is a netlink socket implemented by the caller, for NewConn.
//
// Deprecated: Socket only exists for compatibility with
// github.com/mdlayher/netlink, whose nltest package builds on it. A Conn
// on a Socket supports only what the Socket implements; use Dial.
type Socket interface {
	Close() error
	Send(m Message) error
	SendMessages(m []Message) error
	Receive() ([]Message, error)
	ReceiveIter() iter.Seq2[Message, error]
}

// legacyTransport runs a Conn on a caller's Socket. Messages pass through it
// as they are: a Socket may hand over messages whose Header.Length does not
// match their Data, and re-encoding them would change what the caller sees.
type legacyTransport struct {
	sock Socket
}

func (t *legacyTransport) send(m Message) error { return t.sock.Send(m) }

func (t *legacyTransport) sendMessages(msgs []Message) error { return t.sock.SendMessages(msgs) }

// recv treats one run of the Socket's ReceiveIter as one datagram. A Socket
// cannot be interrupted, so ctx is only checked before the call.
func (t *legacyTransport) recv(ctx context.Context) (datagram, error) {
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return datagram{}, err
		}
	}
	var d datagram
	for m, err := range t.sock.ReceiveIter() {
		if err != nil {
			d.err = err
			break
		}
		d.msgs = append(d.msgs, m)
	}
	return d, nil
}

func (t *legacyTransport) release(datagram) {}

func (t *legacyTransport) close() error { return t.sock.Close() }

func (t *legacyTransport) options() any { return t.sock }
