//go:build linux

package netlink_test

import (
	"context"
	"testing"
	"time"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

// TestIntegrationCtnetlinkGetWithAck checks that Execute returns for a
// ctnetlink GET with NLM_F_ACK, which the kernel answers with a multi-part
// message that has no Done, then the ACK in a datagram of its own.
// github.com/mdlayher/netlink v1.10 to v1.11.2 hang on it.
func TestIntegrationCtnetlinkGetWithAck(t *testing.T) {
	forEachBackend(t, func(t *testing.T, kind backend.Kind) {
		ns := testutil.NS(t)
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
