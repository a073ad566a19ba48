package netlink

import (
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
	"strings"
)

// NLDEBUG prints the messages every Conn sends and receives on standard
// error, as github.com/mdlayher/netlink does. Its value is a comma-separated
// list of key=value settings, any other value just turning it on:
//
//	level=N    print at levels up to N (default 1; every message is level 1,
//	           so 0 prints nothing)
//	format=F   "mnl" (the default on Linux) draws each message as libmnl's
//	           mnl_nlmsg_fprintf does: its header, then its payload four
//	           bytes a line with the attribute headers picked out, colored
//	           when standard output is a terminal; any other format prints
//	           the Message with %+v after "send: ", "recv: " or
//	           "send msgs: ".
//
// Errors are printed as "send: err: ...", "recv: err: ..." in every format.
// Lines are prefixed with "nl: ", except those of the mnl drawing. An
// invalid level makes Dial and NewConn panic, as in mdlayher/netlink.

// dbg is the debug printer; nil, the usual case, unless NLDEBUG is set. The
// hooks on the send and receive paths test it and nothing else.
var dbg *debugger

// A debugger prints messages for NLDEBUG.
type debugger struct {
	log    *log.Logger
	w      io.Writer // where the mnl drawing goes: the logger's writer
	level  int
	format string
	// badLevel, if not empty, is the NLDEBUG setting whose level did not
	// parse: the panic of the next Dial or NewConn.
	badLevel string
	// color reports whether to color the mnl drawing.
	color func() bool
}

func init() {
	if s := os.Getenv("NLDEBUG"); s != "" {
		dbg = newDebugger(s, os.Stderr)
	}
}

// newDebugger parses an NLDEBUG value; w receives the output.
func newDebugger(env string, w io.Writer) *debugger {
	d := &debugger{
		log:    log.New(w, "nl: ", 0),
		w:      w,
		level:  1,
		format: defaultDebugFormat,
		color:  stdoutIsTerminal,
	}
	for _, arg := range strings.Split(env, ",") {
		k, v, ok := strings.Cut(arg, "=")
		if !ok || strings.Contains(v, "=") {
			continue
		}
		switch k {
		case "level":
			n, err := strconv.Atoi(v)
			if err != nil {
				if d.badLevel == "" {
					d.badLevel = arg // mdlayher/netlink panics on the first
				}
				continue
			}
			d.level = n
		case "format":
			if defaultDebugFormat == "mnl" {
				d.format = v
			}
		}
	}
	return d
}

// debugDial panics if NLDEBUG's level is invalid; Dial and NewConn call it.
func debugDial() {
	if dbg != nil && dbg.badLevel != "" {
		panic(fmt.Sprintf("netlink: invalid NLDEBUG level: %q", dbg.badLevel))
	}
}

// debugMessage prints m under label ("send", "recv").
func debugMessage(label string, m Message) {
	if dbg != nil {
		dbg.message(label, m)
	}
}

// debugMessages prints each of msgs under label ("send msgs").
func debugMessages(label string, msgs []Message) {
	if dbg != nil {
		for _, m := range msgs {
			dbg.message(label, m)
		}
	}
}

// debugError prints err, if not nil, under label.
func debugError(label string, err error) {
	if dbg != nil && err != nil {
		dbg.error(label, err)
	}
}

// debugReceived prints the result of a receive and passes it on.
func debugReceived(msgs []Message, err error) ([]Message, error) {
	if dbg != nil {
		dbg.received(msgs, err)
	}
	return msgs, err
}

func (d *debugger) received(msgs []Message, err error) {
	for _, m := range msgs {
		d.message("recv", m)
	}
	if err != nil {
		d.error("recv", err)
	}
}

func (d *debugger) message(label string, m Message) {
	if d.level < 1 {
		return
	}
	if d.format != "mnl" {
		d.log.Printf("%s: %+v", label, m)
		return
	}
	fprintMNL(d.w, m, d.color())
}

func (d *debugger) error(label string, err error) {
	if d.level >= 1 {
		d.log.Printf("%s: err: %v", label, err)
	}
}

