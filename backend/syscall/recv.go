//go:build linux

package syscall

import (
	"context"
	"errors"
	"net"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/nlring/netlink/backend"
)

// Recv waits for the next datagram and returns it in a buffer of its own,
// which stays valid until Release. It reports a datagram larger than the
// buffer as *backend.TruncatedError (the datagram is gone) and a socket
// overrun as an error wrapping unix.ENOBUFS; the socket stays usable after
// both. It allocates nothing once its buffers are mapped.
func (s *Socket) Recv() (backend.Datagram, error) { return s.recv(context.Background()) }

// RecvContext is Recv that also gives up as soon as ctx ends, with an error
// that wraps ctx.Err(). Other goroutines' Recv calls are not disturbed. Unlike
// Recv it allocates when ctx can end.
func (s *Socket) RecvContext(ctx context.Context) (backend.Datagram, error) {
	if ctx.Done() == nil {
		return s.recv(ctx)
	}
	if err := ctx.Err(); err != nil {
		return backend.Datagram{}, os.NewSyscallError("recvmsg", err)
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		s.deadline.interrupt()
		close(fired)
	})
	d, err := s.recv(ctx)
	if !stop() {
		<-fired
		s.deadline.resume()
	}
	return d, err
}

// Release returns a datagram's buffer for reuse. Releasing the zero
// Datagram, or one already released, does nothing.
func (s *Socket) Release(d backend.Datagram) { s.pool.release(d.Ref) }

// recv receives one datagram.
func (s *Socket) recv(ctx context.Context) (backend.Datagram, error) {
	if s.closed.Load() {
		return backend.Datagram{}, os.NewSyscallError("recvmsg", net.ErrClosed)
	}
	b, err := s.pool.get()
	if err != nil {
		if errors.Is(err, errPoolClosed) {
			err = net.ErrClosed
		}
		return backend.Datagram{}, os.NewSyscallError("recvmsg", err)
	}
	if err := s.wait(ctx, b); err != nil {
		s.pool.put(b)
		return backend.Datagram{}, s.pollError("recvmsg", err)
	}
	if errno := b.errno; errno != 0 {
		// b goes back to buffers shared by every socket: read nothing of
		// it after put.
		s.pool.put(b)
		return backend.Datagram{}, os.NewSyscallError("recvmsg", errno)
	}
	n := b.n
	data := b.data
	if b.msg.Flags&unix.MSG_TRUNC != 0 || (n > len(b.mem) && data == nil) {
		s.pool.put(b)
		return backend.Datagram{}, &backend.TruncatedError{Size: n, Buffer: s.pool.size}
	}
	if data == nil {
		// The capacity is capped so that an append by the caller copies
		// instead of writing over the rest of the buffer.
		data = b.mem[:n:n]
	}
	return backend.Datagram{
		Data:   data,
		Sender: b.from.Pid,
		Groups: b.from.Groups,
		Ref:    b.ref(),
	}, nil
}

// wait runs recvmsg into b through the poller until a datagram or a socket
// error arrives, the socket is closed, the read deadline passes or ctx ends.
// It sees through deadline errors caused by another call's interruption.
func (s *Socket) wait(ctx context.Context, b *buffer) error {
	for {
		err := s.rc.Read(b.recv)
		if err == nil || !errors.Is(err, os.ErrDeadlineExceeded) || s.closed.Load() {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		resumed, retry := s.deadline.spurious()
		if !retry {
			return err
		}
		if resumed == nil {
			continue
		}
		select {
		case <-resumed:
		case <-ctx.Done():
		}
	}
}

// recvmsg is the poller callback: one non-blocking recvmsg into b. It
// reports false when the socket has nothing to read, so the poller waits.
//
// MSG_TRUNC makes the kernel return a datagram's real length even when it did
// not fit, which is how truncation is detected without peeking first. The
// call is made directly, with the address in b, because unix.Recvmsg
// allocates a Sockaddr for every datagram.
func (b *buffer) recvmsg(fd uintptr) bool {
	b.from = unix.RawSockaddrNetlink{}
	b.msg.Namelen = unix.SizeofSockaddrNetlink
	b.msg.Flags = 0
	b.data = nil
	var spill []byte
	if b.spillSize > 0 {
		spill = spills.get(b.spillSize)
	}
	if spill != nil {
		b.iov[1].Base = &spill[0]
		b.iov[1].SetLen(len(spill))
		b.msg.SetIovlen(2)
	} else {
		b.msg.SetIovlen(1)
	}
	for {
		n, _, errno := unix.Syscall(unix.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&b.msg)), unix.MSG_TRUNC)
		switch errno {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			b.putSpill(spill, 0)
			return false
		}
		b.n, b.errno = int(n), errno
		if errno == 0 && b.n > len(b.mem) && spill != nil && b.n <= len(b.mem)+len(spill) {
			// Rare: one allocation joins the two parts.
			spilled.Add(1)
			b.data = make([]byte, b.n)
			copy(b.data[copy(b.data, b.mem):], spill)
		}
		b.putSpill(spill, b.n-len(b.mem))
		return true
	}
}

func (b *buffer) putSpill(spill []byte, used int) {
	if spill == nil {
		return
	}
	b.iov[1] = unix.Iovec{}
	b.msg.SetIovlen(1)
	spills.put(spill, used)
}
