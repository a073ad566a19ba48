//go:build linux

package backendtest

import (
	"encoding/binary"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/netns"
)

// openIn opens a socket of b in ns (NETLINK_ROUTE unless cfg says
// otherwise), closed when t ends.
func openIn(t testing.TB, b Backend, ns *netns.NS, cfg backend.Config) backend.Socket {
	t.Helper()
	if cfg.Family == 0 {
		cfg.Family = unix.NETLINK_ROUTE
	}
	cfg.NetNS = ns.FD()
	s, err := b.Open(cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		// Tests that close the socket themselves get net.ErrClosed here.
		if err := s.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// attr returns the payload of attribute typ in b, a run of rtattrs.
func attr(b []byte, typ uint16) []byte {
	for len(b) >= unix.SizeofRtAttr {
		n := int(binary.NativeEndian.Uint16(b[0:2]))
		if n < unix.SizeofRtAttr || n > len(b) {
			return nil
		}
		if binary.NativeEndian.Uint16(b[2:4]) == typ {
			return b[unix.SizeofRtAttr:n]
		}
		b = b[min(len(b), (n+3)&^3):]
	}
	return nil
}

// recvOne receives a datagram, copies it and releases it.
func recvOne(t testing.TB, s backend.Socket) (backend.Datagram, []byte) {
	t.Helper()
	d, err := s.Recv()
	if err != nil {
		t.Fatalf("Recv: %v", err)
	}
	b := append([]byte(nil), d.Data...)
	s.Release(d)
	return d, b
}

// result is what a Recv in another goroutine returned.
type result struct {
	data []byte
	err  error
}

// recvAsync runs recv in a new goroutine and returns where its result will
// arrive.
func recvAsync(s backend.Socket, recv func() (backend.Datagram, error)) <-chan result {
	c := make(chan result, 1)
	go func() {
		d, err := recv()
		r := result{err: err}
		if err == nil {
			r.data = append([]byte(nil), d.Data...)
			s.Release(d)
		}
		c <- r
	}()
	return c
}

// blocked gives a call started with recvAsync a moment to block, and fails
// the test if it returns meanwhile.
func blocked(t testing.TB, c <-chan result) {
	t.Helper()
	select {
	case r := <-c:
		t.Fatalf("Recv returned %v before being unblocked", r.err)
	case <-time.After(20 * time.Millisecond):
	}
}

// await waits for a result, failing the test if none comes: the call it
// waits for was supposed to be unblocked.
func await(t testing.TB, c <-chan result) result {
	t.Helper()
	select {
	case r := <-c:
		return r
	case <-time.After(30 * time.Second):
		t.Fatal("call still blocked after 30s")
		return result{}
	}
}

// countFDs counts this process's open descriptors.
func countFDs(t testing.TB) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}
