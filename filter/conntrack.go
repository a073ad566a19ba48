package filter

import "github.com/nlring/netlink/internal/unix"

// ctnetlink message types: the subsystem in the high byte, the message in
// the low one (IPCTNL_MSG_CT_NEW 0, IPCTNL_MSG_CT_DELETE 2 in
// linux/netfilter/nfnetlink_conntrack.h, which x/sys/unix does not export).
const (
	ctNew    = unix.NFNL_SUBSYS_CTNETLINK << 8
	ctDelete = unix.NFNL_SUBSYS_CTNETLINK<<8 | 2

	nfgenmsgLen = 4  // struct nfgenmsg
	ctaZone     = 18 // CTA_ZONE
)

// ConntrackZone matches ctnetlink conntrack events (IPCTNL_MSG_CT_NEW and
// IPCTNL_MSG_CT_DELETE) of connections in the given zones. CTA_ZONE is a
// big-endian u16; the kernel leaves it out for zone 0, the default zone, so
// zone 0 matches events without it. Expectation events do not match.
func ConntrackZone(zones ...uint16) Criterion {
	zone := Attr{HeaderLen: nfgenmsgLen, Path: []uint16{ctaZone}}
	var nonDefault []uint16
	var withDefault bool
	for _, z := range zones {
		if z == 0 {
			withDefault = true
		} else {
			nonDefault = append(nonDefault, z)
		}
	}
	match := zone.BE16(nonDefault...)
	if withDefault {
		match = Or(Not(zone.Present()), match)
	}
	return And(MessageType(ctNew, ctDelete), match)
}
