// Package nltest tests code built on netlink.Conn without a kernel: a Func
// plays the kernel's part, answering each request with the messages of its
// choice.
//
// It behaves as github.com/mdlayher/netlink/nltest does, so tests written
// for that package pass unchanged.
package nltest

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/nlring/netlink"
)

// PID is the port ID of every Conn made by Dial, and the PID its requests
// carry.
const PID = 1

// A Func answers requests in place of the kernel.
//
// Each Send or SendMessages of the Conn passes its filled-in messages as
// req; the messages the Func returns are what the following Receive gets. A
// Receive with no answer pending calls the Func with a nil req, as a
// multicast listener would wait for the kernel.
//
// An error from the Func is what the Receive returns (wrapped in an
// *os.SyscallError first if it is a system call error number). io.EOF with
// no messages makes the Receive return no messages and no error.
type Func func(req []netlink.Message) ([]netlink.Message, error)

// Dial returns a Conn whose requests go to fn. Close it as usual.
func Dial(fn Func) *netlink.Conn {
	return netlink.NewConn(&socket{fn: fn}, PID)
}

// MustMarshalAttributes encodes attrs, panicking if they cannot be encoded
// (with github.com/mdlayher/netlink/nltest's message). It is meant for
// building test data.
func MustMarshalAttributes(attrs []netlink.Attribute) []byte {
	b, err := netlink.MarshalAttributes(attrs)
	if err != nil {
		panic(fmt.Sprintf("failed to marshal attributes to binary: %v", err))
	}
	return b
}

// Multipart makes msgs a multi-part reply: every message gets the Multi
// flag and the last one becomes its Done. Fewer than two messages are
// returned as they are.
func Multipart(msgs []netlink.Message) ([]netlink.Message, error) {
	if len(msgs) < 2 {
		return msgs, nil
	}
	for i := range msgs {
		msgs[i].Header.Flags |= netlink.Multi
	}
	msgs[len(msgs)-1].Header.Type = netlink.Done
	return msgs, nil
}

// Error returns the kernel's answer to a failed request: an Error message
// carrying -number followed by the payload of reqs[0], with that request's
// header otherwise.
func Error(number int, reqs []netlink.Message) ([]netlink.Message, error) {
	if len(reqs) == 0 {
		return nil, errors.New("nltest: Error needs the request it answers")
	}
	m := reqs[0]
	m.Header.Type = netlink.Error
	m.Header.Length += 4
	data := make([]byte, 4, 4+len(m.Data))
	binary.NativeEndian.PutUint32(data, uint32(-int32(number)))
	m.Data = append(data, m.Data...)
	return []netlink.Message{m}, nil
}

// CheckRequest returns a Func that checks the type and flags of each
// request message against the element of types and flags at the same index,
// then passes the request on to fn. A zero element skips that check. A
// mismatch makes the Func return an error.
//
// types and flags must have the same length, and each request as many
// messages: CheckRequest panics otherwise, since the test itself is wrong.
// The panic messages are github.com/mdlayher/netlink/nltest's.
func CheckRequest(types []netlink.HeaderType, flags []netlink.HeaderFlags, fn Func) Func {
	if len(types) != len(flags) {
		panic(fmt.Sprintf("nltest: CheckRequest called with mismatched types and flags slice lengths: %d != %d",
			len(types), len(flags)))
	}
	return func(req []netlink.Message) ([]netlink.Message, error) {
		if len(req) != len(types) {
			panic(fmt.Sprintf("nltest: CheckRequest function invoked types/flags and request message slice lengths: %d != %d",
				len(types), len(req)))
		}
		for i, m := range req {
			if want := types[i]; want != 0 && m.Header.Type != want {
				return nil, fmt.Errorf("nltest: unexpected netlink header type: %s, want: %s", m.Header.Type, want)
			}
			if want := flags[i]; want != 0 && m.Header.Flags != want {
				return nil, fmt.Errorf("nltest: unexpected netlink header flags: %s, want: %s", m.Header.Flags, want)
			}
		}
		return fn(req)
	}
}
