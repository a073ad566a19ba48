//go:build !linux

package netlink

// defaultDebugFormat is NLDEBUG's format when none is given. Off Linux,
// mdlayher/netlink prints messages with %+v only, whatever the format.
const defaultDebugFormat = "plain"

func stdoutIsTerminal() bool { return false }
