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

	var reason string
	switch kind {
	case backend.Auto:
		if why := iouring.Supported(); why != nil {
			kind, reason = backend.Syscall, "auto: io_uring unavailable: "+why.Error()
		} else {
			kind, reason = backend.IOUring, "auto: io_uring supported"
		}
	case backend.IOUring:
		reason = chosenBy(kind)
		if why := iouring.Supported(); why != nil {
			return nil, "", "", fmt.Errorf("nlring: io_uring backend (%s) unavailable: %w", reason, why)
		}
	default:
		reason = chosenBy(kind)
	}

	var s backend.Socket
	if kind == backend.IOUring {
		s, err = iouring.Open(cfg)
	} else {
		s, err = nlsyscall.Open(cfg)
	}
	if err != nil {
		return nil, "", "", err
	}
	return s, kind, reason, nil
}

// chosenBy names the setting that asked for kind explicitly.
func chosenBy(kind backend.Kind) string {
	if v := os.Getenv(backend.EnvVar); v != "" {
		return backend.EnvVar + "=" + v
	}
	return "Config.Backend=" + string(kind)
}
