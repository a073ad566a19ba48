//go:build linux

package netlink_test

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
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

var benchRoutes = flag.Int("batch.routes", 10000, "routes added per client and iteration by BenchmarkRouteAdd")

// A routeInstaller adds all of reqs in the namespace whose descriptor is
// nsFD, failing on the first error.
type routeInstaller struct {
	name string
	run  func(nsFD int, reqs []netlink.Message) error
}

// BenchmarkRouteAdd adds -batch.routes routes per client into a fresh
// namespace each, the clients interleaved in every iteration, and reports
// each client's time per route and its ratio to the raw loop (the floor:
// requests packed into sendmsgs as large as the socket allows, an ACK on
// the last of each). raw-groups is the same loop with as many requests per
// sendmsg as ExecuteBatch sends. Peer libraries are measured by the bench
// module (go run ./bench/cmd/nlbench -workloads route-add,route-add-batch),
// which keeps them out of the library's module graph.
//
//	go test -run '^$' -bench BenchmarkRouteAdd -benchtime 3x -batch.routes 100000 .
func BenchmarkRouteAdd(b *testing.B) {
	n := *benchRoutes
	reqs := make([]netlink.Message, n)
	for i := range reqs {
		reqs[i] = routeAdd(testutil.RouteDst(i+1), loIndex)
	}
	clients := []routeInstaller{
		{"raw", rawInstall(0)},
		{"raw-groups", rawInstall(nlringGroup)},
		{"nlring-barrier", nlringInstall(backend.Auto, netlink.BatchBarrier)},
		{"nlring-barrier-syscall", nlringInstall(backend.Syscall, netlink.BatchBarrier)},
		{"nlring-ackeach", nlringInstall(backend.Auto, netlink.BatchAckEach)},
	}
	if why := iouring.Supported(); why != nil {
		b.Logf("io_uring unavailable, auto is the syscall backend: %v", why)
	}

	spent := make([]time.Duration, len(clients))
	for i := 0; i < b.N; i++ {
		for k := range clients {
			// Rotate the order so that no client always runs first.
			j := (i + k) % len(clients)
			b.StopTimer()
			ns, err := netns.New("nlring-bench")
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			start := time.Now()
			err = clients[j].run(ns.FD(), reqs)
			spent[j] += time.Since(start)
			b.StopTimer()
			if cerr := ns.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				b.Fatalf("%s: %v", clients[j].name, err)
			}
			b.StartTimer()
		}
	}
	perRoute := func(j int) float64 { return float64(spent[j].Nanoseconds()) / float64(b.N*n) }
	for j, c := range clients {
		b.ReportMetric(perRoute(j), "ns/route-"+c.name)
		if j > 0 {
			b.ReportMetric(perRoute(j)/perRoute(0), "x-raw-"+c.name)
		}
	}
}

func nlringInstall(kind backend.Kind, mode netlink.BatchMode) func(int, []netlink.Message) error {
	return func(nsFD int, reqs []netlink.Message) error {
		c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: nsFD, Backend: kind})
		if err != nil {
			return err
		}
		defer c.Close()
		results, err := c.ExecuteBatch(reqs, &netlink.BatchOptions{Mode: mode})
		if err != nil {
			return err
		}
		for i, err := range results {
			if err != nil {
				return fmt.Errorf("request %d: %w", i, err)
			}
		}
		return nil
	}
}

// nlringGroup is how many route requests ExecuteBatch packs per datagram
// with its default 4 MiB receive buffer (the kernel doubles it to 8 MiB):
// it counts 1,280 bytes for the reply of each.
const nlringGroup = 8 << 20 / 1280

// rawInstall is the floor: x/sys calls only, with the same socket buffers
// ExecuteBatch asks for. Requests are packed into sendmsgs of up to
// sndbuf-32 bytes and at most perSend requests (0: no limit), the last of
// each with NLM_F_ACK; a failure stops it.
func rawInstall(perSend int) func(int, []netlink.Message) error {
	return func(nsFD int, reqs []netlink.Message) error { return rawInstallN(nsFD, reqs, perSend) }
}

func rawInstallN(nsFD int, reqs []netlink.Message, perSend int) error {
	fd, pid, err := nlsock.Open(nlsock.Options{Family: unix.NETLINK_ROUTE, NetNS: nsFD})
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 4<<20)
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, 1<<20)
	sndbuf, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF)
	if err != nil {
		return err
	}
	var (
		buf  = make([]byte, 0, sndbuf)
		rbuf = make([]byte, 32<<10)
		seq  uint32
		kern = &unix.SockaddrNetlink{Family: unix.AF_NETLINK}
	)
	for start := 0; start < len(reqs); {
		buf = buf[:0]
		last := 0
		end := start
		for ; end < len(reqs); end++ {
			l := 16 + len(reqs[end].Data)
			if len(buf)+(l+3)&^3 > sndbuf-32 || (perSend > 0 && end-start == perSend) {
				break
			}
			last = len(buf)
			seq++
			buf = binary.NativeEndian.AppendUint32(buf, uint32(l))
			buf = binary.NativeEndian.AppendUint16(buf, uint16(reqs[end].Header.Type))
			buf = binary.NativeEndian.AppendUint16(buf, uint16(reqs[end].Header.Flags))
			buf = binary.NativeEndian.AppendUint32(buf, seq)
			buf = binary.NativeEndian.AppendUint32(buf, pid)
			buf = append(buf, reqs[end].Data...)
			buf = append(buf, make([]byte, (l+3)&^3-l)...)
		}
		flags := binary.NativeEndian.Uint16(buf[last+6:])
		binary.NativeEndian.PutUint16(buf[last+6:], flags|unix.NLM_F_ACK)
		if err := unix.Sendto(fd, buf, 0, kern); err != nil {
			return err
		}
		// The only reply is the last request's ACK, or an error.
		n, _, err := unix.Recvfrom(fd, rbuf, 0)
		if err != nil {
			return err
		}
		if n < 20 {
			return errors.New("short reply")
		}
		h := (*unix.NlMsghdr)(unsafe.Pointer(&rbuf[0]))
		if code := int32(binary.NativeEndian.Uint32(rbuf[16:])); h.Type != unix.NLMSG_ERROR || code != 0 || h.Seq != seq {
			return fmt.Errorf("reply type %d seq %d code %d, want the ACK of %d", h.Type, h.Seq, code, seq)
		}
		start = end
	}
	return nil
}
