package netlink

import (
	"testing"

	"github.com/nlring/netlink/internal/testutil"
)

// TestMain fails the package's tests if any test leaves a goroutine behind.
// It is the only TestMain of the package (internal and external tests share
// one binary).
func TestMain(m *testing.M) { testutil.VerifyTestMain(m) }
