package difftest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"golang.org/x/sys/unix"
)

func allCases() []Case {
	var cs []Case
	cs = append(cs, stringCases()...)
	cs = append(cs, nlencCases()...)
	cs = append(cs, messageCases()...)
	cs = append(cs, attributeCases()...)
	cs = append(cs, fixtureCases()...)
	cs = append(cs, nltestCases()...)
	cs = append(cs, socketCases()...)
	return cs
}

func le32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }
func le16(v uint16) []byte { return binary.NativeEndian.AppendUint16(nil, v) }

func concat(bs ...[]byte) []byte {
	var out []byte
	for _, b := range bs {
		out = append(out, b...)
	}
	return out
}

// attr encodes an attribute with its padding.
func attr(typ uint16, data []byte) []byte {
	b := concat(le16(uint16(4+len(data))), le16(typ), data)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// hdr encodes a message header.
func hdr(length uint32, typ, flags uint16, seq, pid uint32) []byte {
	return concat(le32(length), le16(typ), le16(flags), le32(seq), le32(pid))
}

// errno returns the code field of an Error message for errno.
func errno(e unix.Errno) []byte { return le32(uint32(-int32(e))) }

// Header flags and types, spelled out so that cases need neither library.
const (
	fRequest  = 0x1
	fMulti    = 0x2
	fAck      = 0x4
	fEcho     = 0x8
	fDumpIntr = 0x10
	fDump     = 0x300
	fCapped   = 0x100
	fAckTLVs  = 0x200
	tNoop     = 1
	tError    = 2
	tDone     = 3
	tOverrun  = 4
	nested    = 0x8000
	netOrder  = 0x4000
)

func stringCases() []Case {
	return []Case{
		{Name: "HeaderType.String", Run: func(l Lib, r *Rec) {
			for _, t := range []uint16{0, 1, 2, 3, 4, 5, 16, 0xffff} {
				r.V("type", t, l.HeaderTypeString(t))
			}
		}},
		{Name: "HeaderFlags.String", Run: func(l Lib, r *Rec) {
			for _, f := range []uint16{0, 1, 2, 3, 0x3f, 0x40, 0x100, 0x300, 0x305, 0x8000, 0xffff} {
				r.V("flags", f, l.HeaderFlagsString(f))
			}
		}},
	}
}

func nlencCases() []Case {
	var cs []Case
	for _, k := range []struct {
		kind string
		size int
		v    uint64
	}{{"Uint8", 1, 0xfe}, {"Uint16", 2, 0xfedc}, {"Uint32", 4, 0xfedcba98}, {"Uint64", 8, 0xfedcba9876543210}, {"Int32", 4, math.MaxUint32 - 1}} {
		for _, n := range []int{k.size, 0, k.size - 1, k.size + 1} {
			if n == 0 && k.size == 1 {
				continue // k.size-1 covers it
			}
			cs = append(cs, Case{Name: fmt.Sprintf("nlenc.%s/%d bytes", k.kind, n), Run: func(l Lib, r *Rec) {
				r.P("put", func() {
					put, get, alloc := l.Nlenc(k.kind, make([]byte, n), k.v)
					r.V("values", put, get, alloc)
				})
				r.P("get", func() { _, get, _ := l.Nlenc("Get"+k.kind, make([]byte, n), 0); r.V("get", get) })
			}})
		}
	}
	cs = append(cs, Case{Name: "nlenc.String and Bytes", Run: func(l Lib, r *Rec) {
		for _, b := range [][]byte{nil, {}, {0}, []byte("lo\x00"), []byte("lo\x00\x00\x00"), []byte("a\x00b"), []byte("ab")} {
			r.V("String", b, l.NlencString(b))
		}
		for _, s := range []string{"", "lo", "a\x00b"} {
			r.V("Bytes", s, l.NlencBytes(s))
		}
	}})
	return cs
}

func messageCases() []Case {
	marshal := func(name string, m Msg) Case {
		return Case{Name: "Message.MarshalBinary/" + name, Run: func(l Lib, r *Rec) {
			b, err := l.MarshalMessage(m)
			r.VE("marshal", b, err)
		}}
	}
	unmarshal := func(name string, b []byte) Case {
		return Case{Name: "Message.UnmarshalBinary/" + name, Run: func(l Lib, r *Rec) {
			m, err := l.UnmarshalMessage(b)
			r.VE("unmarshal", m, err)
		}}
	}
	validate := func(name string, req Msg, replies ...Msg) Case {
		return Case{Name: "Validate/" + name, Run: func(l Lib, r *Rec) { r.E("validate", l.Validate(req, replies)) }}
	}
	req := Msg{Header: Hdr{Sequence: 5, PID: 7}}
	return []Case{
		marshal("header only", Msg{Header: Hdr{Length: 16, Type: 0x10, Flags: fRequest, Sequence: 1, PID: 2}}),
		marshal("data", Msg{Header: Hdr{Length: 20, Type: 0x10}, Data: []byte{1, 2, 3, 4}}),
		marshal("data padded", Msg{Header: Hdr{Length: 24}, Data: []byte{1, 2, 3}}),
		marshal("length 0", Msg{Data: []byte{1}}),
		marshal("length below header", Msg{Header: Hdr{Length: 12}}),
		marshal("length unaligned", Msg{Header: Hdr{Length: 17}, Data: []byte{1}}),
		{Name: "Message.MarshalBinary/length too short for data", Diff: "D5", Run: func(l Lib, r *Rec) {
			b, err := l.MarshalMessage(Msg{Header: Hdr{Length: 16}, Data: []byte{1, 2, 3, 4}})
			r.VE("marshal", b, err)
		}},
		unmarshal("nil", nil),
		unmarshal("short", make([]byte, 12)),
		unmarshal("unaligned", make([]byte, 18)),
		unmarshal("header", hdr(16, 0x10, fMulti, 3, 4)),
		unmarshal("length 0", hdr(0, 0x10, 0, 0, 0)),
		unmarshal("length past data", hdr(24, 0x10, 0, 0, 0)),
		unmarshal("unaligned length", concat(hdr(17, 0x10, 0, 0, 0), []byte{1, 0, 0, 0})),
		unmarshal("trailing data", concat(hdr(20, 0x10, 0, 0, 0), make([]byte, 8))),
		validate("none", req),
		validate("match", req, Msg{Header: Hdr{Sequence: 5, PID: 7}}),
		validate("sequence", req, Msg{Header: Hdr{Sequence: 6, PID: 7}}),
		validate("pid", req, Msg{Header: Hdr{Sequence: 5, PID: 8}}),
		validate("reply pid 0", req, Msg{Header: Hdr{Sequence: 5}}),
		validate("request sequence 0", Msg{Header: Hdr{PID: 7}}, Msg{Header: Hdr{Sequence: 9, PID: 7}}),
		validate("request pid 0", Msg{Header: Hdr{Sequence: 5}}, Msg{Header: Hdr{Sequence: 5, PID: 9}}),
		validate("second reply", req, Msg{Header: Hdr{Sequence: 5, PID: 7}}, Msg{Header: Hdr{Sequence: 4, PID: 7}}),
	}
}

func attributeCases() []Case {
	marshal := func(name string, attrs []Attr, diff string) Case {
		return Case{Name: "MarshalAttributes/" + name, Diff: diff, Run: func(l Lib, r *Rec) {
			b, err := l.MarshalAttributes(attrs)
			if len(b) > 64 {
				b = b[:64]
			}
			r.VE("marshal", b, err)
		}}
	}
	unmarshal := func(name string, b []byte) Case {
		return Case{Name: "UnmarshalAttributes/" + name, Run: func(l Lib, r *Rec) {
			attrs, err := l.UnmarshalAttributes(b)
			r.VE("unmarshal", attrs, err)
		}}
	}
	encode := func(name string, fn func(e Encoder)) Case {
		return Case{Name: "AttributeEncoder/" + name, Run: func(l Lib, r *Rec) {
			for _, big := range []bool{false, true} {
				b, err := l.Encode(big, fn)
				if len(b) > 64 {
					b = b[:64]
				}
				r.VE(fmt.Sprintf("encode big-endian %v", big), b, err)
			}
		}}
	}
	errFn := errors.New("fn failed")
	decodeAll := func(d Decoder, r *Rec) {
		r.V("len", d.Len())
		for d.Next() {
			r.V("attr", d.Type(), d.TypeFlags(), d.Bytes())
		}
		r.E("walk err", d.Err())
	}
	decode := func(name string, b []byte, fn func(d Decoder, r *Rec)) Case {
		return Case{Name: "AttributeDecoder/" + name, Run: func(l Lib, r *Rec) {
			for _, big := range []bool{false, true} {
				err := l.Decode(b, big, func(d Decoder) { fn(d, r) })
				r.E(fmt.Sprintf("decode big-endian %v", big), err)
			}
		}}
	}
	typed := func(name string, data []byte) Case {
		return decode("typed/"+name, attr(7, data), func(d Decoder, r *Rec) {
			d.Next()
			r.V("Bytes", d.Bytes())
			r.V("String", d.String())
			r.V("Uint8", d.Uint8())
			r.E("err", d.Err())
		})
	}
	big := make([]byte, math.MaxUint16+5)
	var cs []Case
	cs = append(cs,
		marshal("none", nil, ""),
		marshal("empty", []Attr{}, ""),
		marshal("computed", []Attr{{Type: 1, Data: []byte{1}}, {Type: 2}, {Type: 0xffff, Data: []byte("abcd")}}, ""),
		marshal("given", []Attr{{Length: 5, Type: 1, Data: []byte{1}}}, ""),
		marshal("given below header", []Attr{{Length: 3, Type: 1}}, ""),
		marshal("given zero data", []Attr{{Length: 4, Type: 1}}, ""),
		marshal("largest", []Attr{{Type: 1, Data: big[:math.MaxUint16-4]}}, ""),
		marshal("one byte too large", []Attr{{Type: 1, Data: big[:math.MaxUint16-3]}}, ""),
		marshal("length wraps below a header", []Attr{{Type: 1, Data: big[:math.MaxUint16]}}, ""),
		marshal("length wraps past a header", []Attr{{Type: 1, Data: big[:math.MaxUint16+5]}}, "D6"),
		marshal("given length shorter than data", []Attr{{Length: 4, Type: 1, Data: []byte("abcd")}}, "D6"),
		marshal("given length longer than data", []Attr{{Length: 12, Type: 1, Data: []byte("ab")}}, "D6"),
		unmarshal("nil", nil),
		unmarshal("one", attr(1, []byte{1, 2})),
		unmarshal("several", concat(attr(1, nil), attr(2|nested, attr(3, []byte("x"))), attr(4, le32(9)))),
		unmarshal("zero length", concat(le32(0), attr(1, []byte{1}))),
		unmarshal("length below header", concat(le16(2), le16(1))),
		unmarshal("length past data", concat(le16(12), le16(1), []byte{1, 2, 3, 4})),
		unmarshal("short header", []byte{4, 0, 1}),
		unmarshal("trailing bytes", concat(attr(1, []byte{1}), []byte{1, 2})),
		unmarshal("last unpadded", concat(attr(1, []byte{1}), le16(5), le16(2), []byte{9})),
		encode("all types", func(e Encoder) {
			e.Uint8(1, 0xfe)
			e.Uint16(2, 0xfedc)
			e.Uint32(3, 0xfedcba98)
			e.Uint64(4, 0xfedcba9876543210)
			e.Int8(5, -2)
			e.Int16(6, -3)
			e.Int32(7, -4)
			e.Int64(8, -5)
			e.Flag(9, true)
			e.Flag(10, false)
			e.String(11, "lo")
			e.Bytes(12, []byte{1, 2, 3})
			e.Bytes(13, nil)
			e.Do(14, func() ([]byte, error) { return []byte{9, 9}, nil })
			e.Nested(15, func(n Encoder) error { n.Uint16(1, 1); n.String(2, "x"); return nil })
		}),
		encode("nothing", func(Encoder) {}),
		encode("string too large", func(e Encoder) { e.String(1, strings.Repeat("x", math.MaxUint16-3)) }),
		encode("string NUL does not fit", func(e Encoder) { e.String(1, strings.Repeat("x", math.MaxUint16-4)) }),
		encode("string largest", func(e Encoder) { e.String(1, strings.Repeat("x", math.MaxUint16-5)) }),
		encode("bytes too large", func(e Encoder) { e.Bytes(1, big[:math.MaxUint16-3]) }),
		encode("bytes largest", func(e Encoder) { e.Bytes(1, big[:math.MaxUint16-4]) }),
		encode("do too large", func(e Encoder) { e.Do(1, func() ([]byte, error) { return big[:math.MaxUint16], nil }) }),
		encode("do error", func(e Encoder) { e.Uint8(1, 1); e.Do(2, func() ([]byte, error) { return nil, errFn }); e.Uint8(3, 3) }),
		encode("nested error", func(e Encoder) { e.Nested(2, func(Encoder) error { return errFn }) }),
		encode("nested inner error", func(e Encoder) {
			e.Nested(2, func(n Encoder) error { n.Do(1, func() ([]byte, error) { return nil, errFn }); return nil })
		}),
		encode("nested too large", func(e Encoder) {
			e.Nested(2, func(n Encoder) error { n.Bytes(1, big[:math.MaxUint16-8]); n.Uint8(2, 1); return nil })
		}),
		decode("walk", concat(attr(1, []byte{1}), le32(0), attr(2|nested, attr(3, le32(5))), attr(4|netOrder, le16(0x102))), decodeAll),
		decode("empty", nil, decodeAll),
		decode("short header", []byte{8, 0}, decodeAll),
		decode("length past data", concat(attr(1, nil), le16(40), le16(2)), decodeAll),
		decode("length below header", concat(attr(1, nil), le16(2), le16(2)), decodeAll),
		decode("typed getters", concat(attr(1, []byte{0xfe}), attr(2, le16(0xfedc)), attr(3, le32(0xfedcba98)),
			attr(4, binary.NativeEndian.AppendUint64(nil, 0xfedcba9876543210)), attr(5, nil), attr(6, []byte("lo\x00\x00"))),
			func(d Decoder, r *Rec) {
				d.Next()
				r.V("u8", d.Uint8(), d.Int8())
				d.Next()
				r.V("u16", d.Uint16(), d.Int16())
				d.Next()
				r.V("u32", d.Uint32(), d.Int32())
				d.Next()
				r.V("u64", d.Uint64(), d.Int64())
				d.Next()
				r.V("flag", d.Flag())
				d.Next()
				r.V("string", d.String())
				r.E("err", d.Err())
			}),
		decode("nested", concat(attr(1|nested, concat(attr(2, le32(7)), attr(3, []byte("x\x00"))))), func(d Decoder, r *Rec) {
			d.Next()
			d.Nested(func(n Decoder) error {
				r.V("nested len", n.Len())
				for n.Next() {
					r.V("nested attr", n.Type(), n.Bytes())
				}
				return nil
			})
			r.E("err", d.Err())
		}),
		func() Case {
			c := decode("nested decoder kept past fn", concat(attr(1|nested, attr(2, le32(7))), attr(3|nested, concat(attr(4, nil), attr(5, nil)))),
				func(d Decoder, r *Rec) {
					var kept Decoder
					for d.Next() {
						d.Nested(func(n Decoder) error {
							if kept == nil {
								kept = n
							}
							for n.Next() {
							}
							return nil
						})
					}
					r.V("kept len", kept.Len(), "next", kept.Next())
					r.E("err", d.Err())
				})
			c.Diff = "D17"
			return c
		}(),
		decode("nested malformed", attr(1|nested, []byte{9, 0, 1}), func(d Decoder, r *Rec) {
			d.Next()
			d.Nested(func(n Decoder) error { r.V("called"); return nil })
			r.E("err", d.Err())
		}),
		decode("nested fn error", attr(1|nested, nil), func(d Decoder, r *Rec) {
			d.Next()
			d.Nested(func(Decoder) error { return errFn })
			r.E("err", d.Err())
			r.V("next after error", d.Next())
		}),
		decode("do error", attr(1, []byte{1}), func(d Decoder, r *Rec) {
			d.Next()
			d.Do(func(b []byte) error { r.V("do", b); return io.ErrUnexpectedEOF })
			r.E("err", d.Err())
			r.V("string after error", d.String())
		}),
	)
	for _, data := range [][]byte{nil, {1}, {1, 2}, {1, 2, 3}, {1, 2, 3, 4}, make([]byte, 8), make([]byte, 9)} {
		name := fmt.Sprintf("%d bytes", len(data))
		cs = append(cs, typed(name, data))
		for _, g := range []string{"Uint8", "Uint16", "Uint32", "Uint64", "Int8", "Int16", "Int32", "Int64", "Flag"} {
			cs = append(cs, decode("wrong size/"+g+"/"+name, concat(attr(7|nested, data), attr(8, nil)), func(d Decoder, r *Rec) {
				d.Next()
				var v any
				switch g {
				case "Uint8":
					v = d.Uint8()
				case "Uint16":
					v = d.Uint16()
				case "Uint32":
					v = d.Uint32()
				case "Uint64":
					v = d.Uint64()
				case "Int8":
					v = d.Int8()
				case "Int16":
					v = d.Int16()
				case "Int32":
					v = d.Int32()
				case "Int64":
					v = d.Int64()
				case "Flag":
					v = d.Flag()
				}
				r.V(g, v)
				r.E("err", d.Err())
				r.V("next", d.Next())
			}))
		}
	}
	return cs
}
