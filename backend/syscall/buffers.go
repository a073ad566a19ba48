//go:build linux

package syscall

import (
	"errors"
	"math/bits"
	"os"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/nlring/netlink/backend"
)

// A Datagram.Ref names a slot of a socket's pool and the hand-out it belongs
// to: the low refIndexBits bits hold the slot's index plus one (so the zero
// Ref names nothing), the bits above hold the slot's generation. Checking
// the generation turns a double or stale Release, which would otherwise let
// two callers share one buffer, into a harmless no-op.
const (
	refIndexBits = 20
	maxBuffers   = 1<<refIndexBits - 1
	genMask      = 1<<(bits.UintSize-1-refIndexBits) - 1
)

// A buffer is one receive buffer on the Go heap and the recvmsg arguments
// that point into it. Being Go memory, a slice of it that a caller keeps
// past Release (or past Close) stays valid: at worst it reads a later
// datagram, it never faults.
//
// A datagram longer than mem continues into a spill area (see spill), which
// is lent to the buffer for the length of one recvmsg call only.
type buffer struct {
	mem []byte

	// Set by the pool for the current hand-out.
	index int
	gen   uint

	// The fields below belong to whoever holds the buffer.
	msg   unix.Msghdr
	iov   [2]unix.Iovec
	from  unix.RawSockaddrNetlink
	n     int
	errno unix.Errno
	// data is the datagram received: mem[:n], or a copy of its two parts
	// when it spilled.
	data []byte
	// spillSize is how many bytes past mem a datagram may take (0: none).
	spillSize int
	// recv is b.recvmsg, bound once when the buffer is made: a method value
	// created per call would be a heap allocation per Recv.
	recv func(fd uintptr) bool
}

func newBuffer(size int) *buffer {
	b := &buffer{mem: make([]byte, size)}
	b.iov[0].Base = &b.mem[0]
	b.iov[0].SetLen(len(b.mem))
	b.msg.Name = (*byte)(unsafe.Pointer(&b.from))
	b.msg.Iov = &b.iov[0]
	b.msg.SetIovlen(1)
	b.recv = b.recvmsg
	return b
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

// shared recycles buffers of the default size across sockets, so that a
// program that dials per request does not allocate a buffer per Dial, and
// an idle socket holds none. It is a plain free list rather than a
// sync.Pool: a sync.Pool is emptied by every garbage collection, and a
// program that allocates as it receives (Execute's replies) would then
// allocate and clear a fresh 32 KiB buffer every few collections.
var shared freeList

// freeList keeps up to maxShared buffers for reuse (one more in hot).
type freeList struct {
	// hot holds one buffer, taken and given back with one atomic operation
	// each: a process that makes one request at a time never takes mu.
	hot atomic.Pointer[buffer]

	mu   sync.Mutex
	bufs []*buffer
}

// maxShared bounds the memory shared keeps: 64 buffers, 2 MiB, more than
// the receives a process has in progress at once in any workload measured.
const maxShared = 64

func (l *freeList) get() *buffer {
	if b := l.hot.Swap(nil); b != nil {
		return b
	}
	l.mu.Lock()
	if n := len(l.bufs); n > 0 {
		b := l.bufs[n-1]
		l.bufs[n-1] = nil
		l.bufs = l.bufs[:n-1]
		l.mu.Unlock()
		return b
	}
	l.mu.Unlock()
	return newBuffer(backend.MinBufferSize)
}

func (l *freeList) put(b *buffer) {
	if l.hot.CompareAndSwap(nil, b) {
		return
	}
	l.mu.Lock()
	if len(l.bufs) < maxShared {
		l.bufs = append(l.bufs, b)
	}
	l.mu.Unlock()
}

// A pool hands out a socket's receive buffers. A buffer is out while a Recv
// or a caller holds it; Recv takes a new one each time, so a datagram a
// caller holds never makes another Recv wait. Buffers of the default size
// go back to the process-wide pool (shared) as soon as they are released,
// so a socket between receives holds none; a socket with buffers of
// another size keeps one for its next receive.
type pool struct {
	// size is the largest datagram received whole; bufSize the part of it
	// that lives in the buffer itself, the rest spilling (see spill).
	size, bufSize int

	mu        sync.Mutex
	slots     []slot // by index
	freeSlots []int  // indexes of empty slots, used as a stack
	idle      *buffer
	out       int // buffers handed out
	closed    bool
}

type slot struct {
	b   *buffer // nil when the slot is empty
	gen uint
}

func newPool(size int) *pool {
	return &pool{size: size, bufSize: min(size, backend.MinBufferSize)}
}

var errPoolClosed = errors.New("receive buffers released")

// get takes a buffer for a receive.
func (p *pool) get() (*buffer, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, errPoolClosed
	}
	i := len(p.slots)
	if n := len(p.freeSlots); n > 0 {
		i = p.freeSlots[n-1]
		p.freeSlots = p.freeSlots[:n-1]
	} else if i >= maxBuffers {
		return nil, errors.New("too many datagrams held at once (Release them)")
	} else {
		p.slots = append(p.slots, slot{})
	}
	b := p.idle
	p.idle = nil
	if b == nil {
		b = p.newBuffer()
	}
	s := &p.slots[i]
	s.gen++ // every Ref handed out before is now stale
	s.b = b
	b.index, b.gen = i, s.gen
	b.spillSize = p.size - p.bufSize
	p.out++
	return b, nil
}

