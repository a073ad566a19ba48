//go:build linux

package nltest_test

import (
	"encoding/binary"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/internal/testutil"
	"github.com/nlring/netlink/nltest"
	"golang.org/x/sys/unix"
)

func TestMultipart(t *testing.T) {
	tests := []struct {
		name string
		in   []netlink.Message
		want []netlink.Message
	}{
		{name: "none"},
		{
			name: "one is left alone",
			in:   []netlink.Message{{Header: netlink.Header{Type: 0x10}}},
			want: []netlink.Message{{Header: netlink.Header{Type: 0x10}}},
		},
		{
			name: "last becomes done",
			in:   []netlink.Message{{Header: netlink.Header{Type: 0x10}}, {Header: netlink.Header{Type: 0x10, Flags: netlink.Request}}},
			want: []netlink.Message{
				{Header: netlink.Header{Type: 0x10, Flags: netlink.Multi}},
				{Header: netlink.Header{Type: netlink.Done, Flags: netlink.Request | netlink.Multi}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := nltest.Multipart(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := testutil.Diff(tt.want, got); diff != "" {
				t.Fatalf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestError(t *testing.T) {
	req := netlink.Message{
		Header: netlink.Header{Length: 20, Type: 0x12, Flags: netlink.Request, Sequence: 5, PID: nltest.PID},
		Data:   []byte{0xaa, 0xbb, 0xcc, 0xdd},
	}
	got, err := nltest.Error(int(unix.EPERM), []netlink.Message{req})
	if err != nil {
		t.Fatal(err)
	}
	want := []netlink.Message{{
		Header: netlink.Header{Length: 24, Type: netlink.Error, Flags: netlink.Request, Sequence: 5, PID: nltest.PID},
		Data:   append(errnoBytes(unix.EPERM), 0xaa, 0xbb, 0xcc, 0xdd),
	}}
	if diff := testutil.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if _, err := nltest.Error(1, nil); err == nil {
		t.Fatal("Error without a request succeeded")
	}
}

func TestCheckRequest(t *testing.T) {
	req := []netlink.Message{{Header: netlink.Header{Type: 0x10, Flags: netlink.Request | netlink.Dump}}}
	tests := []struct {
		name  string
		types []netlink.HeaderType
		flags []netlink.HeaderFlags
		ok    bool
	}{
		{name: "unchecked", types: []netlink.HeaderType{0}, flags: []netlink.HeaderFlags{0}, ok: true},
		{name: "matching", types: []netlink.HeaderType{0x10}, flags: []netlink.HeaderFlags{netlink.Request | netlink.Dump}, ok: true},
		{name: "wrong type", types: []netlink.HeaderType{0x11}, flags: []netlink.HeaderFlags{0}},
		{name: "wrong flags", types: []netlink.HeaderType{0}, flags: []netlink.HeaderFlags{netlink.Request}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			fn := nltest.CheckRequest(tt.types, tt.flags, func([]netlink.Message) ([]netlink.Message, error) {
				called = true
				return nil, nil
			})
			_, err := fn(req)
			if (err == nil) != tt.ok || called != tt.ok {
				t.Fatalf("err %v, fn called %v; want ok %v", err, called, tt.ok)
			}
		})
	}
}

// TestHelperPanics checks the panics of helpers misused by a test. Their
// messages are github.com/mdlayher/netlink/nltest's, which tests recover and
// compare.
func TestHelperPanics(t *testing.T) {
	tests := []struct {
		name string
		fn   func()
		want string
	}{
		{
			name: "CheckRequest lengths",
			fn:   func() { nltest.CheckRequest(make([]netlink.HeaderType, 1), nil, nil) },
			want: "nltest: CheckRequest called with mismatched types and flags slice lengths: 1 != 0",
		},
		{
			name: "CheckRequest requests",
			fn: func() {
				fn := nltest.CheckRequest(make([]netlink.HeaderType, 1), make([]netlink.HeaderFlags, 1), nil)
				_, _ = fn(make([]netlink.Message, 2))
			},
			want: "nltest: CheckRequest function invoked types/flags and request message slice lengths: 1 != 2",
		},
		{
			name: "MustMarshalAttributes",
			fn:   func() { nltest.MustMarshalAttributes([]netlink.Attribute{{Length: 1}}) },
			want: "failed to marshal attributes to binary: invalid attribute; length too short or too large",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got any
			func() {
				defer func() { got = recover() }()
				tt.fn()
			}()
			if got != tt.want {
				t.Fatalf("panic %#v, want %q", got, tt.want)
			}
		})
	}
}

func TestDialRequestReply(t *testing.T) {
	var got []netlink.Message
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		got = req
		return nltest.Error(0, req)
	})
	defer c.Close()

	msgs, err := c.Execute(netlink.Message{Header: netlink.Header{Type: 0x10, Flags: netlink.Request | netlink.Acknowledge}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Header.PID != nltest.PID || got[0].Header.Length != 16 {
		t.Fatalf("Func got request %+v, want one filled-in message", got)
	}
	if len(msgs) != 1 || msgs[0].Header.Type != netlink.Error {
		t.Fatalf("Execute = %+v, want the ACK", msgs)
	}
}

func TestDialMultipartNeedsSeveralReceives(t *testing.T) {
	parts := 0
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		if req == nil {
			return nil, io.EOF
		}
		return nltest.Multipart(make([]netlink.Message, 6))
	})
	defer c.Close()
	if _, err := c.Send(netlink.Message{}); err != nil {
		t.Fatal(err)
	}
	for _, err := range c.ReceiveIter() {
		if err != nil {
			t.Fatal(err)
		}
		parts++
	}
	if parts != 5 {
		t.Fatalf("received %d messages, want the 5 before Done", parts)
	}
}

func TestDialErrors(t *testing.T) {
	errFoo := errors.New("foo")
	tests := []struct {
		name   string
		err    error
		target error
		// syscall says the error must come wrapped in *os.SyscallError.
		syscall bool
	}{
		{name: "plain", err: errFoo, target: errFoo},
		{name: "errno", err: unix.ENOENT, target: os.ErrNotExist, syscall: true},
		{name: "EOF means nothing", err: io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := nltest.Dial(func([]netlink.Message) ([]netlink.Message, error) { return nil, tt.err })
			defer c.Close()
			msgs, err := c.Execute(netlink.Message{})
			if tt.target == nil {
				if err != nil || len(msgs) != 0 {
					t.Fatalf("Execute = %v, %v; want nothing", msgs, err)
				}
				return
			}
			if !errors.Is(err, tt.target) {
				t.Fatalf("Execute error %v, want %v", err, tt.target)
			}
			var se *os.SyscallError
			if errors.As(err, &se) != tt.syscall {
				t.Fatalf("error %v: wrapped in *os.SyscallError = %v, want %v", err, !tt.syscall, tt.syscall)
			}
		})
	}
}

// errnoBytes is the payload start of an Error message for errno.
func errnoBytes(errno unix.Errno) []byte {
	code := -int32(errno)
	return binary.NativeEndian.AppendUint32(nil, uint32(code))
}
