package testutil

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

// TestParseEncoded parses what the builders encode: the header fields, and
// the body fields Count reads.
func TestParseEncoded(t *testing.T) {
	tests := []struct {
		name  string
		msg   Message
		want  Received
		count string
	}{
		{"route", RouteEvent(7, 1000), Received{Type: unix.RTM_NEWROUTE, Seq: 1, PID: 7, Table: 1000}, "route/1000"},
		{"link", LinkEvent(3), Received{Type: unix.RTM_NEWLINK, Seq: 1, Index: 3}, "link"},
		{"conntrack in a zone", CTEvent(CTNew, 5), Received{Type: CTNew, Seq: 1, Zone: 5}, "ct/5"},
		{"conntrack without a zone", CTEvent(CTDelete), Received{Type: CTDelete, Seq: 1}, "ct/0"},
		{"other", Message{Type: unix.NLMSG_NOOP, Flags: unix.NLM_F_MULTI}, Received{Type: unix.NLMSG_NOOP, Flags: unix.NLM_F_MULTI, Seq: 1}, "type 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(Datagram(binary.NativeEndian, tt.msg, tt.msg))
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				got[i].Data = nil
			}
			if diff := Diff([]Received{tt.want, tt.want}, got); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
			if diff := Diff(map[string]int{tt.count: 2}, Count(got)); diff != "" {
				t.Errorf("Count (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseBadLength(t *testing.T) {
	b := Request(unix.NLMSG_NOOP, 0, 1, nil)
	binary.NativeEndian.PutUint32(b, 100)
	if _, err := Parse(b); err == nil {
		t.Error("Parse accepted a message longer than the datagram")
	}
}

func TestRequest(t *testing.T) {
	got, err := Parse(Request(unix.RTM_GETLINK, unix.NLM_F_REQUEST, 9, LinkBody(4)))
	if err != nil {
		t.Fatal(err)
	}
	want := []Received{{Type: unix.RTM_GETLINK, Flags: unix.NLM_F_REQUEST, Seq: 9, Data: LinkBody(4)}}
	if diff := Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestRouteDst(t *testing.T) {
	for i, want := range map[int]string{0: "10.1.0.0", 258: "10.1.1.2", 1 << 16: "10.2.0.0", 1_000_000: "10.16.66.64"} {
		if got := RouteDst(i); got != netip.MustParseAddr(want) {
			t.Errorf("RouteDst(%d) = %s, want %s", i, got, want)
		}
	}
	if p := netip.MustParsePrefix(LinkAddr).Masked(); p.Contains(RouteDst(254<<16 - 1)) {
		t.Errorf("%s holds the routes' destinations", p)
	}
}
