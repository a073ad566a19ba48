// Package nlenc encodes and decodes the integers and strings carried in
// netlink messages and attributes.
//
// Netlink fields are in the host's byte order, so every integer function here
// uses binary.NativeEndian. The fixed-size functions panic when handed a slice
// of the wrong length, as github.com/mdlayher/netlink/nlenc does: a wrong
// length there is a programming error in the caller, not bad input from the
// kernel. Code decoding untrusted attributes should use
// netlink.AttributeDecoder, which reports wrong lengths as errors instead.
package nlenc

import "encoding/binary"

// NativeEndian returns the byte order of the host, which is the byte order of
// netlink fields.
//
// Deprecated: use binary.NativeEndian.
func NativeEndian() binary.ByteOrder { return binary.NativeEndian }
