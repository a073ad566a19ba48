package filter

import (
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/net/bpf"
)

// label names a position in a program under construction. Criteria compile
// to code that jumps to a "true" or a "false" label; the assembler turns
// labels into the relative forward skips classic BPF wants.
type label int

// insn is an instruction whose jump targets, if any, are still labels.
type insn struct {
	ins    bpf.Instruction
	jt, jf label // for JumpIf
	ja     label // for Jump
	kind   insnKind
}

type insnKind uint8

const (
	plain insnKind = iota
	cond
	jump
)

// builder accumulates a program. Errors are sticky: criteria keep emitting
// and the first error is reported by finish.
type builder struct {
	order  binary.AppendByteOrder
	insns  []insn
	labels []int // position of each label, -1 until placed
	err    error
}

func newBuilder(order binary.AppendByteOrder) *builder {
	return &builder{order: order}
}

func (b *builder) newLabel() label {
	b.labels = append(b.labels, -1)
	return label(len(b.labels) - 1)
}

// place binds l to the next instruction emitted.
func (b *builder) place(l label) { b.labels[l] = len(b.insns) }

func (b *builder) emit(ins ...bpf.Instruction) {
	for _, in := range ins {
		b.insns = append(b.insns, insn{ins: in})
	}
}

// jumpIf emits a comparison of register A with val that jumps to t when it
// holds and to f otherwise.
func (b *builder) jumpIf(test bpf.JumpTest, val uint32, t, f label) {
	b.insns = append(b.insns, insn{ins: bpf.JumpIf{Cond: test, Val: val}, jt: t, jf: f, kind: cond})
}

// jump emits an unconditional jump to l.
func (b *builder) jump(l label) {
	b.insns = append(b.insns, insn{ins: bpf.Jump{}, ja: l, kind: jump})
}

func (b *builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// maxInstructions is the kernel's limit for classic programs (BPF_MAXINSNS).
const maxInstructions = 4096

// ErrTooLarge is returned when criteria need jumps longer than classic BPF
// can encode (255 instructions) or more than 4096 instructions: typically a
// set of hundreds of values. The eBPF filters keep such sets in maps.
var ErrTooLarge = errors.New("filter: program too large for classic BPF")

// finish resolves labels and returns the program.
func (b *builder) finish() ([]bpf.Instruction, error) {
	if b.err != nil {
		return nil, b.err
	}
	if len(b.insns) > maxInstructions {
		return nil, fmt.Errorf("%w: %d instructions", ErrTooLarge, len(b.insns))
	}
	skip := func(from int, l label) (int, error) {
		to := b.labels[l]
		if to < 0 {
			return 0, fmt.Errorf("filter: internal error: label %d never placed", l)
		}
		d := to - from - 1
		if d < 0 {
			return 0, fmt.Errorf("filter: internal error: backward jump at %d", from)
		}
		return d, nil
	}
	out := make([]bpf.Instruction, len(b.insns))
	for i, in := range b.insns {
		switch in.kind {
		case plain:
			out[i] = in.ins
		case jump:
			d, err := skip(i, in.ja)
			if err != nil {
				return nil, err
			}
			out[i] = bpf.Jump{Skip: uint32(d)}
		case cond:
			dt, err := skip(i, in.jt)
			if err != nil {
				return nil, err
			}
			df, err := skip(i, in.jf)
			if err != nil {
				return nil, err
			}
			if dt > 255 || df > 255 {
				return nil, fmt.Errorf("%w: a jump of %d instructions", ErrTooLarge, max(dt, df))
			}
			j := in.ins.(bpf.JumpIf)
			j.SkipTrue, j.SkipFalse = uint8(dt), uint8(df)
			out[i] = j
		}
	}
	return out, nil
}
