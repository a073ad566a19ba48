//go:build windows || plan9

package nltest

// isErrno is false where github.com/mdlayher/netlink's nltest passes
// errors through unwrapped: Windows and Plan 9 have no recvmsg to imitate.
func isErrno(error) bool { return false }
