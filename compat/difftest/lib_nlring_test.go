// Code kept in step with lib_mdlayher_test.go: the two files differ only in
// the library's name (TestAdaptersInStep checks it).

//lint:file-ignore SA1019 deprecated API is part of what the libraries must agree on

package difftest

import (
	"encoding/binary"
	"errors"
	"syscall"
	"time"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/nlenc"
	"github.com/nlring/netlink/nltest"
	"golang.org/x/net/bpf"
)

const nlringName = "nlring"

// nlringLib runs the cases against github.com/nlring/netlink.
type nlringLib struct{}

func (nlringLib) Name() string { return nlringName }

func (nlringLib) HeaderTypeString(t uint16) string  { return netlink.HeaderType(t).String() }
func (nlringLib) HeaderFlagsString(f uint16) string { return netlink.HeaderFlags(f).String() }
func (nlringLib) IsNotExist(err error) bool         { return netlink.IsNotExist(err) }
func (nlringLib) Validate(req Msg, replies []Msg) error {
	return netlink.Validate(nlringMsg(req), nlringMsgs(replies))
}

func (nlringLib) MarshalMessage(m Msg) ([]byte, error) { return nlringMsg(m).MarshalBinary() }

func (nlringLib) UnmarshalMessage(b []byte) (Msg, error) {
	var m netlink.Message
	err := m.UnmarshalBinary(b)
	return nlringFromMsg(m), err
}

func (nlringLib) MarshalAttributes(attrs []Attr) ([]byte, error) {
	return netlink.MarshalAttributes(nlringAttrs(attrs))
}

func (nlringLib) UnmarshalAttributes(b []byte) ([]Attr, error) {
	attrs, err := netlink.UnmarshalAttributes(b)
	return nlringFromAttrs(attrs), err
}

func (nlringLib) Encode(bigEndian bool, fn func(Encoder)) ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	if bigEndian {
		ae.ByteOrder = binary.BigEndian
	}
	fn(nlringEncoder{ae})
	return ae.Encode()
}

func (nlringLib) Decode(b []byte, bigEndian bool, fn func(Decoder)) error {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return err
	}
	if bigEndian {
		ad.ByteOrder = binary.BigEndian
	}
	fn(nlringDecoder{ad})
	return ad.Err()
}

func (nlringLib) OpError(err error) *OpErr {
	var oe *netlink.OpError
	if !errors.As(err, &oe) {
		return nil
	}
	return &OpErr{Op: oe.Op, Err: oe.Err, Message: oe.Message, Offset: oe.Offset, Sequence: oe.Sequence,
		Timeout: oe.Timeout(), Temporary: oe.Temporary()}
}

func (nlringLib) Nlenc(kind string, b []byte, v uint64) (put []byte, get uint64, alloc []byte) {
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

func (nlringLib) NlencString(b []byte) string { return nlenc.String(b) }
func (nlringLib) NlencBytes(s string) []byte  { return nlenc.Bytes(s) }

func (nlringLib) NltestDial(fn func([]Msg) ([]Msg, error)) Conn {
	return nlringConn{nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		out, err := fn(nlringFromMsgs(req))
		return nlringMsgs(out), err
	})}
}

func (nlringLib) NltestError(n int, reqs []Msg) ([]Msg, error) {
	out, err := nltest.Error(n, nlringMsgs(reqs))
	return nlringFromMsgs(out), err
}

func (nlringLib) NltestMultipart(msgs []Msg) ([]Msg, error) {
	out, err := nltest.Multipart(nlringMsgs(msgs))
	return nlringFromMsgs(out), err
}

func (nlringLib) NltestCheckRequest(types, flags []uint16, fn func([]Msg) ([]Msg, error)) func([]Msg) ([]Msg, error) {
	ts := make([]netlink.HeaderType, len(types))
	for i, t := range types {
		ts[i] = netlink.HeaderType(t)
	}
	fs := make([]netlink.HeaderFlags, len(flags))
	for i, f := range flags {
		fs[i] = netlink.HeaderFlags(f)
	}
	check := nltest.CheckRequest(ts, fs, func(req []netlink.Message) ([]netlink.Message, error) {
		out, err := fn(nlringFromMsgs(req))
		return nlringMsgs(out), err
	})
	return func(req []Msg) ([]Msg, error) {
		out, err := check(nlringMsgs(req))
		return nlringFromMsgs(out), err
	}
}

