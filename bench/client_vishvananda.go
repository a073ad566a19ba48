package bench

import (
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// vishvananda/netlink v1.3.1, through a Handle opened in the namespace: the
// object API (RouteList, LinkList, RouteAdd, ...). It has no batch API.
func init() {
	Register(ClientSpec{
		Name: "vishvananda",
		Doc:  "vishvananda/netlink v1.3.1 Handle: RouteList, LinkList, ConntrackTableList, RouteAdd, LinkByIndex, RouteSubscribe",
		Rank: RankPeer,
		New:  newVishvananda,
	})
}

type vishvanandaClient struct {
	procClient
	ns netns.NsHandle
	h  *netlink.Handle
}

func newVishvananda(env *Env) (Client, error) {
	ns := netns.NsHandle(env.NS.FD())
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return nil, err
	}
	return &vishvanandaClient{procClient: newProcClient("vishvananda", env), ns: ns, h: h}, nil
}

func (v *vishvanandaClient) Close() error {
	v.h.Close()
	return nil
}

// DumpRoutes asks for every table: RouteList alone keeps the main table
// only, and the floor counts all of them.
func (v *vishvanandaClient) DumpRoutes() (Counts, error) {
	rs, err := v.h.RouteListFiltered(netlink.FAMILY_ALL, &netlink.Route{Table: unix.RT_TABLE_UNSPEC}, netlink.RT_FILTER_TABLE)
	return Counts{Msgs: len(rs)}, err
}

func (v *vishvanandaClient) DumpLinks() (Counts, error) {
	ls, err := v.h.LinkList()
	return Counts{Msgs: len(ls)}, err
}

func (v *vishvanandaClient) DumpConntrack() (Counts, error) {
	fs, err := v.h.ConntrackTableList(netlink.ConntrackTable, netlink.InetFamily(unix.AF_UNSPEC))
	return Counts{Msgs: len(fs)}, err
}

// AddRoutes builds the library's Route values in the run: making them is
// part of using its API.
func (v *vishvanandaClient) AddRoutes(t RouteTarget, prefixes []netip.Prefix, _ [][]byte) (Counts, error) {
	for i, p := range prefixes {
		r := &netlink.Route{
			LinkIndex: t.LinkIndex,
			Dst:       &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())},
			Table:     int(t.Table),
			Scope:     netlink.SCOPE_LINK,
			Protocol:  unix.RTPROT_STATIC,
		}
		if err := v.h.RouteAdd(r); err != nil {
			return Counts{Msgs: i}, err
		}
	}
	return Counts{Msgs: len(prefixes)}, nil
}

func (v *vishvanandaClient) GetLink(index, n int) (Counts, error) {
	for i := range n {
		if _, err := v.h.LinkByIndex(index); err != nil {
			return Counts{Msgs: i}, err
		}
	}
	return Counts{Msgs: n}, nil
}

// vishvanandaEventBuffer is the channel capacity given to RouteSubscribe:
// generous, so the channel is not what limits the library.
const vishvanandaEventBuffer = 1024

func (v *vishvanandaClient) SubscribeRouteEvents() (EventSubscription, error) {
	s := &vishvanandaSubscription{
		ch:   make(chan netlink.RouteUpdate, vishvanandaEventBuffer),
		done: make(chan struct{}),
	}
	err := netlink.RouteSubscribeWithOptions(s.ch, s.done, netlink.RouteSubscribeOptions{
		Namespace:     &v.ns,
		ErrorCallback: func(error) {},
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// vishvanandaSubscription counts from the library's channel. The library
// closes the channel at the first receive error, an overrun included, so
// after an ENOBUFS nothing more arrives. Closing done makes the library
// close its socket and then the channel.
type vishvanandaSubscription struct {
	ch   chan netlink.RouteUpdate
	done chan struct{}
	once sync.Once
}

func (s *vishvanandaSubscription) stop() { s.once.Do(func() { close(s.done) }) }

func (s *vishvanandaSubscription) Close() error {
	s.stop()
	for range s.ch {
	}
	return nil
}

func (s *vishvanandaSubscription) Receive(want int, quiet time.Duration) (Counts, error) {
	w := watchQuiet(quiet, s.stop)
	defer w.Stop()
	got := 0
	for u := range s.ch {
		if u.Type == unix.RTM_NEWROUTE {
			got++
			w.Seen()
			if got == want {
				break
			}
		}
	}
	return Counts{Msgs: got}, nil
}
