//go:build linux

package netlink_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/netns"
	"github.com/nlring/netlink/internal/testutil"
	"github.com/nlring/netlink/nltest"
	"golang.org/x/sys/unix"
)

func TestDumpConsistent(t *testing.T) {
	tests := []struct {
		name        string
		interrupted int // how many dumps in a row the fake kernel flags
		attempts    int
		wantCalls   int
		wantErr     bool
	}{
		{name: "consistent at once", interrupted: 0, attempts: 3, wantCalls: 1},
		{name: "consistent at the last attempt", interrupted: 2, attempts: 3, wantCalls: 3},
		{name: "always interrupted", interrupted: 5, attempts: 3, wantCalls: 3, wantErr: true},
		{name: "attempts below one mean one", interrupted: 1, attempts: 0, wantCalls: 1, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seqs []uint32
			c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
				seqs = append(seqs, req[0].Header.Sequence)
				flags := netlink.HeaderFlags(0)
				if len(seqs) <= tt.interrupted {
					flags = netlink.DumpInterrupted
				}
				// Each attempt answers with its number, so the test can
				// tell which attempt's messages came back.
				msgs := []netlink.Message{
					{Header: netlink.Header{Type: unix.RTM_NEWLINK, Flags: flags}, Data: []byte{byte(len(seqs)), 0, 0, 0}},
					{Header: netlink.Header{Type: netlink.Done}, Data: make([]byte, 4)},
				}
				for i := range msgs {
					msgs[i].Header.Sequence, msgs[i].Header.PID = req[0].Header.Sequence, nltest.PID
				}
				return nltest.Multipart(msgs)
			})
			defer c.Close()

			msgs, err := c.DumpConsistent(getLink(0), tt.attempts)
			if gotErr := errors.Is(err, netlink.ErrDumpInterrupted); gotErr != tt.wantErr || (err != nil && !gotErr) {
				t.Fatalf("DumpConsistent error = %v, want interrupted: %v", err, tt.wantErr)
			}
			if len(seqs) != tt.wantCalls {
				t.Fatalf("%d dumps, want %d", len(seqs), tt.wantCalls)
			}
			if len(msgs) != 1 || int(msgs[0].Data[0]) != tt.wantCalls {
				t.Fatalf("DumpConsistent returned %+v, want the message of attempt %d", msgs, tt.wantCalls)
			}
			for i := 1; i < len(seqs); i++ {
				if seqs[i] == seqs[i-1] {
					t.Fatalf("attempts %d and %d share sequence number %d", i, i+1, seqs[i])
				}
			}
		})
	}
}

// addRoutes6 adds n /128 routes through lo in ns.
func addRoutes6(t *testing.T, ns *netns.NS, n int) {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "route add 2001:db8::%x:%x/128 dev lo\n", i>>16, i&0xffff)
	}
	if err := ns.Batch(strings.NewReader(b.String())); err != nil {
		t.Fatal(err)
	}
}

func TestDumpParallel(t *testing.T) {
	const v4, v6 = 3000, 2000
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		testutil.AddVethRoutes(t, ns, v4)
		addRoutes6(t, ns, v6)
		dialer := func() (*netlink.Conn, error) {
			return netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.FD(), Backend: kind, Strict: true})
		}

		parts, err := netlink.DumpParallel(context.Background(), dialer,
			[]netlink.Message{routeDump(unix.AF_INET), routeDump(unix.AF_INET6)})
		if err != nil {
			t.Fatalf("DumpParallel: %v", err)
		}
		got := []int{countHostRoutes(parts[0]), countHostRoutes(parts[1])}
		if diff := testutil.Diff([]int{v4, v6}, got); diff != "" {
			t.Fatalf("host routes per part (-want +got):\n%s", diff)
		}

		// The same on Conns the caller keeps, which stay open.
		conns := []*netlink.Conn{
			dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{Strict: true}),
			dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{Strict: true}),
		}
		for range 2 {
			parts, err := netlink.DumpParallelConns(context.Background(), conns,
				[]netlink.Message{routeDump(unix.AF_INET), routeDump(unix.AF_INET6)})
			if err != nil {
				t.Fatalf("DumpParallelConns: %v", err)
			}
			got := []int{countHostRoutes(parts[0]), countHostRoutes(parts[1])}
			if diff := testutil.Diff([]int{v4, v6}, got); diff != "" {
				t.Fatalf("DumpParallelConns: host routes per part (-want +got):\n%s", diff)
			}
		}
		if _, err := netlink.DumpParallelConns(context.Background(), conns[:1], []netlink.Message{routeDump(unix.AF_INET), routeDump(unix.AF_INET6)}); err == nil {
			t.Fatal("DumpParallelConns with one Conn for two requests: no error")
		}

		// A request the kernel refuses (strict checking forbids a
		// destination length in a dump) fails the whole call and says
		// which part failed.
		bad := routeDump(unix.AF_INET6)
		bad.Data[1] = 64
		_, err = netlink.DumpParallel(context.Background(), dialer,
			[]netlink.Message{routeDump(unix.AF_INET), bad})
		if !errors.Is(err, unix.EINVAL) || !strings.Contains(err.Error(), "dump 1") {
			t.Fatalf("DumpParallel with a bad part = %v, want EINVAL for dump 1", err)
		}
	})
}
