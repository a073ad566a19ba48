//go:build linux && race

package iouring

// The race detector allocates on synchronization: allocation counts only
// mean something without it.
const raceEnabled = true