// mnlRule separates the parts of the mnl drawing.
const mnlRule = "----------------\t------------------\n"

// fprintMNL draws m as mdlayher/netlink's "mnl" format does. Its payload is
// shown four bytes a line; the bytes after the first four are taken for
// attributes, after the echoed request in an Error message. A final
// attribute whose padding is missing from m.Data, as in any received message
// that ends in one, is drawn with zeros for it (mdlayher/netlink panics).
func fprintMNL(w io.Writer, m Message, color bool) {
	h := m.Header
	fmt.Fprint(w, mnlRule)
	fmt.Fprintf(w, "|  %010d  |\t| message length |\n", h.Length)
	fmt.Fprintf(w, "| %05d | %s%s%s%s |\t|  type | flags  |\n", h.Type,
		flagChar(h.Flags&Request != 0, "R"), flagChar(h.Flags&Multi != 0, "M"),
		flagChar(h.Flags&Acknowledge != 0, "A"), flagChar(h.Flags&Echo != 0, "E"))
	fmt.Fprintf(w, "|  %010d  |\t| sequence number|\n", h.Sequence)
	fmt.Fprintf(w, "|  %010d  |\t|     port ID    |\n", h.PID)
	fmt.Fprint(w, mnlRule)

	if h.Type == Done && h.Flags&Multi != 0 && len(m.Data) == 0 {
		return
	}
	if len(m.Data) < errnoLen {
		return
	}
	if binary.NativeEndian.Uint32(m.Data) != 0 {
		b := m.Data
		fmt.Fprintf(w, "| %.2x %.2x %.2x %.2x  |\t|  extra header  |\n", b[0], b[1], b[2], b[3])
	}
	off := errnoLen
	if h.Type == Error {
		if len(m.Data) < errnoLen+nlmsgHeaderLen {
			return
		}
		// The attributes follow the echoed request, at the offset its
		// header's length gives.
		off += int(binary.NativeEndian.Uint32(m.Data[errnoLen:]))
		if off < 0 || len(m.Data) < off {
			return
		}
	}

	data := m.Data[off:]
	at := func(i int) byte {
		if i < len(data) {
			return data[i]
		}
		return 0
	}
	for i := 0; i+nlaHeaderLen <= len(data); {
		l := int(binary.NativeEndian.Uint16(data[i:]))
		t := binary.NativeEndian.Uint16(data[i+2:])
		nested, netOrder := flagChar(t&Nested != 0, "N"), flagChar(t&NetByteOrder != 0, "B")
		if color {
			fmt.Fprintf(w, "|\033[1;31m%05d|\033[1;32m%s%s|\033[1;34m%05d\033[0m|\t", l, nested, netOrder, t&attrTypeMask)
		} else {
			fmt.Fprintf(w, "|%05d|%s%s|%05d|\t", l, nested, netOrder, t&attrTypeMask)
		}
		fmt.Fprint(w, "|len |flags| type|\n")

		next := i + nlaAlign(l)
		i += nlaHeaderLen
		if l == 0 || t&Nested != 0 {
			// Nothing to draw: the nested attributes come next.
			continue
		}
		for ; i < next && i < len(data); i += 4 {
			fmt.Fprintf(w, "| %.2x %.2x %.2x %.2x  |\t", at(i), at(i+1), at(i+2), at(i+3))
			fmt.Fprint(w, "|      data      |")
			fmt.Fprintf(w, "\t %s %s %s %s\n", printable(at(i)), printable(at(i+1)), printable(at(i+2)), printable(at(i+3)))
		}
		// An attribute claiming more than is left ends the drawing.
		i = max(i, next)
	}
	fmt.Fprint(w, mnlRule)
}

// flagChar returns c if set, else "-".
func flagChar(set bool, c string) string {
	if set {
		return c
	}
	return "-"
}

// printable returns b as a one-character string, or a space if it is not
// printable.
func printable(b byte) string {
	if strconv.IsPrint(rune(b)) {
		return string(rune(b))
	}
	return " "
}
