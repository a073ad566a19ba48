//go:build !linux

package netlink_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/nltest"
)

// TestDialUnimplemented: off Linux, Dial fails as github.com/mdlayher/netlink
// does there, with the same text.
func TestDialUnimplemented(t *testing.T) {
	c, err := netlink.Dial(0, nil)
	want := fmt.Sprintf("netlink: not implemented on %s/%s", runtime.GOOS, runtime.GOARCH)
	if c != nil || err == nil || err.Error() != want {
		t.Fatalf("Dial = %v, %v; want nil, %q", c, err, want)
	}
}

// TestNewConnPortable: a Conn over a caller's Socket needs no netlink
// socket, so nltest works off Linux.
func TestNewConnPortable(t *testing.T) {
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		h := netlink.Header{Type: 0x10, Sequence: req[0].Header.Sequence, PID: req[0].Header.PID}
		return []netlink.Message{{Header: h, Data: []byte{1, 2, 3, 4}}}, nil
	})
	defer c.Close()
	msgs, err := c.Execute(netlink.Message{Header: netlink.Header{Type: 0x10, Flags: netlink.Request}})
	if err != nil || len(msgs) != 1 || string(msgs[0].Data) != "\x01\x02\x03\x04" {
		t.Fatalf("Execute = %v, %v; want the one reply", msgs, err)
	}
}
