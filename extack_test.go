//go:build linux

package netlink

import (
	"fmt"
	"math"
	"testing"

	"github.com/nlring/netlink/internal/testutil"
	"github.com/nlring/netlink/nlenc"
	"golang.org/x/sys/unix"
)

// errnoBytes returns the payload start of an Error or Done message: -errno.
func errnoBytes(errno int32) []byte { return nlenc.Int32Bytes(-errno) }

// extAckTLVsFor encodes the extended acknowledgement attributes used below.
func extAckTLVsFor(msg string, offset uint32) []byte {
	return concat(rawAttr(unix.NLMSGERR_ATTR_MSG, nlenc.Bytes(msg)), rawAttr(unix.NLMSGERR_ATTR_OFFS, le32(offset)))
}

// flatOpError is an *OpError in a form cmp compares: the cause by type and
// text, so that sentinels and errnos both compare by value.
type flatOpError struct {
	Op, ErrType, Err string
	Message          string
	Offset           int
	Sequence         uint32
}

// flatten returns err as a *flatOpError, err itself if it is not an
// *OpError, or nil.
func flatten(err error) any {
	oe, ok := err.(*OpError)
	if !ok {
		return err
	}
	return &flatOpError{
		Op: oe.Op, ErrType: fmt.Sprintf("%T", oe.Err), Err: oe.Err.Error(),
		Message: oe.Message, Offset: oe.Offset, Sequence: oe.Sequence,
	}
}

// shortError is what checkMessage reports, as github.com/mdlayher/netlink
// does, for a payload too short for its code or for the echoed request that
// precedes an extended acknowledgement: no errno and no sequence number.
var shortError = &OpError{Op: "receive", Err: errShortErrorMessage}

// positiveCode is the errno of an Error message whose code is positive:
// negated like any other, as github.com/mdlayher/netlink does.
func positiveCode(code int) unix.Errno { return unix.Errno(-code) }

