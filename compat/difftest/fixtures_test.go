package difftest

import (
	"errors"
	"fmt"
	"io"

	"golang.org/x/sys/unix"
)

// The request every fixture answers: a sequence number of its own, so that
// neither library's random first sequence number shows.
var fixtureReq = Msg{Header: Hdr{Type: 0x10, Flags: fRequest | fAck, Sequence: 100}, Data: []byte{1, 2, 3, 4, 5}}

// reply builds a message answering fixtureReq.
func reply(typ, flags uint16, data []byte) Msg {
	return Msg{Header: Hdr{Length: uint32(16 + len(data)), Type: typ, Flags: flags, Sequence: 100, PID: 1}, Data: data}
}

// echo is fixtureReq as sent, as an Error message echoes it.
var echo = concat(hdr(24, 0x10, fRequest|fAck, 100, 1), []byte{1, 2, 3, 4, 5, 0, 0, 0})

// echoHdr is the echo of a capped acknowledgement.
var echoHdr = hdr(24, 0x10, fRequest|fAck, 100, 1)

// extAck encodes extended acknowledgement attributes.
func extAck(msg string, off uint32) []byte {
	return concat(attr(unix.NLMSGERR_ATTR_MSG, append([]byte(msg), 0)), attr(unix.NLMSGERR_ATTR_OFFS, le32(off)))
}

// fixture returns a case in which the kernel's part is played by fn, and
// the request is made with Execute, Send then Receive, and Send then
// ReceiveIter, each on a Conn of its own.
func fixture(name, diff string, mk func(l Lib) func(req []Msg) ([]Msg, error)) Case {
	return Case{Name: "fixture/" + name, Diff: diff, Run: func(l Lib, r *Rec) {
		ops := []struct {
			name string
			do   func(c Conn) ([]Msg, error)
		}{
			{"Execute", func(c Conn) ([]Msg, error) { return c.Execute(fixtureReq) }},
			{"Receive", func(c Conn) ([]Msg, error) {
				if _, err := c.Send(fixtureReq); err != nil {
					return nil, err
				}
				return c.Receive()
			}},
			{"ReceiveIter", func(c Conn) ([]Msg, error) {
				if _, err := c.Send(fixtureReq); err != nil {
					return nil, err
				}
				return c.ReceiveIter()
			}},
		}
		for _, op := range ops {
			c := l.NltestDial(mk(l))
			msgs, err := op.do(c)
			r.VE(op.name, msgs, err)
			r.E(op.name+" close", c.Close())
		}
	}}
}

// answer returns a Func answering every request with msgs.
func answer(msgs ...Msg) func(Lib) func([]Msg) ([]Msg, error) {
	return fixed(func(req []Msg) ([]Msg, error) {
		if req == nil {
			return nil, io.EOF
		}
		return append([]Msg(nil), msgs...), nil
	})
}

// fixed returns fn for every library.
func fixed(fn func([]Msg) ([]Msg, error)) func(Lib) func([]Msg) ([]Msg, error) {
	return func(Lib) func([]Msg) ([]Msg, error) { return fn }
}

