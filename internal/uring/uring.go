//go:build linux

// Package uring is nlring's io_uring layer: ring setup and mapping, getting
// and submitting SQEs, reading CQEs, and ring-mapped provided buffer groups.
// It mirrors the shape of liburing's core (and Zig's std IoUring) and nothing
// more: what to do with the queues is the caller's business.
//
// A Ring is not safe for concurrent use, with two exceptions: Wait and
// Enters may run while another goroutine uses the ring (Wait touches neither
// queue). io_uring runs the deferred part of a request (task work) on the
// OS thread that submitted it, so a caller that wants that work done on a
// particular thread submits from it, locked with runtime.LockOSThread. Any
// thread may submit and wait (rings are set up without
// IORING_SETUP_SINGLE_ISSUER); the caller serializes access to the queues.
//
// golang.org/x/sys/unix provides the syscall numbers; the ABI types and
// constants below are defined here, under their kernel names, because
// x/sys does not have them.
package uring

import (
	"errors"
	"os"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Setup flags and features (io_uring_setup(2)), enter flags, mapping
// offsets and register opcodes.
const (
	IORING_SETUP_CQSIZE         = 1 << 3
	IORING_SETUP_SUBMIT_ALL     = 1 << 7
	IORING_FEAT_SINGLE_MMAP     = 1 << 0
	IORING_ENTER_GETEVENTS      = 1 << 0
	IORING_OFF_SQ_RING          = 0
	IORING_OFF_SQES             = 0x10000000
	IORING_REGISTER_PROBE       = 8
	IORING_REGISTER_PBUF_RING   = 22
	IORING_UNREGISTER_PBUF_RING = 23
	IO_URING_OP_SUPPORTED       = 1 << 0
)

// Opcodes (enum io_uring_op).
const (
	IORING_OP_NOP          = 0
	IORING_OP_RECVMSG      = 10
	IORING_OP_ASYNC_CANCEL = 14
)

// SQE flags, SQE ioprio flags for send/recv, and CQE flags.
const (
	IOSQE_BUFFER_SELECT   = 1 << 5
	IORING_RECV_MULTISHOT = 1 << 1

	IORING_CQE_F_BUFFER     = 1 << 0
	IORING_CQE_F_MORE       = 1 << 1
	IORING_CQE_BUFFER_SHIFT = 16
)

// SQE is struct io_uring_sqe. Fields that are unions in C carry the name of
// the member nlring uses.
type SQE struct {
	Opcode      uint8
	Flags       uint8
	IOPrio      uint16
	Fd          int32
	Off         uint64
	Addr        uint64
	Len         uint32
	OpFlags     uint32 // msg_flags, rw_flags, cancel_flags...
	UserData    uint64
	BufGroup    uint16 // buf_group (or buf_index)
	Personality uint16
	SpliceFdIn  int32
	Addr3       uint64
	_           uint64
}

// CQE is struct io_uring_cqe.
type CQE struct {
	UserData uint64
	Res      int32
	Flags    uint32
}

// BufferID returns the provided buffer the kernel picked for this
// completion, if IORING_CQE_F_BUFFER is set.
func (c CQE) BufferID() (uint16, bool) {
	return uint16(c.Flags >> IORING_CQE_BUFFER_SHIFT), c.Flags&IORING_CQE_F_BUFFER != 0
}

// More reports IORING_CQE_F_MORE: the multishot request that posted c is
// still armed and will post more completions.
func (c CQE) More() bool { return c.Flags&IORING_CQE_F_MORE != 0 }

type sqringOffsets struct {
	Head, Tail, RingMask, RingEntries, Flags, Dropped, Array, Resv1 uint32
	UserAddr                                                        uint64
}

type cqringOffsets struct {
	Head, Tail, RingMask, RingEntries, Overflow, Cqes, Flags, Resv1 uint32
	UserAddr                                                        uint64
}

type params struct {
	SQEntries, CQEntries, Flags, SQThreadCPU, SQThreadIdle, Features, WQFd uint32
	Resv                                                                   [3]uint32
	SQOff                                                                  sqringOffsets
	CQOff                                                                  cqringOffsets
}

// Ring is one io_uring instance with its queues mapped.
type Ring struct {
	fd    int
	flags uint32 // the setup flags the kernel accepted

	rings  []byte // SQ and CQ rings: one mapping (IORING_FEAT_SINGLE_MMAP)
	sqeMem []byte // the SQE array: its own mapping
	sqes   []SQE  // sqeMem as SQEs

	sqHead    *uint32 // written by the kernel
	sqTail    *uint32 // written by us
	sqMask    uint32
	sqEntries uint32
	sqeTail   uint32 // SQEs handed out by GetSQE, published at the next submit

	cqHead *uint32 // written by us
	cqTail *uint32 // written by the kernel
	cqMask uint32
	cqes   []CQE

	enters atomic.Uint64
}

// New sets up a ring with entries SQEs and cqEntries CQEs (IORING_SETUP_CQSIZE).
// It asks for IORING_SETUP_SUBMIT_ALL too (keep submitting past a failing
// SQE, so every SQE gets its CQE), and retries without it on kernels that
// reject it with EINVAL.
func New(entries, cqEntries uint32) (*Ring, error) {
	var p params
	var fd int
	var err error
	for _, f := range []uint32{IORING_SETUP_SUBMIT_ALL, 0} {
		p = params{CQEntries: cqEntries, Flags: f | IORING_SETUP_CQSIZE}
		fd, err = setup(entries, &p)
		if err != unix.EINVAL {
			break
		}
	}
	if err != nil {
		return nil, os.NewSyscallError("io_uring_setup", err)
	}
	r := &Ring{fd: fd, flags: p.Flags}
	if err := r.mmap(&p); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return r, nil
}

func setup(entries uint32, p *params) (int, error) {
	fd, _, errno := unix.Syscall(unix.SYS_IO_URING_SETUP, uintptr(entries), uintptr(unsafe.Pointer(p)), 0)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

func (r *Ring) mmap(p *params) error {
	if p.Features&IORING_FEAT_SINGLE_MMAP == 0 {
		return errors.New("the kernel lacks IORING_FEAT_SINGLE_MMAP (Linux 5.4)")
	}
	sqSize := uintptr(p.SQOff.Array) + uintptr(p.SQEntries)*4
	cqSize := uintptr(p.CQOff.Cqes) + uintptr(p.CQEntries)*unsafe.Sizeof(CQE{})
	size := max(sqSize, cqSize)
	rings, err := unix.Mmap(r.fd, IORING_OFF_SQ_RING, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return os.NewSyscallError("mmap", err)
	}
	sqes, err := unix.Mmap(r.fd, IORING_OFF_SQES, int(uintptr(p.SQEntries)*unsafe.Sizeof(SQE{})), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		unix.Munmap(rings)
		return os.NewSyscallError("mmap", err)
	}
	r.rings, r.sqeMem = rings, sqes
	r.sqes = unsafe.Slice((*SQE)(unsafe.Pointer(&sqes[0])), p.SQEntries)
	r.sqHead = r.u32(p.SQOff.Head)
	r.sqTail = r.u32(p.SQOff.Tail)
	r.sqMask = *r.u32(p.SQOff.RingMask)
	r.sqEntries = *r.u32(p.SQOff.RingEntries)
	r.cqHead = r.u32(p.CQOff.Head)
	r.cqTail = r.u32(p.CQOff.Tail)
	r.cqMask = *r.u32(p.CQOff.RingMask)
	r.cqes = unsafe.Slice((*CQE)(unsafe.Pointer(&rings[p.CQOff.Cqes])), p.CQEntries)
	// Without IORING_SETUP_NO_SQARRAY the kernel reads SQEs through an
	// indirection array; map slot i to SQE i once, as liburing does, so
	// submitting is only a tail update.
	array := unsafe.Slice((*uint32)(unsafe.Pointer(&rings[p.SQOff.Array])), p.SQEntries)
	for i := range array {
		array[i] = uint32(i)
	}
	r.sqeTail = atomic.LoadUint32(r.sqTail)
	return nil
}

func (r *Ring) u32(off uint32) *uint32 { return (*uint32)(unsafe.Pointer(&r.rings[off])) }

// Enters returns how many io_uring_enter calls the ring has made. It is the
// one method that is safe to call from any goroutine.
func (r *Ring) Enters() uint64 { return r.enters.Load() }

// sqSpace returns how many SQEs GetSQE can still hand out before a submit.
func (r *Ring) sqSpace() uint32 {
	return r.sqEntries - (r.sqeTail - atomic.LoadUint32(r.sqHead))
}

// GetSQE returns the next free SQE, zeroed, or nil when the submission queue
// is full. The SQE reaches the kernel at the next Submit or SubmitAndWait.
func (r *Ring) GetSQE() *SQE {
	if r.sqSpace() == 0 {
		return nil
	}
	sqe := &r.sqes[r.sqeTail&r.sqMask]
	*sqe = SQE{}
	r.sqeTail++
	return sqe
}

// Submit submits the SQEs got since the last submit and returns how many
// the kernel consumed.
func (r *Ring) Submit() (int, error) { return r.SubmitAndWait(0) }

// SubmitAndWait submits pending SQEs and waits until at least waitNr CQEs are
// ready. A wait interrupted by a signal (the Go runtime sends them) is
// resumed.
func (r *Ring) SubmitAndWait(waitNr uint32) (int, error) {
	// Publish the SQE contents before the tail: the kernel load-acquires it.
	atomic.StoreUint32(r.sqTail, r.sqeTail)
	var flags uintptr
	if waitNr > 0 {
		flags = IORING_ENTER_GETEVENTS
	}
	submitted := 0
	for {
		toSubmit := r.sqeTail - atomic.LoadUint32(r.sqHead)
		r.enters.Add(1)
		n, _, errno := unix.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd), uintptr(toSubmit), uintptr(waitNr), flags, 0, 0)
		switch {
		case errno == unix.EINTR:
			continue
		case errno != 0:
			return submitted, os.NewSyscallError("io_uring_enter", errno)
		}
		submitted += int(n)
		// Submitting and waiting can both succeed in one call; when the
		// kernel consumed SQEs it returns their count even if the wait
		// was interrupted, so make sure the wait really happened.
		if waitNr == 0 || r.cqReady() >= waitNr {
			return submitted, nil
		}
	}
}

