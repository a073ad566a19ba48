package testutil

import (
	"errors"
	"testing"

	"github.com/nlring/netlink/internal/netns"
	"github.com/nlring/netlink/internal/nlsock"
	"golang.org/x/sys/unix"
)

// A UserSock is a plain blocking NETLINK_USERSOCK socket standing for another
// program: it sends what the kernel never would (datagrams of any size,
// multicast of any content) to the socket under test.
type UserSock struct {
	FD  int
	PID uint32
}

// OpenUserSock opens a UserSock in ns, closed when t ends.
func OpenUserSock(t testing.TB, ns *netns.NS) *UserSock {
	t.Helper()
	fd, pid, err := nlsock.Open(nlsock.Options{Family: unix.NETLINK_USERSOCK, NetNS: ns.FD()})
	if err != nil {
		t.Fatalf("opening peer socket: %v", err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return &UserSock{FD: fd, PID: pid}
}

// Send sends b to port pid and to multicast groups.
func (p *UserSock) Send(t testing.TB, pid, groups uint32, b []byte) {
	t.Helper()
	to := &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: pid, Groups: groups}
	err := unix.Sendto(p.FD, b, 0, to)
	if groups != 0 && pid == 0 && errors.Is(err, unix.ECONNREFUSED) {
		// The multicast went out; the kernel then also tried port 0, which
		// NETLINK_USERSOCK does not have.
		err = nil
	}
	if err != nil {
		t.Fatalf("peer sendto: %v", err)
	}
}
