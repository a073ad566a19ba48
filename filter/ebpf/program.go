package ebpf

import (
	"fmt"

	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"
)

// Registers the program keeps across helper calls (R6–R9 are callee-saved).
const (
	rCtx   = asm.R6 // the socket buffer
	rMsg   = asm.R7 // offset of the current message
	rMsgs  = asm.R8 // messages left to look at
	rAttrs = asm.R9 // attributes left to walk
)

// Stack slots, as offsets from the frame pointer R10.
const (
	stHdr     = -16 // a copy of the current nlmsghdr
	stLen     = stHdr + 0
	stType    = stHdr + 4
	stFlags   = stHdr + 6
	stPID     = stHdr + 12
	stKey     = -24 // u32 map key
	stMatch   = -28 // Match of the current message's type
	stMsgEnd  = -32 // offset just past the current message
	stAttrHdr = -36 // a copy of the current nlattr header
	stValue   = -40 // an attribute's value
	stAttrOff = -44 // offset of the current attribute
	stAttrEnd = -48 // offset just past the attributes being walked
)

// Counter indexes in the counters map.
const (
	counterMatched = iota
	counterDropped
	counterExempt
	numCounters
)

// fds are the maps a program reads.
type fds struct {
	types, tables, interfaces, zones, attrs, counters int
}

// gen accumulates a program. Labels are strings in cilium/ebpf's asm; gen
// makes them unique.
type gen struct {
	insns asm.Instructions
	n     int
}

func (g *gen) emit(ins ...asm.Instruction) { g.insns = append(g.insns, ins...) }

func (g *gen) label(name string) string {
	g.n++
	return fmt.Sprintf("%s_%d", name, g.n)
}

// place binds l to the next instruction. A no-op jump ("ja +0") carries
// the label, so that labels can be placed anywhere, even twice in a row.
func (g *gen) place(l string) {
	nop := asm.Instruction{OpCode: asm.OpCode(asm.JumpClass).SetJumpOp(asm.Ja)}
	g.emit(nop.WithSymbol(l))
}

// program returns a socket filter program for a socket bound to portID.
//
// In outline:
//
//	for each message, at most MaxMessages:
//		if the message is exempt: count Exempt, keep
//		m, ok := types[nlmsg_type]; if !ok: next message
//		if m has MatchTable and RTA_TABLE is not in tables: next message
//		... likewise for MatchInterface, MatchZone and MatchAttr
//		count Matched, keep
//	count Dropped, drop
//
// key says where MatchAttr finds its value; with an empty Path, the
// program has no code for MatchAttr.
func program(portID uint32, key AttrKey, m fds) asm.Instructions {
	g := &gen{}
	keep, exempt := "keep", "exempt"
	loop, next, done := "msg_loop", "msg_next", "msg_done"

	g.emit(
		asm.Mov.Reg(rCtx, asm.R1),
		asm.Mov.Imm(rMsg, 0),
		asm.Mov.Imm(rMsgs, MaxMessages),
		// Datagrams too short for a netlink header are user space's
		// to report.
		asm.LoadMem(asm.R0, rCtx, 0, asm.Word), // skb->len
		asm.JLT.Imm(asm.R0, nlmsgHdrLen, exempt),
	)

	// The message loop.
	g.emit(
		asm.JEq.Imm(rMsgs, 0, done).WithSymbol(loop),
		asm.Sub.Imm(rMsgs, 1),
		asm.LoadMem(asm.R0, rCtx, 0, asm.Word),
		asm.Mov.Reg(asm.R1, rMsg),
		asm.Add.Imm(asm.R1, nlmsgHdrLen),
		asm.JGT.Reg(asm.R1, asm.R0, done),
	)
	g.loadBytes(rMsg, 0, stHdr, nlmsgHdrLen, done)
	g.emit(
		// Exempt: control messages, dump parts, replies to this socket.
		asm.LoadMem(asm.R1, asm.R10, stType, asm.Half),
		asm.JLT.Imm(asm.R1, unix.NLMSG_MIN_TYPE, exempt),
		asm.LoadMem(asm.R1, asm.R10, stFlags, asm.Half),
		asm.JSet.Imm(asm.R1, unix.NLM_F_MULTI, exempt),
		asm.LoadMem(asm.R1, asm.R10, stPID, asm.Word),
		asm.JEq.Imm32(asm.R1, int32(portID), exempt),

		// The message's end, for attribute walks.
		asm.LoadMem(asm.R1, asm.R10, stLen, asm.Word),
		asm.JLT.Imm(asm.R1, nlmsgHdrLen, done),
		asm.Add.Reg(asm.R1, rMsg),
		asm.StoreMem(asm.R10, stMsgEnd, asm.R1, asm.Word),

		// The criteria for the message's type.
		asm.LoadMem(asm.R1, asm.R10, stType, asm.Half),
		asm.StoreMem(asm.R10, stKey, asm.R1, asm.Word),
	)
	g.lookup(m.types, next)
	g.emit(
		asm.LoadMem(asm.R1, asm.R0, 0, asm.Word),
		asm.StoreMem(asm.R10, stMatch, asm.R1, asm.Word),
	)
	g.table(m.tables, next)
	g.iface(m.interfaces, next)
	g.zone(m.zones, next)
	if len(key.Path) > 0 {
		g.attr(key, m.attrs, next)
	}
	g.emit(asm.Ja.Label(keep))

	// Next message: messages are padded to 4 bytes.
	g.emit(
		asm.LoadMem(asm.R1, asm.R10, stLen, asm.Word).WithSymbol(next),
		asm.Add.Imm(asm.R1, 3),
		asm.And.Imm(asm.R1, ^3),
		asm.Add.Reg(rMsg, asm.R1),
		asm.Ja.Label(loop),
	)

	g.place(done)
	g.count(m.counters, counterDropped)
	g.emit(asm.Mov.Imm(asm.R0, 0), asm.Return())

	g.place(exempt)
	g.count(m.counters, counterExempt)
	g.keep()

	g.place(keep)
	g.count(m.counters, counterMatched)
	g.keep()
	return g.insns
}

