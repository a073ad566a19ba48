//go:build !linux

package netlink

import (
	"fmt"
	"runtime"

	"github.com/nlring/netlink/backend"
)

// errUnimplemented is what Dial returns off Linux: there are no netlink
// sockets to open. The text is github.com/mdlayher/netlink's, which a
// program moving to nlring may have matched.
var errUnimplemented = fmt.Errorf("netlink: not implemented on %s/%s", runtime.GOOS, runtime.GOARCH)

// openBackend is where Dial fails off Linux. Conns made by NewConn over a
// caller's Socket (package nltest) work on every platform.
func openBackend(int, *Config) (backend.Socket, backend.Kind, string, error) {
	return nil, "", "", errUnimplemented
}

// newBackendTransport is never called off Linux: openBackend fails first.
func newBackendTransport(backend.Socket) transport { return nil }

// The socket statistics and buffer controls batches use need a socket of
// nlring's own, which only Dial makes.

type queueStat struct{ drops, queued uint32 }

func (c *Conn) protocol() (int, error)            { return 0, errUnimplemented }
func (c *Conn) queueStat() (queueStat, error)     { return queueStat{}, errUnimplemented }
func (c *Conn) raiseBuffer(bool, int, bool) error { return errUnimplemented }
func (c *Conn) clearCongestion() error            { return errUnimplemented }