func fixtureCases() []Case {
	data := reply(0x10, 0, []byte("data"))
	multi := func(n int) []Msg {
		var ms []Msg
		for i := range n {
			ms = append(ms, reply(0x10, fMulti, []byte{byte(i), 0, 0, 0}))
		}
		return ms
	}
	done := func(flags uint16, seq uint32, data []byte) Msg {
		m := reply(tDone, fMulti|flags, data)
		m.Header.Sequence = seq
		return m
	}
	cs := []Case{
		fixture("data", "", answer(data)),
		fixture("two messages", "", answer(data, data)),
		fixture("no messages", "", answer()),
		fixture("ack", "", answer(reply(tError, 0, concat(le32(0), echo)))),
		fixture("ack capped", "", answer(reply(tError, fCapped, concat(le32(0), echoHdr)))),
		fixture("ack code only", "", answer(reply(tError, 0, le32(0)))),
		fixture("data then ack", "", answer(data, reply(tError, 0, concat(le32(0), echo)))),
		fixture("noop", "", answer(reply(tNoop, 0, nil))),
		fixture("overrun", "", answer(reply(tOverrun, 0, nil))),
		fixture("zero-length message", "", answer(Msg{})),
		fixture("zero-length message with sequence", "", answer(Msg{Header: Hdr{Sequence: 100}})),
		fixture("length past the data", "", answer(Msg{Header: Hdr{Length: 400, Type: 0x10, Sequence: 100, PID: 1}, Data: []byte{1}})),
		fixture("length below the data", "", answer(Msg{Header: Hdr{Length: 3, Type: 0x10, Sequence: 100, PID: 1}, Data: make([]byte, 8)})),
		fixture("error length past the data", "", answer(Msg{Header: Hdr{Length: 400, Type: tError, Sequence: 100, PID: 1}, Data: errno(unix.ENOENT)})),
		fixture("older sequence", "D11", answer(Msg{Header: Hdr{Length: 20, Type: 0x10, Sequence: 99, PID: 1}, Data: le32(0)})),
		fixture("newer sequence", "", answer(Msg{Header: Hdr{Length: 20, Type: 0x10, Sequence: 101, PID: 1}, Data: le32(0)})),
		fixture("sequence 0", "", answer(Msg{Header: Hdr{Length: 20, Type: 0x10, PID: 1}, Data: le32(0)})),
		fixture("wrong PID", "", answer(Msg{Header: Hdr{Length: 20, Type: 0x10, Sequence: 100, PID: 2}, Data: le32(0)})),
		fixture("PID 0", "", answer(Msg{Header: Hdr{Length: 20, Type: 0x10, Sequence: 100}, Data: le32(0)})),
		fixture("error then data", "", answer(reply(tError, 0, concat(errno(unix.EEXIST), echo)), data)),

		fixture("multipart", "", answer(append(multi(3), done(0, 100, le32(0)))...)),
		fixture("multipart, Done without payload", "", answer(append(multi(4), done(0, 100, nil))...)),
		fixture("multipart, Done sequence 0", "", answer(append(multi(2), done(0, 0, le32(0)))...)),
		fixture("multipart, Done of a later request", "D3", answer(append(multi(2), done(0, 200, le32(0)))...)),
		fixture("multipart, Done of an earlier request", "", answer(append(multi(2), done(0, 7, le32(0)))...)),
		fixture("multipart, Done with errno", "", answer(append(multi(2), done(0, 100, errno(unix.EINTR)))...)),
		fixture("multipart, Done with extended ack", "", answer(append(multi(2), done(fAckTLVs, 100, concat(errno(unix.EINVAL), extAck("dump failed", 0))))...)),
		fixture("multipart, Done with warning", "", answer(append(multi(2), done(fAckTLVs, 100, concat(le32(0), extAck("careful", 0))))...)),
		fixture("multipart, Done short", "", answer(append(multi(2), done(0, 100, []byte{1, 2}))...)),
		fixture("multipart, error in the middle", "", answer(multi(1)[0], reply(tError, 0, concat(errno(unix.EBUSY), echo)), multi(1)[0], done(0, 100, le32(0)))),
		fixture("multipart, older sequence", "D11", answer(multi(2)[0], Msg{Header: Hdr{Length: 20, Type: 0x10, Flags: fMulti, Sequence: 5, PID: 1}, Data: le32(0)}, done(0, 100, le32(0)))),
		fixture("multipart, interrupted", "D9", answer(multi(1)[0], reply(0x10, fMulti|fDumpIntr, le32(1)), done(0, 100, le32(0)))),
		fixture("Done without Multi", "", answer(reply(tDone, 0, errno(unix.ENOENT)))),

		fixture("func syscall error", "", fixed(func([]Msg) ([]Msg, error) { return nil, unix.ENOBUFS })),
		fixture("func wrapped errno", "", fixed(func([]Msg) ([]Msg, error) { return nil, fmt.Errorf("wrapped: %w", unix.EIO) })),
		fixture("func error", "", fixed(func([]Msg) ([]Msg, error) { return nil, errors.New("kernel on fire") })),
		fixture("func EOF", "", fixed(func([]Msg) ([]Msg, error) { return nil, io.EOF })),
		fixture("func messages and error", "", fixed(func([]Msg) ([]Msg, error) { return []Msg{data}, errors.New("and an error") })),
		fixture("nltest.Error ENOENT", "", nltestErr(int(unix.ENOENT))),
		fixture("nltest.Error 0", "", nltestErr(0)),
		fixture("nltest.Error negative", "", nltestErr(-3)),
	}
	// Errors of every sign and size.
	for _, code := range []int32{-1, -2, -19, -22, -95, -4095, -1 << 31, 1, 5, 22, 1<<31 - 1} {
		cs = append(cs, fixture(fmt.Sprintf("error code %d", code), "", answer(reply(tError, 0, concat(le32(uint32(code)), echo)))))
	}
	for n := range 4 {
		cs = append(cs, fixture(fmt.Sprintf("error of %d bytes", n), "", answer(reply(tError, 0, errno(unix.EPERM)[:n]))))
		cs = append(cs, fixture(fmt.Sprintf("Done of %d bytes", n), "", answer(append(multi(1), done(0, 100, errno(unix.EPERM)[:n]))...)))
	}
	// Extended acknowledgements.
	ea := func(name, diff string, flags uint16, data []byte) Case {
		return fixture("extended ack/"+name, diff, answer(reply(tError, fAckTLVs|flags, data)))
	}
	cs = append(cs,
		ea("whole request", "", 0, concat(errno(unix.EINVAL), echo, extAck("bad attribute", 20))),
		ea("message only", "", 0, concat(errno(unix.EINVAL), echo, attr(unix.NLMSGERR_ATTR_MSG, []byte("no NUL")))),
		ea("offset only", "", 0, concat(errno(unix.EINVAL), echo, attr(unix.NLMSGERR_ATTR_OFFS, le32(4)))),
		ea("warning on ack", "", 0, concat(le32(0), echo, extAck("careful", 0))),
		ea("flag without attributes", "", 0, concat(errno(unix.EINVAL), echo)),
		ea("attributes without flag", "", 0, concat(errno(unix.EINVAL), echo, extAck("ignored", 1))),
		ea("capped, request with payload", "D1", fCapped, concat(errno(unix.EINVAL), echoHdr, extAck("bad attribute", 20))),
		ea("capped, header-only request", "", fCapped, concat(errno(unix.EINVAL), hdr(16, 0x10, 0, 100, 1), extAck("bad header", 0))),
		ea("unaligned request echoed", "D2", 0, concat(errno(unix.EINVAL), hdr(21, 0x10, 0, 100, 1), []byte{1, 2, 3, 4, 5, 0, 0, 0}, extAck("bad", 20))),
		ea("echo cut short", "", 0, concat(errno(unix.EINVAL), echo[:20])),
		ea("echoed header cut short", "", 0, concat(errno(unix.EINVAL), echo[:10])),
		ea("echoed length below header", "", 0, concat(errno(unix.EINVAL), hdr(8, 0, 0, 0, 0), extAck("odd", 1))),
		ea("trailing bytes", "", 0, concat(errno(unix.EINVAL), echo, extAck("bad", 20), []byte{1, 2})),
		ea("malformed attribute after message", "", 0, concat(errno(unix.EINVAL), echo, attr(unix.NLMSGERR_ATTR_MSG, []byte("bad\x00")), le16(99), le16(2))),
		ea("offset of the wrong size", "", 0, concat(errno(unix.EINVAL), echo, attr(unix.NLMSGERR_ATTR_MSG, []byte("bad\x00")), attr(unix.NLMSGERR_ATTR_OFFS, le16(1)), attr(unix.NLMSGERR_ATTR_MSG, []byte("later\x00")))),
		ea("nested and cookie attributes", "", 0, concat(errno(unix.EINVAL), echo, attr(unix.NLMSGERR_ATTR_COOKIE, []byte("12345678")), attr(4|nested, attr(1, le32(1))), extAck("bad", 8))),
		ea("positive code", "", 0, concat(le32(5), echo, extAck("bad", 20))),
	)
	return cs
}

// nltestErr answers with the library's nltest.Error(n, req).
func nltestErr(n int) func(Lib) func([]Msg) ([]Msg, error) {
	return func(l Lib) func([]Msg) ([]Msg, error) {
		return func(req []Msg) ([]Msg, error) {
			if req == nil {
				return nil, io.EOF
			}
			return l.NltestError(n, req)
		}
	}
}
