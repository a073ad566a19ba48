//go:build linux

package netlink

import (
	"bytes"
	"errors"
	"iter"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestNewDebugger(t *testing.T) {
	tests := []struct {
		env      string
		level    int
		format   string
		badLevel string
	}{
		{env: "1", level: 1, format: defaultDebugFormat},
		{env: "level=2", level: 2, format: defaultDebugFormat},
		{env: "level=0,format=plain", level: 0, format: "plain"},
		{env: "format=plain,level=3,junk,a=b=c", level: 3, format: "plain"},
		{env: "level=x", level: 1, format: defaultDebugFormat, badLevel: "level=x"},
		{env: "level=x,level=2,level=y", level: 2, format: defaultDebugFormat, badLevel: "level=x"},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			d := newDebugger(tt.env, new(bytes.Buffer))
			if defaultDebugFormat != "mnl" {
				tt.format = defaultDebugFormat
			}
			if d.level != tt.level || d.format != tt.format || d.badLevel != tt.badLevel {
				t.Fatalf("level %d, format %q, bad level %q; want %d, %q, %q",
					d.level, d.format, d.badLevel, tt.level, tt.format, tt.badLevel)
			}
		})
	}
}

// TestDebugDialPanics checks mdlayher/netlink's panic for an invalid level.
func TestDebugDialPanics(t *testing.T) {
	withDebugger(t, "level=high", new(bytes.Buffer))
	var got any
	func() {
		defer func() { got = recover() }()
		NewConn(&debugSocket{}, 1)
	}()
	if want := `netlink: invalid NLDEBUG level: "level=high"`; got != want {
		t.Fatalf("panic %#v, want %q", got, want)
	}
}

const rule = "----------------\t------------------\n"

