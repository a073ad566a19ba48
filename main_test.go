package netlink

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any test leaves a goroutine behind.
// It is the only TestMain of the package (internal and external tests share
// one binary).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
