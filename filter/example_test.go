//go:build linux

package filter_test

import (
	"fmt"
	"log"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/filter"
	"golang.org/x/sys/unix"
)

// Subscribe to route and link events, and let the kernel drop all but
// those about routing table 100 and interface 2. Requests and dumps on the
// same Conn keep working: the filter passes replies, ACKs and dump parts.
func Example() {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{
		Groups: unix.RTMGRP_LINK | unix.RTMGRP_IPV4_ROUTE,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	prog, err := filter.Assemble(c.PID(), filter.Or(
		filter.RouteTable(100),
		filter.Interface(2),
	))
	if err != nil {
		log.Fatal(err)
	}
	if err := c.SetBPF(prog); err != nil {
		log.Fatal(err)
	}

	links, err := c.Execute(netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request | netlink.Dump},
		Data:   make([]byte, unix.SizeofIfInfomsg),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("link dump through the filter:", len(links) > 0)

	// Then receive events with c.Receive, as without a filter.

	// Output: link dump through the filter: true
}

// Match link events for veth interfaces, by the nested attribute
// IFLA_LINKINFO/IFLA_INFO_KIND.
func ExampleAttr() {
	veth := filter.And(
		filter.MessageType(unix.RTM_NEWLINK, unix.RTM_DELLINK),
		filter.Attr{
			HeaderLen: unix.SizeofIfInfomsg,
			Path:      []uint16{unix.IFLA_LINKINFO, unix.IFLA_INFO_KIND},
		}.Bytes([]byte("veth\x00")),
	)
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{Groups: unix.RTMGRP_LINK})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	prog, err := filter.Assemble(c.PID(), veth)
	if err != nil {
		log.Fatal(err)
	}
	if err := c.SetBPF(prog); err != nil {
		log.Fatal(err)
	}
}
