package netlink

import (
	"fmt"
	"strings"

	"github.com/nlring/netlink/internal/unix"
)

// A Header is a netlink message header (struct nlmsghdr). Its field order and
// sizes are those of the kernel structure and of syscall.NlMsghdr.
type Header struct {
	// Length is the length of the message in bytes, header included, padding
	// after the payload excluded.
	Length uint32

	// Type tells what the message carries: one of the HeaderType constants
	// for control messages, or a type defined by the netlink family.
	Type HeaderType

	// Flags modify a request or describe a reply.
	Flags HeaderFlags

	// Sequence is chosen by the sender of a request and copied by the kernel
	// into every reply, which is how replies are matched to requests.
	Sequence uint32

	// PID is the port ID of the sending socket; 0 for the kernel.
	PID uint32
}

// HeaderType is the type of a netlink message. Types below 0x10 are control
// messages common to every netlink family; the rest belong to the family.
type HeaderType uint16

// The control message types.
const (
	// Noop messages carry nothing and are to be ignored.
	Noop HeaderType = unix.NLMSG_NOOP

	// Error carries an error code and the request it answers. A code of 0
	// is an acknowledgement of success.
	Error HeaderType = unix.NLMSG_ERROR

	// Done ends a multi-part message such as a dump.
	Done HeaderType = unix.NLMSG_DONE

	// Overrun signals that data was lost.
	Overrun HeaderType = unix.NLMSG_OVERRUN
)

// String returns the name of a control message type, or "unknown(N)".
func (t HeaderType) String() string {
	switch t {
	case Noop:
		return "noop"
	case Error:
		return "error"
	case Done:
		return "done"
	case Overrun:
		return "overrun"
	}
	return fmt.Sprintf("unknown(%d)", uint16(t))
}

// HeaderFlags are the flags of a netlink message header.
//
// Bits 0x100 to 0x800 mean different things depending on the message: the
// same bit is Root in a GET request, Replace in a NEW request and Capped in an
// Error reply. That is why several constants share a value.
type HeaderFlags uint16

// Flags valid on any message.
const (
	// Request marks a message as a request; the kernel ignores messages sent
	// to it without this flag.
	Request HeaderFlags = unix.NLM_F_REQUEST

	// Multi marks a part of a multi-part reply, which ends with a Done
	// message.
	Multi HeaderFlags = unix.NLM_F_MULTI

	// Acknowledge asks for an Error message with code 0 when the request
	// succeeds. A failed request is answered with an error either way.
	Acknowledge HeaderFlags = unix.NLM_F_ACK

	// Echo asks the kernel to send the notification a request causes back to
	// the requester as well.
	Echo HeaderFlags = unix.NLM_F_ECHO

	// DumpInterrupted marks a dump part produced while the dumped table
	// changed: the dump may be inconsistent and is worth repeating.
	DumpInterrupted HeaderFlags = unix.NLM_F_DUMP_INTR

	// DumpFiltered marks a dump the kernel filtered as the request asked.
	DumpFiltered HeaderFlags = unix.NLM_F_DUMP_FILTERED
)

// Flags of GET requests.
const (
	// Root asks for the whole table rather than one entry.
	Root HeaderFlags = unix.NLM_F_ROOT

	// Match asks for every entry matching the request.
	Match HeaderFlags = unix.NLM_F_MATCH

	// Atomic asks for an atomic snapshot of the table. It needs
	// CAP_NET_ADMIN.
	Atomic HeaderFlags = unix.NLM_F_ATOMIC

	// Dump asks for every entry of a table: Root|Match.
	Dump HeaderFlags = unix.NLM_F_DUMP
)

// Flags of NEW requests.
const (
	// Replace replaces an existing matching object.
	Replace HeaderFlags = unix.NLM_F_REPLACE

	// Excl fails the request if the object already exists.
	Excl HeaderFlags = unix.NLM_F_EXCL

	// Create creates the object if it does not exist.
	Create HeaderFlags = unix.NLM_F_CREATE

	// Append adds the object at the end of a list.
	Append HeaderFlags = unix.NLM_F_APPEND
)

// Flags of Error replies (extended acknowledgements).
const (
	// Capped means the kernel left the payload of the failed request out of
	// the Error message and echoed only its header.
	Capped HeaderFlags = unix.NLM_F_CAPPED

	// AcknowledgeTLVs means extended acknowledgement attributes follow the
	// error code and the echoed request.
	AcknowledgeTLVs HeaderFlags = unix.NLM_F_ACK_TLVS
)

// flagNames names the flags whose meaning does not depend on the message, by
// bit position. The higher bits are ambiguous and are printed as a number.
var flagNames = [...]string{
	"request",
	"multi",
	"acknowledge",
	"echo",
	"dumpinterrupted",
	"dumpfiltered",
}

// String lists the flags by name, separated by "|", followed by the bits
// without an unambiguous name in hexadecimal: "request|acknowledge|0x500".
// No flags at all is "0".
func (f HeaderFlags) String() string {
	if f == 0 {
		return "0"
	}
	var sb strings.Builder
	for i, name := range flagNames {
		if f&(1<<i) == 0 {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte('|')
		}
		sb.WriteString(name)
	}
	if rest := f &^ (1<<len(flagNames) - 1); rest != 0 {
		if sb.Len() > 0 {
			sb.WriteByte('|')
		}
		fmt.Fprintf(&sb, "%#x", uint16(rest))
	}
	return sb.String()
}
