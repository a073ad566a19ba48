package nlenc

import (
	"testing"

	"github.com/nlring/netlink/internal/testutil"
)

func TestBytes(t *testing.T) {
	tests := []struct {
		s    string
		want []byte
	}{
		{"", []byte{0}},
		{"lo", []byte{'l', 'o', 0}},
		{"nl80211", []byte("nl80211\x00")},
	}
	for _, tt := range tests {
		if diff := testutil.Diff(tt.want, Bytes(tt.s)); diff != "" {
			t.Errorf("Bytes(%q) (-want +got):\n%s", tt.s, diff)
		}
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"nil", nil, ""},
		{"only NULs", []byte{0, 0}, ""},
		{"terminated", []byte("eth0\x00"), "eth0"},
		{"unterminated", []byte("eth0"), "eth0"},
		{"IFNAMSIZ padding", append([]byte("veth1"), make([]byte, 11)...), "veth1"},
		{"inner NUL kept", []byte("a\x00b\x00"), "a\x00b"},
	}
	for _, tt := range tests {
		if got := String(tt.b); got != tt.want {
			t.Errorf("%s: String(%q) = %q, want %q", tt.name, tt.b, got, tt.want)
		}
	}
}

func TestBytesStringRoundTrip(t *testing.T) {
	for _, s := range []string{"", "foo", "TASKSTATS", "a b c"} {
		if got := String(Bytes(s)); got != s {
			t.Errorf("String(Bytes(%q)) = %q", s, got)
		}
	}
}
