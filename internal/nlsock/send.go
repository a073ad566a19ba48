//go:build linux

package nlsock

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// kernel is the kernel's end of every netlink family: port ID 0, no groups.
// The kernel only reads it.
var kernel = unix.RawSockaddrNetlink{Family: unix.AF_NETLINK}

// SendTo makes one sendto(2) of b to the kernel, retrying on EINTR. It
// does not allocate.
func SendTo(fd uintptr, b []byte) unix.Errno {
	for {
		_, _, errno := unix.Syscall6(unix.SYS_SENDTO, fd,
			uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)), 0,
			uintptr(unsafe.Pointer(&kernel)), unix.SizeofSockaddrNetlink)
		if errno != unix.EINTR {
			return errno
		}
	}
}
