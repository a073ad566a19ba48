//go:build linux

package netlink_test

// Helpers the external tests share. What does not depend on the root
// package (namespaces, the veth-and-routes layout, raw sockets) is in
// internal/testutil.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/backend/iouring"
	"github.com/nlring/netlink/internal/netns"
	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

// hung bounds every wait of these tests: an operation still blocked then
// is hung, not slow.
const hung = 30 * time.Second

// tinyReadBuffer is asked of SetReadBuffer to make overruns certain; the
// kernel raises it to its minimum and doubles it.
const tinyReadBuffer = 4096

// loIndex is the interface index of lo, through which test routes go.
const loIndex = 1

// Backends and Conns.

// forEachBackend runs fn as a subtest per backend tests run on, skipping
// io_uring where the kernel does not offer what it needs.
func forEachBackend(t *testing.T, fn func(t *testing.T, kind backend.Kind)) {
	t.Helper()
	testutil.ForEachBackend(t, iouring.Supported, fn)
}

// dial opens a Conn of family in ns on backend kind, closed when t ends.
func dial(t *testing.T, ns *netns.NS, kind backend.Kind, family int, cfg netlink.Config) *netlink.Conn {
	t.Helper()
	cfg.NetNS, cfg.Backend = ns.FD(), kind
	c, err := netlink.Dial(family, &cfg)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	if got, reason := c.Backend(); kind != backend.Auto && got != kind {
		t.Fatalf("Backend() = %s (%s), want %s", got, reason, kind)
	}
	return c
}

// Requests.

// getLink is an RTM_GETLINK request for ifindex, or a dump of every link
// when ifindex is 0.
func getLink(ifindex int32) netlink.Message {
	flags := netlink.Request
	if ifindex == 0 {
		flags |= netlink.Dump
	}
	return netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: flags},
		Data:   testutil.LinkBody(ifindex),
	}
}

// routeDump is a strict RTM_GETROUTE dump of one address family.
func routeDump(family byte) netlink.Message {
	return netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETROUTE, Flags: netlink.Request | netlink.Dump},
		Data:   testutil.RouteDumpBody(family),
	}
}

// routeAdd is an RTM_NEWROUTE request for a /32 (or /128) route to dst
// through link oif in the main table, failing if the route exists.
func routeAdd(dst netip.Addr, oif uint32) netlink.Message {
	family := byte(unix.AF_INET)
	if dst.Is6() {
		family = unix.AF_INET6
	}
	// struct rtmsg: family, dst_len, src_len, tos, table, protocol,
	// scope, type, flags.
	b := []byte{family, byte(dst.BitLen()), 0, 0, unix.RT_TABLE_MAIN,
		unix.RTPROT_STATIC, unix.RT_SCOPE_LINK, unix.RTN_UNICAST, 0, 0, 0, 0}
	b = appendAttr(b, unix.RTA_DST, dst.AsSlice())
	b = appendAttr(b, unix.RTA_OIF, binary.NativeEndian.AppendUint32(nil, oif))
	return netlink.Message{
		Header: netlink.Header{
			Type:  unix.RTM_NEWROUTE,
			Flags: netlink.Request | netlink.Create | netlink.Excl,
		},
		Data: b,
	}
}

// routeMessage is an RTM_NEWROUTE or RTM_DELROUTE request for dst/32
// through link oif.
func routeMessage(typ netlink.HeaderType, dst netip.Addr, oif uint32) netlink.Message {
	rtm := make([]byte, unix.SizeofRtMsg)
	rtm[0] = unix.AF_INET
	rtm[1] = 32 // dst_len
	rtm[4] = unix.RT_TABLE_MAIN
	rtm[5] = unix.RTPROT_BOOT
	rtm[6] = unix.RT_SCOPE_LINK
	rtm[7] = unix.RTN_UNICAST
	a4 := dst.As4()
	b := appendAttr(rtm, unix.RTA_DST, a4[:])
	b = appendAttr(b, unix.RTA_OIF, binary.NativeEndian.AppendUint32(nil, oif))
	flags := netlink.Request
	if typ == unix.RTM_NEWROUTE {
		flags |= netlink.Create | netlink.Excl
	}
	return netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}, Data: b}
}

