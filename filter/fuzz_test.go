//go:build linux

package filter

import (
	"encoding/binary"
	"errors"
	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// FuzzBuild builds programs from arbitrary criteria and runs them on
// arbitrary datagrams. Whatever the input, a program must build or fail
// with an error, assemble, return only keep or drop, and keep every datagram
// the pass rules promise to keep: control messages, multi-part messages and
// those addressed from the socket's own port.
func FuzzBuild(f *testing.F) {
	route := make([]byte, 0, 64)
	route = binary.NativeEndian.AppendUint32(route, 36)
	route = binary.NativeEndian.AppendUint16(route, unix.RTM_NEWROUTE)
	route = binary.NativeEndian.AppendUint16(route, 0)
	route = binary.NativeEndian.AppendUint32(route, 0)
	route = binary.NativeEndian.AppendUint32(route, 0)
	route = append(route, make([]byte, 12)...) // rtmsg
	route = binary.NativeEndian.AppendUint16(route, 8)
	route = binary.NativeEndian.AppendUint16(route, unix.RTA_TABLE)
	route = binary.NativeEndian.AppendUint32(route, 100)
	f.Add(uint32(1), uint16(unix.RTM_NEWROUTE), uint32(100), 12, uint16(unix.RTA_TABLE), uint16(0), route)
	f.Add(uint32(7), uint16(unix.RTM_NEWLINK), uint32(3), 16, uint16(unix.IFLA_LINKINFO), uint16(2), []byte{})
	f.Add(uint32(0), uint16(2), uint32(0), -4, uint16(0), uint16(0), []byte{0xff, 0xff})

	f.Fuzz(func(t *testing.T, portID uint32, typ uint16, value uint32, hdrLen int, attr, nested uint16, pkt []byte) {
		path := []uint16{attr}
		if nested != 0 {
			path = append(path, nested)
		}
		a := Attr{HeaderLen: hdrLen, Path: path}
		c := Or(
			And(MessageType(typ), RouteTable(value)),
			Not(Interface(value, value+1)),
			And(MessageType(typ), a.U32(value)),
			And(MessageType(typ), a.BE16(uint16(value))),
			And(MessageType(typ), a.Bytes(pkt[:min(len(pkt), 8)])),
			ConntrackZone(uint16(value)),
		)
		prog, err := Build(portID, c)
		if err != nil {
			if portID == 0 && !errors.Is(err, ErrNoPortID) {
				t.Fatalf("port 0: got %v, want ErrNoPortID", err)
			}
			return
		}
		if _, err := bpf.Assemble(prog); err != nil {
			t.Fatalf("Build returned a program that does not assemble: %v", err)
		}
		verdict, err := run(prog, pkt, binary.NativeEndian)
		if err != nil {
			t.Fatalf("program failed to run: %v", err)
		}
		if verdict != retKeep && verdict != retDrop {
			t.Fatalf("verdict %d would trim the datagram", verdict)
		}
		if len(pkt) < nlmsgHdrLen {
			return
		}
		mtype := binary.NativeEndian.Uint16(pkt[offType:])
		flags := binary.NativeEndian.Uint16(pkt[offFlags:])
		pid := binary.NativeEndian.Uint32(pkt[offPID:])
		mustKeep := mtype < unix.NLMSG_MIN_TYPE || flags&unix.NLM_F_MULTI != 0 || pid == portID
		if mustKeep && verdict != retKeep {
			t.Fatalf("dropped a datagram the pass rules keep (type %d, flags %#x, pid %d)", mtype, flags, pid)
		}
	})
}
