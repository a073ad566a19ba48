//go:build linux

package iouring

import (
	"testing"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/backendtest"
)

func TestConformance(t *testing.T) {
	requireSupported(t)
	backendtest.Run(t, backendtest.Backend{Open: Open, Retained: retained})
}

// retained returns how many receive buffers s keeps alive: every buffer
// while s is open, only those of datagrams not yet released once it is
// closed.
func retained(bs backend.Socket) int {
	s := bs.(*Socket)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bufs.bufs != nil {
		return len(s.bufs.bufs)
	}
	return s.held
}