func (nlringLib) NltestMustMarshalAttributes(attrs []Attr) []byte {
	return nltest.MustMarshalAttributes(nlringAttrs(attrs))
}

func (nlringLib) Dial(family int, cfg Cfg) (Conn, error) {
	c := &netlink.Config{Groups: cfg.Groups, NetNS: cfg.NetNS, PID: cfg.PID, Strict: cfg.Strict,
		MessageBufferSize: cfg.MessageBufferSize, DisableNSLockThread: cfg.DisableNSLockThread}
	nlringConfigure(c)
	nc, err := netlink.Dial(family, c)
	if err != nil {
		return nil, err
	}
	return nlringConn{nc}, nil
}

type nlringConn struct{ c *netlink.Conn }

func (c nlringConn) Send(m Msg) (Msg, error) {
	out, err := c.c.Send(nlringMsg(m))
	return nlringFromMsg(out), err
}

func (c nlringConn) SendMessages(msgs []Msg) ([]Msg, error) {
	out, err := c.c.SendMessages(nlringMsgs(msgs))
	return nlringFromMsgs(out), err
}

func (c nlringConn) Receive() ([]Msg, error) {
	out, err := c.c.Receive()
	return nlringFromMsgs(out), err
}

func (c nlringConn) ReceiveIter() ([]Msg, error) {
	var out []Msg
	for m, err := range c.c.ReceiveIter() {
		if err != nil {
			return out, err
		}
		out = append(out, nlringFromMsg(m))
	}
	return out, nil
}

func (c nlringConn) ReceiveIterFirst(n int) ([]Msg, error) {
	var out []Msg
	for m, err := range c.c.ReceiveIter() {
		if err != nil {
			return out, err
		}
		out = append(out, nlringFromMsg(m))
		if len(out) == n {
			break
		}
	}
	return out, nil
}

func (c nlringConn) Execute(m Msg) ([]Msg, error) {
	out, err := c.c.Execute(nlringMsg(m))
	return nlringFromMsgs(out), err
}

func (c nlringConn) Close() error                          { return c.c.Close() }
func (c nlringConn) PID() uint32                           { return c.c.PID() }
func (c nlringConn) JoinGroup(g uint32) error              { return c.c.JoinGroup(g) }
func (c nlringConn) LeaveGroup(g uint32) error             { return c.c.LeaveGroup(g) }
func (c nlringConn) SetBPF(p []bpf.RawInstruction) error   { return c.c.SetBPF(p) }
func (c nlringConn) RemoveBPF() error                      { return c.c.RemoveBPF() }
func (c nlringConn) SetReadBuffer(n int) error             { return c.c.SetReadBuffer(n) }
func (c nlringConn) SetWriteBuffer(n int) error            { return c.c.SetWriteBuffer(n) }
func (c nlringConn) ReadBuffer() (int, error)              { return c.c.ReadBuffer() }
func (c nlringConn) WriteBuffer() (int, error)             { return c.c.WriteBuffer() }
func (c nlringConn) SetDeadline(t time.Time) error         { return c.c.SetDeadline(t) }
func (c nlringConn) SetReadDeadline(t time.Time) error     { return c.c.SetReadDeadline(t) }
func (c nlringConn) SetWriteDeadline(t time.Time) error    { return c.c.SetWriteDeadline(t) }
func (c nlringConn) SyscallConn() (syscall.RawConn, error) { return c.c.SyscallConn() }

func (c nlringConn) SetOption(o int, on bool) error {
	return c.c.SetOption(netlink.ConnOption(o), on)
}

type nlringEncoder struct{ ae *netlink.AttributeEncoder }

