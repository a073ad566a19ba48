package filter

import (
	"fmt"

	"github.com/nlring/netlink/internal/unix"
	"golang.org/x/net/bpf"
)

// Attr locates an attribute in a message, for criteria on its value.
//
// The search uses the kernel's SKF_AD_NLATTR ancillary load (and
// SKF_AD_NLATTR_NEST for each further element of Path), which compares
// types without the NLA_F_NESTED and NLA_F_NET_BYTEORDER flags. An Attr
// knows nothing of message types: combine it with MessageType (as
// RouteTable does) so that it is not applied to messages of another layout.
type Attr struct {
	// HeaderLen is the length of the family header between the netlink
	// header and the attributes: 16 for ifinfomsg, 12 for rtmsg, 8 for
	// ifaddrmsg, 4 for nfgenmsg and genlmsghdr (plus a generic family's own
	// header). It is rounded up to a multiple of 4, as the kernel does.
	HeaderLen int
	// Path holds the attribute type, preceded by the types of the
	// attributes it is nested in, outermost first.
	Path []uint16
}

// Present matches messages that carry the attribute.
func (a Attr) Present() Criterion { return attrMatch{attr: a} }

// U8 matches messages whose attribute is a u8 equal to one of vals.
func (a Attr) U8(vals ...uint8) Criterion { return attrMatch{a, 1, true, widen(vals)} }

// U16 matches messages whose attribute is a host-endian u16 equal to one of
// vals.
func (a Attr) U16(vals ...uint16) Criterion { return attrMatch{a, 2, true, widen(vals)} }

// U32 matches messages whose attribute is a host-endian u32 equal to one of
// vals.
func (a Attr) U32(vals ...uint32) Criterion { return attrMatch{a, 4, true, vals} }

// BE16 matches messages whose attribute is a big-endian (network order)
// u16 equal to one of vals, as ctnetlink's CTA_ZONE.
func (a Attr) BE16(vals ...uint16) Criterion { return attrMatch{a, 2, false, widen(vals)} }

// BE32 matches messages whose attribute is a big-endian (network order)
// u32 equal to one of vals.
func (a Attr) BE32(vals ...uint32) Criterion { return attrMatch{a, 4, false, vals} }

// Bytes matches messages whose attribute's payload is exactly v (its
// length, without padding, included). For a string attribute, include the
// terminating NUL the kernel puts in it.
func (a Attr) Bytes(v []byte) Criterion { return attrBytes{a, append([]byte(nil), v...)} }

func widen[T uint8 | uint16](vals []T) []uint32 {
	out := make([]uint32, len(vals))
	for i, v := range vals {
		out[i] = uint32(v)
	}
	return out
}

// find emits the search for a's attribute. It jumps to f if there is none,
// and otherwise falls through with the attribute's offset in X.
func (a Attr) find(b *builder, f label) {
	if a.HeaderLen < 0 || a.HeaderLen > 1<<16 {
		b.fail(fmt.Errorf("filter: Attr.HeaderLen %d out of range", a.HeaderLen))
		return
	}
	if len(a.Path) == 0 {
		b.fail(fmt.Errorf("filter: Attr.Path is empty"))
		return
	}
	start := uint32(nlmsgHdrLen + (a.HeaderLen+unix.NLA_ALIGNTO-1)&^(unix.NLA_ALIGNTO-1))
	b.emit(bpf.LoadConstant{Dst: bpf.RegA, Val: start})
	for i, typ := range a.Path {
		if typ&(unix.NLA_F_NESTED|unix.NLA_F_NET_BYTEORDER) != 0 {
			b.fail(fmt.Errorf("filter: attribute type %#x carries flag bits; give the type alone", typ))
			return
		}
		ext := bpf.ExtNetlinkAttr
		if i > 0 {
			// A holds the offset of the enclosing attribute.
			ext = bpf.ExtNetlinkAttrNested
		}
		next := b.newLabel()
		b.emit(
			bpf.LoadConstant{Dst: bpf.RegX, Val: uint32(typ)},
			bpf.LoadExtension{Num: ext},
		)
		// The ancillary loads return 0 when there is no such attribute:
		// offset 0 is the netlink header, never an attribute.
		b.jumpIf(bpf.JumpEqual, 0, f, next)
		b.place(next)
	}
	b.emit(bpf.TAX{})
}

// checkLen emits a test that the attribute at X has a payload of n bytes,
// jumping to f if not.
func (b *builder) checkLen(n int, f label) {
	next := b.newLabel()
	b.emit(bpf.LoadIndirect{Off: 0, Size: 2}) // nla_len, host order
	b.jumpIf(bpf.JumpEqual, loaded16(b.order, uint16(unix.NLA_HDRLEN+n)), next, f)
	b.place(next)
}

type attrMatch struct {
	attr Attr
	size int // 0: presence only
	host bool
	vals []uint32
}

func (m attrMatch) compile(b *builder, t, f label) {
	m.attr.find(b, f)
	if m.size == 0 {
		b.jump(t)
		return
	}
	b.checkLen(m.size, f)
	b.emit(bpf.LoadIndirect{Off: unix.NLA_HDRLEN, Size: m.size})
	b.inSet(encode(b, m.size, m.host, m.vals), t, f)
}

type attrBytes struct {
	attr Attr
	v    []byte
}

func (m attrBytes) compile(b *builder, t, f label) {
	m.attr.find(b, f)
	b.checkLen(len(m.v), f)
	// Compare in words, then a half-word and a byte for the tail. Loads
	// read bytes in order, big-endian, so the constants are too.
	for off := 0; off < len(m.v); {
		size := 4
		for off+size > len(m.v) {
			size /= 2
		}
		var want uint32
		for _, c := range m.v[off : off+size] {
			want = want<<8 | uint32(c)
		}
		next := b.newLabel()
		b.emit(bpf.LoadIndirect{Off: uint32(unix.NLA_HDRLEN + off), Size: size})
		b.jumpIf(bpf.JumpEqual, want, next, f)
		b.place(next)
		off += size
	}
	b.jump(t)
}
