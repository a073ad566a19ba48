//go:build linux

package netlink_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/backend/iouring"
	"github.com/nlring/netlink/internal/netns"
	"github.com/nlring/netlink/internal/nlsock"
	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

var benchEvents = flag.Int("events.routes", 20000, "route events per receiver and iteration in BenchmarkEventsCPU")

// Environment of the installer process BenchmarkEventsCPU starts.
const (
	installerNetNS  = "NLRING_TEST_INSTALLER_NETNS"
	installerRoutes = "NLRING_TEST_INSTALLER_ROUTES"
)

// TestHelperRouteInstaller is not a test: BenchmarkEventsCPU runs the test
// binary with it to install routes from another process, so that the
// benchmark's CPU accounting holds the receiver alone. It waits for a line
// on stdin, then adds the routes with one batch.
func TestHelperRouteInstaller(t *testing.T) {
	name := os.Getenv(installerNetNS)
	if name == "" {
		t.Skip("helper process of BenchmarkEventsCPU")
	}
	n, err := strconv.Atoi(os.Getenv(installerRoutes))
	if err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Open("/run/netns/"+name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: fd})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	reqs := make([]netlink.Message, n)
	for i := range reqs {
		reqs[i] = routeAdd(testutil.RouteDst(i+1), loIndex)
	}
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	results, err := c.ExecuteBatch(reqs, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, err := range results {
		if err != nil {
			t.Fatalf("route %d: %v", i, err)
		}
	}
}

// An eventReceiver counts route notifications in a namespace until it has
// want of them or the stream stays quiet for a while after the installer
// finished (events were lost).
type eventReceiver struct {
	name string
	// open subscribes before the installer starts; the returned function
	// receives, returning how many route events arrived.
	open func(b *testing.B, ns *netns.NS) (receive func(want int, installed <-chan struct{}) int, close func())
}

// quiet is how long a receiver waits for more events once the installer
// has finished: only reached when events were lost.
const quiet = 2 * time.Second

// BenchmarkEventsCPU measures the CPU time a receiver spends per route
// event (getrusage of this process; the installer is another process) and
// counts lost events, for a raw recvmsg loop with a 32 MiB buffer and for
// Subscription.Events with nlring's defaults.
//
//	go test -run '^$' -bench BenchmarkEventsCPU -benchtime 3x -events.routes 200000 .
func BenchmarkEventsCPU(b *testing.B) {
	n := *benchEvents
	receivers := []eventReceiver{
		{"raw", rawEvents},
		{"nlring-syscall", nlringEvents(backend.Syscall)},
	}
	if iouring.Supported() == nil {
		receivers = append(receivers, eventReceiver{"nlring-iouring", nlringEvents(backend.IOUring)})
	}
	cpu := make([]time.Duration, len(receivers))
	lost := make([]int, len(receivers))
	for i := 0; i < b.N; i++ {
		for k := range receivers {
			j := (i + k) % len(receivers)
			used, got := receiveBurst(b, receivers[j], n)
			cpu[j] += used
			lost[j] += n - got
		}
	}
	perEvent := func(j int) float64 { return float64(cpu[j].Nanoseconds()) / float64(b.N*n) }
	for j, r := range receivers {
		b.ReportMetric(perEvent(j), "cpu-ns/event-"+r.name)
		b.ReportMetric(float64(lost[j])/float64(b.N), "lost/op-"+r.name)
		if j > 0 {
			b.ReportMetric(perEvent(j)/perEvent(0), "x-raw-"+r.name)
		}
	}
}

