package ebpf

import (
	"errors"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// pair is an AF_UNIX datagram socket pair: unix sockets run socket filters
// on the same sk_buff layout as netlink (the datagram from offset 0), so a
// filter can be fed synthetic netlink datagrams without privileges beyond
// loading it.
type pair struct {
	send int
	recv *os.File
}

func newPair(t *testing.T) *pair {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("socketpair: %v", err)
	}
	p := &pair{send: fds[0], recv: os.NewFile(uintptr(fds[1]), "recv")}
	t.Cleanup(func() {
		unix.Close(p.send)
		p.recv.Close()
	})
	return p
}

// keeps sends pkt and says whether the receiving end got all of it.
func (p *pair) keeps(t *testing.T, pkt []byte) bool {
	t.Helper()
	if _, err := unix.Write(p.send, pkt); err != nil {
		t.Fatalf("sending: %v", err)
	}
	buf := make([]byte, len(pkt)+64)
	n, _, err := unix.Recvfrom(int(p.recv.Fd()), buf, unix.MSG_DONTWAIT)
	if errors.Is(err, unix.EAGAIN) {
		return false
	}
	if err != nil {
		t.Fatalf("receiving: %v", err)
	}
	if n != len(pkt) {
		t.Fatalf("received %d bytes of a %d-byte datagram: the filter trimmed it", n, len(pkt))
	}
	return true
}
