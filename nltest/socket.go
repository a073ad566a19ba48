package nltest

import (
	"errors"
	"io"
	"iter"
	"os"
	"sync"

	"github.com/nlring/netlink"
)

// socket is the netlink.Socket behind Dial: it hands requests to a Func and
// replays its answers.
type socket struct {
	fn Func

	mu      sync.Mutex
	pending []netlink.Message // answers not yet received
	err     error             // the Func's error for them
}

func (s *socket) Close() error { return nil }

// Send replaces whatever answer was pending with fn's answer to m.
func (s *socket) Send(m netlink.Message) error {
	msgs, err := s.fn([]netlink.Message{m})
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending, s.err = msgs, err
	return nil
}

// SendMessages adds fn's answer to msgs to the pending answers.
func (s *socket) SendMessages(msgs []netlink.Message) error {
	out, err := s.fn(msgs)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(s.pending, out...)
	s.err = err
	return nil
}

func (s *socket) Receive() ([]netlink.Message, error) {
	var msgs []netlink.Message
	for m, err := range s.ReceiveIter() {
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// ReceiveIter plays one datagram. A multi-part answer is split so that the
// Conn needs several datagrams to read it all, as with a real dump.
func (s *socket) ReceiveIter() iter.Seq2[netlink.Message, error] {
	return func(yield func(netlink.Message, error) bool) {
		msgs, err := s.next()
		if err != nil {
			yield(netlink.Message{}, err)
			return
		}
		for _, m := range msgs {
			if !yield(m, nil) {
				return
			}
		}
	}
}

// next returns the messages of the next datagram, or its error.
func (s *socket) next() ([]netlink.Message, error) {
	s.mu.Lock()
	if len(s.pending) == 0 {
		err := s.err
		switch {
		case err == nil:
			// Nothing was asked: wait for a "multicast" message.
			s.mu.Unlock()
			msgs, err := s.fn(nil)
			if errors.Is(err, io.EOF) {
				return nil, nil
			}
			return msgs, err
		case errors.Is(err, io.EOF):
			// io.EOF stays: every later receive finds nothing too.
			s.mu.Unlock()
			return nil, nil
		}
		s.err = nil
		s.mu.Unlock()
		if isErrno(err) {
			// What a failed recvmsg on a real socket returns.
			return nil, os.NewSyscallError("recvmsg", err)
		}
		return nil, err
	}
	defer s.mu.Unlock()

	if multipart(s.pending) {
		n := (len(s.pending) + 1) / 2
		msgs := s.pending[:n]
		s.pending = s.pending[n:]
		return msgs, nil
	}
	msgs, err := s.pending, s.err
	s.pending, s.err = nil, nil
	if err != nil {
		return nil, err
	}
	return msgs, nil
}

// multipart reports whether msgs holds a part of a multi-part message other
// than its Done.
func multipart(msgs []netlink.Message) bool {
	for _, m := range msgs {
		if m.Header.Flags&netlink.Multi != 0 && m.Header.Type != netlink.Done {
			return true
		}
	}
	return false
}
