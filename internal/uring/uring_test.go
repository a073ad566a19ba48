//go:build linux

package uring

import (
	"bytes"
	"errors"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) { testutil.VerifyTestMain(m) }

// newRing sets up a ring on the test goroutine's thread, locked for the
// test's duration as the package requires.
func newRing(t *testing.T, entries, cqEntries uint32) *Ring {
	t.Helper()
	runtime.LockOSThread()
	r, err := New(entries, cqEntries)
	if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM) {
		runtime.UnlockOSThread()
		t.Skipf("io_uring unavailable: %v", err)
	}
	if err != nil {
		runtime.UnlockOSThread()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
		runtime.UnlockOSThread()
	})
	return r
}

func reap(t *testing.T, r *Ring) []CQE {
	t.Helper()
	var out []CQE
	for {
		c, ok := r.PeekCQE()
		if !ok {
			return out
		}
		out = append(out, c)
		r.CQESeen()
	}
}

func TestNops(t *testing.T) {
	r := newRing(t, 8, 64)
	if r.flags&IORING_SETUP_CQSIZE == 0 {
		t.Errorf("flags %#x lack IORING_SETUP_CQSIZE", r.flags)
	}
	// Several rounds wrap the 8-entry SQ and the CQ indices.
	var want uint64
	for round := 0; round < 5; round++ {
		for i := 0; i < 8; i++ {
			sqe := r.GetSQE()
			if sqe == nil {
				t.Fatalf("round %d: GetSQE %d returned nil with %d free", round, i, r.sqSpace())
			}
			sqe.PrepNop()
			want++
			sqe.UserData = want
		}
		if r.GetSQE() != nil {
			t.Fatal("GetSQE on a full submission queue returned an SQE")
		}
		n, err := r.SubmitAndWait(8)
		if err != nil || n != 8 {
			t.Fatalf("SubmitAndWait = %d, %v; want 8, nil", n, err)
		}
		cqes := reap(t, r)
		if len(cqes) != 8 {
			t.Fatalf("got %d CQEs, want 8", len(cqes))
		}
		for i, c := range cqes {
			if c.Res != 0 || c.UserData != want-7+uint64(i) {
				t.Errorf("CQE %d = %+v; want res 0, user data %d", i, c, want-7+uint64(i))
			}
		}
	}
	if got := r.Enters(); got != 5 {
		t.Errorf("Enters() = %d after 5 submits, want 5", got)
	}
}

func TestProbe(t *testing.T) {
	r := newRing(t, 4, 8)
	missing, err := r.OpSupported(IORING_OP_NOP, IORING_OP_RECVMSG, IORING_OP_ASYNC_CANCEL, opRead, 255)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) != 1 || missing[0] != 255 {
		t.Errorf("missing = %v, want only the unassigned opcode 255", missing)
	}
}

// opRead is IORING_OP_READ, which only this test uses: a request that
// completes when another thread acts, not inline.
const opRead = 22

// prepRead prepares a read(2) of len(b) bytes into b, as
// io_uring_prep_read does.
func prepRead(sqe *SQE, fd int, b []byte) {
	sqe.Opcode = opRead
	sqe.Fd = int32(fd)
	sqe.Addr = uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b))))
	sqe.Len = uint32(len(b))
	sqe.Off = ^uint64(0) // -1: the file position; eventfds have none
}

