//go:build linux && !race

package iouring

const raceEnabled = false
