package syscall

import (
	"errors"
	"math/bits"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A Datagram.Ref names a buffer and the hand-out it belongs to: the low
// refIndexBits bits hold the buffer's index plus one (so the zero Ref names
// nothing), the bits above hold the buffer's generation. Checking the
// generation turns a double or stale Release, which would otherwise let two
// callers share one buffer, into a harmless no-op.
const (
	refIndexBits = 20
	maxBuffers   = 1<<refIndexBits - 1
	genMask      = 1<<(bits.UintSize-1-refIndexBits) - 1
)

// keepResident is how much of a buffer stays resident between datagrams.
// Dump and event datagrams never exceed 32 KiB; after a rare larger one (or a
// truncated one, which fills the whole buffer) the pages past this mark are
// given back to the kernel when the buffer is released, so one big datagram
// does not pin a megabyte per buffer for the life of the socket. It must be a
// multiple of the page size.
const keepResident = 64 << 10

// A buffer is one receive buffer mapped outside the Go heap, and the recvmsg
// arguments that point into it.
type buffer struct {
	index int
	mem   []byte
	gen   uint
	out   bool // held by a Recv in progress or by a caller
	// touched is how many leading bytes of mem may be resident.
	touched int

	// The fields below belong to whoever holds the buffer.
	msg   unix.Msghdr
	iov   unix.Iovec
	from  unix.RawSockaddrNetlink
	n     int
	errno unix.Errno
	// recv is b.recvmsg, bound once when the buffer is made: a method value
	// created per call would be a heap allocation per Recv.
	recv func(fd uintptr) bool
}

func (b *buffer) ref() int {
	return int(b.gen&genMask)<<refIndexBits | (b.index + 1)
}

// parseRef splits a Ref made by buffer.ref. A Ref that names no buffer has
// index -1.
func parseRef(ref int) (index int, gen uint) {
	if ref <= 0 {
		return -1, 0
	}
	return ref&maxBuffers - 1, uint(ref >> refIndexBits)
}

// A pool hands out receive buffers. A buffer is either free or out; Recv
// takes a free one, or maps a new one when none is free, so a datagram a
// caller holds never makes another Recv wait.
type pool struct {
	size int

	mu     sync.Mutex
	bufs   []*buffer // by index; nil once unmapped
	free   []int     // indexes of free buffers, used as a stack
	mapped int       // buffers currently mapped
	closed bool
}

func newPool(size int) *pool { return &pool{size: size} }

var errPoolClosed = errors.New("receive buffers released")

// get takes a free buffer, mapping a new one if none is free.
func (p *pool) get() (*buffer, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, errPoolClosed
	}
	var b *buffer
	if n := len(p.free); n > 0 {
		b = p.bufs[p.free[n-1]]
		p.free = p.free[:n-1]
	} else {
		var err error
		if b, err = p.grow(); err != nil {
			return nil, err
		}
	}
	b.gen++ // every Ref handed out before is now stale
	b.out = true
	return b, nil
}

// grow maps a new buffer. The mapping is private, anonymous and not counted
// against the commit limit: the kernel backs a page only once a datagram is
// written into it.
func (p *pool) grow() (*buffer, error) {
	if len(p.bufs) >= maxBuffers {
		return nil, errors.New("too many datagrams held at once (Release them)")
	}
	mem, err := unix.Mmap(-1, 0, p.size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
	if err != nil {
		return nil, os.NewSyscallError("mmap", err)
	}
	b := &buffer{index: len(p.bufs), mem: mem}
	b.iov.Base = &mem[0]
	b.iov.SetLen(len(mem))
	b.msg.Name = (*byte)(unsafe.Pointer(&b.from))
	b.msg.Iov = &b.iov
	b.msg.SetIovlen(1)
	b.recv = b.recvmsg
	p.bufs = append(p.bufs, b)
	p.mapped++
	return b, nil
}

// put returns a buffer taken with get. After close it unmaps it instead.
func (p *pool) put(b *buffer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.putLocked(b)
}

func (p *pool) putLocked(b *buffer) {
	b.out = false
	if p.closed {
		_ = p.unmap(b) // nobody left to tell
		return
	}
	if b.touched > keepResident {
		// Best effort: if it fails the pages merely stay resident.
		_ = unix.Madvise(b.mem[keepResident:b.touched], unix.MADV_DONTNEED)
		b.touched = keepResident
	}
	p.free = append(p.free, b.index)
}

// release returns the buffer a Ref names, if that Ref is still current.
func (p *pool) release(ref int) {
	i, gen := parseRef(ref)
	p.mu.Lock()
	defer p.mu.Unlock()
	if i < 0 || i >= len(p.bufs) {
		return
	}
	if b := p.bufs[i]; b != nil && b.out && b.gen&genMask == gen {
		p.putLocked(b)
	}
}

// close unmaps every free buffer; each buffer still out is unmapped when it
// comes back.
func (p *pool) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	var errs []error
	for _, i := range p.free {
		if err := p.unmap(p.bufs[i]); err != nil {
			errs = append(errs, err)
		}
	}
	p.free = nil
	return errors.Join(errs...)
}

func (p *pool) unmap(b *buffer) error {
	p.bufs[b.index] = nil
	p.mapped--
	mem := b.mem
	b.mem, b.iov.Base = nil, nil
	return os.NewSyscallError("munmap", unix.Munmap(mem))
}

// mappedBuffers reports how many buffers are mapped, for tests.
func (p *pool) mappedBuffers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mapped
}