func TestCheckMessage(t *testing.T) {
	// A request as the kernel echoes it: 16-byte header claiming 24 bytes,
	// then 8 bytes of payload (omitted when Capped).
	echoed := concat(rawHeader(24, 0x10, Request|Acknowledge, 3, 0), []byte("payload!"))
	tests := []struct {
		name string
		m    Message
		want error
	}{
		{name: "family message", m: Message{Header: Header{Type: 0x10}, Data: errnoBytes(2)}},
		{name: "noop", m: Message{Header: Header{Type: Noop}, Data: errnoBytes(2)}},
		{name: "done without multi", m: Message{Header: Header{Type: Done}, Data: errnoBytes(2)}},
		{name: "done multi, no payload", m: Message{Header: Header{Type: Done, Flags: Multi}}},
		{name: "done multi, code 0", m: Message{Header: Header{Type: Done, Flags: Multi}, Data: le32(0)}},
		{
			name: "done multi, short",
			m:    Message{Header: Header{Type: Done, Flags: Multi, Sequence: 4}, Data: []byte{1, 2}},
			want: shortError,
		},
		{
			name: "done multi, errno",
			m:    Message{Header: Header{Type: Done, Flags: Multi, Sequence: 4}, Data: errnoBytes(int32(unix.ENOENT))},
			want: &OpError{Op: "receive", Err: unix.ENOENT, Sequence: 4},
		},
		{
			name: "done multi, errno and TLVs",
			m: Message{
				Header: Header{Type: Done, Flags: Multi | AcknowledgeTLVs, Sequence: 4},
				Data:   concat(errnoBytes(int32(unix.EPERM)), extAckTLVsFor("dump failed", 0)),
			},
			want: &OpError{Op: "receive", Err: unix.EPERM, Message: "dump failed", Sequence: 4},
		},
		{
			name: "done multi, warning with code 0",
			m: Message{
				Header: Header{Type: Done, Flags: Multi | AcknowledgeTLVs},
				Data:   concat(le32(0), extAckTLVsFor("just a warning", 0)),
			},
		},
		{
			name: "error without payload",
			m:    Message{Header: Header{Type: Error, Sequence: 5}},
			want: shortError,
		},
		{
			name: "error of 3 bytes",
			m:    Message{Header: Header{Type: Error, Sequence: 5}, Data: []byte{0xfe, 0xff, 0xff}},
			want: shortError,
		},
		{name: "ack", m: Message{Header: Header{Type: Error}, Data: concat(le32(0), echoed[:16])}},
		{name: "ack, code only", m: Message{Header: Header{Type: Error}, Data: le32(0)}},
		{
			name: "errno, code only",
			m:    Message{Header: Header{Type: Error, Sequence: 1}, Data: errnoBytes(int32(unix.EEXIST))},
			want: &OpError{Op: "receive", Err: unix.EEXIST, Sequence: 1},
		},
		{
			name: "positive code from a user-space peer",
			m:    Message{Header: Header{Type: Error, Sequence: 2}, Data: le32(uint32(unix.EIO))},
			want: &OpError{Op: "receive", Err: positiveCode(int(unix.EIO)), Sequence: 2},
		},
		{
			name: "most negative code",
			m:    Message{Header: Header{Type: Error}, Data: nlenc.Int32Bytes(math.MinInt32)},
			want: &OpError{Op: "receive", Err: unix.Errno(1 << 31)},
		},
		{
			name: "TLVs ignored without the flag",
			m:    Message{Header: Header{Type: Error}, Data: concat(errnoBytes(22), echoed, extAckTLVsFor("x", 1))},
			want: &OpError{Op: "receive", Err: unix.EINVAL},
		},
		{
			name: "extended ack, whole request echoed",
			m:    Message{Header: Header{Type: Error, Flags: AcknowledgeTLVs, Sequence: 3}, Data: concat(errnoBytes(22), echoed, extAckTLVsFor("bad", 20))},
			want: &OpError{Op: "receive", Err: unix.EINVAL, Message: "bad", Offset: 20, Sequence: 3},
		},
		{
			name: "extended ack, capped",
			m:    Message{Header: Header{Type: Error, Flags: Capped | AcknowledgeTLVs, Sequence: 3}, Data: concat(errnoBytes(22), echoed[:16], extAckTLVsFor("bad", 20))},
			want: &OpError{Op: "receive", Err: unix.EINVAL, Message: "bad", Offset: 20, Sequence: 3},
		},
		{
			name: "extended ack, unaligned request echoed padded",
			m: Message{
				Header: Header{Type: Error, Flags: AcknowledgeTLVs},
				Data:   concat(errnoBytes(22), rawHeader(19, 0x10, 0, 0, 0), []byte("abc\x00"), extAckTLVsFor("bad", 16)),
			},
			want: &OpError{Op: "receive", Err: unix.EINVAL, Message: "bad", Offset: 16},
		},
		{
			name: "extended ack, echoed request cut short",
			m:    Message{Header: Header{Type: Error, Flags: AcknowledgeTLVs, Sequence: 3}, Data: concat(errnoBytes(22), echoed[:20])},
			want: shortError,
		},
		{
			name: "extended ack, echoed header cut short",
			m:    Message{Header: Header{Type: Error, Flags: Capped | AcknowledgeTLVs}, Data: concat(errnoBytes(22), echoed[:10])},
			want: shortError,
		},
		{
			// The attributes are looked for where the echoed length
			// says, as mdlayher/netlink does: here inside the echoed
			// header, whose zero bytes are empty attributes.
			name: "extended ack, echoed length below header",
			m:    Message{Header: Header{Type: Error, Flags: AcknowledgeTLVs}, Data: concat(errnoBytes(22), rawHeader(4, 0, 0, 0, 0), extAckTLVsFor("bad", 1))},
			want: &OpError{Op: "receive", Err: unix.EINVAL, Message: "bad", Offset: 1},
		},
		{
			name: "extended ack, malformed TLV after the message",
			m: Message{
				Header: Header{Type: Error, Flags: Capped | AcknowledgeTLVs},
				Data:   concat(errnoBytes(22), echoed[:16], rawAttr(unix.NLMSGERR_ATTR_MSG, nlenc.Bytes("bad")), []byte{0xff, 0, 2, 0}),
			},
			want: &OpError{Op: "receive", Err: unix.EINVAL, Message: "bad"},
		},
		{
			name: "extended ack, offset of the wrong size ends the walk",
			m: Message{
				Header: Header{Type: Error, Flags: Capped | AcknowledgeTLVs},
				Data:   concat(errnoBytes(22), echoed[:16], rawAttr(unix.NLMSGERR_ATTR_MSG, nlenc.Bytes("bad")), rawAttr(unix.NLMSGERR_ATTR_OFFS, []byte{1, 2}), rawAttr(unix.NLMSGERR_ATTR_MSG, nlenc.Bytes("later"))),
			},
			want: &OpError{Op: "receive", Err: unix.EINVAL, Message: "bad"},
		},
		{
			name: "extended ack, trailing bytes void the attributes",
			m: Message{
				Header: Header{Type: Error, Flags: Capped | AcknowledgeTLVs},
				Data:   concat(errnoBytes(22), echoed[:16], extAckTLVsFor("bad", 8), []byte{1, 2}),
			},
			want: &OpError{Op: "receive", Err: unix.EINVAL},
		},
		{
			name: "extended ack, other TLVs skipped",
			m: Message{
				Header: Header{Type: Error, Flags: Capped | AcknowledgeTLVs},
				Data: concat(errnoBytes(22), echoed[:16], rawAttr(unix.NLMSGERR_ATTR_COOKIE, []byte("cookie")),
					rawAttr(4|Nested, rawAttr(1, le32(1))), extAckTLVsFor("bad", 8)),
			},
			want: &OpError{Op: "receive", Err: unix.EINVAL, Message: "bad", Offset: 8},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkMessage(tt.m)
			if diff := testutil.Diff(flatten(tt.want), flatten(got)); diff != "" {
				t.Errorf("checkMessage (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCheckMessageTexts checks the texts of errors reported by malformed
// Error messages: downstream tests compare them with those of
// github.com/mdlayher/netlink.
func TestCheckMessageTexts(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		want string
	}{
		{"positive code", Message{Header: Header{Type: Error}, Data: le32(5)}, "netlink receive: errno -5"},
		{"positive code 1", Message{Header: Header{Type: Error}, Data: le32(1)}, "netlink receive: errno -1"},
		{"short code", Message{Header: Header{Type: Error}, Data: []byte{1}}, "netlink receive: not enough data for netlink error code"},
		{
			"extended ack cut short",
			Message{Header: Header{Type: Error, Flags: AcknowledgeTLVs}, Data: concat(errnoBytes(int32(unix.EPERM)), []byte{0xff})},
			"netlink receive: not enough data for netlink error code",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkMessage(tt.m)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestCheckMessageKernel checks errors captured from the kernel: an
// RTM_NEWLINK with a 2-byte IFLA_MTU at offset 44 of the request.
func TestCheckMessageKernel(t *testing.T) {
	const policyMsg = "Attribute failed policy validation"
	tests := []struct {
		file string
		want error
	}{
		{"ack.bin", nil},
		{"plain_error.bin", &OpError{Op: "receive", Err: unix.ERANGE, Sequence: 7}},
		{"extack_error.bin", &OpError{Op: "receive", Err: unix.ERANGE, Message: policyMsg, Offset: 44, Sequence: 7}},
		{"extack_error_capped.bin", &OpError{Op: "receive", Err: unix.ERANGE, Message: policyMsg, Offset: 44, Sequence: 7}},
		{"dump_done.bin", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m, _, err := parseMessage(kernelDatagram(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := testutil.Diff(flatten(tt.want), flatten(checkMessage(m))); diff != "" {
				t.Errorf("checkMessage (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIsAck(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		want bool
	}{
		{"ack", Message{Header: Header{Type: Error}, Data: le32(0)}, true},
		{"ack with echoed header", Message{Header: Header{Type: Error, Flags: Capped}, Data: concat(le32(0), rawHeader(16, 0x10, 0, 0, 0))}, true},
		{"error", Message{Header: Header{Type: Error}, Data: errnoBytes(1)}, false},
		{"short", Message{Header: Header{Type: Error}, Data: []byte{0, 0}}, false},
		{"done", Message{Header: Header{Type: Done, Flags: Multi}, Data: le32(0)}, false},
		{"family message", Message{Header: Header{Type: 0x10}, Data: le32(0)}, false},
	}
	for _, tt := range tests {
		if got := isAck(tt.m); got != tt.want {
			t.Errorf("%s: isAck = %v, want %v", tt.name, got, tt.want)
		}
	}
	t.Run("kernel", func(t *testing.T) {
		for file, want := range map[string]bool{"ack.bin": true, "extack_error.bin": false, "getlink_reply.bin": false} {
			m, _, err := parseMessage(kernelDatagram(t, file))
			if err != nil {
				t.Fatal(err)
			}
			if got := isAck(m); got != want {
				t.Errorf("%s: isAck = %v, want %v", file, got, want)
			}
		}
	})
}
