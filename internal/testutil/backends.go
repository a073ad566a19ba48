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

// ForEachBackend runs fn as a subtest per backend of Backends, skipping
// io_uring with the reason iouringSupported gives when it returns an error.
//
// Callers pass backend/iouring's Supported: that package's own tests
// import this one, which therefore cannot import it.
func ForEachBackend(t *testing.T, iouringSupported func() error, fn func(t *testing.T, kind backend.Kind)) {
	t.Helper()
	for _, kind := range Backends(t) {
		t.Run(string(kind), func(t *testing.T) {
			if kind == backend.IOUring {
				if why := iouringSupported(); why != nil {
					t.Skipf("io_uring backend unavailable: %v", why)
				}
			}
			fn(t, kind)
		})
	}
}
