//go:build linux

package backendtest

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/testutil"
)

// testUnblock checks each way a blocked Recv is released.
func testUnblock(t *testing.T, b Backend) {
	tests := []struct {
		name    string
		unblock func(backend.Socket) error
		want    error
	}{
		{"Close", backend.Socket.Close, net.ErrClosed},
		{"SetReadDeadline", func(s backend.Socket) error { return s.SetReadDeadline(time.Now().Add(-time.Second)) }, os.ErrDeadlineExceeded},
		{"SetDeadline", func(s backend.Socket) error { return s.SetDeadline(time.Unix(1, 0)) }, os.ErrDeadlineExceeded},
	}
	ns := testutil.NS(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openIn(t, b, ns, backend.Config{})
			c := recvAsync(s, s.Recv)
			blocked(t, c)
			if err := tt.unblock(s); err != nil {
				t.Fatalf("unblocking: %v", err)
			}
			if r := await(t, c); !errors.Is(r.err, tt.want) {
				t.Errorf("Recv = %v, want an error wrapping %v", r.err, tt.want)
			}
		})
	}
}

// testDeadline checks deadlines set before Recv, and that clearing one makes
// the socket usable again.
func testDeadline(t *testing.T, b Backend) {
	tests := []struct {
		name     string
		deadline time.Time
	}{
		{"past", time.Unix(1, 0)},
		{"near future", time.Now().Add(20 * time.Millisecond)},
	}
	ns := testutil.NS(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openIn(t, b, ns, backend.Config{})
			if err := s.SetReadDeadline(tt.deadline); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Recv(); !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("Recv = %v, want os.ErrDeadlineExceeded", err)
			}
			if err := s.SetReadDeadline(time.Time{}); err != nil {
				t.Fatal(err)
			}
			if err := s.Send(testutil.Noop(1)); err != nil {
				t.Fatal(err)
			}
			if _, data := recvOne(t, s); testutil.MustParse(t, data)[0].Errno(t) != 0 {
				t.Error("NOOP not acknowledged")
			}
		})
	}
}

// testWriteDeadline checks that a past write deadline fails Send as it fails
// a write in package net, and that clearing it undoes that.
func testWriteDeadline(t *testing.T, b Backend) {
	s := openIn(t, b, testutil.NS(t), backend.Config{})
	if err := s.SetWriteDeadline(time.Unix(1, 0)); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(testutil.Noop(1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Send = %v, want os.ErrDeadlineExceeded", err)
	}
	if err := s.SetWriteDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(testutil.Noop(1)); err != nil {
		t.Errorf("Send after clearing the deadline: %v", err)
	}
}

// testRecvContext checks RecvContext, which the root package's transport
// uses when a backend has it.
func testRecvContext(t *testing.T, b Backend) {
	tests := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		// cancel, if set, is called once the call is blocked.
		cancel bool
		want   error
	}{
		{"canceled while blocked", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }, true, context.Canceled},
		{"canceled before", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, false, context.Canceled},
		{"timeout", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 20*time.Millisecond)
		}, false, context.DeadlineExceeded},
	}
	ns := testutil.NS(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openIn(t, b, ns, backend.Config{})
			rc, ok := s.(recvContexter)
			if !ok {
				t.Fatalf("%T has no RecvContext method", s)
			}
			ctx, cancel := tt.ctx()
			defer cancel()
			c := recvAsync(s, func() (backend.Datagram, error) { return rc.RecvContext(ctx) })
			if tt.cancel {
				blocked(t, c)
				cancel()
			}
			if r := await(t, c); !errors.Is(r.err, tt.want) {
				t.Errorf("RecvContext = %v, want an error wrapping %v", r.err, tt.want)
			}
			// The socket works on, with no deadline.
			if err := s.Send(testutil.Noop(1)); err != nil {
				t.Fatal(err)
			}
			recvOne(t, s)
		})
	}
}

// testSendWhileRecvBlocked checks that a blocked Recv does not hold up Send,
// and gets the reply.
func testSendWhileRecvBlocked(t *testing.T, b Backend) {
	s := openIn(t, b, testutil.NS(t), backend.Config{})
	c := recvAsync(s, s.Recv)
	blocked(t, c)

	sent := make(chan error, 1)
	go func() { sent <- s.Send(testutil.Noop(5)) }()
	select {
	case err := <-sent:
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Send blocked behind a blocked Recv")
	}
	if r := await(t, c); r.err != nil || testutil.MustParse(t, r.data)[0].Seq != 5 {
		t.Errorf("Recv = %v, want the ACK of seq 5", r.err)
	}
}

// testConcurrent has four goroutines send and two receive on one socket:
// every reply arrives once.
func testConcurrent(t *testing.T, b Backend) {
	s := openIn(t, b, testutil.NS(t), backend.Config{})
	rc, ok := s.(recvContexter)
	if !ok {
		t.Fatalf("%T has no RecvContext method", s)
	}
	if err := s.SetSockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 8<<20); err != nil {
		t.Fatal(err)
	}
	const senders, each = 4, 200
	var wg sync.WaitGroup
	for g := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := s.Send(testutil.GetLinkRequest(uint32(g*each+i), 1)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	// Two receivers share the replies until all have arrived.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	seen := make(map[uint32]bool)
	var mu sync.Mutex
	var rwg sync.WaitGroup
	for range 2 {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			for {
				d, err := rc.RecvContext(ctx)
				if errors.Is(err, context.Canceled) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[testutil.MustParse(t, d.Data)[0].Seq] = true
				if len(seen) == senders*each {
					cancel()
				}
				mu.Unlock()
				s.Release(d)
			}
		}()
	}
	wg.Wait()
	rwg.Wait()
	if len(seen) != senders*each {
		t.Errorf("%d distinct replies, want %d", len(seen), senders*each)
	}
}
