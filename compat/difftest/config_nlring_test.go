package difftest

import (
	"os"
	"strings"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
)

// nlringBackends are the ways the real-socket cases choose nlring's
// backend: Config.Backend, or the environment variable.
var nlringBackends = []string{string(backend.Syscall), string(backend.IOUring), backend.EnvVar + "=" + string(backend.IOUring)}

// nlringBackend is the backend nlring's Dial asks for; "" is the default.
var nlringBackend backend.Kind

// setNlringBackend selects a backend as nlringBackends names it; "" goes
// back to the default.
func setNlringBackend(k string) {
	nlringBackend = ""
	os.Unsetenv(backend.EnvVar)
	if v, ok := strings.CutPrefix(k, backend.EnvVar+"="); ok {
		os.Setenv(backend.EnvVar, v)
		return
	}
	nlringBackend = backend.Kind(k)
}

func nlringConfigure(c *netlink.Config) { c.Backend = nlringBackend }
