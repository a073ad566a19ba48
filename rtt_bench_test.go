package netlink_test

import (
	"testing"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/nlsock"
	"github.com/nlring/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// BenchmarkRoundTrip measures one RTM_GETLINK for lo at a time: Execute,
// Send+Receive and Send+ReceiveIter on each backend, and the floor, a raw
// blocking sendto+recvfrom pair. Each reports ns/op and allocs/op; compare
// the sub-benchmarks of one run.
//
//	go test -run '^$' -bench BenchmarkRoundTrip -benchtime 20000x .
func BenchmarkRoundTrip(b *testing.B) {
	ns := nstest.NS(b)
	body := make([]byte, unix.SizeofIfInfomsg)
	body[4] = loIndex
	req := netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request}, Data: body}

	b.Run("raw", func(b *testing.B) {
		fd, _, err := nlsock.Open(nlsock.Options{Family: unix.NETLINK_ROUTE, NetNS: ns.FD()})
		if err != nil {
			b.Fatal(err)
		}
		defer unix.Close(fd)
		m := req
		m.Header.Length = uint32(unix.NLMSG_HDRLEN + len(body))
		wire, err := m.MarshalBinary()
		if err != nil {
			b.Fatal(err)
		}
		buf := make([]byte, 32<<10)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := unix.Write(fd, wire); err != nil {
				b.Fatal(err)
			}
			if _, _, err := unix.Recvfrom(fd, buf, 0); err != nil {
				b.Fatal(err)
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
	}
	for _, kind := range []backend.Kind{backend.Syscall, backend.IOUring} {
		for _, api := range apis {
			b.Run(string(kind)+"/"+api.name, func(b *testing.B) {
				c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.FD(), Backend: kind})
				if err != nil {
					b.Skipf("%s backend: %v", kind, err)
				}
				defer c.Close()
				b.ReportAllocs()
				for b.Loop() {
					if err := api.do(c); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
