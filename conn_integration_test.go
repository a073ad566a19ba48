//go:build linux

package netlink_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/backend/iouring"
	"github.com/nlring/netlink/internal/netns"
	"github.com/nlring/netlink/internal/nlsock"
	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

// Integration tests: a real kernel, in a namespace of the test's own, on
// every backend.

func TestIntegrationGetLink(t *testing.T) {
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{Strict: true})

		msgs, err := c.Execute(getLink(1))
		if err != nil {
			t.Fatalf("Execute: %v", err)
		}
		if len(msgs) != 1 || msgs[0].Header.Type != unix.RTM_NEWLINK {
			t.Fatalf("Execute returned %+v, want one RTM_NEWLINK", msgs)
		}
		if idx := int32(binary.NativeEndian.Uint32(msgs[0].Data[4:8])); idx != 1 {
			t.Fatalf("reply for ifindex %d, want 1", idx)
		}

		// A request for a missing link fails with the kernel's errno and
		// its extended acknowledgement.
		_, err = c.Execute(getLink(4242))
		var oe *netlink.OpError
		if !errors.As(err, &oe) || !errors.Is(err, unix.ENODEV) {
			t.Fatalf("Execute for a missing link = %v, want ENODEV", err)
		}
	})
}

func TestIntegrationRouteDump(t *testing.T) {
	const routes = 3000
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		testutil.AddVethRoutes(t, ns, routes)
		c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{})

		msgs, err := c.Execute(routeDump(unix.AF_INET))
		if err != nil {
			t.Fatalf("Execute: %v", err)
		}
		if n := countRoutes(msgs); n != routes {
			t.Fatalf("Execute: %d routes, want %d", n, routes)
		}

		if _, err := c.Send(routeDump(unix.AF_INET)); err != nil {
			t.Fatal(err)
		}
		n := 0
		for m, err := range c.ReceiveIter() {
			if err != nil {
				t.Fatalf("ReceiveIter: %v", err)
			}
			if isTestRoute(m) {
				n++
			}
		}
		if n != routes {
			t.Fatalf("ReceiveIter: %d routes, want %d", n, routes)
		}
	})
}

func TestIntegrationReceiveIterAllocations(t *testing.T) {
	const routes = 3000
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		testutil.AddVethRoutes(t, ns, routes)
		c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{})
		req := routeDump(unix.AF_INET)

		allocs, perRun := dumpAllocs(t, c, req, routes, false)
		if perMsg := allocs / float64(perRun); perMsg >= 0.01 {
			t.Fatalf("%.0f allocations per dump of %d messages (%.4f per message), want none per message", allocs, perRun, perMsg)
		}
	})
}

func TestIntegrationMulticastEvents(t *testing.T) {
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{})
		if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
			t.Fatalf("JoinGroup: %v", err)
		}
		if err := ns.IP("link", "add", "ev0", "type", "veth", "peer", "name", "ev1"); err != nil {
			t.Fatal(err)
		}
		// Guard against a hang, not a timing assertion.
		if err := c.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for !seen["ev0"] || !seen["ev1"] {
			msgs, err := c.Receive()
			if err != nil {
				t.Fatalf("Receive: %v", err)
			}
			for _, m := range msgs {
				if m.Header.Type == unix.RTM_NEWLINK {
					seen[ifName(m)] = true
				}
			}
		}
		if err := c.LeaveGroup(unix.RTNLGRP_LINK); err != nil {
			t.Fatalf("LeaveGroup: %v", err)
		}
	})
}

func TestIntegrationCloseUnblocksReceive(t *testing.T) {
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		for _, iter := range []bool{false, true} {
			t.Run(map[bool]string{false: "Receive", true: "ReceiveIter"}[iter], func(t *testing.T) {
				ns := testutil.NS(t)
				c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{})
				started := make(chan struct{})
				errc := make(chan error, 1)
				go func() {
					close(started)
					if !iter {
						_, err := c.Receive()
						errc <- err
						return
					}
					for _, err := range c.ReceiveIter() {
						errc <- err
						return
					}
					errc <- nil
				}()
				<-started
				// Give the receive time to block; either way Close must end it.
				time.Sleep(50 * time.Millisecond)
				if err := c.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
				err := <-errc
				if !errors.Is(err, net.ErrClosed) && !errors.Is(err, unix.EBADF) {
					t.Fatalf("receive after Close = %v, want a closed-socket error", err)
				}
			})
		}
	})
}

func TestIntegrationDeadlines(t *testing.T) {
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{})

		if err := c.SetReadDeadline(time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		_, err := c.Receive()
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Receive past the deadline = %v, want a timeout", err)
		}

		// Clearing the deadline makes the Conn usable again.
		if err := c.SetReadDeadline(time.Time{}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Execute(getLink(1)); err != nil {
			t.Fatalf("Execute after clearing the deadline: %v", err)
		}

		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() {
			_, err := c.ReceiveContext(ctx)
			errc <- err
		}()
		time.Sleep(20 * time.Millisecond)
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("ReceiveContext after cancel = %v, want context.Canceled", err)
		}
		if _, err := c.Execute(getLink(1)); err != nil {
			t.Fatalf("Execute after a cancelled receive: %v", err)
		}
	})
}

