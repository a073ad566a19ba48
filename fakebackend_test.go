//go:build linux

package netlink

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nlring/netlink/backend"
	"golang.org/x/sys/unix"
)

// fakeSocket is a backend.Socket that plays the kernel from a script: each
// Send is answered by the kernel function, and datagrams are queued for
// Recv. It counts the datagrams handed out and not released, so tests can
// check that the Conn gives every buffer back.
type fakeSocket struct {
	pid uint32
	// kernel answers a sent datagram with datagrams to queue; nil queues
	// nothing.
	kernel func(sent []byte) []backend.Datagram

	mu          sync.Mutex
	queue       []backend.Datagram
	ready       chan struct{} // signalled when queue grows
	sent        [][]byte
	outstanding map[int]bool
	nextRef     int
	deadline    chan struct{} // closed when the read deadline is past
	closed      chan struct{}
	closeOnce   sync.Once
	recvWaiting chan struct{} // receives a value whenever Recv starts waiting
}

func newFakeSocket(pid uint32, kernel func([]byte) []backend.Datagram) *fakeSocket {
	return &fakeSocket{
		pid:         pid,
		kernel:      kernel,
		ready:       make(chan struct{}, 1),
		outstanding: map[int]bool{},
		deadline:    make(chan struct{}),
		closed:      make(chan struct{}),
		recvWaiting: make(chan struct{}, 16),
	}
}

// fakeConn returns a Conn over a fakeSocket, closed when t ends.
func fakeConn(t *testing.T, kernel func([]byte) []backend.Datagram) (*Conn, *fakeSocket) {
	t.Helper()
	s := newFakeSocket(100, kernel)
	c := newConn(newBackendTransport(s), s.pid)
	t.Cleanup(func() { c.Close() })
	return c, s
}

// push queues datagrams as if the kernel had sent them.
func (s *fakeSocket) push(ds ...backend.Datagram) {
	s.mu.Lock()
	s.queue = append(s.queue, ds...)
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

func (s *fakeSocket) Send(b []byte) error {
	select {
	case <-s.closed:
		return os.NewSyscallError("sendmsg", net.ErrClosed)
	default:
	}
	s.mu.Lock()
	s.sent = append(s.sent, append([]byte(nil), b...))
	s.mu.Unlock()
	if s.kernel != nil {
		s.push(s.kernel(b)...)
	}
	return nil
}

func (s *fakeSocket) Recv() (backend.Datagram, error) {
	return s.RecvContext(context.Background())
}

func (s *fakeSocket) RecvContext(ctx context.Context) (backend.Datagram, error) {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			d := s.queue[0]
			s.queue = s.queue[1:]
			if d.Ref == -1 {
				s.mu.Unlock()
				return backend.Datagram{}, &backend.TruncatedError{Size: len(d.Data), Buffer: 32 << 10}
			}
			s.nextRef++
			d.Ref = s.nextRef
			s.outstanding[d.Ref] = true
			s.mu.Unlock()
			return d, nil
		}
		deadline := s.deadline
		s.mu.Unlock()
		select {
		case s.recvWaiting <- struct{}{}:
		default:
		}
		select {
		case <-s.ready:
		case <-s.closed:
			return backend.Datagram{}, os.NewSyscallError("recvmsg", net.ErrClosed)
		case <-deadline:
			return backend.Datagram{}, os.NewSyscallError("recvmsg", os.ErrDeadlineExceeded)
		case <-ctx.Done():
			return backend.Datagram{}, ctx.Err()
		}
	}
}

func (s *fakeSocket) Release(d backend.Datagram) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.outstanding, d.Ref)
}

// held returns how many datagrams were received and not released.
func (s *fakeSocket) held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.outstanding)
}

func (s *fakeSocket) PID() uint32                               { return s.pid }
func (s *fakeSocket) JoinGroup(uint32) error                    { return nil }
func (s *fakeSocket) LeaveGroup(uint32) error                   { return nil }
func (s *fakeSocket) SetSockoptInt(level, opt, value int) error { return unix.ENOPROTOOPT }
func (s *fakeSocket) GetSockoptInt(level, opt int) (int, error) { return 0, unix.ENOPROTOOPT }
func (s *fakeSocket) SetDeadline(t time.Time) error             { return s.SetReadDeadline(t) }
func (s *fakeSocket) SetWriteDeadline(time.Time) error          { return nil }

func (s *fakeSocket) SetReadDeadline(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := !t.IsZero() && !t.After(time.Now())
	select {
	case <-s.deadline:
		if !past {
			s.deadline = make(chan struct{})
		}
	default:
		if past {
			close(s.deadline)
		}
	}
	return nil
}

func (s *fakeSocket) SyscallConn() (syscall.RawConn, error) {
	return nil, errors.New("fake socket has no file descriptor")
}

func (s *fakeSocket) Close() error {
	s.closeOnce.Do(func() { close(s.closed) })
	return nil
}

// plainFakeSocket hides RecvContext, to exercise the deadline fallback.
type plainFakeSocket struct{ backend.Socket }

// truncatedDatagram is a queue entry that makes Recv fail with a
// *backend.TruncatedError.
func truncatedDatagram(size int) backend.Datagram {
	return backend.Datagram{Data: make([]byte, size), Ref: -1}
}

// msg is a message for building test datagrams.
type msg struct {
	typ   HeaderType
	flags HeaderFlags
	seq   uint32
	pid   uint32
	data  []byte
}

// kernelDgram encodes msgs as one datagram from the kernel.
func kernelDgram(msgs ...msg) backend.Datagram {
	return backend.Datagram{Data: encode(msgs...)}
}

// encode returns the wire form of msgs, each padded to 4 bytes.
func encode(msgs ...msg) []byte {
	var b []byte
	for _, m := range msgs {
		var err error
		b, err = appendMessage(b, Message{
			Header: Header{
				Length:   uint32(nlmsgHeaderLen + len(m.data)),
				Type:     m.typ,
				Flags:    m.flags,
				Sequence: m.seq,
				PID:      m.pid,
			},
			Data: m.data,
		})
		if err != nil {
			panic(fmt.Sprintf("encoding test message: %v", err))
		}
	}
	if b == nil {
		b = []byte{}
	}
	return b
}

// errnoData is the payload of an Error or Done message carrying -errno.
func errnoData(errno int32) []byte {
	return binary.NativeEndian.AppendUint32(nil, uint32(-errno))
}

// sentHeader decodes the header of the first message of a sent datagram.
func sentHeader(b []byte) Header {
	m, _, err := parseMessage(b)
	if err != nil {
		panic(err)
	}
	return m.Header
}