// Wait blocks until at least minComplete CQEs are ready, running the
// calling thread's pending task work first. Unlike the other methods it
// touches neither queue, so it may run while another goroutine submits or
// reads completions; several goroutines may wait at once. A wait interrupted
// by a signal returns nil early: callers look at the queue and wait again.
func (r *Ring) Wait(minComplete uint32) error {
	r.enters.Add(1)
	_, _, errno := unix.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd), 0, uintptr(minComplete), IORING_ENTER_GETEVENTS, 0, 0)
	switch errno {
	case 0, unix.EINTR, unix.EAGAIN, unix.EBUSY:
		return nil
	}
	return os.NewSyscallError("io_uring_enter", errno)
}

// cqReady returns how many CQEs are waiting to be read.
func (r *Ring) cqReady() uint32 {
	return atomic.LoadUint32(r.cqTail) - atomic.LoadUint32(r.cqHead)
}

// PeekCQE returns the oldest unread CQE without consuming it.
func (r *Ring) PeekCQE() (CQE, bool) {
	head := atomic.LoadUint32(r.cqHead)
	if head == atomic.LoadUint32(r.cqTail) { // load-acquire: the CQE is written before the tail
		return CQE{}, false
	}
	return r.cqes[head&r.cqMask], true
}

// CQESeen consumes the CQE PeekCQE returned, handing its slot back to the
// kernel.
func (r *Ring) CQESeen() {
	atomic.StoreUint32(r.cqHead, atomic.LoadUint32(r.cqHead)+1) // store-release: we are done reading it
}

