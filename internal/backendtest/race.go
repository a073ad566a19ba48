//go:build linux && race

package backendtest

// RaceEnabled reports whether the test binary runs under the race
// detector, which allocates on synchronization and slows everything down.
const RaceEnabled = true
