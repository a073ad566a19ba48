//go:build linux

package uring

import (
	"fmt"
	"os"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// bufEntry is struct io_uring_buf.
type bufEntry struct {
	Addr uint64
	Len  uint32
	Bid  uint16
	Resv uint16
}

// bufReg is struct io_uring_buf_reg. Flags stays 0: nlring never sets
// IOU_PBUF_RING_INC, which lets the kernel fill a buffer with several
// receives and cuts netlink datagrams at buffer tails.
type bufReg struct {
	RingAddr    uint64
	RingEntries uint32
	Bgid        uint16
	Flags       uint16
	Resv        [3]uint64
}

// BufRing is a ring-mapped provided buffer group (IORING_REGISTER_PBUF_RING):
// a ring of buffer descriptors in memory we map and share with the kernel.
// We add buffers at the tail; requests that set IOSQE_BUFFER_SELECT with
// this group take them from the head and name the one they used in
// their CQE.
//
// Add and Advance must not run concurrently with each other; unlike the
// Ring, they need not run on the ring's thread.
type BufRing struct {
	ring    *Ring
	mem     []byte
	entries []bufEntry
	mask    uint16
	tail    uint16 // our copy; the kernel's is overlaid on entries[0].Resv
	bgid    uint16
}

// RegisterBufRing maps and registers a buffer ring of entries descriptors
// (a power of two, at most 32768) for buffer group bgid. It starts empty.
func (r *Ring) RegisterBufRing(bgid uint16, entries int) (*BufRing, error) {
	if entries <= 0 || entries > 1<<15 || entries&(entries-1) != 0 {
		return nil, fmt.Errorf("buffer ring of %d entries: not a power of two up to 32768", entries)
	}
	size := entries * int(unsafe.Sizeof(bufEntry{}))
	mem, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, os.NewSyscallError("mmap", err)
	}
	reg := bufReg{RingAddr: uint64(uintptr(unsafe.Pointer(&mem[0]))), RingEntries: uint32(entries), Bgid: bgid}
	if err := r.register(IORING_REGISTER_PBUF_RING, unsafe.Pointer(&reg), 1); err != nil {
		unix.Munmap(mem)
		return nil, os.NewSyscallError("io_uring_register(IORING_REGISTER_PBUF_RING)", err)
	}
	return &BufRing{
		ring:    r,
		mem:     mem,
		entries: unsafe.Slice((*bufEntry)(unsafe.Pointer(&mem[0])), entries),
		mask:    uint16(entries - 1),
		bgid:    bgid,
	}, nil
}

// Group returns the buffer group ID to put in SQEs.
func (b *BufRing) Group() uint16 { return b.bgid }

// Add writes buf's descriptor, with buffer ID bid, offset slots past the
// tail. The kernel does not see it until Advance moves the tail over it.
// buf must stay allocated, and referenced if it is Go memory, for as long as
// the kernel may write to it.
func (b *BufRing) Add(buf []byte, bid uint16, offset int) {
	e := &b.entries[(b.tail+uint16(offset))&b.mask]
	e.Addr = uint64(uintptr(unsafe.Pointer(unsafe.SliceData(buf))))
	e.Len = uint32(len(buf))
	e.Bid = bid
}

// Advance makes n added buffers visible to the kernel.
func (b *BufRing) Advance(n int) {
	b.tail += uint16(n)
	// The kernel load-acquires the 16-bit tail, which shares a 32-bit word
	// with entries[0].Bid. sync/atomic has no 16-bit store, so store-release
	// the whole word: Bid is ours too and is rewritten with its own value.
	word := (*uint32)(unsafe.Pointer(&b.entries[0].Bid))
	halves := [2]uint16{b.entries[0].Bid, b.tail}
	atomic.StoreUint32(word, *(*uint32)(unsafe.Pointer(&halves)))
}

// Unregister unregisters the group and unmaps its ring. Requests still
// selecting from the group fail with ENOBUFS.
func (b *BufRing) Unregister() error {
	if b.mem == nil {
		return nil
	}
	reg := bufReg{Bgid: b.bgid}
	err := b.ring.register(IORING_UNREGISTER_PBUF_RING, unsafe.Pointer(&reg), 1)
	unix.Munmap(b.mem)
	b.mem, b.entries = nil, nil
	if err != nil {
		return os.NewSyscallError("io_uring_register(IORING_UNREGISTER_PBUF_RING)", err)
	}
	return nil
}
