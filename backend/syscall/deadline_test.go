//go:build linux

package syscall

import (
	"context"
	"errors"
	"testing"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/testutil"
)

const recvFunc = "backend/syscall.(*Socket).recv"

// TestRecvContextSparesOthers checks that cancelling one RecvContext does
// not fail a Recv blocked in another goroutine, whichever of the two is the
// one waiting in the poller (the other waits for the descriptor's read lock).
func TestRecvContextSparesOthers(t *testing.T) {
	for _, canceledFirst := range []bool{false, true} {
		name := map[bool]string{false: "plain Recv in the poller", true: "RecvContext in the poller"}[canceledFirst]
		t.Run(name, func(t *testing.T) {
			s, _ := openRoute(t, backend.Config{})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var other, canceled <-chan result
			start := []func(){
				func() { other = recvAsync(s, s.Recv) },
				func() { canceled = recvAsync(s, func() (backend.Datagram, error) { return s.RecvContext(ctx) }) },
			}
			if canceledFirst {
				start[0], start[1] = start[1], start[0]
			}
			start[0]()
			waitBlocked(t, recvFunc, 1)
			start[1]()
			waitBlocked(t, recvFunc, 2)

			cancel()
			if r := await(t, canceled); !errors.Is(r.err, context.Canceled) {
				t.Fatalf("RecvContext = %v, want context.Canceled", r.err)
			}
			if err := s.Send(testutil.Noop(42)); err != nil {
				t.Fatal(err)
			}
			r := await(t, other)
			if r.err != nil {
				t.Fatalf("the other Recv failed: %v", r.err)
			}
			if m := testutil.MustParse(t, r.data)[0]; m.Seq != 42 || m.Errno(t) != 0 {
				t.Errorf("the other Recv got seq %d, want the ACK of 42", m.Seq)
			}
		})
	}
}
