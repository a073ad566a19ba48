package netlink

import (
	"os"

	"golang.org/x/sys/unix"
)

// defaultDebugFormat is NLDEBUG's format when none is given.
const defaultDebugFormat = "mnl"

// stdoutIsTerminal reports whether standard output is a terminal, which is
// when mdlayher/netlink colors NLDEBUG's mnl drawing (on standard error).
func stdoutIsTerminal() bool {
	_, err := unix.IoctlGetWinsize(int(os.Stdout.Fd()), unix.TIOCGWINSZ)
	return err == nil
}
