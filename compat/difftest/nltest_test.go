package difftest

import (
	"io"
)

func nltestCases() []Case {
	ok := func([]Msg) ([]Msg, error) { return nil, nil }
	req := []Msg{{Header: Hdr{Length: 16, Type: 0x10, Flags: fRequest | fDump, Sequence: 1, PID: 1}}}
	return []Case{
		{Name: "nltest.Error", Run: func(l Lib, r *Rec) {
			for _, n := range []int{0, 1, 22, -5} {
				out, err := l.NltestError(n, []Msg{{Header: Hdr{Length: 20, Type: 0x10, Sequence: 3, PID: 1}, Data: []byte{1, 2, 3, 4}}, {}})
				r.VE("error", out, err)
			}
		}},
		{Name: "nltest.Error without request", Diff: "D7", Run: func(l Lib, r *Rec) {
			r.P("error", func() { out, err := l.NltestError(1, nil); r.VE("error", out, err) })
		}},
		{Name: "nltest.Multipart", Run: func(l Lib, r *Rec) {
			for n := range 4 {
				var in []Msg
				for i := range n {
					in = append(in, Msg{Header: Hdr{Type: 0x10 + uint16(i), Flags: fRequest}})
				}
				out, err := l.NltestMultipart(in)
				r.VE("multipart", out, err)
			}
		}},
		{Name: "nltest.CheckRequest", Run: func(l Lib, r *Rec) {
			for _, tc := range []struct {
				types, flags []uint16
			}{
				{[]uint16{0x10}, []uint16{fRequest | fDump}},
				{[]uint16{0}, []uint16{0}},
				{[]uint16{0x11}, []uint16{0}},
				{[]uint16{0}, []uint16{fRequest}},
				{[]uint16{0x11}, []uint16{fRequest}},
			} {
				out, err := l.NltestCheckRequest(tc.types, tc.flags, ok)(req)
				r.VE("check", out, err)
			}
		}},
		{Name: "nltest.CheckRequest panics", Run: func(l Lib, r *Rec) {
			r.P("lengths", func() { l.NltestCheckRequest([]uint16{1}, nil, ok) })
			r.P("requests", func() { _, _ = l.NltestCheckRequest([]uint16{1}, []uint16{1}, ok)(append(req, req...)) })
			r.P("no request", func() { _, _ = l.NltestCheckRequest([]uint16{1}, []uint16{1}, ok)(nil) })
		}},
		{Name: "nltest.MustMarshalAttributes", Run: func(l Lib, r *Rec) {
			r.P("ok", func() { r.V("ok", l.NltestMustMarshalAttributes([]Attr{{Type: 1, Data: []byte{1}}})) })
			r.P("bad", func() { r.V("bad", l.NltestMustMarshalAttributes([]Attr{{Length: 1}})) })
		}},
		{Name: "nltest.Dial multicast", Run: func(l Lib, r *Rec) {
			calls := 0
			c := l.NltestDial(func(req []Msg) ([]Msg, error) {
				calls++
				r.V("func called with", req)
				switch calls {
				case 1:
					return []Msg{{Header: Hdr{Length: 20, Type: 0x10}, Data: []byte{1, 2, 3, 4}}}, nil
				case 2:
					return nil, io.EOF
				}
				return nil, io.ErrUnexpectedEOF
			})
			defer c.Close()
			for range 3 {
				msgs, err := c.Receive()
				r.VE("receive", msgs, err)
			}
			r.V("pid", c.PID())
		}},
		{Name: "nltest.Dial SendMessages", Run: func(l Lib, r *Rec) {
			c := l.NltestDial(func(req []Msg) ([]Msg, error) {
				r.V("func called with", req)
				return req, nil
			})
			defer c.Close()
			out, err := c.SendMessages([]Msg{{Header: Hdr{Type: 0x10, Sequence: 9}, Data: []byte{1}}, {Header: Hdr{Length: 32, Type: 0x11, Sequence: 10, PID: 5}}})
			r.VE("send", out, err)
			msgs, err := c.Receive()
			r.VE("receive", msgs, err)
		}},
		{Name: "Send fills the header", Run: func(l Lib, r *Rec) {
			var got []Msg
			c := l.NltestDial(func(req []Msg) ([]Msg, error) { got = append(got, req...); return nil, io.EOF })
			defer c.Close()
			for _, m := range []Msg{
				{Header: Hdr{Type: 0x10}, Data: []byte{1, 2, 3, 4, 5}},
				{Header: Hdr{Type: 0x10, Flags: fRequest, Sequence: 77, PID: 9}},
				{Header: Hdr{Length: 99, Sequence: 78}},
			} {
				out, err := c.Send(m)
				seq := out.Header.Sequence
				out.Header.Sequence = 0
				r.VE("send", out, err)
				r.V("sequence set", seq != 0, seq == m.Header.Sequence)
			}
			msgs, err := c.SendMessages([]Msg{{Data: []byte{1}}, {Header: Hdr{Sequence: 5}}})
			r.E("send messages", err)
			for _, m := range msgs {
				r.V("sent", m.Header.Length, m.Header.PID, m.Header.Sequence != 0)
			}
			r.V("func saw", len(got))
		}},
		{Name: "ReceiveIter stopped early", Run: func(l Lib, r *Rec) {
			var parts []Msg
			for i := range 5 {
				parts = append(parts, Msg{Header: Hdr{Length: 20, Type: 0x10, Flags: fMulti, Sequence: 1, PID: 1}, Data: []byte{byte(i), 0, 0, 0}})
			}
			parts = append(parts, Msg{Header: Hdr{Length: 20, Type: tDone, Flags: fMulti, Sequence: 1, PID: 1}, Data: le32(0)})
			c := l.NltestDial(answer(parts...)(l))
			defer c.Close()
			_, err := c.Send(Msg{Header: Hdr{Type: 0x10, Flags: fRequest | fDump, Sequence: 1}})
			r.E("send", err)
			msgs, err := c.ReceiveIterFirst(1)
			r.VE("receive one", msgs, err)
			msgs, err = c.Receive()
			r.VE("receive again", msgs, err)
		}},
		{Name: "nltest.Dial unsupported operations", Run: func(l Lib, r *Rec) {
			c := l.NltestDial(ok)
			r.E("join", c.JoinGroup(1))
			r.E("leave", c.LeaveGroup(1))
			r.E("option", c.SetOption(0, true))
			r.E("bpf", c.SetBPF(nil))
			r.E("remove bpf", c.RemoveBPF())
			r.E("read buffer", c.SetReadBuffer(1))
			r.E("write buffer", c.SetWriteBuffer(1))
			n, err := c.ReadBuffer()
			r.VE("get read buffer", n, err)
			n, err = c.WriteBuffer()
			r.VE("get write buffer", n, err)
			r.E("deadline", c.SetDeadline(farFuture))
			r.E("read deadline", c.SetReadDeadline(farFuture))
			r.E("write deadline", c.SetWriteDeadline(farFuture))
			rc, err := c.SyscallConn()
			r.VE("syscall conn", rc == nil, err)
			r.E("close", c.Close())
			r.E("close again", c.Close())
		}},
	}
}
