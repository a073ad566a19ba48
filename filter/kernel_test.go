//go:build linux

package filter

import (
	"errors"
	"testing"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// attachClassic attaches a classic program to fd with SO_ATTACH_FILTER.
func attachClassic(fd int, raw []bpf.RawInstruction) error {
	prog := unix.SockFprog{
		Len:    uint16(len(raw)),
		Filter: (*unix.SockFilter)(unsafe.Pointer(&raw[0])),
	}
	return unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &prog)
}

// kernelKeeps runs prog in the kernel on pkt: it attaches prog to one end
// of an AF_UNIX datagram socket pair, sends pkt from the other end and says
// whether it arrived. Unix sockets run socket filters on the same sk_buff
// layout as netlink (the datagram from offset 0), so the ancillary loads
// behave as on a netlink socket, and no privilege is needed.
func kernelKeeps(t *testing.T, prog []bpf.Instruction, pkt []byte) bool {
	t.Helper()
	raw, err := bpf.Assemble(prog)
	if err != nil {
		t.Fatalf("assembling: %v", err)
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("socketpair: %v", err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	if err := attachClassic(fds[1], raw); err != nil {
		t.Fatalf("SO_ATTACH_FILTER: %v", err)
	}
	if _, err := unix.Write(fds[0], pkt); err != nil {
		t.Fatalf("sending: %v", err)
	}
	buf := make([]byte, len(pkt)+64)
	n, _, err := unix.Recvfrom(fds[1], buf, unix.MSG_DONTWAIT)
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
