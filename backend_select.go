//go:build linux

package netlink

import (
	"errors"
	"fmt"
	"os"

	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/backend/iouring"
	nlsyscall "github.com/nlring/netlink/backend/syscall"
)

// openBackend opens the socket for Dial on the backend that config and the
// environment choose, and says which one and why.
func openBackend(family int, config *Config) (backend.Socket, backend.Kind, string, error) {
	kind, err := backend.Choose(config.Backend)
	if err != nil {
		return nil, "", "", err
	}
	cfg := backend.Config{
		Family:     family,
		Groups:     config.Groups,
		PID:        config.PID,
		NetNS:      config.NetNS,
		BufferSize: max(config.MessageBufferSize, 0),
	}

	if kind == backend.Auto {
		// The cost model (README, "Choosing a backend"): a Conn on the
		// syscall backend costs one descriptor and no memory while idle,
		// dials as fast as mdlayher/netlink's and serves requests,
		// replies and downstream libraries at least as fast as io_uring
		// does. io_uring saves system calls on long dumps and event
		// streams, where the kernel's work dominates anyway, so it runs
		// only when asked for.
		return openSyscall(cfg, "auto: the syscall backend; io_uring runs only when asked for")
	}

	reason := chosenBy(kind)
	if kind == backend.Syscall {
		return openSyscall(cfg, reason)
	}
	if why := iouring.Supported(); why != nil {
		// The backend's errors say "nlring: io_uring: ..."; add who asked.
		return nil, "", "", fmt.Errorf("%w (asked for by %s)", why, reason)
	}
	s, err := iouring.Open(cfg)
	var se *iouring.SetupError
	var ue *iouring.UnsupportedError
	if errors.As(err, &se) || errors.As(err, &ue) {
		return nil, "", "", fmt.Errorf("%w (asked for by %s)", err, reason)
	}
	if err != nil {
		// The socket itself failed (namespace, family, port ID): the
		// error any backend, and mdlayher/netlink, gives.
		return nil, "", "", err
	}
	return s, backend.IOUring, reason, nil
}

func openSyscall(cfg backend.Config, reason string) (backend.Socket, backend.Kind, string, error) {
	s, err := nlsyscall.Open(cfg)
	if err != nil {
		return nil, "", "", err
	}
	return s, backend.Syscall, reason, nil
}

// chosenBy names the setting that asked for kind explicitly.
func chosenBy(kind backend.Kind) string {
	if v := os.Getenv(backend.EnvVar); v != "" {
		return backend.EnvVar + "=" + v
	}
	return "Config.Backend=" + string(kind)
}