func (e nlringEncoder) Uint8(t uint16, v uint8)                { e.ae.Uint8(t, v) }
func (e nlringEncoder) Uint16(t uint16, v uint16)              { e.ae.Uint16(t, v) }
func (e nlringEncoder) Uint32(t uint16, v uint32)              { e.ae.Uint32(t, v) }
func (e nlringEncoder) Uint64(t uint16, v uint64)              { e.ae.Uint64(t, v) }
func (e nlringEncoder) Int8(t uint16, v int8)                  { e.ae.Int8(t, v) }
func (e nlringEncoder) Int16(t uint16, v int16)                { e.ae.Int16(t, v) }
func (e nlringEncoder) Int32(t uint16, v int32)                { e.ae.Int32(t, v) }
func (e nlringEncoder) Int64(t uint16, v int64)                { e.ae.Int64(t, v) }
func (e nlringEncoder) Flag(t uint16, v bool)                  { e.ae.Flag(t, v) }
func (e nlringEncoder) String(t uint16, v string)              { e.ae.String(t, v) }
func (e nlringEncoder) Bytes(t uint16, v []byte)               { e.ae.Bytes(t, v) }
func (e nlringEncoder) Do(t uint16, fn func() ([]byte, error)) { e.ae.Do(t, fn) }

func (e nlringEncoder) Nested(t uint16, fn func(Encoder) error) {
	e.ae.Nested(t, func(nae *netlink.AttributeEncoder) error { return fn(nlringEncoder{nae}) })
}

type nlringDecoder struct{ ad *netlink.AttributeDecoder }

func (d nlringDecoder) Next() bool               { return d.ad.Next() }
func (d nlringDecoder) Type() uint16             { return d.ad.Type() }
func (d nlringDecoder) TypeFlags() uint16        { return d.ad.TypeFlags() }
func (d nlringDecoder) Len() int                 { return d.ad.Len() }
func (d nlringDecoder) Bytes() []byte            { return d.ad.Bytes() }
func (d nlringDecoder) String() string           { return d.ad.String() }
func (d nlringDecoder) Uint8() uint8             { return d.ad.Uint8() }
func (d nlringDecoder) Uint16() uint16           { return d.ad.Uint16() }
func (d nlringDecoder) Uint32() uint32           { return d.ad.Uint32() }
func (d nlringDecoder) Uint64() uint64           { return d.ad.Uint64() }
func (d nlringDecoder) Int8() int8               { return d.ad.Int8() }
func (d nlringDecoder) Int16() int16             { return d.ad.Int16() }
func (d nlringDecoder) Int32() int32             { return d.ad.Int32() }
func (d nlringDecoder) Int64() int64             { return d.ad.Int64() }
func (d nlringDecoder) Flag() bool               { return d.ad.Flag() }
func (d nlringDecoder) Err() error               { return d.ad.Err() }
func (d nlringDecoder) Do(fn func([]byte) error) { d.ad.Do(fn) }

func (d nlringDecoder) Nested(fn func(Decoder) error) {
	d.ad.Nested(func(nad *netlink.AttributeDecoder) error { return fn(nlringDecoder{nad}) })
}

func nlringMsg(m Msg) netlink.Message {
	return netlink.Message{Header: netlink.Header{Length: m.Header.Length, Type: netlink.HeaderType(m.Header.Type),
		Flags: netlink.HeaderFlags(m.Header.Flags), Sequence: m.Header.Sequence, PID: m.Header.PID}, Data: m.Data}
}

func nlringFromMsg(m netlink.Message) Msg {
	return Msg{Header: Hdr{Length: m.Header.Length, Type: uint16(m.Header.Type), Flags: uint16(m.Header.Flags),
		Sequence: m.Header.Sequence, PID: m.Header.PID}, Data: m.Data}
}

func nlringMsgs(msgs []Msg) []netlink.Message {
	if msgs == nil {
		return nil
	}
	out := make([]netlink.Message, len(msgs))
	for i, m := range msgs {
		out[i] = nlringMsg(m)
	}
	return out
}

func nlringFromMsgs(msgs []netlink.Message) []Msg {
	if msgs == nil {
		return nil
	}
	out := make([]Msg, len(msgs))
	for i, m := range msgs {
		out[i] = nlringFromMsg(m)
	}
	return out
}

func nlringAttrs(attrs []Attr) []netlink.Attribute {
	if attrs == nil {
		return nil
	}
	out := make([]netlink.Attribute, len(attrs))
	for i, a := range attrs {
		out[i] = netlink.Attribute{Length: a.Length, Type: a.Type, Data: a.Data}
	}
	return out
}

func nlringFromAttrs(attrs []netlink.Attribute) []Attr {
	if attrs == nil {
		return nil
	}
	out := make([]Attr, len(attrs))
	for i, a := range attrs {
		out[i] = Attr{Length: a.Length, Type: a.Type, Data: a.Data}
	}
	return out
}