// keep returns the datagram's length: keep all of it.
func (g *gen) keep() {
	g.emit(asm.LoadMem(asm.R0, rCtx, 0, asm.Word), asm.Return())
}

// loadBytes copies size bytes of the datagram, from the offset in register
// off plus add, to the stack slot at st; it jumps to fail if they are not
// there. It clobbers R0–R5 (off may be one of them).
func (g *gen) loadBytes(off asm.Register, add int32, st int16, size int32, fail string) {
	g.emit(
		asm.Mov.Reg(asm.R2, off),
		asm.Add.Imm(asm.R2, add),
		asm.Mov.Reg(asm.R1, rCtx),
		asm.Mov.Reg(asm.R3, asm.R10),
		asm.Add.Imm(asm.R3, int32(st)),
		asm.Mov.Imm(asm.R4, size),
		asm.FnSkbLoadBytes.Call(),
		asm.JNE.Imm(asm.R0, 0, fail),
	)
}

// lookup looks the u32 at stKey up in the map fd, jumping to missing if it
// is absent; R0 points to the value otherwise.
func (g *gen) lookup(fd int, missing string) {
	g.emit(
		asm.LoadMapPtr(asm.R1, fd),
		asm.Mov.Reg(asm.R2, asm.R10),
		asm.Add.Imm(asm.R2, stKey),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, missing),
	)
}

// count adds one to a counter.
func (g *gen) count(fd int, counter int64) {
	skip := g.label("counted")
	g.emit(asm.StoreImm(asm.R10, stKey, counter, asm.Word))
	g.lookup(fd, skip)
	g.emit(
		asm.Mov.Imm(asm.R1, 1),
		// Atomic: a filter can run on the same CPU in process context and,
		// preempted, again from another task.
		asm.AddAtomic.Mem(asm.R0, asm.R1, asm.DWord, 0),
	)
	g.place(skip)
}

// whenMatch skips the code emitted by body unless the current type's Match
// has bit.
func (g *gen) whenMatch(bit Match, body func()) {
	has, skip := g.label("has"), g.label("skip")
	g.emit(
		asm.LoadMem(asm.R1, asm.R10, stMatch, asm.Word),
		asm.JSet.Imm(asm.R1, int32(bit), has),
		asm.Ja.Label(skip),
	)
	g.place(has)
	body()
	g.place(skip)
}

