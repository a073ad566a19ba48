//go:build linux

package netlink

import (
	"syscall"
	"testing"
	"unsafe"
)

func TestHeaderFlagsString(t *testing.T) {
	tests := []struct {
		f    HeaderFlags
		want string
	}{
		{0, "0"},
		{Request, "request"},
		{Multi, "multi"},
		{Acknowledge, "acknowledge"},
		{Echo, "echo"},
		{DumpInterrupted, "dumpinterrupted"},
		{DumpFiltered, "dumpfiltered"},
		{Root, "0x100"},
		{Replace, "0x100"},
		{Capped, "0x100"},
		{Match, "0x200"},
		{AcknowledgeTLVs, "0x200"},
		{Atomic, "0x400"},
		{Append, "0x800"},
		{Dump, "0x300"},
		{Request | Dump, "request|0x300"},
		{Request | Acknowledge | Create | Excl, "request|acknowledge|0x600"},
		{Multi | DumpInterrupted, "multi|dumpinterrupted"},
		{0x40, "0x40"},
		{0xffff, "request|multi|acknowledge|echo|dumpinterrupted|dumpfiltered|0xffc0"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("HeaderFlags(%#x).String() = %q, want %q", uint16(tt.f), got, tt.want)
		}
	}
}

func TestHeaderTypeString(t *testing.T) {
	tests := []struct {
		t    HeaderType
		want string
	}{
		{0, "unknown(0)"},
		{Noop, "noop"},
		{Error, "error"},
		{Done, "done"},
		{Overrun, "overrun"},
		{16, "unknown(16)"},
		{0xffff, "unknown(65535)"},
	}
	for _, tt := range tests {
		if got := tt.t.String(); got != tt.want {
			t.Errorf("HeaderType(%d).String() = %q, want %q", uint16(tt.t), got, tt.want)
		}
	}
}

// TestHeaderLayout checks that Header is laid out as struct nlmsghdr, which
// lets users convert between the two.
func TestHeaderLayout(t *testing.T) {
	var h Header
	var s syscall.NlMsghdr
	tests := []struct {
		field     string
		got, want uintptr
	}{
		{"size", unsafe.Sizeof(h), unsafe.Sizeof(s)},
		{"size", unsafe.Sizeof(h), nlmsgHeaderLen},
		{"Length", unsafe.Offsetof(h.Length), unsafe.Offsetof(s.Len)},
		{"Type", unsafe.Offsetof(h.Type), unsafe.Offsetof(s.Type)},
		{"Flags", unsafe.Offsetof(h.Flags), unsafe.Offsetof(s.Flags)},
		{"Sequence", unsafe.Offsetof(h.Sequence), unsafe.Offsetof(s.Seq)},
		{"PID", unsafe.Offsetof(h.PID), unsafe.Offsetof(s.Pid)},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.field, tt.got, tt.want)
		}
	}
}