// appendAttr appends a host-endian attribute holding data, padded to 4
// bytes.
func appendAttr(b []byte, typ uint16, data []byte) []byte {
	b = binary.NativeEndian.AppendUint16(b, uint16(4+len(data)))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(b, data...)
	return append(b, make([]byte, (4-len(data)%4)%4)...)
}

// noReply is a request the kernel handles without answering: a Noop
// without the Acknowledge flag. An Execute of it waits until stopped.
func noReply() netlink.Message {
	return netlink.Message{Header: netlink.Header{Type: netlink.Noop}}
}

// ctnetlink (include/uapi/linux/netfilter/nfnetlink_conntrack.h), which
// x/sys/unix does not define.
const (
	ipctnlMsgCtNew = 0
	ipctnlMsgCtGet = 1

	ctaTupleOrig  = 1
	ctaTupleReply = 2
	ctaTimeout    = 7

	ctaTupleIP    = 1
	ctaTupleProto = 2

	ctaIPv4Src = 1
	ctaIPv4Dst = 2

	ctaProtoNum     = 1
	ctaProtoSrcPort = 2
	ctaProtoDstPort = 3
)

// ctMessage is a ctnetlink request for a UDP flow 10.9.0.1:1111 ->
// 10.9.0.2:2222.
func ctMessage(t *testing.T, msgType uint16, flags netlink.HeaderFlags, withReply bool) netlink.Message {
	t.Helper()
	tuple := func(src, dst [4]byte, sport, dport uint16) func(*netlink.AttributeEncoder) error {
		return func(ae *netlink.AttributeEncoder) error {
			ae.Nested(ctaTupleIP, func(ae *netlink.AttributeEncoder) error {
				ae.Bytes(ctaIPv4Src, src[:])
				ae.Bytes(ctaIPv4Dst, dst[:])
				return nil
			})
			ae.Nested(ctaTupleProto, func(ae *netlink.AttributeEncoder) error {
				ae.Uint8(ctaProtoNum, unix.IPPROTO_UDP)
				ae.Bytes(ctaProtoSrcPort, binary.BigEndian.AppendUint16(nil, sport))
				ae.Bytes(ctaProtoDstPort, binary.BigEndian.AppendUint16(nil, dport))
				return nil
			})
			return nil
		}
	}
	a, b := [4]byte{10, 9, 0, 1}, [4]byte{10, 9, 0, 2}
	ae := netlink.NewAttributeEncoder()
	ae.Nested(ctaTupleOrig, tuple(a, b, 1111, 2222))
	if withReply {
		ae.Nested(ctaTupleReply, tuple(b, a, 2222, 1111))
		ae.Bytes(ctaTimeout, binary.BigEndian.AppendUint32(nil, 300))
	}
	attrs, err := ae.Encode()
	if err != nil {
		t.Fatal(err)
	}
	// struct nfgenmsg: family, version, resource ID.
	data := append([]byte{unix.AF_INET, unix.NFNETLINK_V0, 0, 0}, attrs...)
	return netlink.Message{
		Header: netlink.Header{Type: netlink.HeaderType(unix.NFNL_SUBSYS_CTNETLINK<<8 | msgType), Flags: flags},
		Data:   data,
	}
}

// Replies and events.

// isTestRoute reports whether m is a /32 route of the main table, as
// addVethRoutes adds.
func isTestRoute(m netlink.Message) bool {
	return m.Header.Type == unix.RTM_NEWROUTE && len(m.Data) >= unix.SizeofRtMsg &&
		m.Data[1] == 32 && m.Data[4] == unix.RT_TABLE_MAIN
}

