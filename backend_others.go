//go:build !linux

package netlink

import (
	"context"
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

// backendTransport stands in for the Linux transport so that the code
// shared with Linux compiles; without Dial no value of it exists, and the
// type assertions that look for it fail.
type backendTransport struct{ transport }

func newBackendTransport(backend.Socket) *backendTransport { return nil }

func (*backendTransport) interruptOnDone(context.Context) (stop func()) { return func() {} }
func (*backendTransport) sendRaw([]byte) error                          { return errUnimplemented }
func (*backendTransport) SetOption(ConnOption, bool) error              { return errUnimplemented }

// The socket statistics and buffer controls batches use need a socket of
// nlring's own, which only Dial makes.

type queueStat struct{ drops, queued uint32 }

func (c *Conn) protocol() (int, error)            { return 0, errUnimplemented }
func (c *Conn) queueStat() (queueStat, error)     { return queueStat{}, errUnimplemented }
func (c *Conn) raiseBuffer(bool, int, bool) error { return errUnimplemented }
func (c *Conn) clearCongestion() error            { return errUnimplemented }
