// Package filter builds classic BPF socket filters for netlink event
// sockets: the kernel drops the datagrams a program does not want before
// they are queued, so the receiver never wakes up for them. How much of
// the receiver's CPU that saves depends on the event rate: a receiver that
// keeps up wakes up once per event, one that falls behind reads many per
// wake-up. BenchmarkReceiverCPU in package filter/ebpf measures it for
// classic and eBPF filters.
//
// Pass the result of [Assemble] to Conn.SetBPF (or SO_ATTACH_FILTER):
//
//	raw, err := filter.Assemble(conn.PID(), filter.RouteTable(100))
//	...
//	err = conn.SetBPF(raw)
//
// # What a filter can and cannot do
//
// A socket filter runs on every datagram the socket receives: multicast
// events, but also replies to its own requests, ACKs and every part of a
// dump. It can only keep or drop (or trim) a whole datagram. Dropping a dump
// part stalls the dump, and trimming a datagram silently loses the messages
// in its tail, NLMSG_DONE included. The kernel counts dropped datagrams
// nowhere and the sender is told they were delivered.
//
// So every program this package builds keeps, before looking at its
// criterion:
//
//   - datagrams shorter than a netlink header (user space reports them);
//   - control messages: nlmsg_type below NLMSG_MIN_TYPE (16), which covers
//     NLMSG_ERROR (ACKs and errors) and NLMSG_DONE;
//   - messages flagged NLM_F_MULTI: every part of a dump;
//   - messages whose nlmsg_pid is the socket's own port ID: replies to its
//     requests, and also the events its own requests caused.
//
// That is why every builder takes the socket's port ID (Conn.PID()). The
// filters are meant for sockets that subscribe to multicast groups; on such
// a socket, requests and dumps keep working with the filter attached.
//
// Criteria look at the first message of a datagram. The kernel sends each
// multicast event in a datagram of its own, so for events that is the whole
// datagram; datagrams holding several messages are dump parts, which the
// rules above keep.
//
// # Byte order
//
// Netlink headers and most attributes are in host byte order, while classic
// BPF loads are big-endian. The builders encode every constant the way a
// load of the host's bytes reads it, so the same criteria are right on
// little- and big-endian hosts. Attributes in network byte order (such as
// CTA_ZONE) have their own methods, [Attr.BE16] and [Attr.BE32].
//
// # Finding attributes
//
// Attributes are found with the kernel's SKF_AD_NLATTR and
// SKF_AD_NLATTR_NEST ancillary loads, so their position in the message does
// not matter and values wider than the family header's fields (route tables
// above 255) can be matched. Those loads search from the first attribute
// to the end of the datagram, not of the message: another reason criteria
// are for one-message datagrams.
//
// Classic filters need no privileges. For criteria that change at run time
// without re-attaching, drop counters and matching any message of a
// datagram, see package [github.com/nlring/netlink/filter/ebpf].
package filter