// receiveBurst has an installer process add n routes in a fresh namespace
// while r receives, and returns the CPU time this process used meanwhile
// and how many events r received.
func receiveBurst(b *testing.B, r eventReceiver, n int) (time.Duration, int) {
	b.StopTimer()
	defer b.StartTimer()
	ns, err := netns.New("nlring-bench")
	if err != nil {
		b.Fatal(err)
	}
	defer ns.Close()
	receive, closeRecv := r.open(b, ns)
	defer closeRecv()

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperRouteInstaller$")
	cmd.Env = append(os.Environ(), installerNetNS+"="+ns.Name(), installerRoutes+"="+strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	installed := make(chan struct{})
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait(); close(installed) }()

	b.StartTimer()
	before := rusageCPU(b)
	if _, err := stdin.Write([]byte("go\n")); err != nil {
		b.Fatal(err)
	}
	got := receive(n, installed)
	used := rusageCPU(b) - before
	b.StopTimer()
	if err := <-waited; err != nil {
		b.Fatalf("installer: %v", err)
	}
	return used, got
}

func rusageCPU(b *testing.B) time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func nlringEvents(kind backend.Kind) func(*testing.B, *netns.NS) (func(int, <-chan struct{}) int, func()) {
	return func(b *testing.B, ns *netns.NS) (func(int, <-chan struct{}) int, func()) {
		c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.FD(), Backend: kind})
		if err != nil {
			b.Fatal(err)
		}
		sub, err := c.Subscribe([]uint32{unix.RTNLGRP_IPV4_ROUTE}, nil)
		if err != nil {
			b.Fatal(err)
		}
		receive := func(want int, installed <-chan struct{}) int {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			// Stop waiting once the installer is done and a while has
			// passed: only reached when events were lost.
			go func() {
				select {
				case <-installed:
				case <-ctx.Done():
					return
				}
				t := time.NewTimer(quiet)
				defer t.Stop()
				select {
				case <-t.C:
					cancel()
				case <-ctx.Done():
				}
			}()
			got := 0
			for m, err := range sub.Events(ctx) {
				if err != nil {
					if ctx.Err() == nil {
						b.Logf("%s: %v", kind, err)
						continue
					}
					break
				}
				if m.Header.Type == unix.RTM_NEWROUTE {
					got++
				}
				if got == want {
					break
				}
			}
			return got
		}
		return receive, func() { sub.Close(); c.Close() }
	}
}

// rawEvents is the floor: a blocking recvmsg loop into one 32 KiB buffer,
// walking the message headers, with the receive buffer nlring's
// subscriptions ask for.
func rawEvents(b *testing.B, ns *netns.NS) (func(int, <-chan struct{}) int, func()) {
	fd, _, err := nlsock.Open(nlsock.Options{
		Family: unix.NETLINK_ROUTE,
		NetNS:  ns.FD(),
		Groups: 1 << (unix.RTNLGRP_IPV4_ROUTE - 1),
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, netlink.DefaultEventBuffer); err != nil {
		b.Fatal(err)
	}
	tv := unix.NsecToTimeval(quiet.Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		b.Fatal(err)
	}
	receive := func(want int, installed <-chan struct{}) int {
		buf := make([]byte, 32<<10)
		var from unix.RawSockaddrNetlink
		iov := unix.Iovec{Base: &buf[0]}
		iov.SetLen(len(buf))
		msg := unix.Msghdr{Name: (*byte)(unsafe.Pointer(&from)), Iov: &iov, Iovlen: 1}
		got := 0
		for got < want {
			msg.Namelen = unix.SizeofSockaddrNetlink
			n, _, errno := unix.Syscall(unix.SYS_RECVMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), 0)
			switch errno {
			case 0:
			case unix.EINTR, unix.ENOBUFS:
				continue
			case unix.EAGAIN:
				select {
				case <-installed:
					return got // quiet after the installer finished: lost
				default:
					continue
				}
			default:
				b.Fatal(fmt.Errorf("recvmsg: %w", errno))
			}
			for off := 0; off+16 <= int(n); {
				l := int(binary.NativeEndian.Uint32(buf[off:]))
				if binary.NativeEndian.Uint16(buf[off+4:]) == unix.RTM_NEWROUTE {
					got++
				}
				off += (l + 3) &^ 3
				if l < 16 {
					break
				}
			}
		}
		return got
	}
	return receive, func() { unix.Close(fd) }
}
