package filter

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/nlring/netlink/internal/unix"
	"golang.org/x/net/bpf"
)

// Offsets and sizes in struct nlmsghdr.
const (
	nlmsgHdrLen = unix.NLMSG_HDRLEN // 16
	offType     = 4
	offFlags    = 6
	offPID      = 12
)

// retKeep and retDrop are the values the programs return: the number of
// bytes of the datagram to keep. retKeep is larger than any datagram, so
// nothing is ever trimmed.
const (
	retKeep = math.MaxUint32
	retDrop = 0
)

// ErrNoPortID is returned when a builder is given port ID 0. Port 0 is the
// kernel's: replies to the socket's own requests would then be dropped and
// its requests would wait for ever.
var ErrNoPortID = errors.New("filter: port ID 0 given; pass the socket's own port ID (Conn.PID())")

// Build returns a program that keeps the datagrams whose first message
// matches c, plus everything the package documentation says a filter must
// keep for requests and dumps on the same socket to work. portID is the
// socket's own port ID.
func Build(portID uint32, c Criterion) ([]bpf.Instruction, error) {
	return build(hostOrder, portID, c)
}

// Assemble is Build followed by bpf.Assemble: its result is ready for
// Conn.SetBPF or unix.SetsockoptSockFprog.
func Assemble(portID uint32, c Criterion) ([]bpf.RawInstruction, error) {
	prog, err := Build(portID, c)
	if err != nil {
		return nil, err
	}
	return bpf.Assemble(prog)
}

func build(order binary.AppendByteOrder, portID uint32, c Criterion) ([]bpf.Instruction, error) {
	if portID == 0 {
		return nil, ErrNoPortID
	}
	if c == nil {
		return nil, errors.New("filter: nil Criterion")
	}
	b := newBuilder(order)
	keep, drop := b.newLabel(), b.newLabel()
	b.passRules(portID, keep)
	c.compile(b, keep, drop)
	b.place(keep)
	b.emit(bpf.RetConstant{Val: retKeep})
	b.place(drop)
	b.emit(bpf.RetConstant{Val: retDrop})
	return b.finish()
}

// passRules emits the checks that keep what requests and dumps on the
// socket need (see the package documentation), jumping to keep for those
// datagrams and falling through for the others.
func (b *builder) passRules(portID uint32, keep label) {
	next := b.newLabel()
	b.emit(bpf.LoadExtension{Num: bpf.ExtLen})
	b.jumpIf(bpf.JumpLessThan, nlmsgHdrLen, keep, next)
	b.place(next)

	// nlmsg_type < NLMSG_MIN_TYPE: no bit above the low four is set. A mask
	// test works on the byte-swapped load, where a "<" would not.
	next = b.newLabel()
	b.emit(bpf.LoadAbsolute{Off: offType, Size: 2})
	b.jumpIf(bpf.JumpBitsSet, loaded16(b.order, ^uint16(unix.NLMSG_MIN_TYPE-1)), next, keep)
	b.place(next)

	next = b.newLabel()
	b.emit(bpf.LoadAbsolute{Off: offFlags, Size: 2})
	b.jumpIf(bpf.JumpBitsSet, loaded16(b.order, unix.NLM_F_MULTI), keep, next)
	b.place(next)

	next = b.newLabel()
	b.emit(bpf.LoadAbsolute{Off: offPID, Size: 4})
	b.jumpIf(bpf.JumpEqual, loaded32(b.order, portID), keep, next)
	b.place(next)
}
