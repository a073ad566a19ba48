//go:build linux

package iouring

import "github.com/nlring/netlink/backend"

// RetainedBuffers returns how many receive buffers s keeps alive, for the
// conformance suite: every buffer while s is open, only those of datagrams
// not yet released once it is closed.
func RetainedBuffers(bs backend.Socket) int {
	s := bs.(*Socket)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bufs.bufs != nil {
		return len(s.bufs.bufs)
	}
	return s.held
}
