//go:build linux

package backendtest

import (
	"context"
	"testing"

	"github.com/nlring/netlink/backend"
)

// A Backend is what the conformance suite needs to know of a backend.
type Backend struct {
	// Open opens a socket as the backend's Open does.
	Open func(backend.Config) (backend.Socket, error)
	// Retained returns how many receive buffers a closed socket still keeps
	// alive. It must be exactly the number of datagrams not yet released:
	// Close lets go of everything else.
	Retained func(backend.Socket) int
}

// recvContexter is the optional method the root package's transport uses
// to wait for a datagram or a context, whichever comes first.
type recvContexter interface {
	RecvContext(context.Context) (backend.Datagram, error)
}

// Run runs the conformance suite: what backend.Socket promises, checked on
// sockets of b in fresh network namespaces. It needs root.
func Run(t *testing.T, b Backend) {
	tests := []struct {
		name string
		fn   func(*testing.T, Backend)
	}{
		{"GetLinkRoundTrip", testGetLinkRoundTrip},
		{"RouteDump", testRouteDump},
		{"Truncated", testTruncated},
		{"HeldDatagrams", testHeldDatagrams},
		{"JoinLeaveGroup", testJoinLeaveGroup},
		{"Overrun", testOverrun},
		{"SendError", testSendError},
		{"Unblock", testUnblock},
		{"Deadline", testDeadline},
		{"WriteDeadline", testWriteDeadline},
		{"RecvContext", testRecvContext},
		{"SendWhileRecvBlocked", testSendWhileRecvBlocked},
		{"Concurrent", testConcurrent},
		{"Closed", testClosed},
		{"Sockopt", testSockopt},
		{"OpenBindsPID", testOpenBindsPID},
		{"OpenCloseLeaks", testOpenCloseLeaks},
		{"ZeroAllocs", testZeroAllocs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, b) })
	}
}

// closeAndCount closes s and returns how many buffers it still keeps.
func closeAndCount(t *testing.T, b Backend, s backend.Socket) int {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return b.Retained(s)
}