// typeIn jumps to yes if the current message's type is one of types, to no
// otherwise.
func (g *gen) typeIn(types []uint16, yes, no string) {
	g.emit(asm.LoadMem(asm.R1, asm.R10, stType, asm.Half))
	for _, t := range types {
		g.emit(asm.JEq.Imm(asm.R1, int32(t), yes))
	}
	g.emit(asm.Ja.Label(no))
}

// table checks MatchTable: RTA_TABLE of a route message in tables.
func (g *gen) table(tables int, fail string) {
	g.whenMatch(MatchTable, func() {
		route := g.label("route")
		g.typeIn(routeTypes, route, fail)
		g.place(route)
		g.findAttr(rtmsgLen, []uint16{unix.RTA_TABLE}, 4, fail)
		g.valueIn(tables, fail)
	})
}

// iface checks MatchInterface.
func (g *gen) iface(ifaces int, fail string) {
	g.whenMatch(MatchInterface, func() {
		fixed, other, route, check := g.label("fixed"), g.label("other"), g.label("oif"), g.label("check")
		g.typeIn(ifindexTypes, fixed, other)
		g.place(fixed)
		g.loadBytes(rMsg, nlmsgHdrLen+offIfindex, stValue, 4, fail)
		g.emit(asm.Ja.Label(check))
		g.place(other)
		g.typeIn(routeTypes, route, fail)
		g.place(route)
		g.findAttr(rtmsgLen, []uint16{unix.RTA_OIF}, 4, fail)
		g.place(check)
		g.valueIn(ifaces, fail)
	})
}

// zone checks MatchZone. CTA_ZONE is big-endian; absent, the zone is 0.
func (g *gen) zone(zones int, fail string) {
	g.whenMatch(MatchZone, func() {
		ct, absent, check := g.label("ct"), g.label("default_zone"), g.label("check")
		g.typeIn(ctTypes, ct, fail)
		g.place(ct)
		g.findAttr(nfgenmsgLen, []uint16{ctaZone}, 2, absent)
		g.widen(2, true)
		g.emit(asm.Ja.Label(check))
		g.place(absent)
		g.emit(asm.StoreImm(asm.R10, stValue, 0, asm.Word))
		g.place(check)
		g.valueIn(zones, fail)
	})
}

// attr checks MatchAttr: the attribute key describes in the set attrs.
func (g *gen) attr(key AttrKey, attrs int, fail string) {
	g.whenMatch(MatchAttr, func() {
		g.findAttr(int32(key.HeaderLen), key.Path, int32(key.Size), fail)
		g.widen(key.Size, key.BigEndian)
		g.valueIn(attrs, fail)
	})
}

// widen turns the size-byte value findAttr left at stValue into a
// host-endian u32 there, the form of the sets' keys.
func (g *gen) widen(size int, bigEndian bool) {
	sizes := map[int]asm.Size{1: asm.Byte, 2: asm.Half, 4: asm.Word}
	g.emit(asm.LoadMem(asm.R1, asm.R10, stValue, sizes[size]))
	if bigEndian && size > 1 {
		// Host to big-endian is a swap on little-endian hosts and
		// nothing on big-endian ones: its own inverse either way.
		g.emit(asm.HostTo(asm.BE, asm.R1, sizes[size]))
	}
	g.emit(asm.StoreMem(asm.R10, stValue, asm.R1, asm.Word))
}

// valueIn jumps to fail unless the u32 at stValue is in the set fd.
func (g *gen) valueIn(fd int, fail string) {
	g.emit(
		asm.LoadMem(asm.R1, asm.R10, stValue, asm.Word),
		asm.StoreMem(asm.R10, stKey, asm.R1, asm.Word),
	)
	g.lookup(fd, fail)
}

