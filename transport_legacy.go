package netlink

import (
	"context"
	"iter"
	"syscall"
	"time"

	"golang.org/x/net/bpf"
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

// sendRaw fails: a Socket takes messages, not bytes.
func (t *legacyTransport) sendRaw([]byte) error { return errNotSupported }

func (t *legacyTransport) encoded() bool { return false }

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

// interruptOnDone returns nil: a Socket cannot be interrupted.
func (t *legacyTransport) interruptOnDone(context.Context) (stop func()) { return nil }

func (t *legacyTransport) close() error { return t.sock.Close() }

// The optional methods a Conn looks for on a Socket, which may have any of
// them. This is the one place that looks.
type (
	groupJoinLeaver interface {
		JoinGroup(group uint32) error
		LeaveGroup(group uint32) error
	}
	bpfSetter interface {
		SetBPF(filter []bpf.RawInstruction) error
		RemoveBPF() error
	}
	deadlineSetter interface {
		SetDeadline(time.Time) error
		SetReadDeadline(time.Time) error
		SetWriteDeadline(time.Time) error
	}
	optionSetter interface {
		SetOption(option ConnOption, enable bool) error
	}
	bufferedSocket interface {
		SetReadBuffer(bytes int) error
		SetWriteBuffer(bytes int) error
		ReadBuffer() (int, error)
		WriteBuffer() (int, error)
	}
)

func (t *legacyTransport) joinGroup(group uint32) error {
	if s, ok := t.sock.(groupJoinLeaver); ok {
		return s.JoinGroup(group)
	}
	return errNotSupported
}

func (t *legacyTransport) leaveGroup(group uint32) error {
	if s, ok := t.sock.(groupJoinLeaver); ok {
		return s.LeaveGroup(group)
	}
	return errNotSupported
}

func (t *legacyTransport) setOption(option ConnOption, enable bool) error {
	if s, ok := t.sock.(optionSetter); ok {
		return s.SetOption(option, enable)
	}
	return errNotSupported
}

func (t *legacyTransport) setBPF(filter []bpf.RawInstruction) error {
	if s, ok := t.sock.(bpfSetter); ok {
		return s.SetBPF(filter)
	}
	return errNotSupported
}

func (t *legacyTransport) removeBPF() error {
	if s, ok := t.sock.(bpfSetter); ok {
		return s.RemoveBPF()
	}
	return errNotSupported
}

func (t *legacyTransport) setDeadline(d time.Time) error {
	if s, ok := t.sock.(deadlineSetter); ok {
		return s.SetDeadline(d)
	}
	return errNotSupported
}

func (t *legacyTransport) setReadDeadline(d time.Time) error {
	if s, ok := t.sock.(deadlineSetter); ok {
		return s.SetReadDeadline(d)
	}
	return errNotSupported
}

func (t *legacyTransport) setWriteDeadline(d time.Time) error {
	if s, ok := t.sock.(deadlineSetter); ok {
		return s.SetWriteDeadline(d)
	}
	return errNotSupported
}

func (t *legacyTransport) setReadBuffer(bytes int) error {
	if s, ok := t.sock.(bufferedSocket); ok {
		return s.SetReadBuffer(bytes)
	}
	return errNotSupported
}

func (t *legacyTransport) setWriteBuffer(bytes int) error {
	if s, ok := t.sock.(bufferedSocket); ok {
		return s.SetWriteBuffer(bytes)
	}
	return errNotSupported
}

func (t *legacyTransport) readBuffer() (int, error) {
	if s, ok := t.sock.(bufferedSocket); ok {
		return s.ReadBuffer()
	}
	return 0, errNotSupported
}

func (t *legacyTransport) writeBuffer() (int, error) {
	if s, ok := t.sock.(bufferedSocket); ok {
		return s.WriteBuffer()
	}
	return 0, errNotSupported
}

func (t *legacyTransport) syscallConn() (syscall.RawConn, error) {
	if s, ok := t.sock.(syscall.Conn); ok {
		return s.SyscallConn()
	}
	return nil, errNotSupported
}
