//go:build linux

package syscall_test

import (
	"testing"

	nlsyscall "github.com/nlring/netlink/backend/syscall"
	"github.com/nlring/netlink/internal/backendtest"
)

func TestConformance(t *testing.T) {
	backendtest.Run(t, backendtest.Backend{Open: nlsyscall.Open, Retained: nlsyscall.RetainedBuffers})
}