func TestIntegrationDumpInterrupted(t *testing.T) {
	const pairs = 300 // 601 links: a dump of some 25 datagrams
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		var setup strings.Builder
		for i := range pairs {
			fmt.Fprintf(&setup, "link add a%d type veth peer name b%d\n", i, i)
		}
		if err := ns.Batch(strings.NewReader(setup.String())); err != nil {
			t.Fatal(err)
		}
		c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{})

		// Execute races a dump against links being added and deleted in
		// the background. ReceiveIter also adds a link itself once the
		// first part has arrived; the kernel flags every part it builds
		// after that, unless the backend had received them all already
		// (io_uring's multishot receive can hold a whole dump of this
		// size): there, from one dump in ten to one in a hundred is
		// interrupted, hence the generous number of attempts (the loop
		// ends at the second interrupted dump).
		stop := churnLinks(t, ns)
		defer stop()
		dumps := []func() ([]netlink.Message, error){
			func() ([]netlink.Message, error) { return c.Execute(getLink(0)) },
			func() ([]netlink.Message, error) {
				if _, err := c.Send(getLink(0)); err != nil {
					return nil, err
				}
				var msgs []netlink.Message
				for m, err := range c.ReceiveIter() {
					if err != nil {
						return msgs, err
					}
					if len(msgs) == 0 {
						if err := ns.IP("link", "add", "trigger", "type", "veth", "peer", "name", "trigger1"); err != nil {
							return nil, err
						}
						if err := ns.IP("link", "del", "trigger"); err != nil {
							return nil, err
						}
					}
					msgs = append(msgs, netlink.Message{Header: m.Header})
				}
				return msgs, nil
			},
		}

		const attempts = 600
		interrupted := 0
		for i := 0; i < attempts && interrupted < 2; i++ {
			msgs, err := dumps[i%len(dumps)]()
			flagged := false
			for _, m := range msgs {
				flagged = flagged || m.Header.Flags&netlink.DumpInterrupted != 0
			}
			switch {
			case errors.Is(err, netlink.ErrDumpInterrupted):
				// The whole dump comes with the error, give or take the
				// links being churned.
				if len(msgs) < 2*pairs {
					t.Fatalf("interrupted dump returned %d links, want all of them", len(msgs))
				}
				interrupted++
			case err != nil:
				t.Fatalf("dump: %v", err)
			case flagged:
				t.Fatal("a part was flagged DumpInterrupted but no error was returned")
			}
		}
		if interrupted == 0 {
			t.Fatalf("none of %d dumps under churn was interrupted", attempts)
		}
	})
}

// churnLinks adds and deletes a link in ns in a loop until the returned
// function is called.
func churnLinks(t *testing.T, ns *netns.NS) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	// ip -batch reads ahead from its input: killing it, not closing its
	// input, is what stops the churn at once.
	cmd := exec.CommandContext(ctx, "ip", "-n", ns.Name(), "-batch", "-")
	w, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for ctx.Err() == nil {
			if _, err := io.WriteString(w, "link add churn0 type veth peer name churn1\nlink del churn0\n"); err != nil {
				return
			}
		}
	})
	return func() {
		cancel()
		_ = cmd.Wait() // killed: its error says so
		w.Close()
		wg.Wait()
	}
}

// spoofer is a second user-space socket in the namespace that sends
// datagrams to the Conn's port ID.
type spoofer struct{ fd int }

func newSpoofer(t *testing.T, ns *netns.NS, family int) *spoofer {
	fd, _, err := nlsock.Open(nlsock.Options{Family: family, NetNS: ns.FD()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return &spoofer{fd: fd}
}

func (s *spoofer) send(t *testing.T, to uint32, msgs ...netlink.Message) {
	t.Helper()
	var b []byte
	for _, m := range msgs {
		mb, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, mb...)
	}
	if err := unix.Sendto(s.fd, b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: to}); err != nil {
		t.Fatalf("sending the forged datagram: %v", err)
	}
}

