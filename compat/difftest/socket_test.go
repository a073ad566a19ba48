package difftest

import (
	"time"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

var farFuture = time.Now().Add(time.Hour)

// socketNS is the network namespace the real-socket cases dial into: one
// made for the test (TestDifferential sets it).
var socketNS int

const rtmGetLink = unix.RTM_GETLINK

// ifinfomsg encodes a struct ifinfomsg for ifindex.
func ifinfomsg(index int32, change uint32) []byte {
	return concat([]byte{unix.AF_UNSPEC, 0}, le16(0), le32(uint32(index)), le32(0), le32(change))
}

// selfPID hides the port ID of c in msgs: it differs between the two
// libraries' sockets.
func selfPID(c Conn, msgs []Msg) []Msg {
	for i := range msgs {
		if msgs[i].Header.PID == c.PID() {
			msgs[i].Header.PID = 0xfeedbeef
		}
	}
	return msgs
}

// dialed runs fn on a NETLINK_ROUTE Conn in socketNS with the options set.
func dialed(opts []int, fn func(l Lib, r *Rec, c Conn)) func(l Lib, r *Rec) {
	return func(l Lib, r *Rec) {
		c, err := l.Dial(unix.NETLINK_ROUTE, Cfg{NetNS: socketNS})
		if err != nil {
			r.E("dial", err)
			return
		}
		defer c.Close()
		for _, o := range opts {
			r.E("option", c.SetOption(o, true))
		}
		fn(l, r, c)
	}
}

// Options by their value in both libraries.
const (
	optPacketInfo = iota
	optBroadcastError
	optNoENOBUFS
	optListenAllNSID
	optCapAck
	optExtAck
	optStrict
)

// request returns a Case executing m on a Conn with opts.
func request(name, diff string, opts []int, m Msg) Case {
	return Case{Name: "socket/" + name, Diff: diff, Root: true, Run: dialed(opts, func(l Lib, r *Rec, c Conn) {
		msgs, err := c.Execute(m)
		r.VE("execute", selfPID(c, msgs), err)
	})}
}

func socketCases() []Case {
	getLink := func(index int32, attrs ...[]byte) Msg {
		return Msg{Header: Hdr{Type: rtmGetLink, Flags: fRequest, Sequence: 1}, Data: concat(ifinfomsg(index, 0), concat(attrs...))}
	}
	dumpLinks := Msg{Header: Hdr{Type: rtmGetLink, Flags: fRequest | fDump, Sequence: 1}, Data: ifinfomsg(0, 0)}
	badDump := Msg{Header: Hdr{Type: rtmGetLink, Flags: fRequest | fDump, Sequence: 1}, Data: ifinfomsg(0, 1)}
	longName := attr(unix.IFLA_IFNAME, []byte("a-name-much-too-long-for-IFNAMSIZ\x00"))
	dial := func(name string, family int, cfg func() Cfg) Case {
		return Case{Name: "socket/dial/" + name, Root: true, Run: func(l Lib, r *Rec) {
			c, err := l.Dial(family, cfg())
			r.E("dial", err)
			if c != nil {
				r.E("close", c.Close())
			}
		}}
	}
	return []Case{
		dial("route", unix.NETLINK_ROUTE, func() Cfg { return Cfg{NetNS: socketNS} }),
		dial("unknown family", 99, func() Cfg { return Cfg{NetNS: socketNS} }),
		dial("bad NetNS", unix.NETLINK_ROUTE, func() Cfg { return Cfg{NetNS: 1 << 20} }),
		dial("NetNS not a namespace", unix.NETLINK_ROUTE, func() Cfg { return Cfg{NetNS: 0x7fffffff} }),
		dial("groups", unix.NETLINK_ROUTE, func() Cfg { return Cfg{NetNS: socketNS, Groups: unix.RTMGRP_LINK} }),
		dial("strict", unix.NETLINK_ROUTE, func() Cfg { return Cfg{NetNS: socketNS, Strict: true} }),
		{Name: "socket/dial/PID in use", Root: true, Run: func(l Lib, r *Rec) {
			c, err := l.Dial(unix.NETLINK_ROUTE, Cfg{NetNS: socketNS})
			if err != nil {
				r.E("first dial", err)
				return
			}
			defer c.Close()
			c2, err := l.Dial(unix.NETLINK_ROUTE, Cfg{NetNS: socketNS, PID: c.PID()})
			r.E("second dial", err)
			if c2 != nil {
				c2.Close()
			}
		}},

		request("get lo", "", nil, getLink(1)),
		request("no such link", "", nil, getLink(0x7ffffff0)),
		request("no such link, extended ack", "", []int{optExtAck}, getLink(0x7ffffff0)),
		request("name too long", "", nil, getLink(0, longName)),
		request("name too long, extended ack", "", []int{optExtAck}, getLink(0, longName)),
		request("name too long, extended ack capped", "D1", []int{optExtAck, optCapAck}, getLink(0, longName)),
		request("bad dump, strict", "", []int{optExtAck, optStrict}, badDump),
		request("dump", "", nil, dumpLinks),
		request("unknown type", "", []int{optExtAck}, Msg{Header: Hdr{Type: 0x7ff, Flags: fRequest, Sequence: 1}}),
		request("ack", "", []int{optExtAck}, Msg{Header: Hdr{Type: rtmGetLink, Flags: fRequest | fAck, Sequence: 1}, Data: ifinfomsg(1, 0)}),
		{Name: "socket/send length unaligned", Diff: "D4", Root: true, Run: dialed(nil, func(l Lib, r *Rec, c Conn) {
			m := getLink(1)
			m.Header.Length = 16 + uint32(len(m.Data)) + 1
			m.Data = append(m.Data, 0)
			out, err := c.Send(m)
			r.VE("send", selfPID(c, []Msg{out}), err)
		})},
		{Name: "socket/send length too short", Diff: "D5", Root: true, Run: dialed(nil, func(l Lib, r *Rec, c Conn) {
			m := getLink(1)
			m.Header.Length = 16
			out, err := c.Send(m)
			r.VE("send", selfPID(c, []Msg{out}), err)
		})},
		{Name: "socket/truncated", Diff: "D10", Root: true, Run: func(l Lib, r *Rec) {
			c, err := l.Dial(unix.NETLINK_ROUTE, Cfg{NetNS: socketNS, MessageBufferSize: 64})
			if err != nil {
				r.E("dial", err)
				return
			}
			defer c.Close()
			msgs, err := c.Execute(dumpLinks)
			r.VE("execute", len(msgs), err)
		}},
		{Name: "socket/options", Root: true, Run: dialed(nil, func(l Lib, r *Rec, c Conn) {
			for o := range 8 {
				r.E("enable", c.SetOption(o, true))
				r.E("disable", c.SetOption(o, false))
			}
			r.E("unknown", c.SetOption(99, true))
		})},
		{Name: "socket/groups", Root: true, Run: dialed(nil, func(l Lib, r *Rec, c Conn) {
			for _, g := range []uint32{unix.RTNLGRP_LINK, unix.RTNLGRP_IPV4_ROUTE, 0, 1 << 20} {
				r.E("join", c.JoinGroup(g))
				r.E("leave", c.LeaveGroup(g))
			}
		})},
		{Name: "socket/buffers", Root: true, Run: dialed(nil, func(l Lib, r *Rec, c Conn) {
			r.E("set read", c.SetReadBuffer(1<<16))
			r.E("set write", c.SetWriteBuffer(1<<16))
			r.E("set read negative", c.SetReadBuffer(-1))
			_, err := c.ReadBuffer()
			r.E("get read", err)
			_, err = c.WriteBuffer()
			r.E("get write", err)
		})},
		{Name: "socket/BPF", Root: true, Run: dialed(nil, func(l Lib, r *Rec, c Conn) {
			r.E("remove none", c.RemoveBPF())
			r.E("set nil", c.SetBPF(nil))
			r.E("set invalid", c.SetBPF([]bpf.RawInstruction{{Op: 0xffff}}))
			r.E("set jump out", c.SetBPF([]bpf.RawInstruction{{Op: 0x05, K: 10}})) // BPF_JMP|BPF_JA past the end
			accept, err := bpf.Assemble([]bpf.Instruction{bpf.RetConstant{Val: 0xffff}})
			r.E("assemble", err)
			r.E("set accept", c.SetBPF(accept))
			msgs, err := c.Execute(getLink(1))
			r.VE("execute", len(msgs), err)
			r.E("remove", c.RemoveBPF())
			r.E("remove again", c.RemoveBPF())
		})},
		{Name: "socket/after Close", Root: true, Diff: "D13", Run: func(l Lib, r *Rec) {
			c, err := l.Dial(unix.NETLINK_ROUTE, Cfg{NetNS: socketNS})
			if err != nil {
				r.E("dial", err)
				return
			}
			r.E("close", c.Close())
			_, err = c.Send(getLink(1))
			r.E("send", err)
			_, err = c.SendMessages([]Msg{getLink(1)})
			r.E("send messages", err)
			_, err = c.Receive()
			r.E("receive", err)
			_, err = c.ReceiveIter()
			r.E("receive iter", err)
			_, err = c.Execute(getLink(1))
			r.E("execute", err)
			r.E("join", c.JoinGroup(1))
			r.E("leave", c.LeaveGroup(1))
			r.E("option", c.SetOption(optExtAck, true))
			r.E("bpf", c.SetBPF(nil))
			r.E("remove bpf", c.RemoveBPF())
			r.E("set read buffer", c.SetReadBuffer(1<<16))
			_, err = c.ReadBuffer()
			r.E("read buffer", err)
			r.E("deadline", c.SetDeadline(farFuture))
			r.E("read deadline", c.SetReadDeadline(farFuture))
			r.E("write deadline", c.SetWriteDeadline(farFuture))
			r.E("close again", c.Close())
		}},
		{Name: "socket/past deadline", Root: true, Run: dialed(nil, func(l Lib, r *Rec, c Conn) {
			r.E("set", c.SetReadDeadline(time.Unix(1, 0)))
			_, err := c.Receive()
			r.E("receive", err)
			_, err = c.ReceiveIter()
			r.E("receive iter", err)
			msgs, err := c.Execute(getLink(1))
			r.VE("execute", len(msgs), err)
			r.E("clear", c.SetReadDeadline(time.Time{}))
			msgs, err = c.Execute(getLink(0x7ffffff0))
			r.VE("execute after clearing", len(msgs), err)
		})},
		{Name: "socket/deadline while waiting", Root: true, Run: dialed(nil, func(l Lib, r *Rec, c Conn) {
			r.E("set", c.SetDeadline(time.Now().Add(20*time.Millisecond)))
			_, err := c.Receive()
			r.E("receive", err)
		})},
		{Name: "socket/SyscallConn after Close", Root: true, Diff: "D12", DiffOn: "iouring", Run: func(l Lib, r *Rec) {
			c, err := l.Dial(unix.NETLINK_ROUTE, Cfg{NetNS: socketNS})
			if err != nil {
				r.E("dial", err)
				return
			}
			rc, err := c.SyscallConn()
			r.E("syscall conn", err)
			r.E("control", rc.Control(func(uintptr) {}))
			r.E("close", c.Close())
			r.E("control after close", rc.Control(func(uintptr) {}))
			r.E("read after close", rc.Read(func(uintptr) bool { return true }))
			_, err = c.SyscallConn()
			r.E("syscall conn after close", err)
		}},
	}
}
