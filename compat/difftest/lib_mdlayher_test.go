// Code kept in step with lib_nlring_test.go: the two files differ only in
// the library's name (TestAdaptersInStep checks it).

//lint:file-ignore SA1019 deprecated API is part of what the libraries must agree on

package difftest

import (
	"encoding/binary"
	"errors"
	"syscall"
	"time"

	"github.com/mdlayher/netlink"
	"github.com/mdlayher/netlink/nlenc"
	"github.com/mdlayher/netlink/nltest"
	"golang.org/x/net/bpf"
)

const mdlayherName = "mdlayher"

// mdlayherLib runs the cases against github.com/mdlayher/netlink.
type mdlayherLib struct{}

func (mdlayherLib) Name() string { return mdlayherName }

func (mdlayherLib) HeaderTypeString(t uint16) string  { return netlink.HeaderType(t).String() }
func (mdlayherLib) HeaderFlagsString(f uint16) string { return netlink.HeaderFlags(f).String() }
func (mdlayherLib) IsNotExist(err error) bool         { return netlink.IsNotExist(err) }
func (mdlayherLib) Validate(req Msg, replies []Msg) error {
	return netlink.Validate(mdlayherMsg(req), mdlayherMsgs(replies))
}

func (mdlayherLib) MarshalMessage(m Msg) ([]byte, error) { return mdlayherMsg(m).MarshalBinary() }

func (mdlayherLib) UnmarshalMessage(b []byte) (Msg, error) {
	var m netlink.Message
	err := m.UnmarshalBinary(b)
	return mdlayherFromMsg(m), err
}

func (mdlayherLib) MarshalAttributes(attrs []Attr) ([]byte, error) {
	return netlink.MarshalAttributes(mdlayherAttrs(attrs))
}

func (mdlayherLib) UnmarshalAttributes(b []byte) ([]Attr, error) {
	attrs, err := netlink.UnmarshalAttributes(b)
	return mdlayherFromAttrs(attrs), err
}

func (mdlayherLib) Encode(bigEndian bool, fn func(Encoder)) ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	if bigEndian {
		ae.ByteOrder = binary.BigEndian
	}
	fn(mdlayherEncoder{ae})
	return ae.Encode()
}

func (mdlayherLib) Decode(b []byte, bigEndian bool, fn func(Decoder)) error {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return err
	}
	if bigEndian {
		ad.ByteOrder = binary.BigEndian
	}
	fn(mdlayherDecoder{ad})
	return ad.Err()
}

func (mdlayherLib) OpError(err error) *OpErr {
	var oe *netlink.OpError
	if !errors.As(err, &oe) {
		return nil
	}
	return &OpErr{Op: oe.Op, Err: oe.Err, Message: oe.Message, Offset: oe.Offset, Sequence: oe.Sequence,
		Timeout: oe.Timeout(), Temporary: oe.Temporary()}
}

func (mdlayherLib) Nlenc(kind string, b []byte, v uint64) (put []byte, get uint64, alloc []byte) {
	switch kind {
	case "Uint8":
		nlenc.PutUint8(b, uint8(v))
		return b, uint64(nlenc.Uint8(b)), nlenc.Uint8Bytes(uint8(v))
	case "Uint16":
		nlenc.PutUint16(b, uint16(v))
		return b, uint64(nlenc.Uint16(b)), nlenc.Uint16Bytes(uint16(v))
	case "Uint32":
		nlenc.PutUint32(b, uint32(v))
		return b, uint64(nlenc.Uint32(b)), nlenc.Uint32Bytes(uint32(v))
	case "Uint64":
		nlenc.PutUint64(b, v)
		return b, nlenc.Uint64(b), nlenc.Uint64Bytes(v)
	case "Int32":
		nlenc.PutInt32(b, int32(v))
		return b, uint64(nlenc.Int32(b)), nlenc.Int32Bytes(int32(v))
	case "GetUint8":
		return nil, uint64(nlenc.Uint8(b)), nil
	case "GetUint16":
		return nil, uint64(nlenc.Uint16(b)), nil
	case "GetUint32":
		return nil, uint64(nlenc.Uint32(b)), nil
	case "GetUint64":
		return nil, nlenc.Uint64(b), nil
	case "GetInt32":
		return nil, uint64(nlenc.Int32(b)), nil
	}
	panic("unknown nlenc kind " + kind)
}

func (mdlayherLib) NlencString(b []byte) string { return nlenc.String(b) }
func (mdlayherLib) NlencBytes(s string) []byte  { return nlenc.Bytes(s) }

func (mdlayherLib) NltestDial(fn func([]Msg) ([]Msg, error)) Conn {
	return mdlayherConn{nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		out, err := fn(mdlayherFromMsgs(req))
		return mdlayherMsgs(out), err
	})}
}

func (mdlayherLib) NltestError(n int, reqs []Msg) ([]Msg, error) {
	out, err := nltest.Error(n, mdlayherMsgs(reqs))
	return mdlayherFromMsgs(out), err
}

