//go:build linux

package netlink_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/internal/testutil"
	"github.com/nlring/netlink/nltest"
	"golang.org/x/sys/unix"
)

// Tests of the Conn over a caller's Socket (NewConn), through nltest.

func TestNltestMultipartThenSeparateAck(t *testing.T) {
	// nltest hands a multi-part answer over in two "datagrams": the reply
	// message, then the ACK. github.com/mdlayher/netlink waits for a Done
	// that never comes.
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		if req == nil {
			return nil, io.EOF
		}
		h := req[0].Header
		return []netlink.Message{
			{Header: netlink.Header{Length: 20, Type: 0x100, Flags: netlink.Multi, Sequence: h.Sequence, PID: h.PID}, Data: []byte{1, 2, 3, 4}},
			{Header: netlink.Header{Length: 20, Type: netlink.Error, Sequence: h.Sequence, PID: h.PID}, Data: make([]byte, 4)},
		}, nil
	})
	defer c.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msgs, err := c.ExecuteContext(ctx, netlink.Message{Header: netlink.Header{Type: 0x101, Flags: netlink.Request | netlink.Acknowledge}})
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	if len(msgs) != 2 || msgs[0].Header.Type != 0x100 || msgs[1].Header.Type != netlink.Error {
		t.Fatalf("Execute returned %+v, want the reply then the ACK", msgs)
	}
}

func TestNltestMessagesPassThrough(t *testing.T) {
	// A Socket may hand over messages whose Length disagrees with their
	// Data; the Conn must not re-encode them.
	odd := netlink.Message{Header: netlink.Header{Length: 99, Type: 0x100}, Data: []byte{1, 2, 3}}
	c := nltest.Dial(func([]netlink.Message) ([]netlink.Message, error) {
		return []netlink.Message{odd}, nil
	})
	defer c.Close()
	got, err := c.Receive()
	if err != nil {
		t.Fatal(err)
	}
	if diff := testutil.Diff([]netlink.Message{odd}, got); diff != "" {
		t.Fatalf("messages (-want +got):\n%s", diff)
	}
}

func TestNltestUnsupportedOperations(t *testing.T) {
	c := nltest.Dial(nil)
	defer c.Close()

	ops := map[string]func() error{
		"join-group":         func() error { return c.JoinGroup(1) },
		"leave-group":        func() error { return c.LeaveGroup(1) },
		"set-bpf":            func() error { return c.SetBPF(nil) },
		"remove-bpf":         c.RemoveBPF,
		"set-deadline":       func() error { return c.SetDeadline(time.Now()) },
		"set-read-deadline":  func() error { return c.SetReadDeadline(time.Now()) },
		"set-write-deadline": func() error { return c.SetWriteDeadline(time.Now()) },
		"set-option":         func() error { return c.SetOption(netlink.ExtendedAcknowledge, true) },
		"set-read-buffer":    func() error { return c.SetReadBuffer(1) },
		"set-write-buffer":   func() error { return c.SetWriteBuffer(1) },
		"get-read-buffer":    func() error { _, err := c.ReadBuffer(); return err },
		"get-write-buffer":   func() error { _, err := c.WriteBuffer(); return err },
		"syscall-conn":       func() error { _, err := c.SyscallConn(); return err },
	}
	for op, call := range ops {
		err := call()
		var oe *netlink.OpError
		if !errors.As(err, &oe) || oe.Op != op || oe.Err.Error() != "operation not supported" {
			t.Errorf("%s: got %v, want an OpError %q saying it is not supported", op, err, op)
		}
	}
}

func TestNltestDumpInterrupted(t *testing.T) {
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		if req == nil {
			return nil, io.EOF
		}
		h := req[0].Header
		return nltest.Multipart([]netlink.Message{
			{Header: netlink.Header{Length: 16, Type: 0x100, Sequence: h.Sequence, PID: h.PID}},
			{Header: netlink.Header{Length: 16, Type: 0x100, Flags: netlink.DumpInterrupted, Sequence: h.Sequence, PID: h.PID}},
			{Header: netlink.Header{Length: 16, Type: 0x100, Sequence: h.Sequence, PID: h.PID}},
			{Header: netlink.Header{Length: 16, Sequence: h.Sequence, PID: h.PID}},
		})
	})
	defer c.Close()

	msgs, err := c.Execute(netlink.Message{Header: netlink.Header{Flags: netlink.Request | netlink.Dump}})
	if !errors.Is(err, netlink.ErrDumpInterrupted) {
		t.Fatalf("Execute error %v, want ErrDumpInterrupted", err)
	}
	if len(msgs) != 3 {
		t.Fatalf("Execute returned %d messages with the error, want the 3 of the dump", len(msgs))
	}
}

func TestNltestSyscallErrorWrapped(t *testing.T) {
	c := nltest.Dial(func([]netlink.Message) ([]netlink.Message, error) {
		return nil, unix.ENOBUFS
	})
	defer c.Close()
	_, err := c.Execute(netlink.Message{})
	var oe *netlink.OpError
	if !errors.As(err, &oe) || oe.Op != "receive" || !errors.Is(err, unix.ENOBUFS) {
		t.Fatalf("Execute = %v, want a receive OpError wrapping ENOBUFS", err)
	}
}