// countRoutes counts the RTM_NEWROUTE messages for /32 destinations.
func countRoutes(msgs []netlink.Message) int {
	n := 0
	for _, m := range msgs {
		if isTestRoute(m) {
			n++
		}
	}
	return n
}

// countHostRoutes counts the /32 and /128 routes of the main table.
func countHostRoutes(msgs []netlink.Message) int {
	n := 0
	for _, m := range msgs {
		if m.Header.Type == unix.RTM_NEWROUTE && len(m.Data) >= unix.SizeofRtMsg &&
			(m.Data[1] == 32 || m.Data[1] == 128) && m.Data[4] == unix.RT_TABLE_MAIN {
			n++
		}
	}
	return n
}

// linkIndex returns the ifindex of an RTM_NEWLINK message.
func linkIndex(m netlink.Message) int32 {
	if m.Header.Type != unix.RTM_NEWLINK || len(m.Data) < unix.SizeofIfInfomsg {
		return -1
	}
	return int32(binary.NativeEndian.Uint32(m.Data[4:8]))
}

// routeDst returns the destination of a route message.
func routeDst(t *testing.T, m netlink.Message) netip.Addr {
	ad, err := netlink.NewAttributeDecoder(m.Data[unix.SizeofRtMsg:])
	if err != nil {
		t.Fatal(err)
	}
	var dst netip.Addr
	for ad.Next() {
		if ad.Type() == unix.RTA_DST {
			dst, _ = netip.AddrFromSlice(ad.Bytes())
		}
	}
	if err := ad.Err(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// ifName returns the IFLA_IFNAME attribute of an RTM_NEWLINK message.
func ifName(m netlink.Message) string {
	if len(m.Data) < unix.SizeofIfInfomsg {
		return ""
	}
	ad, err := netlink.NewAttributeDecoder(m.Data[unix.SizeofIfInfomsg:])
	if err != nil {
		return ""
	}
	for ad.Next() {
		if ad.Type() == unix.IFLA_IFNAME {
			return ad.String()
		}
	}
	return ""
}

// requireUsable fails t unless c answers a request for the loopback link.
func requireUsable(t *testing.T, c *netlink.Conn) {
	t.Helper()
	msgs, err := c.Execute(getLink(1))
	if err != nil {
		t.Fatalf("Execute on the Conn after the fault: %v", err)
	}
	if len(msgs) != 1 || msgs[0].Header.Type != unix.RTM_NEWLINK ||
		int32(binary.NativeEndian.Uint32(msgs[0].Data[4:8])) != 1 {
		t.Fatalf("Execute on the Conn after the fault = %+v, want the loopback link", msgs)
	}
}

// Overruns.

// overrunListener returns a Conn on backend kind, in a namespace of its
// own, that listens to IPv4 route events with a tiny receive buffer, and
// has just been sent flood of them: its socket has overrun.
func overrunListener(t *testing.T, kind backend.Kind, flood int) *netlink.Conn {
	t.Helper()
	ns := testutil.NS(t)
	testutil.AddVethRoutes(t, ns, 0)
	c := dial(t, ns, kind, unix.NETLINK_ROUTE, netlink.Config{Groups: unix.RTMGRP_IPV4_ROUTE})
	if err := c.SetReadBuffer(tinyReadBuffer); err != nil {
		t.Fatal(err)
	}
	testutil.AddRoutes(t, ns, 0, 0, flood)
	return c
}

// An eventReader reads multicast events from a Conn until it has seen an
// overrun and at least one event after it. It returns how many events it
// saw before the first error, how many more overrun reports came before
// the next event, and the first error.
type eventReader struct {
	name string
	read func(c *netlink.Conn) (before, repeats int, overrun error)
}

// overrunTally follows an event stream through its first overrun.
type overrunTally struct {
	before, repeats int
	overrun         error
}

// add takes the next element of the stream and reports whether reading
// should go on; lost is the error an overrun must wrap.
func (o *overrunTally) add(err, lost error) (more bool) {
	switch {
	case err == nil && o.overrun == nil:
		o.before++
		return true
	case err == nil:
		return false // an event after the overrun: done
	case o.overrun == nil:
		o.overrun = err
		return errors.Is(err, lost)
	case errors.Is(err, lost):
		o.repeats++
		return true
	}
	o.overrun = fmt.Errorf("%w, then before any event: %w", o.overrun, err)
	return false
}

var eventReaders = []eventReader{
	{"Receive", func(c *netlink.Conn) (int, int, error) {
		var o overrunTally
		for {
			msgs, err := c.Receive()
			if err == nil && len(msgs) == 0 {
				continue
			}
			if !o.add(err, unix.ENOBUFS) {
				return o.before, o.repeats, o.overrun
			}
			if err == nil {
				o.before += len(msgs) - 1
			}
		}
	}},
	{"ReceiveIter", func(c *netlink.Conn) (int, int, error) {
		var o overrunTally
		for {
			for _, err := range c.ReceiveIter() {
				if !o.add(err, unix.ENOBUFS) {
					return o.before, o.repeats, o.overrun
				}
			}
		}
	}},
	{"Subscription.Events", func(c *netlink.Conn) (int, int, error) {
		sub, err := c.Subscribe(nil, &netlink.SubscribeOptions{ReadBuffer: -1})
		if err != nil {
			return 0, 0, err
		}
		defer sub.Close()
		var o overrunTally
		for _, err := range sub.Events(context.Background()) {
			if !o.add(err, netlink.ErrEventsLost) {
				break
			}
		}
		return o.before, o.repeats, o.overrun
	}},
}

// Process resources.

// fdCount counts the process's open file descriptors.
func fdCount(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// openFDs returns the process's open descriptors and what each refers to.
// It uses no *os.File: on Linux, os.Open creates the runtime poller, the
// very thing the scenario needs not to exist yet.
func openFDs(t *testing.T) map[int]string {
	t.Helper()
	dir, err := unix.Open("/proc/self/fd", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	buf := make([]byte, 8192)
	for {
		n, err := unix.ReadDirent(dir, buf)
		if err != nil {
			unix.Close(dir)
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
	unix.Close(dir)
	fds := make(map[int]string, len(names))
	for _, n := range names {
		fd, err := strconv.Atoi(n)
		if err != nil || fd == dir {
			continue
		}
		lbuf := make([]byte, 256)
		if l, err := unix.Readlink("/proc/self/fd/"+n, lbuf); err == nil {
			fds[fd] = string(lbuf[:l])
		}
	}
	return fds
}

// procStats are the process resources a Dial/Close cycle must give back.
type procStats struct {
	goroutines int
	fds        int
	heapInuse  uint64
}

// readProcStats reads them after a garbage collection.
func readProcStats(t *testing.T) procStats {
	t.Helper()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return procStats{goroutines: runtime.NumGoroutine(), fds: fdCount(t), heapInuse: ms.HeapInuse}
}

// dumpAllocs sends the dump request req on c, reads each reply with
// ReceiveIter, or ReceiveIterBorrowed if borrowed, and returns the
// allocations per dump and the messages per dump, failing t if a dump held
// fewer than routes messages. Each method is ranged over where it is
// called: an iterator passed around as a value would be allocated itself.
func dumpAllocs(t *testing.T, c *netlink.Conn, req netlink.Message, routes int, borrowed bool) (allocs float64, perRun int) {
	t.Helper()
	var msgs int
	count := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
		msgs++
	}
	allocs = testing.AllocsPerRun(5, func() {
		if _, err := c.Send(req); err != nil {
			t.Fatal(err)
		}
		if borrowed {
			for _, err := range c.ReceiveIterBorrowed(context.Background()) {
				count(err)
			}
			return
		}
		for _, err := range c.ReceiveIter() {
			count(err)
		}
	})
	perRun = msgs / 6 // AllocsPerRun makes one warm-up run
	if perRun < routes {
		t.Fatalf("%d messages per dump, want at least %d", perRun, routes)
	}
	return allocs, perRun
}
