package netlink

import (
	"context"
	"syscall"
	"time"

	"golang.org/x/net/bpf"
)

// A transport moves datagrams for a Conn and sets its socket's options: the
// one seam between the Conn and what runs it. There are two:
// backendTransport runs on an nlring backend and deals in wire bytes
// (transport_backend.go, sockopt.go); legacyTransport runs on a caller's
// Socket (NewConn) and deals in parsed messages, which it passes through
// untouched (transport_legacy.go).
//
// Errors are returned unwrapped: the Conn adds the OpError. What a
// transport cannot do fails with errNotSupported.
type transport interface {
	// send sends m alone; sendMessages sends msgs as one datagram. Headers
	// are already filled in.
	send(m Message) error
	sendMessages(msgs []Message) error
	// sendRaw sends b, one datagram already encoded (a batch's group),
	// without encoding it again. Only a transport that is encoded has it.
	sendRaw(b []byte) error
	// encoded reports whether the transport deals in wire bytes: sendRaw
	// works, and every datagram recv returns carries b.
	encoded() bool

	// recv waits for the next datagram. A nil or never-done ctx means no
	// cancellation.
	recv(ctx context.Context) (datagram, error)
	// release ends what recv started for d: it notes how a unicast
	// datagram ends (noteEnd), stops counting d as in use (counted) and
	// gives back its buffer (held). The caller clears those it has dealt
	// with: release takes d by value so that datagrams stay off the heap.
	release(d datagram)
	// interruptOnDone makes receives, blocked now or later, fail with
	// os.ErrDeadlineExceeded once ctx is done: one registration serves a
	// whole run of receives, which then pass recv no context. stop disarms
	// it. It returns nil where receives cannot be interrupted; recv is then
	// given ctx.
	interruptOnDone(ctx context.Context) (stop func())

	close() error

	// The socket options behind the Conn's methods of the same names
	// (conn_options.go).
	joinGroup(group uint32) error
	leaveGroup(group uint32) error
	setOption(option ConnOption, enable bool) error
	setBPF(filter []bpf.RawInstruction) error
	removeBPF() error
	setDeadline(t time.Time) error
	setReadDeadline(t time.Time) error
	setWriteDeadline(t time.Time) error
	setReadBuffer(bytes int) error
	setWriteBuffer(bytes int) error
	readBuffer() (int, error)
	writeBuffer() (int, error)
	syscallConn() (syscall.RawConn, error)
}
