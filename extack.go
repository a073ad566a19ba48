package netlink

import (
	"encoding/binary"
	"syscall"

	"github.com/nlring/netlink/internal/unix"
	"github.com/nlring/netlink/nlenc"
)

// errnoLen is the size of the error code that starts the payload of Error
// messages (struct nlmsgerr) and of Done messages.
const errnoLen = 4

// checkMessage returns the error m reports, or nil. Two kinds of message
// report errors:
//
//   - Error (struct nlmsgerr): a negative errno, then the request it answers
//     (its header only if the Capped flag is set), then extended
//     acknowledgement attributes if AcknowledgeTLVs is set.
//   - Done with Multi, ending a dump: a negative errno, then extended
//     acknowledgement attributes if AcknowledgeTLVs is set. A Done|Multi
//     without payload reports nothing.
//
// The error is an *OpError with Op "receive", the negated code as a bare
// syscall.Errno in Err (the call worked; the kernel refused the request), the
// message's sequence number, and Message and Offset from the extended
// acknowledgement.
//
// Malformed messages get github.com/mdlayher/netlink's answers, which
// callers compare: a payload too short for the code, or for the echoed
// request that precedes the acknowledgement attributes, is an *OpError
// wrapping errShortErrorMessage alone, without sequence number; a positive
// code (the kernel never sends one) is negated like any other, giving an
// errno such as "errno -5"; attributes that are not well framed are ignored.
// Unlike mdlayher/netlink, a Capped echo and a request whose length is not
// a multiple of 4 are understood (docs/differences.md).
func checkMessage(m Message) error {
	switch {
	case m.Header.Type == Error:
	case m.Header.Type == Done && m.Header.Flags&Multi != 0:
		if len(m.Data) == 0 {
			return nil
		}
	default:
		return nil
	}
	if len(m.Data) < errnoLen {
		return newOpError("receive", errShortErrorMessage)
	}

	code := int64(int32(binary.NativeEndian.Uint32(m.Data)))
	if code == 0 {
		return nil
	}
	oe := &OpError{
		Op:       "receive",
		Err:      syscall.Errno(-code),
		Sequence: m.Header.Sequence,
	}
	if m.Header.Flags&AcknowledgeTLVs != 0 {
		tlvs, ok := extAckTLVs(m)
		if !ok {
			return newOpError("receive", errShortErrorMessage)
		}
		oe.Message, oe.Offset = parseExtAck(tlvs)
	}
	return oe
}

// extAckTLVs returns the extended acknowledgement attributes of m, which
// checkMessage found to be an Error or Done message with an errno. ok is
// false if the echoed request does not fit in the payload.
func extAckTLVs(m Message) (tlvs []byte, ok bool) {
	rest := m.Data[errnoLen:]
	if m.Header.Type != Error {
		return rest, true
	}
	// An Error message echoes the request: always its header, and its
	// payload too, padded to 4 bytes, unless the kernel capped the echo
	// (NETLINK_CAP_ACK). The echoed header keeps the request's full length
	// either way.
	if len(rest) < nlmsgHeaderLen {
		return nil, false
	}
	skip := nlmsgHeaderLen
	if m.Header.Flags&Capped == 0 {
		l := binary.NativeEndian.Uint32(rest)
		if uint64(l) > uint64(len(rest)) {
			return nil, false
		}
		skip = min(nlmsgAlign(int(l)), len(rest))
	}
	return rest[skip:], true
}

// parseExtAck returns the message (NLMSGERR_ATTR_MSG) and offset
// (NLMSGERR_ATTR_OFFS) found in extended acknowledgement attributes. As in
// github.com/mdlayher/netlink, attributes whose headers do not tile b give
// nothing, and the walk stops at the first attribute that does not parse or
// an offset that is not 4 bytes long, keeping what it found before.
func parseExtAck(b []byte) (msg string, offset int) {
	for i := 0; i < len(b); {
		if len(b)-i < nlaHeaderLen {
			return "", 0
		}
		i += nlaAlign(max(int(binary.NativeEndian.Uint16(b[i:])), nlaHeaderLen))
	}
	var a Attribute
	for len(b) > 0 {
		n, err := parseAttr(&a, b)
		if err != nil {
			break
		}
		b = b[n:]
		switch a.Type & attrTypeMask {
		case unix.NLMSGERR_ATTR_MSG:
			msg = nlenc.String(a.Data)
		case unix.NLMSGERR_ATTR_OFFS:
			if len(a.Data) != 4 {
				return msg, 0
			}
			offset = int(binary.NativeEndian.Uint32(a.Data))
		}
	}
	return msg, offset
}
