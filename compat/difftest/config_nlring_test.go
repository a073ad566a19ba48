package difftest

import (
	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
)

// nlringBackends are the backends the real-socket cases run on.
var nlringBackends = []string{string(backend.Syscall), string(backend.IOUring)}

// nlringBackend is the backend nlring's Dial uses; "" is the default.
var nlringBackend backend.Kind

func setNlringBackend(k string) { nlringBackend = backend.Kind(k) }

func nlringConfigure(c *netlink.Config) { c.Backend = nlringBackend }
