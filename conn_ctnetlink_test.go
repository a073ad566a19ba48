//go:build linux

package netlink_test

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

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

// TestIntegrationCtnetlinkGetWithAck checks that Execute returns for a
// ctnetlink GET with NLM_F_ACK, which the kernel answers with a multi-part
// message that has no Done, then the ACK in a datagram of its own.
// github.com/mdlayher/netlink v1.10 to v1.11.2 hang on it.
func TestIntegrationCtnetlinkGetWithAck(t *testing.T) {
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := nstest.NS(t)
		c := dial(t, ns, kind, unix.NETLINK_NETFILTER, netlink.Config{})

		create := ctMessage(t, ipctnlMsgCtNew, netlink.Request|netlink.Acknowledge|netlink.Create|netlink.Excl, true)
		if _, err := c.Execute(create); err != nil {
			t.Fatalf("creating the conntrack entry: %v", err)
		}

		// The timeout guards against the hang; it is not a measurement.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		get := ctMessage(t, ipctnlMsgCtGet, netlink.Request|netlink.Acknowledge, false)
		msgs, err := c.ExecuteContext(ctx, get)
		if err != nil {
			t.Fatalf("ExecuteContext: %v", err)
		}
		if len(msgs) != 2 {
			t.Fatalf("got %d messages, want the flow and the ACK: %+v", len(msgs), msgs)
		}
		if want := netlink.HeaderType(unix.NFNL_SUBSYS_CTNETLINK<<8 | ipctnlMsgCtNew); msgs[0].Header.Type != want {
			t.Errorf("first message type %#x, want the flow (%#x)", msgs[0].Header.Type, want)
		}
		if msgs[1].Header.Type != netlink.Error {
			t.Errorf("second message type %v, want the ACK", msgs[1].Header.Type)
		}

		// Nothing of that reply is left to be taken for the next one.
		if _, err := c.ExecuteContext(ctx, get); err != nil {
			t.Fatalf("the next Execute: %v", err)
		}
	})
}
