//go:build linux

package netlink_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/nlsock"
	"github.com/nlring/netlink/internal/rawtrip"
	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

// rawTrip is the round-trip floor (internal/rawtrip). A trip allocates
// nothing: TestRawTripAllocatesNothing keeps it so.
type rawTrip struct{ *rawtrip.Trip }

// newRawTrip opens the floor's socket in namespace nsFD, with req as its
// prebuilt request.
func newRawTrip(tb testing.TB, nsFD int, req netlink.Message) *rawTrip {
	tb.Helper()
	fd, _, err := nlsock.Open(nlsock.Options{Family: unix.NETLINK_ROUTE, NetNS: nsFD})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { unix.Close(fd) })
	req.Header.Length = uint32(unix.NLMSG_HDRLEN + len(req.Data))
	wire, err := req.MarshalBinary()
	if err != nil {
		tb.Fatal(err)
	}
	return &rawTrip{rawtrip.New(fd, wire, 32<<10)}
}

// trip sends the request and receives the reply: two system calls. It
// checks only that a reply of at least a header came back.
func (r *rawTrip) trip() unix.Errno {
	n, e := r.Do()
	if e != 0 {
		return e
	}
	if n < unix.NLMSG_HDRLEN {
		return unix.EBADMSG
	}
	return 0
}

func getLinkLo() netlink.Message {
	body := make([]byte, unix.SizeofIfInfomsg)
	body[4] = loIndex
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request}, Data: body}
}

// TestRawTripAllocatesNothing keeps BenchmarkRoundTrip's floor honest.
func TestRawTripAllocatesNothing(t *testing.T) {
	ns := testutil.NS(t)
	r := newRawTrip(t, ns.FD(), getLinkLo())
	var errno unix.Errno
	allocs := testing.AllocsPerRun(1000, func() {
		if e := r.trip(); e != 0 {
			errno = e
		}
	})
	if errno != 0 {
		t.Fatalf("round trip: %v", errno)
	}
	if allocs != 0 {
		t.Fatalf("the raw floor allocates %v times per round trip, want 0", allocs)
	}
}

// keptReply holds raw-copy's last copy, as a caller would keep it, so that
// the compiler cannot drop the copy.
var keptReply []byte

// floorBlock is how many trips the API and the floor each make between
// switches in BenchmarkRoundTrip.
const floorBlock = 100

// BenchmarkRoundTrip measures one RTM_GETLINK for lo at a time: the floor
// (rawTrip: pre-built msghdr, SENDMSG then RECVMSG on a blocking socket, no
// allocation), raw-copy (the floor plus a copy of the reply the caller
// would own), and Execute, Send+Receive, Send+ReceiveIter and
// Send+ReceiveIterBorrowed on each backend. Every sub-benchmark but the floor runs floor trips too, on a
// socket of its own, in blocks of floorBlock alternating with its own (the
// floor's blocks are outside the timer), and reports x-floor: the median
// over block pairs of its time over the floor's. Ratios so measured share
// the machine's state of the moment, which on a shared 2-CPU machine moves
// more than the difference measured.
//
//	go test -run '^$' -bench BenchmarkRoundTrip -benchtime 20000x .
func BenchmarkRoundTrip(b *testing.B) {
	ns := testutil.NS(b)
	req := getLinkLo()

	b.Run("raw", func(b *testing.B) {
		r := newRawTrip(b, ns.FD(), req)
		b.ReportAllocs()
		for b.Loop() {
			if e := r.trip(); e != 0 {
				b.Fatal(e)
			}
		}
	})
	apis := []struct {
		name string
		do   func(c *netlink.Conn) error
	}{
		{"execute", func(c *netlink.Conn) error {
			_, err := c.Execute(req)
			return err
		}},
		{"receive", func(c *netlink.Conn) error {
			if _, err := c.Send(req); err != nil {
				return err
			}
			_, err := c.Receive()
			return err
		}},
		{"receive-iter", func(c *netlink.Conn) error {
			if _, err := c.Send(req); err != nil {
				return err
			}
			for _, err := range c.ReceiveIter() {
				if err != nil {
					return err
				}
			}
			return nil
		}},
		{"receive-iter-borrowed", func(c *netlink.Conn) error {
			if _, err := c.Send(req); err != nil {
				return err
			}
			for _, err := range c.ReceiveIterBorrowed(context.Background()) {
				if err != nil {
					return err
				}
			}
			return nil
		}},
	}
	// raw-copy is the floor of the APIs whose messages the caller owns
	// (all but ReceiveIterBorrowed): the floor's trip plus a fresh copy of
	// the reply, made the cheapest way Go has.
	b.Run("raw-copy", func(b *testing.B) {
		r := newRawTrip(b, ns.FD(), req)
		againstFloor(b, newRawTrip(b, ns.FD(), req), func() error {
			n, e := r.Do()
			if e != 0 {
				return e
			}
			keptReply = append([]byte(nil), r.Buf[:n]...)
			return nil
		})
	})
	for _, kind := range []backend.Kind{backend.Auto, backend.Syscall, backend.IOUring} {
		for _, api := range apis {
			b.Run(string(kind)+"/"+api.name, func(b *testing.B) {
				c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.FD(), Backend: kind})
				if err != nil {
					b.Skipf("%s backend: %v", kind, err)
				}
				defer c.Close()
				againstFloor(b, newRawTrip(b, ns.FD(), req), func() error { return api.do(c) })
			})
		}
	}
}

// againstFloor runs do b.N times, alternating blocks of floorBlock with as
// many trips of floor outside the timer, and reports x-floor, the median
// over block pairs of do's time over the floor's.
func againstFloor(b *testing.B, floor *rawTrip, do func() error) {
	var ratios []float64
	blockStart := time.Now()
	var floorTime time.Duration
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		if err := do(); err != nil {
			b.Fatal(err)
		}
		if i++; i%floorBlock != 0 {
			continue
		}
		own := time.Since(blockStart)
		b.StopTimer()
		t0 := time.Now()
		for range floorBlock {
			if e := floor.trip(); e != 0 {
				b.Fatal(e)
			}
		}
		ft := time.Since(t0)
		floorTime += ft
		ratios = append(ratios, float64(own)/float64(ft))
		b.StartTimer()
		blockStart = time.Now()
	}
	if len(ratios) > 0 {
		slices.Sort(ratios)
		b.ReportMetric(ratios[len(ratios)/2], "x-floor")
		b.ReportMetric(float64(floorTime.Nanoseconds())/float64(len(ratios)*floorBlock), "floor-ns/op")
	}
}
