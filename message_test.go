//go:build linux

package netlink

import (
	"bytes"
	"errors"
	"testing"

	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

func TestMessageMarshalBinary(t *testing.T) {
	tests := []struct {
		name    string
		m       Message
		want    []byte
		wantErr error
	}{
		{name: "zero", m: Message{}, wantErr: errIncorrectMessageLength},
		{name: "below header", m: Message{Header: Header{Length: 15}}, wantErr: errIncorrectMessageLength},
		{name: "unaligned", m: Message{Header: Header{Length: 17}}, wantErr: errIncorrectMessageLength},
		{
			name:    "data longer than length",
			m:       Message{Header: Header{Length: 16}, Data: []byte{1}},
			wantErr: errIncorrectMessageLength,
		},
		{
			name: "header only",
			m:    Message{Header: Header{Length: 16, Type: Noop, Flags: Request, Sequence: 1, PID: 2}},
			want: rawHeader(16, Noop, Request, 1, 2),
		},
		{
			name: "data padded",
			m:    Message{Header: Header{Length: 20, Type: 0x10, Sequence: 3}, Data: []byte("abc")},
			want: concat(rawHeader(20, 0x10, 0, 3, 0), []byte("abc\x00")),
		},
		{
			name: "length beyond data is zero-filled",
			m:    Message{Header: Header{Length: 24}, Data: []byte("abcd")},
			want: concat(rawHeader(24, 0, 0, 0, 0), []byte("abcd"), make([]byte, 4)),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.m.MarshalBinary()
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if diff := testutil.Diff(tt.want, got); diff != "" {
				t.Errorf("bytes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMessageUnmarshalBinary(t *testing.T) {
	tests := []struct {
		name    string
		b       []byte
		want    Message
		wantErr error
	}{
		{name: "empty", wantErr: errShortMessage},
		{name: "below header", b: make([]byte, 15), wantErr: errShortMessage},
		{name: "unaligned slice", b: make([]byte, 17), wantErr: errUnalignedMessage},
		// The bad length is left in the message, as mdlayher/netlink
		// leaves it.
		{name: "length below header", b: rawHeader(15, 0, 0, 0, 0), want: Message{Header: Header{Length: 15}}, wantErr: errShortMessage},
		{name: "length beyond slice", b: rawHeader(20, 0, 0, 0, 0), want: Message{Header: Header{Length: 20}}, wantErr: errShortMessage},
		{
			name: "header only",
			b:    rawHeader(16, Done, Multi, 5, 6),
			want: Message{Header: Header{Length: 16, Type: Done, Flags: Multi, Sequence: 5, PID: 6}, Data: []byte{}},
		},
		{
			name: "unaligned length in padded slice",
			b:    concat(rawHeader(19, 0x10, 0, 0, 0), []byte("abc\x00")),
			want: Message{Header: Header{Length: 19, Type: 0x10}, Data: []byte("abc")},
		},
		{
			name: "length shorter than slice",
			b:    concat(rawHeader(20, 0x10, 0, 0, 0), []byte("abcdefgh")),
			want: Message{Header: Header{Length: 20, Type: 0x10}, Data: []byte("abcd")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Message
			err := got.UnmarshalBinary(tt.b)
			if err != tt.wantErr {
				// Compared with == on purpose: callers of
				// github.com/mdlayher/netlink compare the bare sentinels.
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if diff := testutil.Diff(tt.want, got); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMessageUnmarshalBinaryAliases checks that Data aliases the input and
// that its capacity stops at the end of the message.
func TestMessageUnmarshalBinaryAliases(t *testing.T) {
	b := concat(rawHeader(20, 0x10, 0, 0, 0), []byte("abcd"), []byte("next"))
	var m Message
	if err := m.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	b[16] = 'X'
	if m.Data[0] != 'X' {
		t.Error("Data does not alias the input")
	}
	_ = append(m.Data, 'Y')
	if !bytes.Equal(b[20:], []byte("next")) {
		t.Error("appending to Data overwrote the bytes after the message")
	}
}

// parseAll parses a datagram the way the Conn does, with parseMessage.
func parseAll(b []byte) ([]Message, error) {
	var msgs []Message
	for len(b) > 0 {
		m, n, err := parseMessage(b)
		if err != nil {
			return msgs, err
		}
		msgs = append(msgs, m)
		b = b[n:]
	}
	return msgs, nil
}

func TestParseMessage(t *testing.T) {
	tests := []struct {
		name    string
		b       []byte
		want    []Message
		wantErr error
	}{
		{name: "empty"},
		{
			name: "one",
			b:    rawMessage(0x10, Request, 1, []byte("abcd")),
			want: []Message{{Header: Header{Length: 20, Type: 0x10, Flags: Request, Sequence: 1}, Data: []byte("abcd")}},
		},
		{
			name: "two, the first padded",
			b:    concat(rawMessage(0x10, Multi, 1, []byte("abc")), rawMessage(Done, Multi, 1, le32(0))),
			want: []Message{
				{Header: Header{Length: 19, Type: 0x10, Flags: Multi, Sequence: 1}, Data: []byte("abc")},
				{Header: Header{Length: 20, Type: Done, Flags: Multi, Sequence: 1}, Data: le32(0)},
			},
		},
		{
			name: "final message without padding",
			b:    concat(rawHeader(19, 0x10, 0, 2, 0), []byte("abc")),
			want: []Message{{Header: Header{Length: 19, Type: 0x10, Sequence: 2}, Data: []byte("abc")}},
		},
		{
			name:    "trailing bytes shorter than a header",
			b:       concat(rawMessage(0x10, 0, 1, nil), make([]byte, 8)),
			want:    []Message{{Header: Header{Length: 16, Type: 0x10, Sequence: 1}, Data: []byte{}}},
			wantErr: errShortMessage,
		},
		{name: "length zero", b: rawHeader(0, 0x10, 0, 0, 0), wantErr: errIncorrectMessageLength},
		{name: "length below header", b: rawHeader(15, 0x10, 0, 0, 0), wantErr: errIncorrectMessageLength},
		{name: "length beyond datagram", b: rawHeader(17, 0x10, 0, 0, 0), wantErr: errShortMessage},
		{name: "huge length", b: rawHeader(0xffffffff, 0x10, 0, 0, 0), wantErr: errShortMessage},
		{
			name:    "second message truncated",
			b:       concat(rawMessage(0x10, 0, 1, nil), rawHeader(64, 0x10, 0, 2, 0)),
			want:    []Message{{Header: Header{Length: 16, Type: 0x10, Sequence: 1}, Data: []byte{}}},
			wantErr: errShortMessage,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseAll(tt.b)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if diff := testutil.Diff(emptyAsNil(tt.want), emptyAsNil(got)); diff != "" {
				t.Errorf("messages (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseMessageKernel parses dump datagrams captured from the kernel.
func TestParseMessageKernel(t *testing.T) {
	tests := []struct {
		file  string
		typ   HeaderType
		seq   uint32
		count int
	}{
		{"route_dump.bin", unix.RTM_NEWROUTE, 11, 7},
		{"link_dump.bin", unix.RTM_NEWLINK, 12, 2},
		{"dump_done.bin", Done, 11, 1},
		{"extack_error.bin", Error, 7, 1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b := kernelDatagram(t, tt.file)
			msgs, err := parseAll(b)
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != tt.count {
				t.Errorf("got %d messages, want %d", len(msgs), tt.count)
			}
			for i, m := range msgs {
				if m.Header.Type != tt.typ || m.Header.Sequence != tt.seq {
					t.Errorf("message %d: type %v sequence %d, want %v and %d",
						i, m.Header.Type, m.Header.Sequence, tt.typ, tt.seq)
				}
				if int(m.Header.Length) != nlmsgHeaderLen+len(m.Data) {
					t.Errorf("message %d: length %d with %d bytes of data", i, m.Header.Length, len(m.Data))
				}
			}
		})
	}
}

func TestParseMessageAllocs(t *testing.T) {
	b := kernelDatagram(t, "route_dump.bin")
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := parseAll2(b); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("parsing a datagram allocated %v times, want 0", allocs)
	}
}

// parseAll2 walks a datagram without collecting the messages, as a receive
// loop handing each message to a callback does.
func parseAll2(b []byte) (int, error) {
	count := 0
	for len(b) > 0 {
		_, n, err := parseMessage(b)
		if err != nil {
			return count, err
		}
		count++
		b = b[n:]
	}
	return count, nil
}

func TestAppendMessage(t *testing.T) {
	tests := []struct {
		name    string
		m       Message
		want    []byte
		wantErr error
	}{
		{name: "zero length", m: Message{}, wantErr: errIncorrectMessageLength},
		{name: "length below header", m: Message{Header: Header{Length: 12}}, wantErr: errIncorrectMessageLength},
		{
			name:    "length too short for data",
			m:       Message{Header: Header{Length: 19}, Data: []byte("abcd")},
			wantErr: errIncorrectMessageLength,
		},
		{
			name: "unaligned length is padded",
			m:    Message{Header: Header{Length: 19, Type: 0x10, Flags: Request | Acknowledge, Sequence: 7, PID: 9}, Data: []byte("abc")},
			want: concat(rawHeader(19, 0x10, Request|Acknowledge, 7, 9), []byte("abc\x00")),
		},
		{
			name: "aligned",
			m:    Message{Header: Header{Length: 20, Type: 0x10}, Data: []byte("abcd")},
			want: concat(rawHeader(20, 0x10, 0, 0, 0), []byte("abcd")),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := []byte("prefix")
			got, err := appendMessage(prefix, tt.m)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if !bytes.Equal(got, prefix) {
					t.Errorf("failed append changed dst to %q", got)
				}
				return
			}
			if diff := testutil.Diff(concat(prefix, tt.want), got); diff != "" {
				t.Errorf("bytes (-want +got):\n%s", diff)
			}
			back, n, err := parseMessage(got[len(prefix):])
			if err != nil {
				t.Fatalf("parsing the result: %v", err)
			}
			if n != len(tt.want) {
				t.Errorf("parse consumed %d bytes, want %d", n, len(tt.want))
			}
			if diff := testutil.Diff(tt.m, back); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendMessageAllocs(t *testing.T) {
	m := Message{Header: Header{Length: 16 + 13, Type: 0x10}, Data: make([]byte, 13)}
	dst := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := appendMessage(dst, m); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("appendMessage allocated %v times with room in dst, want 0", allocs)
	}
}

// routeDatagram returns a datagram of about size bytes made of the kernel's
// route messages, like a full dump datagram.
func routeDatagram(tb testing.TB, size int) []byte {
	src := kernelDatagram(tb, "route_dump.bin")
	var b []byte
	for len(b)+len(src) <= size {
		b = append(b, src...)
	}
	return b
}

func BenchmarkParseMessage(b *testing.B) {
	d := routeDatagram(b, 32<<10)
	want, err := parseAll2(d)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(d)))
	b.ReportAllocs()
	for b.Loop() {
		if n, err := parseAll2(d); err != nil || n != want {
			b.Fatalf("parsed %d messages (%v), want %d", n, err, want)
		}
	}
	b.ReportMetric(float64(want), "msgs/op")
}

// emptyAsNil returns ms with empty slices made nil, the list's and each
// message's Data, for comparisons where the two mean the same.
func emptyAsNil(ms []Message) []Message {
	if len(ms) == 0 {
		return nil
	}
	out := make([]Message, len(ms))
	for i, m := range ms {
		if len(m.Data) == 0 {
			m.Data = nil
		}
		out[i] = m
	}
	return out
}
