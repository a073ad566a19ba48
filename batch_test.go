//go:build linux

package netlink_test

import (
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net/netip"
	"syscall"
	"testing"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

// routeBatch builds n route adds in which about one in seven fails, at
// random positions: a duplicate of an earlier successful add (EEXIST), a
// route through a link that does not exist (ENODEV), or a prefix length
// that does not fit the address (EINVAL, with an extended
// acknowledgement). want holds the errno each request must get, 0 for
// success.
func routeBatch(seed uint64, n int) (reqs []netlink.Message, want []syscall.Errno) {
	r := rand.New(rand.NewPCG(seed, 0))
	var ok []int // indexes of requests that succeed
	for i := range n {
		switch k := r.IntN(20); {
		case k == 0 && len(ok) > 0:
			reqs = append(reqs, reqs[ok[r.IntN(len(ok))]])
			want = append(want, unix.EEXIST)
		case k == 1:
			reqs = append(reqs, routeAdd(testutil.RouteDst(i), 4242))
			want = append(want, unix.ENODEV)
		case k == 2 && i > 0:
			m := routeAdd(testutil.RouteDst(i), loIndex)
			m.Data[1] = 8 // 10.x.y.z/8 with host bits set
			reqs = append(reqs, m)
			want = append(want, unix.EINVAL)
		default:
			reqs = append(reqs, routeAdd(testutil.RouteDst(i), loIndex))
			want = append(want, 0)
			ok = append(ok, i)
		}
	}
	return reqs, want
}

// notErrno stands for an error that carries no errno.
const notErrno syscall.Errno = 0xffff

// errnos maps results to the errno each carries: 0 for nil, notErrno for
// an error without one.
func errnos(results []error) []syscall.Errno {
	out := make([]syscall.Errno, len(results))
	for i, err := range results {
		var errno syscall.Errno
		switch {
		case err == nil:
		case errors.As(err, &errno):
			out[i] = errno
		default:
			out[i] = notErrno
		}
	}
	return out
}

func TestExecuteBatchRouteAdds(t *testing.T) {
	const n = 5000
	for _, mode := range []netlink.BatchMode{netlink.BatchAckEach, netlink.BatchBarrier} {
		t.Run(mode.String(), func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, kind backend.Kind) {
				tests := []struct {
					name string
					opts netlink.BatchOptions
					// small shrinks the socket buffers first, so that the
					// batch needs hundreds of groups.
					small bool
				}{
					{name: "default"},
					{name: "small buffers", small: true, opts: netlink.BatchOptions{ReadBuffer: -1, WriteBuffer: -1}},
				}
				for i, tt := range tests {
					t.Run(tt.name, func(t *testing.T) {
						ns := testutil.NS(t)
						c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{Strict: true})
						if tt.small {
							if err := c.SetReadBuffer(16 << 10); err != nil {
								t.Fatal(err)
							}
							if err := c.SetWriteBuffer(16 << 10); err != nil {
								t.Fatal(err)
							}
						}
						reqs, want := routeBatch(uint64(i)+uint64(mode)<<8, n)
						opts := tt.opts
						opts.Mode = mode
						results, err := c.ExecuteBatch(reqs, &opts)
						if err != nil {
							t.Fatalf("ExecuteBatch: %v", err)
						}
						if diff := testutil.Diff(want, errnos(results)); diff != "" {
							t.Fatalf("errnos of the results (-want +got):\n%s", diff)
						}
						for i, err := range results {
							var oe *netlink.OpError
							if want[i] == unix.EINVAL && (!errors.As(err, &oe) || oe.Message == "") {
								t.Fatalf("result %d = %v, want the extended acknowledgement", i, err)
							}
						}
						// The kernel holds exactly the routes reported added.
						msgs, err := c.Execute(routeDump(unix.AF_INET))
						if err != nil {
							t.Fatal(err)
						}
						added := 0
						for _, e := range want {
							if e == 0 {
								added++
							}
						}
						if got := countRoutes(msgs); got != added {
							t.Fatalf("the table holds %d routes, the batch reported %d added", got, added)
						}
					})
				}
			})
		})
	}
}

