//go:build linux

// Package backendtest holds the conformance suite every backend passes
// (Run), and runs tests of the root package on every backend nlring ships
// (ForEachBackend).
package backendtest

import (
	"os"
	"testing"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/backend/iouring"
)

// ForEachBackend runs fn as a subtest per backend, skipping io_uring with
// the reason where it is unavailable. When NLRING_BACKEND is set, only the
// backend it names runs.
func ForEachBackend(t *testing.T, fn func(t *testing.T, kind backend.Kind)) {
	kinds := []backend.Kind{backend.Syscall, backend.IOUring}
	if env := os.Getenv(backend.EnvVar); env != "" {
		k, err := backend.ParseKind(env)
		if err != nil {
			t.Fatal(err)
		}
		kinds = []backend.Kind{k}
	}
	for _, kind := range kinds {
		t.Run(string(kind), func(t *testing.T) {
			if kind == backend.IOUring {
				if why := iouring.Supported(); why != nil {
					t.Skipf("io_uring backend unavailable: %v", why)
				}
			}
			fn(t, kind)
		})
	}
}
