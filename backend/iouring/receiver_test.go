//go:build linux

package iouring

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/testutil"
)

// TestRingRunsDry dumps more datagrams than the socket has buffers, once
// releasing each at once and once holding every buffer: the multishot
// receive ends with ENOBUFS on an empty buffer ring and must be re-armed when
// buffers come back, with nothing lost and no error reported.
func TestRingRunsDry(t *testing.T) {
	ns := testutil.NS(t)
	const n = 80000 // about 160 datagrams: more than numBuffers
	testutil.AddVethRoutes(t, ns, n)
	s := openIn(t, ns, backend.Config{BufferSize: backend.MinBufferSize})

	t.Run("release each", func(t *testing.T) {
		routes, datagrams := dump(t, s, 1, 0)
		if routes < n {
			t.Errorf("%d routes in %d datagrams, want at least %d", routes, datagrams, n)
		}
		if datagrams <= numBuffers {
			t.Errorf("only %d datagrams: the test needs more than %d", datagrams, numBuffers)
		}
	})
	t.Run("hold every buffer", func(t *testing.T) {
		before := s.dryRuns.Load()
		routes, datagrams := dump(t, s, 2, numBuffers)
		if routes < n {
			t.Errorf("%d routes in %d datagrams, want at least %d", routes, datagrams, n)
		}
		if s.dryRuns.Load() == before {
			t.Error("the buffer ring never ran dry")
		}
	})
	t.Run("round trip after", func(t *testing.T) {
		if err := s.Send(testutil.GetLinkRequest(3, 1)); err != nil {
			t.Fatal(err)
		}
		d, err := s.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if ms := testutil.MustParse(t, d.Data); ms[0].Seq != 3 {
			t.Errorf("reply seq %d, want 3", ms[0].Seq)
		}
		s.Release(d)
	})
}

// TestReceiverMigrates moves the receiver between threads: to a goroutine
// that exits while locked to its thread (which takes the thread with it, and
// with it the receiver's task work), then back. Nothing may be lost.
func TestReceiverMigrates(t *testing.T) {
	ns := testutil.NS(t)
	s := openIn(t, ns, backend.Config{})
	roundTrip := func(seq uint32) error {
		if err := s.Send(testutil.GetLinkRequest(seq, 1)); err != nil {
			return err
		}
		d, err := s.Recv()
		if err != nil {
			return err
		}
		defer s.Release(d)
		if got := testutil.MustParse(t, d.Data)[0].Seq; got != seq {
			return fmt.Errorf("reply seq %d, want %d", got, seq)
		}
		return nil
	}
	for i := range 20 {
		errc := make(chan error, 1)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread exits with us
			errc <- roundTrip(uint32(2*i + 1))
		}()
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		if err := roundTrip(uint32(2*i + 2)); err != nil {
			t.Fatal(err)
		}
	}
	// An event that arrives while the thread that armed the receiver is gone.
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		errc <- roundTrip(100)
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	if err := roundTrip(101); err != nil {
		t.Fatal(err)
	}
}