func TestIntegrationSpoofedSender(t *testing.T) {
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		for _, allow := range []bool{false, true} {
			t.Run(fmt.Sprintf("AllowUserSenders=%v", allow), func(t *testing.T) {
				ns := testutil.NS(t)
				c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{AllowUserSenders: allow})
				spoof := newSpoofer(t, ns, unix.NETLINK_ROUTE)
				pid := c.PID()

				// The forged answers are queued before the requests go
				// out, with the sequence numbers the requests will carry:
				// the worst case.
				ack := netlink.Message{
					Header: netlink.Header{Length: 36, Type: netlink.Error, Sequence: 1000, PID: pid},
					Data:   make([]byte, 20),
				}
				spoof.send(t, pid, ack)
				req := getLink(1)
				req.Header.Sequence = 1000
				msgs, err := c.Execute(req)
				if err != nil {
					t.Fatalf("Execute: %v", err)
				}
				tookForgery := msgs[0].Header.Type == netlink.Error
				if tookForgery != allow {
					t.Fatalf("Execute returned %v (forged ACK taken: %v), want forged ACK taken only with AllowUserSenders", msgs[0].Header.Type, tookForgery)
				}
				if allow {
					// The real reply is still queued: skip it.
					if _, err := c.Receive(); err != nil {
						t.Fatal(err)
					}
				}

				done := netlink.Message{Header: netlink.Header{Length: 20, Type: netlink.Done, Flags: netlink.Multi, Sequence: 1001, PID: pid}, Data: make([]byte, 4)}
				spoof.send(t, pid, done)
				dump := getLink(0)
				dump.Header.Sequence = 1001
				msgs, err = c.Execute(dump)
				if err != nil {
					t.Fatalf("Execute: %v", err)
				}
				if gotLinks := len(msgs) > 0; gotLinks == allow {
					t.Fatalf("dump returned %d messages after a forged Done; want the real dump only without AllowUserSenders", len(msgs))
				}
			})
		}
	})
}

func TestIntegrationTruncatedDatagram(t *testing.T) {
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
		c := dial(t, ns, kind, unix.NETLINK_USERSOCK, netlink.Config{
			MessageBufferSize: backend.MinBufferSize,
			AllowUserSenders:  true,
		})
		peer := newSpoofer(t, ns, unix.NETLINK_USERSOCK)

		big := backend.MinBufferSize + 8<<10
		peer.send(t, c.PID(), netlink.Message{
			Header: netlink.Header{Length: uint32(big), Type: 0x10},
			Data:   make([]byte, big-16),
		})
		if err := c.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
			t.Fatal(err)
		}
		_, err := c.Receive()
		var oe *netlink.OpError
		if !errors.As(err, &oe) || oe.Op != "receive" || !errors.Is(err, netlink.ErrTruncated) {
			t.Fatalf("Receive of a %d-byte datagram = %v, want a receive OpError wrapping ErrTruncated", big, err)
		}

		// The socket still works.
		peer.send(t, c.PID(), netlink.Message{Header: netlink.Header{Length: 20, Type: 0x10}, Data: []byte{1, 2, 3, 4}})
		msgs, err := c.Receive()
		if err != nil || len(msgs) != 1 || msgs[0].Data[0] != 1 {
			t.Fatalf("Receive after the truncation = %v, %v", msgs, err)
		}
	})
}

func TestIntegrationDialBackendSelection(t *testing.T) {
	ns := testutil.NS(t)
	autoKind, autoReason := backend.Syscall, "auto: the syscall backend; io_uring runs only when asked for"
	tests := []struct {
		name       string
		env        string
		configured backend.Kind
		wantKind   backend.Kind
		wantReason string
		wantErr    bool
	}{
		{name: "config", configured: backend.Syscall, wantKind: backend.Syscall, wantReason: "Config.Backend=syscall"},
		{name: "environment wins", env: "syscall", configured: backend.IOUring, wantKind: backend.Syscall, wantReason: "NLRING_BACKEND=syscall"},
		{name: "auto", wantKind: autoKind, wantReason: autoReason},
		{name: "unknown in environment", env: "carrier-pigeon", wantErr: true},
		{name: "unknown in config", configured: "carrier-pigeon", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(backend.EnvVar, tt.env)
			c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.FD(), Backend: tt.configured})
			if tt.wantErr {
				if err == nil {
					c.Close()
					t.Fatal("Dial succeeded")
				}
				return
			}
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			defer c.Close()
			kind, reason := c.Backend()
			if kind != tt.wantKind || reason != tt.wantReason {
				t.Fatalf("Backend() = %q, %q; want %q, %q", kind, reason, tt.wantKind, tt.wantReason)
			}
			if _, err := c.Execute(getLink(1)); err != nil {
				t.Fatalf("Execute: %v", err)
			}
		})
	}
}

// TestIntegrationDialErrorsPlain checks that a Dial failing for a reason
// that has nothing to do with the backend (a bad namespace, an unknown
// family) gives the same error, of the same type, on every backend.
func TestIntegrationDialErrorsPlain(t *testing.T) {
	testutil.RequireRoot(t)
	cases := []struct {
		name   string
		family int
		config netlink.Config
	}{
		{"bad namespace", unix.NETLINK_ROUTE, netlink.Config{NetNS: 1 << 20}},
		{"unknown family", 31, netlink.Config{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var first string
			for _, k := range []backend.Kind{backend.Syscall, backend.IOUring, backend.Auto} {
				if k == backend.IOUring && iouring.Supported() != nil {
					continue
				}
				t.Setenv(backend.EnvVar, string(k))
				c, err := netlink.Dial(tc.family, &tc.config)
				if err == nil {
					c.Close()
					t.Fatalf("%s: Dial succeeded", k)
				}
				got := fmt.Sprintf("%T: %v", err, err)
				if first == "" {
					first = got
				} else if got != first {
					t.Errorf("%s: Dial error %s, want %s as on the syscall backend", k, got, first)
				}
			}
		})
	}
}
