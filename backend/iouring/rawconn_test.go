//go:build linux

package iouring

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlring/netlink/backend"
)

func TestSyscallConn(t *testing.T) {
	// NETLINK_USERSOCK lets non-root processes send to each other.
	s := openIn(t, nil, backend.Config{Family: unix.NETLINK_USERSOCK})
	rc, err := s.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var got uint32
	err = rc.Control(func(fd uintptr) {
		sa, err := unix.Getsockname(int(fd))
		if err == nil {
			got = sa.(*unix.SockaddrNetlink).Pid
		}
	})
	if err != nil || got != s.PID() {
		t.Errorf("Control: port %d, %v; want %d", got, err, s.PID())
	}
	// Write: a datagram to our own port arrives through Recv.
	var werr error
	err = rc.Write(func(fd uintptr) bool {
		werr = unix.Sendto(int(fd), []byte("raw datagram"), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: s.PID()})
		return werr != unix.EAGAIN
	})
	if err != nil || werr != nil {
		t.Fatalf("Write = %v, sendto: %v", err, werr)
	}
	d, err := s.Recv()
	if err != nil || string(d.Data) != "raw datagram" || d.Sender != s.PID() {
		t.Fatalf("Recv after a raw write = %q from %d, %v", d.Data, d.Sender, err)
	}
	s.Release(d)
	// Read calls f again after waiting for readiness, until it returns true.
	calls := 0
	if err := rc.Read(func(uintptr) bool { calls++; return calls == 3 }); err != nil || calls != 3 {
		t.Errorf("Read = %v after %d calls, want nil after 3", err, calls)
	}
}

// TestRawConnUnblock checks that RawConn waits end at the read deadline and
// at Close.
func TestRawConnUnblock(t *testing.T) {
	s := openIn(t, nil, backend.Config{Family: unix.NETLINK_USERSOCK})
	rc, err := s.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	never := func(uintptr) bool { return false }
	s.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if err := rc.Read(never); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Read past the deadline = %v", err)
	}
	s.SetReadDeadline(time.Time{})
	errc := make(chan error, 1)
	go func() { errc <- rc.Read(never) }()
	select {
	case err := <-errc:
		t.Fatalf("Read returned %v before Close", err)
	case <-time.After(20 * time.Millisecond):
	}
	s.Close()
	if err := <-errc; !errors.Is(err, net.ErrClosed) {
		t.Errorf("Read after Close = %v, want net.ErrClosed", err)
	}
	if err := rc.Write(never); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Write after Close = %v, want net.ErrClosed", err)
	}
}
