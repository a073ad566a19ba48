package netlink

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Errors of the message framing. MarshalBinary and UnmarshalBinary return them
// as they are, so that errors.Is works in both directions as it did with
// github.com/mdlayher/netlink; parseMessage and appendMessage wrap them with
// the numbers involved.
var (
	errIncorrectMessageLength = errors.New("netlink message header length incorrect")
	errShortMessage           = errors.New("not enough data to create a netlink message")
	errUnalignedMessage       = errors.New("input data is not properly aligned for netlink message")
)

// A Message is a netlink message: a Header and its payload.
//
// Data is usually a family-specific fixed header followed by attributes; see
// AttributeDecoder and AttributeEncoder.
type Message struct {
	Header Header
	Data   []byte
}

// MarshalBinary returns the wire form of m. Header.Length must already be set
// to a multiple of 4 that holds the header and Data; bytes between the end of
// Data and Header.Length are zero.
func (m Message) MarshalBinary() ([]byte, error) {
	l := m.Header.Length
	if l < nlmsgHeaderLen || l%4 != 0 {
		return nil, errIncorrectMessageLength
	}
	b, err := appendMessage(make([]byte, 0, l), m)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// UnmarshalBinary sets m to the single message in b. b must be padded to a
// multiple of 4 bytes, and its header's length must fit in b.
//
// m.Data aliases b: it is not copied. Its capacity ends with the message,
// so appending to it never overwrites the bytes of b that follow.
func (m *Message) UnmarshalBinary(b []byte) error {
	if len(b) < nlmsgHeaderLen {
		return errShortMessage
	}
	if len(b)%4 != 0 {
		return errUnalignedMessage
	}
	var h Header
	decodeHeader(&h, b)
	if h.Length < nlmsgHeaderLen || uint64(h.Length) > uint64(len(b)) {
		// mdlayher/netlink has stored the length by then, and leaves it.
		m.Header.Length = h.Length
		return errShortMessage
	}
	m.Header = h
	m.Data = b[nlmsgHeaderLen:h.Length:h.Length]
	return nil
}

// parseMessage parses the first message of a datagram without copying it:
// m.Data aliases b. n is how far the next message starts: the message length
// rounded up to 4, or len(b) for a final message whose padding is missing.
//
// It fails, wrapping errShortMessage or errIncorrectMessageLength, when b is
// shorter than a header or than the header's length, or when that length is
// smaller than a header. It does not allocate unless it fails.
func parseMessage(b []byte) (m Message, n int, err error) {
	n, err = parseMessageInto(&m, b)
	return m, n, err
}

// parseMessageInto is parseMessage writing the message into *m, which
// saves copying it on the receive path.
func parseMessageInto(m *Message, b []byte) (n int, err error) {
	if len(b) < nlmsgHeaderLen {
		return 0, fmt.Errorf("%w: %d trailing bytes, a header needs %d",
			errShortMessage, len(b), nlmsgHeaderLen)
	}
	l := binary.NativeEndian.Uint32(b)
	switch {
	case l < nlmsgHeaderLen:
		return 0, fmt.Errorf("%w: length %d is less than the %d-byte header",
			errIncorrectMessageLength, l, nlmsgHeaderLen)
	case uint64(l) > uint64(len(b)):
		return 0, fmt.Errorf("%w: length %d but only %d bytes left",
			errShortMessage, l, len(b))
	}
	decodeHeader(&m.Header, b)
	m.Data = b[nlmsgHeaderLen:l:l]
	return min(nlmsgAlign(int(l)), len(b)), nil
}

// appendMessage appends the wire form of m to dst: its header as given, Data,
// and zeros up to Header.Length rounded up to 4. The caller sets
// Header.Length; it fails if that length is less than a header or too short
// for Data. It does not allocate when dst has room.
func appendMessage(dst []byte, m Message) ([]byte, error) {
	l := uint64(m.Header.Length)
	if l < nlmsgHeaderLen {
		return dst, fmt.Errorf("%w: length %d is less than the %d-byte header",
			errIncorrectMessageLength, l, nlmsgHeaderLen)
	}
	if need := uint64(nlmsgHeaderLen) + uint64(len(m.Data)); need > l {
		return dst, fmt.Errorf("%w: length %d cannot hold a header and %d bytes of data",
			errIncorrectMessageLength, l, len(m.Data))
	}
	pad := nlmsgAlign(int(l)) - nlmsgHeaderLen - len(m.Data)

	dst = binary.NativeEndian.AppendUint32(dst, m.Header.Length)
	dst = binary.NativeEndian.AppendUint16(dst, uint16(m.Header.Type))
	dst = binary.NativeEndian.AppendUint16(dst, uint16(m.Header.Flags))
	dst = binary.NativeEndian.AppendUint32(dst, m.Header.Sequence)
	dst = binary.NativeEndian.AppendUint32(dst, m.Header.PID)
	dst = append(dst, m.Data...)
	dst = append(dst, make([]byte, pad)...)
	return dst, nil
}

// decodeHeader decodes the header at the start of b into *h; the caller has
// checked that b holds at least nlmsgHeaderLen bytes. It stores field by
// field: building a Header and copying it whole made the CPU stall on
// reading back the small stores it was built from, on the receive path's
// every message.
func decodeHeader(h *Header, b []byte) {
	_ = b[nlmsgHeaderLen-1]
	h.Length = binary.NativeEndian.Uint32(b[0:4])
	h.Type = HeaderType(binary.NativeEndian.Uint16(b[4:6]))
	h.Flags = HeaderFlags(binary.NativeEndian.Uint16(b[6:8]))
	h.Sequence = binary.NativeEndian.Uint32(b[8:12])
	h.PID = binary.NativeEndian.Uint32(b[12:16])
}
