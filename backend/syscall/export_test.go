//go:build linux

package syscall

import "github.com/nlring/netlink/backend"

// RetainedBuffers returns how many receive buffers s keeps alive, for the
// conformance suite: those lent to datagrams not yet released, and the one
// it may keep idle for its next Recv while open.
func RetainedBuffers(bs backend.Socket) int {
	out, idle := bs.(*Socket).pool.held()
	if idle {
		out++
	}
	return out
}