// TestExecuteBatchOverrun floods the batch's socket with route
// notifications (its own and those of a concurrent installer), so that
// replies are lost: every result must then be either the true outcome or
// ErrOutcomeUnknown wrapping ENOBUFS, never a wrong one.
func TestExecuteBatchOverrun(t *testing.T) {
	const n = 5000
	for _, mode := range []netlink.BatchMode{netlink.BatchAckEach, netlink.BatchBarrier} {
		t.Run(mode.String(), func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, kind backend.Kind) {
				ns := testutil.NS(t)
				c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{})
				if err := c.JoinGroup(unix.RTNLGRP_IPV4_ROUTE); err != nil {
					t.Fatal(err)
				}
				// A small receive buffer makes small groups, which the
				// notifications still overrun.
				if err := c.SetReadBuffer(64 << 10); err != nil {
					t.Fatal(err)
				}
				stop := floodRoutes(t, dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{}))
				reqs, want := routeBatch(uint64(mode), n)
				results, err := c.ExecuteBatch(reqs, &netlink.BatchOptions{Mode: mode, ReadBuffer: -1})
				stop()
				if err != nil {
					t.Fatalf("ExecuteBatch: %v", err)
				}
				unknown := 0
				got := errnos(results)
				for i, err := range results {
					if errors.Is(err, netlink.ErrOutcomeUnknown) {
						if !errors.Is(err, unix.ENOBUFS) {
							t.Fatalf("result %d = %v, want it to wrap ENOBUFS", i, err)
						}
						unknown++
						continue
					}
					if got[i] != want[i] {
						t.Fatalf("result %d = %v, want errno %d", i, err, want[i])
					}
				}
				if unknown == 0 {
					t.Fatalf("no outcome was lost: the test did not overrun the socket")
				}
				t.Logf("%d of %d outcomes unknown", unknown, n)
			})
		})
	}
}

// floodRoutes adds and deletes routes of 172.16.0.0/16 through c until
// stop is called, causing a stream of route notifications.
func floodRoutes(t *testing.T, c *netlink.Conn) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var add, del []netlink.Message
	for i := range 1000 {
		m := routeAdd(netip.AddrFrom4([4]byte{172, 16, byte(i >> 8), byte(i)}), loIndex)
		add = append(add, m)
		m.Header.Type = unix.RTM_DELROUTE
		m.Header.Flags = netlink.Request
		del = append(del, m)
	}
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			for _, reqs := range [][]netlink.Message{add, del} {
				if _, err := c.ExecuteBatchContext(ctx, reqs, nil); err != nil && ctx.Err() == nil {
					t.Errorf("flooding: %v", err)
					return
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}

func TestExecuteBatchRejects(t *testing.T) {
	ns := testutil.NS(t)
	tests := []struct {
		name   string
		family int
		m      netlink.Message
	}{
		{"dump", unix.NETLINK_ROUTE, routeDump(unix.AF_INET)},
		{"rtnetlink get", unix.NETLINK_ROUTE, getLink(1)},
		{"echo", unix.NETLINK_ROUTE, func() netlink.Message {
			m := routeAdd(testutil.RouteDst(1), loIndex)
			m.Header.Flags |= netlink.Echo
			return m
		}()},
		{"control message", unix.NETLINK_ROUTE, netlink.Message{Header: netlink.Header{Type: netlink.Noop}}},
		{"bad length", unix.NETLINK_ROUTE, netlink.Message{
			Header: netlink.Header{Type: unix.RTM_NEWROUTE, Length: 17},
			Data:   make([]byte, 12),
		}},
		{"nfnetlink batch", unix.NETLINK_NETFILTER, netlink.Message{Header: netlink.Header{Type: 0x10}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, ns, backend.Syscall, tt.family, netlink.Config{})
			ok := routeAdd(testutil.RouteDst(2), loIndex)
			results, err := c.ExecuteBatch([]netlink.Message{ok, tt.m}, nil)
			if err == nil || results != nil {
				t.Fatalf("ExecuteBatch = %v, %v; want a rejection", results, err)
			}
			// Nothing was sent: the valid request was not carried out.
			if tt.family == unix.NETLINK_ROUTE {
				msgs, err := c.Execute(routeDump(unix.AF_INET))
				if err != nil {
					t.Fatal(err)
				}
				if n := countRoutes(msgs); n != 0 {
					t.Fatalf("%d routes added by a rejected batch", n)
				}
			}
		})
	}
}

