//go:build linux

package netlink_test

import (
	"encoding/binary"
	"fmt"
	"log"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"golang.org/x/sys/unix"
)

// Execute sends a request and returns its reply: here, rtnetlink's
// description of the loopback link (interface index 1).
func ExampleConn_Execute() {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	// struct ifinfomsg, with the index of the link asked for.
	ifi := make([]byte, unix.SizeofIfInfomsg)
	binary.NativeEndian.PutUint32(ifi[4:], 1)

	msgs, err := c.Execute(netlink.Message{
		// Length, Sequence and PID are filled in by the Conn.
		Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request},
		Data:   ifi,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ifName(msgs[0]))
	// Output: lo
}

// ReceiveIter reads a dump without allocating per message. The Data of each
// message is only valid until the next iteration step: copy what must be
// kept.
func ExampleConn_ReceiveIter() {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	_, err = c.Send(netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request | netlink.Dump},
		Data:   make([]byte, unix.SizeofIfInfomsg),
	})
	if err != nil {
		log.Fatal(err)
	}

	var names []string
	for m, err := range c.ReceiveIter() {
		if err != nil {
			log.Fatal(err)
		}
		// ifName copies the name out of m.Data.
		names = append(names, ifName(m))
	}
	fmt.Println(names[0])
	// Output: lo
}

// Config.Backend chooses the backend; the NLRING_BACKEND environment
// variable overrides it. Conn.Backend says which one runs and why.
func ExampleConfig_backend() {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{Backend: backend.Auto})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	kind, reason := c.Backend()
	fmt.Printf("running on the %s backend (%s)\n", kind, reason)
}