// findAttr finds an attribute in the current message, whose attributes
// follow a family header of hdrLen bytes: path[0] among them, path[1] among
// the attributes nested in that one, and so on. If the last is there with
// a payload of exactly size bytes, findAttr copies the payload to stValue
// and falls through; otherwise it jumps to missing. Each level walks at
// most MaxAttributes attributes.
func (g *gen) findAttr(hdrLen int32, path []uint16, size int32, missing string) {
	g.emit(
		asm.Mov.Reg(asm.R1, rMsg),
		asm.Add.Imm(asm.R1, nlmsgHdrLen+(hdrLen+unix.NLA_ALIGNTO-1)&^(unix.NLA_ALIGNTO-1)),
		asm.StoreMem(asm.R10, stAttrOff, asm.R1, asm.Word),
		asm.LoadMem(asm.R1, asm.R10, stMsgEnd, asm.Word),
		asm.StoreMem(asm.R10, stAttrEnd, asm.R1, asm.Word),
	)
	for i, typ := range path {
		g.walk(typ, missing)
		// R1 holds the attribute's nla_len.
		if i < len(path)-1 {
			// Walk the nest's payload next.
			g.emit(
				asm.LoadMem(asm.R2, asm.R10, stAttrOff, asm.Word),
				asm.Mov.Reg(asm.R3, asm.R2),
				asm.Add.Reg(asm.R3, asm.R1),
				asm.StoreMem(asm.R10, stAttrEnd, asm.R3, asm.Word),
				asm.Add.Imm(asm.R2, unix.NLA_HDRLEN),
				asm.StoreMem(asm.R10, stAttrOff, asm.R2, asm.Word),
			)
		}
	}
	g.emit(
		asm.JNE.Imm(asm.R1, unix.NLA_HDRLEN+size, missing),
		asm.LoadMem(asm.R1, asm.R10, stAttrOff, asm.Word),
	)
	g.loadBytes(asm.R1, unix.NLA_HDRLEN, stValue, size, missing)
}

// walk walks the attributes from stAttrOff to stAttrEnd for the first of
// type typ. If there is one, it falls through with its offset at
// stAttrOff and its nla_len in R1; otherwise it jumps to missing.
func (g *gen) walk(typ uint16, missing string) {
	loop, found := g.label("attr_loop"), g.label("attr_found")
	g.emit(
		asm.Mov.Imm(rAttrs, MaxAttributes),
		asm.JEq.Imm(rAttrs, 0, missing).WithSymbol(loop),
		asm.Sub.Imm(rAttrs, 1),
		// The header must lie inside the attributes.
		asm.LoadMem(asm.R1, asm.R10, stAttrOff, asm.Word),
		asm.Add.Imm(asm.R1, unix.NLA_HDRLEN),
		asm.LoadMem(asm.R2, asm.R10, stAttrEnd, asm.Word),
		asm.JGT.Reg(asm.R1, asm.R2, missing),
		asm.LoadMem(asm.R1, asm.R10, stAttrOff, asm.Word),
	)
	g.loadBytes(asm.R1, 0, stAttrHdr, unix.NLA_HDRLEN, missing)
	g.emit(
		// nla_len, which must cover its header and stay inside.
		asm.LoadMem(asm.R1, asm.R10, stAttrHdr, asm.Half),
		asm.JLT.Imm(asm.R1, unix.NLA_HDRLEN, missing),
		asm.LoadMem(asm.R2, asm.R10, stAttrOff, asm.Word),
		asm.Add.Reg(asm.R2, asm.R1),
		asm.LoadMem(asm.R3, asm.R10, stAttrEnd, asm.Word),
		asm.JGT.Reg(asm.R2, asm.R3, missing),
		// nla_type without its flags.
		asm.LoadMem(asm.R2, asm.R10, stAttrHdr+2, asm.Half),
		asm.And.Imm(asm.R2, int32(nlaTypeMask)),
		asm.JEq.Imm(asm.R2, int32(typ), found),

		// Next attribute: attributes are padded to 4 bytes.
		asm.Add.Imm(asm.R1, unix.NLA_ALIGNTO-1),
		asm.And.Imm(asm.R1, ^(unix.NLA_ALIGNTO-1)),
		asm.LoadMem(asm.R2, asm.R10, stAttrOff, asm.Word),
		asm.Add.Reg(asm.R2, asm.R1),
		asm.StoreMem(asm.R10, stAttrOff, asm.R2, asm.Word),
		asm.Ja.Label(loop),
	)
	g.place(found)
}
