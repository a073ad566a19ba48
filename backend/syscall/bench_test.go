//go:build linux

package syscall

import (
	"encoding/binary"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/nlsock"
	"github.com/nlring/netlink/internal/testutil"
)

// benchRoutes is how many routes the dump benchmarks read per dump.
const benchRoutes = 20000

// countMessages counts the messages in a datagram and reports whether one
// of them ends the dump.
func countMessages(b []byte) (n int, done bool) {
	for len(b) >= unix.NLMSG_HDRLEN {
		l := int(binary.NativeEndian.Uint32(b[0:4]))
		if l < unix.NLMSG_HDRLEN || l > len(b) {
			break
		}
		n++
		if binary.NativeEndian.Uint16(b[4:6]) == unix.NLMSG_DONE {
			done = true
		}
		b = b[min(len(b), (l+unix.NLMSG_ALIGNTO-1)&^(unix.NLMSG_ALIGNTO-1)):]
	}
	return n, done
}

// cpuTime is the CPU time, user and system, the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportDump reports dump throughput. The CPU time per dump is reported too:
// on a shared machine it is far steadier than wall time.
func reportDump(b *testing.B, msgs int, cpu time.Duration) {
	b.ReportMetric(float64(msgs)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
}

func dumpRequest() []byte {
	return testutil.Request(unix.RTM_GETROUTE, unix.NLM_F_REQUEST|unix.NLM_F_DUMP, 1, testutil.RouteDumpBody(unix.AF_INET))
}

// BenchmarkRouteDump compares receiving an IPv4 route dump through the
// backend with a plain blocking unix.Recvmsg loop into a 32 KiB buffer.
func BenchmarkRouteDump(b *testing.B) {
	ns := testutil.NS(b)
	testutil.AddVethRoutes(b, ns, benchRoutes)
	req := dumpRequest()

	b.Run("backend", func(b *testing.B) {
		s := openIn(b, ns, backend.Config{})
		var msgs int
		b.ReportAllocs()
		cpu := cpuTime(b)
		for b.Loop() {
			if err := s.Send(req); err != nil {
				b.Fatal(err)
			}
			for done := false; !done; {
				d, err := s.Recv()
				if err != nil {
					b.Fatal(err)
				}
				var n int
				n, done = countMessages(d.Data)
				msgs += n
				s.Release(d)
			}
		}
		reportDump(b, msgs, cpuTime(b)-cpu)
	})

	b.Run("recvmsg", func(b *testing.B) {
		fd, _, err := nlsock.Open(nlsock.Options{Family: unix.NETLINK_ROUTE, NetNS: ns.FD()})
		if err != nil {
			b.Fatal(err)
		}
		defer unix.Close(fd)
		kernel := &unix.SockaddrNetlink{Family: unix.AF_NETLINK}
		buf := make([]byte, 32<<10)
		var msgs int
		b.ReportAllocs()
		cpu := cpuTime(b)
		for b.Loop() {
			if err := unix.Sendto(fd, req, 0, kernel); err != nil {
				b.Fatal(err)
			}
			for done := false; !done; {
				n, _, _, _, err := unix.Recvmsg(fd, buf, nil, 0)
				if err != nil {
					b.Fatal(err)
				}
				var c int
				c, done = countMessages(buf[:n])
				msgs += c
			}
		}
		reportDump(b, msgs, cpuTime(b)-cpu)
	})
}

// BenchmarkRoundTrip measures one request and its ACK.
func BenchmarkRoundTrip(b *testing.B) {
	s, _ := openRoute(b, backend.Config{})
	req := testutil.Noop(1)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Send(req); err != nil {
			b.Fatal(err)
		}
		d, err := s.Recv()
		if err != nil {
			b.Fatal(err)
		}
		s.Release(d)
	}
}