func TestFprintMNL(t *testing.T) {
	header := func(length uint32, typ uint16, flags string, seq, pid string) string {
		return rule +
			"|  " + pad10(length) + "  |\t| message length |\n" +
			"| " + typString(typ) + " | " + flags + " |\t|  type | flags  |\n" +
			"|  " + seq + "  |\t| sequence number|\n" +
			"|  " + pid + "  |\t|     port ID    |\n" + rule
	}
	tests := []struct {
		name  string
		m     Message
		color bool
		want  string
	}{
		{
			name: "header only",
			m:    Message{Header: Header{Length: 16, Type: 0x12, Flags: Request | Multi | Acknowledge | Echo, Sequence: 7, PID: 42}},
			want: header(16, 18, "RMAE", "0000000007", "0000000042"),
		},
		{
			name: "done without payload",
			m:    Message{Header: Header{Length: 16, Type: Done, Flags: Multi}},
			want: header(16, 3, "-M--", "0000000000", "0000000000"),
		},
		{
			// A generic netlink message: the 4-byte family header is
			// drawn as the "extra header", then the attributes, the last
			// one without the padding a received message lacks.
			name: "attributes",
			m: Message{
				Header: Header{Length: 35, Type: 0x1c, Flags: Request},
				Data:   concat([]byte{3, 1, 0, 0}, rawAttr(1, le32(0x41424344)), []byte{7, 0, 2, 0x40, 'l', 'o', 0}),
			},
			want: header(35, 28, "R---", "0000000000", "0000000000") +
				"| 03 01 00 00  |\t|  extra header  |\n" +
				"|00008|--|00001|\t|len |flags| type|\n" +
				"| 44 43 42 41  |\t|      data      |\t D C B A\n" +
				"|00007|-B|00002|\t|len |flags| type|\n" +
				"| 6c 6f 00 00  |\t|      data      |\t l o    \n" + rule,
		},
		{
			name:  "nested, colored",
			m:     Message{Header: Header{Length: 28}, Data: concat(le32(0), rawAttr(Nested|5, rawAttr(6, nil)))},
			color: true,
			want: header(28, 0, "----", "0000000000", "0000000000") +
				"|\033[1;31m00008|\033[1;32mN-|\033[1;34m00005\033[0m|\t|len |flags| type|\n" +
				"|\033[1;31m00004|\033[1;32m--|\033[1;34m00006\033[0m|\t|len |flags| type|\n" + rule,
		},
		{
			// An extended acknowledgement: the attributes follow the
			// echoed request.
			name: "error with extended ack",
			m: Message{
				Header: Header{Length: 48, Type: Error, Flags: AcknowledgeTLVs | Capped},
				Data:   concat(errnoBytes(int32(unix.EINVAL)), rawHeader(16, 0x10, Request, 1, 1), rawAttr(2, le32(16))),
			},
			want: header(48, 2, "----", "0000000000", "0000000000") +
				"| ea ff ff ff  |\t|  extra header  |\n" +
				"|00008|--|00002|\t|len |flags| type|\n" +
				"| 10 00 00 00  |\t|      data      |\t        \n" + rule,
		},
		{
			name: "error cut short",
			m:    Message{Header: Header{Length: 24, Type: Error}, Data: concat(le32(0), []byte{1, 2, 3, 4})},
			want: header(24, 2, "----", "0000000000", "0000000000"),
		},
		{
			// mdlayher/netlink indexes past the data and panics.
			name: "attribute longer than the data",
			m:    Message{Header: Header{Length: 28}, Data: concat(le32(0), []byte{40, 0, 1, 0, 'a', 'b', 'c', 'd'})},
			want: header(28, 0, "----", "0000000000", "0000000000") +
				"|00040|--|00001|\t|len |flags| type|\n" +
				"| 61 62 63 64  |\t|      data      |\t a b c d\n" + rule,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			fprintMNL(&b, tt.m, tt.color)
			if got := b.String(); got != tt.want {
				t.Fatalf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func pad10(n uint32) string {
	s := "0000000000" + itoa(int(n))
	return s[len(s)-10:]
}

func typString(n uint16) string {
	s := "00000" + itoa(int(n))
	return s[len(s)-5:]
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestDebugHooks checks what a Conn prints with NLDEBUG set, in the plain
// format: every message sent and received, and errors.
func TestDebugHooks(t *testing.T) {
	req := Message{Header: Header{Type: 0x10, Flags: Request | Acknowledge, Sequence: 9}, Data: []byte{1}}
	ack := "recv: {Header:{Length:40 Type:error Flags:0 Sequence:9 PID:1} Data:[0 0 0 0 20 0 0 0 16 0 5 0 9 0 0 0 1 0 0 0 1 0 0 0]}\n"
	tests := []struct {
		name string
		env  string
		run  func(c *Conn) error
		want string
	}{
		{
			name: "execute",
			env:  "format=plain",
			run:  func(c *Conn) error { _, err := c.Execute(req); return err },
			want: "nl: send: {Header:{Length:20 Type:unknown(16) Flags:request|acknowledge Sequence:9 PID:1} Data:[1]}\n" +
				"nl: " + ack,
		},
		{
			name: "send messages and receive",
			env:  "format=plain",
			run: func(c *Conn) error {
				if _, err := c.SendMessages([]Message{req}); err != nil {
					return err
				}
				_, err := c.Receive()
				return err
			},
			want: "nl: send msgs: {Header:{Length:20 Type:unknown(16) Flags:request|acknowledge Sequence:9 PID:1} Data:[1]}\n" +
				"nl: " + ack,
		},
		{
			name: "receive iter",
			env:  "format=plain",
			run: func(c *Conn) error {
				if _, err := c.Send(req); err != nil {
					return err
				}
				for _, err := range c.ReceiveIter() {
					if err != nil {
						return err
					}
				}
				return nil
			},
			want: "nl: send: {Header:{Length:20 Type:unknown(16) Flags:request|acknowledge Sequence:9 PID:1} Data:[1]}\n" +
				"nl: " + ack,
		},
		{
			name: "errors",
			env:  "format=plain",
			run: func(c *Conn) error {
				c.t.(*legacyTransport).sock.(*debugSocket).fail = true
				_, err := c.Send(req)
				_, rerr := c.Receive()
				return errors.Join(err, rerr)
			},
			want: "nl: send: {Header:{Length:20 Type:unknown(16) Flags:request|acknowledge Sequence:9 PID:1} Data:[1]}\n" +
				"nl: send: err: no buffer space available\n" +
				"nl: recv: err: netlink receive: no buffer space available\n",
		},
		{
			name: "level 0",
			env:  "level=0,format=plain",
			run:  func(c *Conn) error { _, err := c.Execute(req); return err },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			withDebugger(t, tt.env, &out)
			c := NewConn(&debugSocket{}, 1)
			defer c.Close()
			err := tt.run(c)
			if tt.name != "errors" && err != nil {
				t.Fatal(err)
			}
			if got := out.String(); got != tt.want {
				t.Fatalf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestDebugHooksMNL checks that the default format draws messages.
func TestDebugHooksMNL(t *testing.T) {
	if defaultDebugFormat != "mnl" {
		t.Skip("no mnl format on this platform")
	}
	var out bytes.Buffer
	withDebugger(t, "1", &out)
	dbg.color = func() bool { return false }
	c := NewConn(&debugSocket{}, 1)
	defer c.Close()
	if _, err := c.Execute(Message{Header: Header{Type: 0x10, Flags: Request}}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(out.String(), "| message length |"); got != 2 {
		t.Fatalf("%d messages drawn, want 2:\n%s", got, out.String())
	}
}

// TestDebugOffAllocatesNothing checks that the hooks cost nothing without
// NLDEBUG.
func TestDebugOffAllocatesNothing(t *testing.T) {
	withDebugger(t, "", nil)
	m := Message{Data: []byte{1}}
	msgs := []Message{m}
	if n := testing.AllocsPerRun(100, func() {
		debugMessage("send", m)
		debugMessages("send msgs", msgs)
		debugError("send", unix.EIO)
		_, _ = debugReceived(msgs, nil)
	}); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}

// withDebugger sets the debugger for the test as NLDEBUG=env would, writing
// to w; env "" turns debugging off.
func withDebugger(t *testing.T, env string, w *bytes.Buffer) {
	old := dbg
	t.Cleanup(func() { dbg = old })
	if env == "" {
		dbg = nil
		return
	}
	dbg = newDebugger(env, w)
}

// debugSocket answers every request with an ACK, or fails when fail is set.
type debugSocket struct {
	fail  bool
	reply []Message
}

func (s *debugSocket) Close() error { return nil }

func (s *debugSocket) Send(m Message) error { return s.SendMessages([]Message{m}) }

func (s *debugSocket) SendMessages(msgs []Message) error {
	if s.fail {
		return unix.ENOBUFS
	}
	m := msgs[0]
	echo := concat(rawHeader(m.Header.Length, m.Header.Type, m.Header.Flags, m.Header.Sequence, m.Header.PID), m.Data, make([]byte, 3))
	s.reply = []Message{{
		Header: Header{Length: uint32(nlmsgHeaderLen + 4 + len(echo)), Type: Error, Sequence: m.Header.Sequence, PID: 1},
		Data:   concat(le32(0), echo),
	}}
	return nil
}

func (s *debugSocket) Receive() ([]Message, error) { return nil, errors.New("unused") }

func (s *debugSocket) ReceiveIter() iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		if s.fail {
			yield(Message{}, unix.ENOBUFS)
			return
		}
		for _, m := range s.reply {
			if !yield(m, nil) {
				return
			}
		}
		s.reply = nil
	}
}
