//go:build linux

package iouring

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/nlring/netlink/backend"
	nlsyscall "github.com/nlring/netlink/backend/syscall"
	"github.com/nlring/netlink/internal/netns"
	"github.com/nlring/netlink/internal/nlsock"
	"github.com/nlring/netlink/internal/testutil"
)

// rawSocket opens a plain blocking netlink socket in ns.
func rawSocket(b *testing.B, ns *netns.NS) int {
	b.Helper()
	var fd int
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: the thread dies with us
		if err = unix.Setns(ns.FD(), unix.CLONE_NEWNET); err != nil {
			return
		}
		fd, err = unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
		if err == nil {
			err = unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
		}
	}()
	<-done
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { unix.Close(fd) })
	return fd
}

// rawRoundTrip is the floor: one blocking sendto and one blocking recvfrom.
func rawRoundTrip(b *testing.B, fd int, req, buf []byte) {
	if errno := nlsock.SendTo(uintptr(fd), req); errno != 0 {
		b.Fatal(errno)
	}
	n, _, errno := unix.Syscall6(unix.SYS_RECVFROM, uintptr(fd), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0, 0)
	if errno != 0 || n == 0 {
		b.Fatal(errno)
	}
}

// BenchmarkRoundTrip times RTM_GETLINK for lo through the backend and, in
// alternating chunks of the same run, through a raw blocking sendto+recvfrom
// pair; it reports both and their ratio.
func BenchmarkRoundTrip(b *testing.B) {
	ns := testutil.NS(b)
	s := openIn(b, ns, backend.Config{})
	fd := rawSocket(b, ns)
	req, buf := testutil.GetLinkRequest(1, 1), make([]byte, 32<<10)
	var tRing, tRaw time.Duration
	enters0 := s.ring.Enters()
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(500, b.N-done)
		t0 := time.Now()
		for range n {
			if err := s.Send(req); err != nil {
				b.Fatal(err)
			}
			d, err := s.Recv()
			if err != nil {
				b.Fatal(err)
			}
			s.Release(d)
		}
		t1 := time.Now()
		for range n {
			rawRoundTrip(b, fd, req, buf)
		}
		tRing, tRaw = tRing+t1.Sub(t0), tRaw+time.Since(t1)
		done += n
	}
	b.ReportMetric(float64(tRing.Nanoseconds())/float64(b.N), "iouring-ns/rt")
	b.ReportMetric(float64(tRaw.Nanoseconds())/float64(b.N), "raw-ns/rt")
	b.ReportMetric(float64(tRing)/float64(tRaw), "ratio")
	b.ReportMetric(float64(s.ring.Enters()-enters0)/float64(b.N), "enters/rt")
}

// BenchmarkRoundTripHop alternates round trips between two goroutines locked
// to two threads, so that every round trip finds the receiver armed by the
// other thread: the worst case for a receiver armed by the thread that
// waits. The raw figure does the same ping-pong around raw round trips.
func BenchmarkRoundTripHop(b *testing.B) {
	ns := testutil.NS(b)
	s := openIn(b, ns, backend.Config{})
	fd := rawSocket(b, ns)
	req, buf := testutil.GetLinkRequest(1, 1), make([]byte, 32<<10)
	ring := func() {
		if err := s.Send(req); err != nil {
			b.Error(err)
			return
		}
		d, err := s.Recv()
		if err != nil {
			b.Error(err)
			return
		}
		s.Release(d)
	}
	raw := func() { rawRoundTrip(b, fd, req, buf) }
	ping, pong := make(chan func()), make(chan bool)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for f := range ping {
			f()
			pong <- true
		}
	}()
	defer close(ping)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	run := func(f func(), n int) time.Duration {
		t0 := time.Now()
		for range n / 2 {
			f()
			ping <- f
			<-pong
		}
		return time.Since(t0)
	}
	enters0 := s.ring.Enters()
	var tRing, tRaw time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; done += 200 {
		tRing += run(ring, 200)
		tRaw += run(raw, 200)
	}
	b.ReportMetric(float64(tRing.Nanoseconds())/float64(b.N), "iouring-ns/rt")
	b.ReportMetric(float64(tRaw.Nanoseconds())/float64(b.N), "raw-ns/rt")
	b.ReportMetric(float64(tRing)/float64(tRaw), "ratio")
	b.ReportMetric(float64(s.ring.Enters()-enters0)/float64(b.N), "enters/rt")
}

// BenchmarkDump dumps NLRING_BENCH_ROUTES (default 100,000) IPv4 routes per
// op, alternating the io_uring backend and the syscall backend in the same
// run, and reports io_uring_enter calls per dump and the time ratio. The
// routes are installed once, in the parent benchmark.
func BenchmarkDump(b *testing.B) {
	n := 100_000
	if v := os.Getenv("NLRING_BENCH_ROUTES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	ns := testutil.NS(b)
	testutil.AddVethRoutes(b, ns, n)
	b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) { benchDump(b, ns, n) })
}

func benchDump(b *testing.B, ns *netns.NS, n int) {
	ring := openIn(b, ns, backend.Config{})
	sc, err := nlsyscall.Open(backend.Config{Family: unix.NETLINK_ROUTE, NetNS: ns.FD()})
	if err != nil {
		b.Fatal(err)
	}
	defer sc.Close()

	dumpOn := func(s backend.Socket, seq uint32) (routes int) {
		if err := s.Send(testutil.RouteDumpRequest(seq)); err != nil {
			b.Fatal(err)
		}
		for {
			d, err := s.Recv()
			if err != nil {
				b.Fatal(err)
			}
			for _, m := range testutil.MustParse(b, d.Data) {
				switch m.Type {
				case unix.RTM_NEWROUTE:
					routes++
				case unix.NLMSG_DONE:
					s.Release(d)
					return routes
				case unix.NLMSG_ERROR:
					b.Fatal(m.Errno(b))
				}
			}
			s.Release(d)
		}
	}
	var tRing, tSys time.Duration
	enters0, dry0 := ring.ring.Enters(), ring.dryRuns.Load()
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		if got := dumpOn(ring, uint32(i)); got < n {
			b.Fatalf("io_uring dump: %d routes, want %d", got, n)
		}
		t1 := time.Now()
		if got := dumpOn(sc, uint32(i)); got < n {
			b.Fatalf("syscall dump: %d routes, want %d", got, n)
		}
		tRing, tSys = tRing+t1.Sub(t0), tSys+time.Since(t1)
	}
	b.ReportMetric(float64(ring.ring.Enters()-enters0)/float64(b.N), "enters/dump")
	b.ReportMetric(float64(ring.dryRuns.Load()-dry0)/float64(b.N), "dry-rings/dump")
	b.ReportMetric(float64(tRing.Nanoseconds())/float64(b.N), "iouring-ns/dump")
	b.ReportMetric(float64(tSys.Nanoseconds())/float64(b.N), "syscall-ns/dump")
	b.ReportMetric(float64(tRing)/float64(tSys), "ratio")
}
