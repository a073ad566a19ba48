//go:build linux

package filter

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// run interprets a classic program the way the kernel does, including the
// SKF_AD_NLATTR and SKF_AD_NLATTR_NEST ancillary loads that x/net/bpf's VM
// lacks. The host byte order is a parameter, so programs built for a
// big-endian host can be run here. TestKernelAgrees checks it against the
// kernel on every test datagram.
func run(prog []bpf.Instruction, pkt []byte, order binary.ByteOrder) (uint32, error) {
	var a, x uint32
	load := func(off uint32, size int) (uint32, bool) {
		if uint64(off)+uint64(size) > uint64(len(pkt)) {
			return 0, false
		}
		b := pkt[off : off+uint32(size)]
		switch size {
		case 1:
			return uint32(b[0]), true
		case 2:
			return uint32(binary.BigEndian.Uint16(b)), true
		default:
			return binary.BigEndian.Uint32(b), true
		}
	}
	for pc := 0; pc < len(prog); pc++ {
		var ok = true
		switch in := prog[pc].(type) {
		case bpf.LoadConstant:
			if in.Dst == bpf.RegA {
				a = in.Val
			} else {
				x = in.Val
			}
		case bpf.LoadAbsolute:
			a, ok = load(in.Off, in.Size)
		case bpf.LoadIndirect:
			a, ok = load(in.Off+x, in.Size)
		case bpf.LoadExtension:
			switch in.Num {
			case bpf.ExtLen:
				a = uint32(len(pkt))
			case bpf.ExtNetlinkAttr:
				a = findAttr(pkt, a, x, order, false)
			case bpf.ExtNetlinkAttrNested:
				a = findAttr(pkt, a, x, order, true)
			default:
				return 0, fmt.Errorf("extension %v not interpreted", in.Num)
			}
		case bpf.TAX:
			x = a
		case bpf.TXA:
			a = x
		case bpf.Jump:
			pc += int(in.Skip)
		case bpf.JumpIf:
			var hold bool
			switch in.Cond {
			case bpf.JumpEqual:
				hold = a == in.Val
			case bpf.JumpNotEqual:
				hold = a != in.Val
			case bpf.JumpBitsSet:
				hold = a&in.Val != 0
			case bpf.JumpBitsNotSet:
				hold = a&in.Val == 0
			case bpf.JumpLessThan:
				hold = a < in.Val
			case bpf.JumpGreaterOrEqual:
				hold = a >= in.Val
			default:
				return 0, fmt.Errorf("jump %v not interpreted", in.Cond)
			}
			if hold {
				pc += int(in.SkipTrue)
			} else {
				pc += int(in.SkipFalse)
			}
		case bpf.RetConstant:
			return in.Val, nil
		case bpf.RetA:
			return a, nil
		default:
			return 0, fmt.Errorf("instruction %#v not interpreted", in)
		}
		if !ok {
			// An out-of-bounds packet load ends the program with 0.
			return 0, nil
		}
	}
	return 0, fmt.Errorf("program ran off its end")
}

// findAttr is the kernel's bpf_skb_get_nlattr(_nest): the offset of the
// attribute of type typ found from offset off (for nest, inside the
// attribute at off), or 0.
func findAttr(pkt []byte, off, typ uint32, order binary.ByteOrder, nest bool) uint32 {
	if len(pkt) < unix.NLA_HDRLEN || off > uint32(len(pkt)-unix.NLA_HDRLEN) {
		return 0
	}
	rem := len(pkt) - int(off)
	if nest {
		l := int(order.Uint16(pkt[off:]))
		if l > rem {
			return 0
		}
		off += unix.NLA_HDRLEN
		rem = l - unix.NLA_HDRLEN
	}
	for rem >= unix.NLA_HDRLEN {
		l := int(order.Uint16(pkt[off:]))
		t := uint32(order.Uint16(pkt[off+2:])) &^ (unix.NLA_F_NESTED | unix.NLA_F_NET_BYTEORDER)
		if l < unix.NLA_HDRLEN || l > rem {
			return 0
		}
		if t == typ {
			return off
		}
		step := (l + unix.NLA_ALIGNTO - 1) &^ (unix.NLA_ALIGNTO - 1)
		off += uint32(step)
		rem -= step
	}
	return 0
}
