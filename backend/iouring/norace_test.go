//go:build !race

package iouring

const raceEnabled = false
