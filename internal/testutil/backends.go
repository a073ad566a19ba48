package testutil

import (
	"os"
	"testing"

	"github.com/nlring/netlink/backend"
)

// Backends returns the backends tests run on: every backend nlring ships,
// or only the one NLRING_BACKEND names when it is set.
func Backends(t testing.TB) []backend.Kind {
	t.Helper()
	env := os.Getenv(backend.EnvVar)
	if env == "" {
		return []backend.Kind{backend.Syscall, backend.IOUring}
	}
	k, err := backend.ParseKind(env)
	if err != nil {
		t.Fatal(err)
	}
	return []backend.Kind{k}
}

// ForEachBackend runs fn as a subtest per backend of Backends. A backend
// for which unavailable returns an error is skipped with it as the reason.
//
// unavailable is the caller's because the check for io_uring lives in
// backend/iouring, whose own tests import this package.
func ForEachBackend(t *testing.T, unavailable func(backend.Kind) error, fn func(t *testing.T, kind backend.Kind)) {
	t.Helper()
	for _, kind := range Backends(t) {
		t.Run(string(kind), func(t *testing.T) {
			if err := unavailable(kind); err != nil {
				t.Skipf("%s backend unavailable: %v", kind, err)
			}
			fn(t, kind)
		})
	}
}