func TestExecuteBatchBarrierNeedsProvenFamily(t *testing.T) {
	ns := testutil.NS(t)
	c := dial(t, ns, backend.Syscall, unix.NETLINK_SOCK_DIAG, netlink.Config{})
	m := netlink.Message{Header: netlink.Header{Type: 0x20}, Data: []byte{0, 0, 0, 0}}
	if _, err := c.ExecuteBatch([]netlink.Message{m}, &netlink.BatchOptions{Mode: netlink.BatchBarrier}); err == nil {
		t.Fatal("BatchBarrier on NETLINK_SOCK_DIAG: no error")
	}
}

// TestExecuteBatchCancelled checks that a batch whose context is already
// done sends nothing. Cancellation while waiting is tested inside the
// package (batch_cancel_test.go), where the waits can be set up without
// races.
func TestExecuteBatchCancelled(t *testing.T) {
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{})
		reqs, _ := routeBatch(1, 100)

		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		results, err := c.ExecuteBatchContext(ctx, reqs, nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("ExecuteBatchContext with a done context = %v, want context.Canceled", err)
		}
		for i, r := range results {
			if !errors.Is(r, netlink.ErrNotSent) {
				t.Fatalf("result %d = %v, want ErrNotSent", i, r)
			}
		}
		msgs, err := c.Execute(routeDump(unix.AF_INET))
		if err != nil {
			t.Fatal(err)
		}
		if n := countRoutes(msgs); n != 0 {
			t.Fatalf("%d routes added by a cancelled batch", n)
		}
	})
}

// TestExecuteBatchNetfilter runs batches on nfnetlink, whose barrier goes
// in a datagram of its own (a datagram nfnetlink refuses is refused whole,
// barrier included).
func TestExecuteBatchNetfilter(t *testing.T) {
	for _, mode := range []netlink.BatchMode{netlink.BatchAckEach, netlink.BatchBarrier} {
		t.Run(mode.String(), func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, kind backend.Kind) {
				ns := testutil.NS(t)
				c := dial(t, ns, kind, unix.NETLINK_NETFILTER, netlink.Config{})
				create := ctMessage(t, ipctnlMsgCtNew, netlink.Request|netlink.Create|netlink.Excl, true)
				reqs := []netlink.Message{create, create, create}
				results, err := c.ExecuteBatch(reqs, &netlink.BatchOptions{Mode: mode})
				if err != nil {
					t.Fatalf("ExecuteBatch: %v", err)
				}
				want := []syscall.Errno{0, unix.EEXIST, unix.EEXIST}
				if diff := testutil.Diff(want, errnos(results)); diff != "" {
					t.Fatalf("errnos of the results (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// TestExecuteBatchWithoutBarriers runs a batch on NETLINK_SOCK_DIAG, not
// among the families proven for barriers: BatchAuto acknowledges each
// request. Lookups of TCP sockets that do not exist fail with ENOENT.
func TestExecuteBatchWithoutBarriers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		c := dial(t, ns, kind, unix.NETLINK_SOCK_DIAG, netlink.Config{})
		reqs := make([]netlink.Message, 300)
		want := make([]syscall.Errno, len(reqs))
		for i := range reqs {
			// struct inet_diag_req_v2 (56 bytes): family, protocol,
			// ext, pad, states, then the socket ID (ports, addresses,
			// interface, cookie).
			req := make([]byte, 56)
			req[0], req[1] = unix.AF_INET, unix.IPPROTO_TCP
			binary.NativeEndian.PutUint32(req[4:], ^uint32(0))
			binary.BigEndian.PutUint16(req[8:], uint16(1000+i))
			reqs[i] = netlink.Message{
				Header: netlink.Header{Type: unix.SOCK_DIAG_BY_FAMILY, Flags: netlink.Request},
				Data:   req,
			}
			want[i] = unix.ENOENT
		}
		results, err := c.ExecuteBatch(reqs, nil)
		if err != nil {
			t.Fatalf("ExecuteBatch: %v", err)
		}
		if diff := testutil.Diff(want, errnos(results)); diff != "" {
			t.Fatalf("errnos of the results (-want +got):\n%s", diff)
		}
	})
}
