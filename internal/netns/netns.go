//go:build linux

// Package netns creates throw-away network namespaces with iproute2, for
// tests and benchmark scenarios. Nothing in them reaches outside the machine.
package netns

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"golang.org/x/sys/unix"
)

// NS is a named network namespace with its loopback link up.
type NS struct {
	name string
	fd   int
}

// New creates a namespace named prefix-<random> and brings lo up.
func New(prefix string) (*NS, error) {
	if os.Geteuid() != 0 {
		return nil, errors.New("creating a network namespace needs root")
	}
	var b [4]byte
	rand.Read(b[:])
	name := prefix + "-" + hex.EncodeToString(b[:])
	if err := run(nil, "ip", "netns", "add", name); err != nil {
		return nil, err
	}
	fd, err := unix.Open("/run/netns/"+name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		run(nil, "ip", "netns", "del", name)
		return nil, fmt.Errorf("opening namespace %s: %w", name, err)
	}
	ns := &NS{name: name, fd: fd}
	if err := ns.IP("link", "set", "lo", "up"); err != nil {
		ns.Close()
		return nil, err
	}
	return ns, nil
}

// Name is the namespace's name, as `ip netns` knows it.
func (ns *NS) Name() string { return ns.name }

// FD is a file descriptor of the namespace, valid until Close.
func (ns *NS) FD() int { return ns.fd }

// IP runs `ip -n <ns> args...`.
func (ns *NS) IP(args ...string) error {
	return run(nil, "ip", append([]string{"-n", ns.name}, args...)...)
}

// Batch runs `ip -n <ns> -batch -` with commands read from r: the fast way
// to install many routes or links.
func (ns *NS) Batch(r io.Reader) error {
	return run(r, "ip", "-n", ns.name, "-batch", "-")
}

// Close deletes the namespace.
func (ns *NS) Close() error {
	unix.Close(ns.fd)
	return run(nil, "ip", "netns", "del", ns.name)
}

func run(stdin io.Reader, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Stdin = stdin
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, bytes.TrimSpace(out.Bytes()))
	}
	return nil
}
