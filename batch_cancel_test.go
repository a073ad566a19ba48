//go:build linux

package netlink

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/backend/iouring"
	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

// Cancellation of batches and subscriptions, tested from inside the
// package so that the goroutine under test is known to be waiting before
// the context ends: by holding the Conn's receive lock, or by giving the
// scope nothing to receive.

// eachRealBackend runs fn for a Conn on each backend in a namespace of its
// own.
func eachRealBackend(t *testing.T, fn func(t *testing.T, c *Conn)) {
	testutil.ForEachBackend(t, iouring.Supported, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		c, err := Dial(unix.NETLINK_ROUTE, &Config{NetNS: ns.FD(), Backend: kind})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		fn(t, c)
	})
}

// cancelWhileBlocked runs op in a goroutine, cancels its context once
// blocked says it is blocked, and returns op's error. A wait that
// cancellation does not end fails the test after a minute rather than
// hanging it.
func cancelWhileBlocked(t *testing.T, op func(ctx context.Context) error, blocked func()) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- op(ctx) }()
	blocked()
	cancel()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		t.Fatal("cancellation did not end the wait")
		return nil
	}
}

func TestCancelWaitingForConn(t *testing.T) {
	reqs := []Message{{Header: Header{Type: unix.RTM_NEWROUTE}, Data: make([]byte, unix.SizeofRtMsg)}}
	tests := []struct {
		name string
		op   func(ctx context.Context, c *Conn) error
	}{
		{"ExecuteBatch", func(ctx context.Context, c *Conn) error {
			_, err := c.ExecuteBatchContext(ctx, reqs, nil)
			return err
		}},
		{"Events", func(ctx context.Context, c *Conn) error {
			s := &Subscription{c: c}
			for _, err := range s.Events(ctx) {
				return err
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachRealBackend(t, func(t *testing.T, c *Conn) {
				if err := c.lockRecv(context.Background()); err != nil {
					t.Fatal(err)
				}
				err := cancelWhileBlocked(t, func(ctx context.Context) error { return tt.op(ctx, c) },
					func() {})
				c.unlockRecv()
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("= %v, want context.Canceled", err)
				}
			})
		})
	}
}

// TestCancelWaitingForDatagram blocks a receive scope on a socket nothing
// is sent to, as a batch waiting for replies or a quiet subscription does.
func TestCancelWaitingForDatagram(t *testing.T) {
	eachRealBackend(t, func(t *testing.T, c *Conn) {
		if err := c.SetReadDeadline(time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		var rx *recvScope
		started := make(chan struct{})
		err := cancelWhileBlocked(t, func(ctx context.Context) error {
			rx = c.openRecvScope(ctx)
			defer rx.close()
			close(started)
			_, err := rx.recv()
			return err
		}, func() { <-started })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("recv = %v, want context.Canceled", err)
		}

		// The caller's deadline is back: a receive still waits rather
		// than failing at once with a deadline error.
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if _, err := c.ReceiveContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("ReceiveContext after the scope = %v, want its own context's deadline", err)
		}
	})
}
