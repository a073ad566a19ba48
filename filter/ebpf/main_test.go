package ebpf

import (
	"errors"
	"os"
	"testing"

	"github.com/nlring/netlink/internal/testutil"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(permissionChild())
	}
	testutil.VerifyTestMain(m)
}

// newFilter is New for tests: it skips t when eBPF cannot be loaded for
// lack of privileges, and closes the filter when t ends.
func newFilter(t testing.TB, spec Spec) *Filter {
	t.Helper()
	f, err := New(spec)
	if errors.Is(err, ErrPermission) {
		t.Skipf("skipped: loading eBPF needs root or CAP_BPF: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := f.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return f
}