func TestReadEventfd(t *testing.T) {
	r := newRing(t, 4, 8)
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(efd)
	buf := make([]byte, 8)
	sqe := r.GetSQE()
	prepRead(sqe, efd, buf)
	sqe.UserData = 42
	if _, err := r.Submit(); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.PeekCQE(); ok {
		t.Fatal("read of an empty eventfd completed")
	}
	if _, err := unix.Write(efd, []byte{3, 0, 0, 0, 0, 0, 0, 0}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.SubmitAndWait(1); err != nil {
		t.Fatal(err)
	}
	c, ok := r.PeekCQE()
	if !ok || c.UserData != 42 || c.Res != 8 || buf[0] != 3 {
		t.Fatalf("CQE %+v ok=%v buf %v; want user data 42, res 8, counter 3", c, ok, buf)
	}
	r.CQESeen()
}

// TestMultishotRecvmsg receives datagrams from a socketpair through a buffer
// ring, runs the ring dry, and checks the recvmsg_out layout.
func TestMultishotRecvmsg(t *testing.T) {
	r := newRing(t, 8, 64)
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])

	const nbufs, size = 4, 4096
	br, err := r.RegisterBufRing(7, nbufs)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := br.Unregister(); err != nil {
			t.Error(err)
		}
	}()
	mem, err := unix.Mmap(-1, 0, nbufs*size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(mem)
	buf := func(id uint16) []byte { return mem[int(id)*size : (int(id)+1)*size] }
	for i := range nbufs {
		br.Add(buf(uint16(i)), uint16(i), i)
	}
	br.Advance(nbufs)

	msg := &unix.Msghdr{Controllen: 0}
	msg.Namelen = 0
	sqe := r.GetSQE()
	sqe.PrepRecvmsgMultishot(fds[0], msg, unix.MSG_TRUNC, br.Group())
	sqe.UserData = 1
	if _, err := r.Submit(); err != nil {
		t.Fatal(err)
	}

	// Five datagrams into four buffers: four arrive, then the multishot
	// ends with ENOBUFS and the fifth waits in the socket.
	for i := range 5 {
		if _, err := unix.Write(fds[1], bytes.Repeat([]byte{byte('a' + i)}, 10+i)); err != nil {
			t.Fatal(err)
		}
	}
	var cqes []CQE
	for len(cqes) < 5 {
		if _, err := r.SubmitAndWait(1); err != nil {
			t.Fatal(err)
		}
		cqes = append(cqes, reap(t, r)...)
	}
	for i, c := range cqes[:4] {
		id, ok := c.BufferID()
		if !ok || !c.More() {
			t.Fatalf("CQE %d = %+v: want a buffer and F_MORE", i, c)
		}
		out := (*RecvmsgOut)(unsafe.Pointer(&buf(id)[0]))
		hdr := int(unsafe.Sizeof(RecvmsgOut{}))
		payload := buf(id)[hdr : hdr+int(out.Payloadlen)]
		if want := bytes.Repeat([]byte{byte('a' + i)}, 10+i); !bytes.Equal(payload, want) || int(c.Res) != hdr+len(want) {
			t.Errorf("CQE %d: res %d payload %q, want %d and %q", i, c.Res, payload, hdr+len(want), want)
		}
	}
	if c := cqes[4]; c.Res != -int32(unix.ENOBUFS) || c.More() {
		t.Fatalf("last CQE = %+v, want -ENOBUFS without F_MORE", c)
	}

	// Return two buffers and re-arm: the fifth datagram arrives. (Had we
	// returned only one, the multishot would end with ENOBUFS right after
	// using it, whether or not more data is waiting.)
	br.Add(buf(2), 2, 0)
	br.Add(buf(0), 0, 1)
	br.Advance(2)
	sqe = r.GetSQE()
	sqe.PrepRecvmsgMultishot(fds[0], msg, unix.MSG_TRUNC, br.Group())
	sqe.UserData = 2
	if _, err := r.SubmitAndWait(1); err != nil {
		t.Fatal(err)
	}
	c, _ := r.PeekCQE()
	r.CQESeen()
	if id, ok := c.BufferID(); !ok || id != 2 || c.UserData != 2 {
		t.Fatalf("after re-arm: CQE %+v, want buffer 2", c)
	}
	out := (*RecvmsgOut)(unsafe.Pointer(&buf(2)[0]))
	if out.Payloadlen != 14 {
		t.Errorf("fifth datagram: payload length %d, want 14", out.Payloadlen)
	}

	// Cancel the multishot: it ends, and so does the cancel request.
	sqe = r.GetSQE()
	sqe.PrepCancel(2)
	sqe.UserData = 3
	if _, err := r.SubmitAndWait(2); err != nil {
		t.Fatal(err)
	}
	got := map[uint64]int32{}
	for _, c := range reap(t, r) {
		got[c.UserData] = c.Res
	}
	if got[2] != -int32(unix.ECANCELED) || got[3] != 0 {
		t.Errorf("after cancel: results %v, want 2:-ECANCELED 3:0", got)
	}
}

func TestBufRingEntries(t *testing.T) {
	r := newRing(t, 4, 8)
	for _, n := range []int{0, 3, 1 << 16} {
		if _, err := r.RegisterBufRing(1, n); err == nil {
			t.Errorf("RegisterBufRing(%d entries) succeeded", n)
		}
	}
}

// TestWaitConcurrentSubmit blocks one goroutine in Wait while another
// submits a NOP: its completion, posted from the other thread, ends the
// wait.
func TestWaitConcurrentSubmit(t *testing.T) {
	r := newRing(t, 4, 8)
	done := make(chan error, 1)
	go func() { done <- r.Wait(1) }()
	time.Sleep(20 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("Wait returned %v with no completion", err)
	default:
	}
	sqe := r.GetSQE()
	sqe.PrepNop()
	sqe.UserData = 9
	if _, err := r.Submit(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not return after a completion")
	}
	if cqes := reap(t, r); len(cqes) != 1 || cqes[0].UserData != 9 {
		t.Errorf("CQEs %+v, want the NOP", cqes)
	}
}
