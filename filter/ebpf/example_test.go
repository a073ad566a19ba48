package ebpf_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/filter/ebpf"
	"golang.org/x/sys/unix"
)

// Receive the route events of table 100 and every link event, then switch
// to table 1000 without re-attaching, and read how many events the kernel
// dropped. Loading the filter needs root or CAP_BPF.
func Example() {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{
		Groups: unix.RTMGRP_LINK | unix.RTMGRP_IPV4_ROUTE,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	f, err := ebpf.New(ebpf.Spec{
		PortID: c.PID(),
		Types: map[uint16]ebpf.Match{
			unix.RTM_NEWROUTE: ebpf.MatchTable,
			unix.RTM_DELROUTE: ebpf.MatchTable,
			unix.RTM_NEWLINK:  ebpf.MatchAny,
			unix.RTM_DELLINK:  ebpf.MatchAny,
		},
		Tables: []uint32{100},
	})
	if errors.Is(err, ebpf.ErrPermission) {
		log.Fatal("run as root or with CAP_BPF")
	}
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if err := f.Attach(c); err != nil {
		log.Fatal(err)
	}

	// ... receive events with c.Receive ...

	if err := f.Tables().Set(1000); err != nil {
		log.Fatal(err)
	}

	// ... receive table 1000's events ...

	counts, err := f.Counters()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("passed %d, dropped %d\n", counts.Matched+counts.Exempt, counts.Dropped)
}
