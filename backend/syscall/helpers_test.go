//go:build linux

package syscall

import (
	"errors"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/netns"
	"github.com/nlring/netlink/internal/testutil"
)

func TestMain(m *testing.M) { testutil.VerifyTestMain(m) }

// openIn opens a socket in ns (NETLINK_ROUTE unless cfg says otherwise),
// closed when t ends.
func openIn(t testing.TB, ns *netns.NS, cfg backend.Config) *Socket {
	t.Helper()
	if cfg.Family == 0 {
		cfg.Family = unix.NETLINK_ROUTE
	}
	cfg.NetNS = ns.FD()
	s, err := open(cfg)
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

// openRoute opens a NETLINK_ROUTE socket in a fresh namespace.
func openRoute(t testing.TB, cfg backend.Config) (*Socket, *netns.NS) {
	t.Helper()
	ns := testutil.NS(t)
	return openIn(t, ns, cfg), ns
}

// recvOne receives a datagram, copies it and releases it.
func recvOne(t testing.TB, s *Socket) (backend.Datagram, []byte) {
	t.Helper()
	d, err := s.Recv()
	if err != nil {
		t.Fatalf("Recv: %v", err)
	}
	b := append([]byte(nil), d.Data...)
	s.Release(d)
	return d, b
}

// waitBlocked waits until n goroutines are parked somewhere inside fn (a
// function name as runtime.Stack prints it). It is how a test knows a Recv
// is really blocked before it tries to unblock it.
func waitBlocked(t testing.TB, fn string, n int) {
	t.Helper()
	buf := make([]byte, 1<<20)
	for start := time.Now(); ; {
		stacks := string(buf[:runtime.Stack(buf, true)])
		got := 0
		for _, g := range strings.Split(stacks, "\n\n") {
			header, _, _ := strings.Cut(g, "\n")
			if strings.Contains(g, fn) && (strings.Contains(header, "[IO wait") || strings.Contains(header, "[sync.Mutex") || strings.Contains(header, "[semacquire") || strings.Contains(header, "[select") || strings.Contains(header, "[chan receive")) {
				got++
			}
		}
		if got >= n {
			return
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("%d goroutines blocked in %s, want %d; stacks:\n%s", got, fn, n, stacks)
		}
		time.Sleep(time.Millisecond)
	}
}

// result is what a Recv in another goroutine returned.
type result struct {
	d    backend.Datagram
	data []byte
	err  error
}

// recvAsync runs recv in a new goroutine and returns where its result will
// arrive.
func recvAsync(s *Socket, recv func() (backend.Datagram, error)) <-chan result {
	c := make(chan result, 1)
	go func() {
		d, err := recv()
		r := result{d: d, err: err}
		if err == nil {
			r.data = append([]byte(nil), d.Data...)
			s.Release(d)
		}
		c <- r
	}()
	return c
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
