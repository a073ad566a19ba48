//go:build linux

package iouring_test

import (
	"testing"

	"github.com/nlring/netlink/backend/iouring"
	"github.com/nlring/netlink/internal/backendtest"
)

func TestConformance(t *testing.T) {
	if err := iouring.Supported(); err != nil {
		t.Skip(err)
	}
	backendtest.Run(t, backendtest.Backend{Open: iouring.Open, Retained: iouring.RetainedBuffers})
}
