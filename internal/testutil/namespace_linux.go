package testutil

import (
	"os"
	"testing"

	"github.com/nlring/netlink/internal/netns"
)

// RequireRoot skips t unless the test runs as root.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipped: needs root to create network namespaces")
	}
}

// NS returns a fresh network namespace, deleted when t ends. It skips t when
// not root.
func NS(t testing.TB) *netns.NS {
	t.Helper()
	RequireRoot(t)
	ns, err := netns.New("nlring-test")
	if err != nil {
		t.Fatalf("creating network namespace: %v", err)
	}
	t.Cleanup(func() {
		if err := ns.Close(); err != nil {
			t.Errorf("deleting network namespace: %v", err)
		}
	})
	return ns
}
