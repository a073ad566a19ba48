package netlink

import (
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
		if why := iouring.Supported(); why != nil {
			return openSyscall(cfg, "auto: io_uring unavailable: "+why.Error())
		}
		s, err := iouring.Open(cfg)
		if err != nil {
			// The probe passed, yet io_uring can still fail here (a sysctl
			// changed since, a memory limit): fall back all the same.
			return openSyscall(cfg, "auto: io_uring unavailable: "+err.Error())
		}
		return s, backend.IOUring, "auto: io_uring supported", nil
	}

	reason := chosenBy(kind)
	if kind == backend.Syscall {
		return openSyscall(cfg, reason)
	}
	if why := iouring.Supported(); why != nil {
		return nil, "", "", fmt.Errorf("nlring: io_uring backend (%s) unavailable: %w", reason, why)
	}
	s, err := iouring.Open(cfg)
	if err != nil {
		return nil, "", "", fmt.Errorf("nlring: io_uring backend (%s): %w", reason, err)
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
