package bench

import (
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

func TestRouteMessageWalk(t *testing.T) {
	var b []byte
	for i, p := range []string{"172.16.0.1/32", "2001:db8::1/128"} {
		b = appendMsg(b, unix.RTM_NEWROUTE, addFlags, uint32(i+1), routeBody(netip.MustParsePrefix(p), 7, installTable))
	}
	var seqs []uint32
	for {
		h, body, rest, ok := nextMsg(b)
		if !ok {
			break
		}
		if h.Type != unix.RTM_NEWROUTE || int(h.Len) != nlHdrLen+len(body) {
			t.Errorf("header %+v with %d-byte body", h, len(body))
		}
		seqs = append(seqs, h.Seq)
		b = rest
	}
	if len(seqs) != 2 || seqs[0] != 1 || seqs[1] != 2 {
		t.Errorf("walked sequence numbers %v, want [1 2]", seqs)
	}
}

func TestNextMsgRejectsBadLength(t *testing.T) {
	b := appendMsg(nil, unix.NLMSG_DONE, 0, 1, []byte{0, 0, 0, 0})
	b[0] = 200 // longer than the buffer
	if _, _, _, ok := nextMsg(b); ok {
		t.Error("accepted a message longer than its datagram")
	}
}

func TestErrorCode(t *testing.T) {
	if got := errorCode([]byte{0xef, 0xff, 0xff, 0xff}); got != unix.EEXIST {
		t.Errorf("errorCode(-17) = %v, want EEXIST", got)
	}
}

func TestAddressPlan(t *testing.T) {
	if got := nthHost4(installBase4, 256); got != netip.MustParseAddr("172.16.1.1") {
		t.Errorf("nthHost4 = %v", got)
	}
	if got := nthHost6(scenarioBase6, 0); got != netip.MustParseAddr("2001:db8::1") {
		t.Errorf("nthHost6 = %v", got)
	}
}