func (p *pool) newBuffer() *buffer {
	if p.bufSize == backend.MinBufferSize {
		return shared.get()
	}
	return newBuffer(p.bufSize)
}

// put returns a buffer taken with get.
func (p *pool) put(b *buffer) { p.release(b.ref()) }

// release returns the buffer a Ref names, if that Ref is still current.
func (p *pool) release(ref int) {
	i, gen := parseRef(ref)
	p.mu.Lock()
	defer p.mu.Unlock()
	if i < 0 || i >= len(p.slots) {
		return
	}
	s := &p.slots[i]
	if s.b == nil || s.gen&genMask != gen {
		return
	}
	b := s.b
	s.b = nil
	p.freeSlots = append(p.freeSlots, i)
	p.out--
	b.data = nil
	if p.idle == nil && !p.closed && len(b.mem) != backend.MinBufferSize {
		p.idle = b
		return
	}
	p.recycle(b)
}

func (p *pool) recycle(b *buffer) {
	if len(b.mem) == backend.MinBufferSize {
		shared.put(b)
	}
}

// close gives the idle buffer back; each buffer still out goes back when
// it is released.
func (p *pool) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	if p.idle != nil {
		p.recycle(p.idle)
		p.idle = nil
	}
	return nil
}

// held reports how many buffers are out and whether one is idle, for tests.
func (p *pool) held() (out int, idle bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out, p.idle != nil
}

// Spill areas take the part of a datagram that does not fit in a buffer.
// The kernel never sends dump or event datagrams larger than a buffer, so a
// spill area is touched only by rare large replies (a link with many VFs)
// and by user-space peers. Rather than give every buffer room for those, a
// recvmsg borrows a spill area as a second iovec for the length of the
// call: the process needs as many as it has concurrent recvmsg calls in
// progress, whatever the number of sockets. They are mapped outside the Go
// heap and only the pages a datagram fills become resident; pages past
// spillResident are given back after use.
type spillPool struct {
	// hot holds one free area of hotSize bytes, the first size asked for
	// (a process rarely has two): taking it and giving it back is one
	// atomic operation each, where the lists below take a lock and a map
	// lookup, and every recvmsg does both.
	hot     atomic.Pointer[byte]
	hotSize atomic.Int64

	mu   sync.Mutex
	free map[int][][]byte // by size
}

var spills = spillPool{free: map[int][][]byte{}}

// spilled counts the datagrams that did not fit their buffer, for tests.
var spilled atomic.Uint64

const spillResident = 64 << 10

func (sp *spillPool) get(size int) []byte {
	if int64(size) == sp.hotSize.Load() {
		if p := sp.hot.Swap(nil); p != nil {
			return unsafe.Slice(p, size)
		}
	}
	sp.mu.Lock()
	if l := sp.free[size]; len(l) > 0 {
		m := l[len(l)-1]
		sp.free[size] = l[:len(l)-1]
		sp.mu.Unlock()
		return m
	}
	sp.mu.Unlock()
	m, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
	if err != nil {
		// Without a spill area a large datagram is reported truncated,
		// which is what happens when address space runs out.
		return nil
	}
	return m
}

// put returns m, of which the last datagram used the first n bytes.
func (sp *spillPool) put(m []byte, n int) {
	if n > spillResident {
		// Best effort: if it fails the pages merely stay resident.
		page := os.Getpagesize()
		end := min((n+page-1)&^(page-1), len(m))
		_ = unix.Madvise(m[spillResident:end], unix.MADV_DONTNEED)
	}
	sp.hotSize.CompareAndSwap(0, int64(len(m)))
	if int64(len(m)) == sp.hotSize.Load() && sp.hot.CompareAndSwap(nil, &m[0]) {
		return
	}
	sp.mu.Lock()
	sp.free[len(m)] = append(sp.free[len(m)], m)
	sp.mu.Unlock()
}
