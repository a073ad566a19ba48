//go:build linux

package syscall

import (
	"testing"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/backendtest"
)

func TestConformance(t *testing.T) {
	backendtest.Run(t, backendtest.Backend{Open: Open, Retained: retained})
}

// retained returns how many receive buffers s keeps alive: those lent to
// datagrams not yet released, and the one it may keep idle for its next
// Recv while open.
func retained(bs backend.Socket) int {
	out, idle := bs.(*Socket).pool.held()
	if idle {
		out++
	}
	return out
}