func (mdlayherLib) NltestMultipart(msgs []Msg) ([]Msg, error) {
	out, err := nltest.Multipart(mdlayherMsgs(msgs))
	return mdlayherFromMsgs(out), err
}

func (mdlayherLib) NltestCheckRequest(types, flags []uint16, fn func([]Msg) ([]Msg, error)) func([]Msg) ([]Msg, error) {
	ts := make([]netlink.HeaderType, len(types))
	for i, t := range types {
		ts[i] = netlink.HeaderType(t)
	}
	fs := make([]netlink.HeaderFlags, len(flags))
	for i, f := range flags {
		fs[i] = netlink.HeaderFlags(f)
	}
	check := nltest.CheckRequest(ts, fs, func(req []netlink.Message) ([]netlink.Message, error) {
		out, err := fn(mdlayherFromMsgs(req))
		return mdlayherMsgs(out), err
	})
	return func(req []Msg) ([]Msg, error) {
		out, err := check(mdlayherMsgs(req))
		return mdlayherFromMsgs(out), err
	}
}

func (mdlayherLib) NltestMustMarshalAttributes(attrs []Attr) []byte {
	return nltest.MustMarshalAttributes(mdlayherAttrs(attrs))
}

func (mdlayherLib) Dial(family int, cfg Cfg) (Conn, error) {
	c := &netlink.Config{Groups: cfg.Groups, NetNS: cfg.NetNS, PID: cfg.PID, Strict: cfg.Strict,
		MessageBufferSize: cfg.MessageBufferSize, DisableNSLockThread: cfg.DisableNSLockThread}
	mdlayherConfigure(c)
	nc, err := netlink.Dial(family, c)
	if err != nil {
		return nil, err
	}
	return mdlayherConn{nc}, nil
}

type mdlayherConn struct{ c *netlink.Conn }

func (c mdlayherConn) Send(m Msg) (Msg, error) {
	out, err := c.c.Send(mdlayherMsg(m))
	return mdlayherFromMsg(out), err
}

func (c mdlayherConn) SendMessages(msgs []Msg) ([]Msg, error) {
	out, err := c.c.SendMessages(mdlayherMsgs(msgs))
	return mdlayherFromMsgs(out), err
}

func (c mdlayherConn) Receive() ([]Msg, error) {
	out, err := c.c.Receive()
	return mdlayherFromMsgs(out), err
}

func (c mdlayherConn) ReceiveIter() ([]Msg, error) {
	var out []Msg
	for m, err := range c.c.ReceiveIter() {
		if err != nil {
			return out, err
		}
		out = append(out, mdlayherFromMsg(m))
	}
	return out, nil
}

func (c mdlayherConn) ReceiveIterFirst(n int) ([]Msg, error) {
	var out []Msg
	for m, err := range c.c.ReceiveIter() {
		if err != nil {
			return out, err
		}
		out = append(out, mdlayherFromMsg(m))
		if len(out) == n {
			break
		}
	}
	return out, nil
}

func (c mdlayherConn) Execute(m Msg) ([]Msg, error) {
	out, err := c.c.Execute(mdlayherMsg(m))
	return mdlayherFromMsgs(out), err
}

func (c mdlayherConn) Close() error                          { return c.c.Close() }
func (c mdlayherConn) PID() uint32                           { return c.c.PID() }
func (c mdlayherConn) JoinGroup(g uint32) error              { return c.c.JoinGroup(g) }
func (c mdlayherConn) LeaveGroup(g uint32) error             { return c.c.LeaveGroup(g) }
func (c mdlayherConn) SetBPF(p []bpf.RawInstruction) error   { return c.c.SetBPF(p) }
func (c mdlayherConn) RemoveBPF() error                      { return c.c.RemoveBPF() }
func (c mdlayherConn) SetReadBuffer(n int) error             { return c.c.SetReadBuffer(n) }
func (c mdlayherConn) SetWriteBuffer(n int) error            { return c.c.SetWriteBuffer(n) }
func (c mdlayherConn) ReadBuffer() (int, error)              { return c.c.ReadBuffer() }
func (c mdlayherConn) WriteBuffer() (int, error)             { return c.c.WriteBuffer() }
func (c mdlayherConn) SetDeadline(t time.Time) error         { return c.c.SetDeadline(t) }
func (c mdlayherConn) SetReadDeadline(t time.Time) error     { return c.c.SetReadDeadline(t) }
func (c mdlayherConn) SetWriteDeadline(t time.Time) error    { return c.c.SetWriteDeadline(t) }
func (c mdlayherConn) SyscallConn() (syscall.RawConn, error) { return c.c.SyscallConn() }

func (c mdlayherConn) SetOption(o int, on bool) error {
	return c.c.SetOption(netlink.ConnOption(o), on)
}

type mdlayherEncoder struct{ ae *netlink.AttributeEncoder }

