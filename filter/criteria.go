package filter

import "golang.org/x/net/bpf"

// A Criterion is a test on the first netlink message of a datagram. Build
// one with the functions of this package and combine them with And, Or and
// Not.
type Criterion interface {
	// compile emits code that jumps to t when the message matches and to
	// f when it does not. Registers A and X are free on entry.
	compile(b *builder, t, f label)
}

type and []Criterion

// And matches messages that match every one of cs. And() matches everything.
func And(cs ...Criterion) Criterion { return and(cs) }

func (cs and) compile(b *builder, t, f label) {
	if len(cs) == 0 {
		b.jump(t)
		return
	}
	for _, c := range cs[:len(cs)-1] {
		next := b.newLabel()
		c.compile(b, next, f)
		b.place(next)
	}
	cs[len(cs)-1].compile(b, t, f)
}

type or []Criterion

// Or matches messages that match any of cs. Or() matches nothing.
func Or(cs ...Criterion) Criterion { return or(cs) }

func (cs or) compile(b *builder, t, f label) {
	if len(cs) == 0 {
		b.jump(f)
		return
	}
	for _, c := range cs[:len(cs)-1] {
		next := b.newLabel()
		c.compile(b, t, next)
		b.place(next)
	}
	cs[len(cs)-1].compile(b, t, f)
}

type not struct{ c Criterion }

// Not matches messages that c does not match.
func Not(c Criterion) Criterion { return not{c} }

func (n not) compile(b *builder, t, f label) { n.c.compile(b, f, t) }

// inSet emits a test of register A against vals, already encoded as a load
// reads them: it jumps to t if A equals one of them, to f otherwise.
func (b *builder) inSet(vals []uint32, t, f label) {
	if len(vals) == 0 {
		b.jump(f)
		return
	}
	for i, v := range vals {
		if i == len(vals)-1 {
			b.jumpIf(bpf.JumpEqual, v, t, f)
			return
		}
		next := b.newLabel()
		b.jumpIf(bpf.JumpEqual, v, t, next)
		b.place(next)
	}
}

type messageType []uint16

// MessageType matches messages whose nlmsg_type is one of types. Control
// messages (types below 16) are always kept and need not be listed.
func MessageType(types ...uint16) Criterion { return messageType(types) }

func (ts messageType) compile(b *builder, t, f label) {
	b.emit(bpf.LoadAbsolute{Off: offType, Size: 2})
	vals := make([]uint32, len(ts))
	for i, v := range ts {
		vals[i] = loaded16(b.order, v)
	}
	b.inSet(vals, t, f)
}

// field matches a host-endian field at a fixed offset in the message.
type field struct {
	off  uint32
	size int // 1, 2 or 4
	vals []uint32
}

func (fd field) compile(b *builder, t, f label) {
	b.emit(bpf.LoadAbsolute{Off: fd.off, Size: fd.size})
	b.inSet(encode(b, fd.size, true, fd.vals), t, f)
}

// encode turns values of the given size into what a load of that size
// reads when they are stored in host order (host) or in network order.
func encode(b *builder, size int, host bool, vals []uint32) []uint32 {
	out := make([]uint32, len(vals))
	for i, v := range vals {
		switch {
		case !host || size == 1:
			out[i] = v
		case size == 2:
			out[i] = loaded16(b.order, uint16(v))
		default:
			out[i] = loaded32(b.order, v)
		}
	}
	return out
}
