package nlenc

import "bytes"

// Bytes returns s as a new NUL-terminated byte slice, the form netlink string
// attributes (NLA_NUL_STRING, NLA_STRING as the kernel emits it) take.
func Bytes(s string) []byte {
	b := make([]byte, len(s)+1)
	copy(b, s)
	return b
}

// String returns the string in b without its NUL terminator. Every trailing
// NUL is removed, not only the last one: fixed-size kernel fields such as
// IFNAMSIZ arrays are padded with several.
func String(b []byte) string {
	return string(bytes.TrimRight(b, "\x00"))
}