func (e mdlayherEncoder) Uint8(t uint16, v uint8)                { e.ae.Uint8(t, v) }
func (e mdlayherEncoder) Uint16(t uint16, v uint16)              { e.ae.Uint16(t, v) }
func (e mdlayherEncoder) Uint32(t uint16, v uint32)              { e.ae.Uint32(t, v) }
func (e mdlayherEncoder) Uint64(t uint16, v uint64)              { e.ae.Uint64(t, v) }
func (e mdlayherEncoder) Int8(t uint16, v int8)                  { e.ae.Int8(t, v) }
func (e mdlayherEncoder) Int16(t uint16, v int16)                { e.ae.Int16(t, v) }
func (e mdlayherEncoder) Int32(t uint16, v int32)                { e.ae.Int32(t, v) }
func (e mdlayherEncoder) Int64(t uint16, v int64)                { e.ae.Int64(t, v) }
func (e mdlayherEncoder) Flag(t uint16, v bool)                  { e.ae.Flag(t, v) }
func (e mdlayherEncoder) String(t uint16, v string)              { e.ae.String(t, v) }
func (e mdlayherEncoder) Bytes(t uint16, v []byte)               { e.ae.Bytes(t, v) }
func (e mdlayherEncoder) Do(t uint16, fn func() ([]byte, error)) { e.ae.Do(t, fn) }

func (e mdlayherEncoder) Nested(t uint16, fn func(Encoder) error) {
	e.ae.Nested(t, func(nae *netlink.AttributeEncoder) error { return fn(mdlayherEncoder{nae}) })
}

type mdlayherDecoder struct{ ad *netlink.AttributeDecoder }

func (d mdlayherDecoder) Next() bool               { return d.ad.Next() }
func (d mdlayherDecoder) Type() uint16             { return d.ad.Type() }
func (d mdlayherDecoder) TypeFlags() uint16        { return d.ad.TypeFlags() }
func (d mdlayherDecoder) Len() int                 { return d.ad.Len() }
func (d mdlayherDecoder) Bytes() []byte            { return d.ad.Bytes() }
func (d mdlayherDecoder) String() string           { return d.ad.String() }
func (d mdlayherDecoder) Uint8() uint8             { return d.ad.Uint8() }
func (d mdlayherDecoder) Uint16() uint16           { return d.ad.Uint16() }
func (d mdlayherDecoder) Uint32() uint32           { return d.ad.Uint32() }
func (d mdlayherDecoder) Uint64() uint64           { return d.ad.Uint64() }
func (d mdlayherDecoder) Int8() int8               { return d.ad.Int8() }
func (d mdlayherDecoder) Int16() int16             { return d.ad.Int16() }
func (d mdlayherDecoder) Int32() int32             { return d.ad.Int32() }
func (d mdlayherDecoder) Int64() int64             { return d.ad.Int64() }
func (d mdlayherDecoder) Flag() bool               { return d.ad.Flag() }
func (d mdlayherDecoder) Err() error               { return d.ad.Err() }
func (d mdlayherDecoder) Do(fn func([]byte) error) { d.ad.Do(fn) }

func (d mdlayherDecoder) Nested(fn func(Decoder) error) {
	d.ad.Nested(func(nad *netlink.AttributeDecoder) error { return fn(mdlayherDecoder{nad}) })
}

func mdlayherMsg(m Msg) netlink.Message {
	return netlink.Message{Header: netlink.Header{Length: m.Header.Length, Type: netlink.HeaderType(m.Header.Type),
		Flags: netlink.HeaderFlags(m.Header.Flags), Sequence: m.Header.Sequence, PID: m.Header.PID}, Data: m.Data}
}

func mdlayherFromMsg(m netlink.Message) Msg {
	return Msg{Header: Hdr{Length: m.Header.Length, Type: uint16(m.Header.Type), Flags: uint16(m.Header.Flags),
		Sequence: m.Header.Sequence, PID: m.Header.PID}, Data: m.Data}
}

func mdlayherMsgs(msgs []Msg) []netlink.Message {
	if msgs == nil {
		return nil
	}
	out := make([]netlink.Message, len(msgs))
	for i, m := range msgs {
		out[i] = mdlayherMsg(m)
	}
	return out
}

func mdlayherFromMsgs(msgs []netlink.Message) []Msg {
	if msgs == nil {
		return nil
	}
	out := make([]Msg, len(msgs))
	for i, m := range msgs {
		out[i] = mdlayherFromMsg(m)
	}
	return out
}

func mdlayherAttrs(attrs []Attr) []netlink.Attribute {
	if attrs == nil {
		return nil
	}
	out := make([]netlink.Attribute, len(attrs))
	for i, a := range attrs {
		out[i] = netlink.Attribute{Length: a.Length, Type: a.Type, Data: a.Data}
	}
	return out
}

func mdlayherFromAttrs(attrs []netlink.Attribute) []Attr {
	if attrs == nil {
		return nil
	}
	out := make([]Attr, len(attrs))
	for i, a := range attrs {
		out[i] = Attr{Length: a.Length, Type: a.Type, Data: a.Data}
	}
	return out
}