// register calls io_uring_register(2).
func (r *Ring) register(opcode uint32, arg unsafe.Pointer, nrArgs uint32) error {
	_, _, errno := unix.Syscall6(unix.SYS_IO_URING_REGISTER, uintptr(r.fd), uintptr(opcode), uintptr(arg), uintptr(nrArgs), 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

type probeOp struct {
	Op, Resv uint8
	Flags    uint16
	Resv2    uint32
}

type probe struct {
	LastOp, OpsLen uint8
	Resv           uint16
	Resv2          [3]uint32
	Ops            [256]probeOp
}

// OpSupported reports which of ops the kernel supports
// (IORING_REGISTER_PROBE); missing lists the ones it does not.
func (r *Ring) OpSupported(ops ...uint8) (missing []uint8, err error) {
	var p probe
	if err := r.register(IORING_REGISTER_PROBE, unsafe.Pointer(&p), uint32(len(p.Ops))); err != nil {
		return nil, os.NewSyscallError("io_uring_register(IORING_REGISTER_PROBE)", err)
	}
	for _, op := range ops {
		if op > p.LastOp || p.Ops[op].Flags&IO_URING_OP_SUPPORTED == 0 {
			missing = append(missing, op)
		}
	}
	return missing, nil
}

// Close unmaps the queues and closes the ring. The kernel cancels whatever
// is still in flight; callers that lent memory to requests should wait for
// their completions first.
func (r *Ring) Close() error {
	if r.fd < 0 {
		return nil
	}
	unix.Munmap(r.sqeMem)
	unix.Munmap(r.rings)
	r.sqeMem, r.sqes, r.rings, r.cqes = nil, nil, nil, nil
	err := unix.Close(r.fd)
	r.fd = -1
	if err != nil {
		return os.NewSyscallError("close", err)
	}
	return nil
}
