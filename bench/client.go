package bench

import (
	"fmt"
	"io"
	"net/netip"
	"slices"
	"time"
)

// Counts is what a client reports about one run of a workload.
type Counts struct {
	// Msgs is how many messages the client received (dumps, events) or
	// how many requests it completed (installs, round trips).
	Msgs int
	// Syscalls is how many system calls the client made, for clients that
	// count their own; 0 means not known.
	Syscalls int64
	// External is set by clients whose work runs in another process: the Go
	// heap and allocation figures of this process say nothing about them.
	External bool
	// PeakRSS is the other process's peak resident set, in bytes, when
	// External.
	PeakRSS int64
}

// A Client is one way of talking netlink: a library and the API of it a
// program would use. It implements the workload interfaces below that it
// can run; the benchmark finds them with type assertions, so a new client
// plugs in by implementing some of them and calling Register.
type Client interface {
	io.Closer
}

// RouteDumper dumps every route of every family and table (RTM_GETROUTE).
type RouteDumper interface {
	DumpRoutes() (Counts, error)
}

// LinkDumper dumps every link (RTM_GETLINK).
type LinkDumper interface {
	DumpLinks() (Counts, error)
}

// ConntrackDumper dumps the conntrack table of both families.
type ConntrackDumper interface {
	DumpConntrack() (Counts, error)
}

// RouteTarget is where installed routes go: a link and a table.
type RouteTarget struct {
	LinkIndex int
	Table     uint32
}

// RouteAdder adds routes one request at a time, each waiting for its ACK,
// the way most programs do. bodies holds the same routes as wire request
// bodies (rtmsg and attributes), for clients that send raw messages.
type RouteAdder interface {
	AddRoutes(t RouteTarget, prefixes []netip.Prefix, bodies [][]byte) (Counts, error)
}

// RouteBatchAdder adds routes batchSize requests per send, with an ACK asked
// for on the last request of each batch only.
type RouteBatchAdder interface {
	AddRoutesBatch(t RouteTarget, prefixes []netip.Prefix, bodies [][]byte) (Counts, error)
}

// RouteEventSubscriber listens to IPv4 route events (RTNLGRP_IPV4_ROUTE).
type RouteEventSubscriber interface {
	SubscribeRouteEvents() (EventSubscription, error)
}

// An EventSubscription receives events from the time it is made.
type EventSubscription interface {
	// Receive counts RTM_NEWROUTE events until it has seen want of them,
	// or none arrived for quiet. Overruns (ENOBUFS) are survived, not
	// returned: the events they cost show up as missing.
	Receive(want int, quiet time.Duration) (Counts, error)
	Close() error
}

// LinkGetter does n round trips: RTM_GETLINK for one link, waiting for the
// reply each time.
type LinkGetter interface {
	GetLink(index, n int) (Counts, error)
}

// ClientSpec registers a client.
type ClientSpec struct {
	Name string
	// Doc says in a few words what the client does.
	Doc string
	// Rank orders clients in reports; registration order within a rank.
	Rank int
	// New opens the client in env's namespace.
	New func(env *Env) (Client, error)
}

// Ranks group clients in reports.
const (
	RankFloor     = iota // the raw loop
	RankNlring           // nlring, each backend and API
	RankReference        // mdlayher/netlink, whose API nlring keeps
	RankPeer             // other Go libraries
	RankTool             // command-line tools, for reference
)

var registry []ClientSpec

// Register adds a client to the registry. Clients register from init
// functions; a duplicate name is a programming error.
func Register(s ClientSpec) {
	if _, ok := LookupClient(s.Name); ok {
		panic("bench: client registered twice: " + s.Name)
	}
	registry = append(registry, s)
	slices.SortStableFunc(registry, func(a, b ClientSpec) int { return a.Rank - b.Rank })
}

// Clients lists the registered clients in registration order.
func Clients() []ClientSpec { return slices.Clone(registry) }

// LookupClient finds a registered client by name.
func LookupClient(name string) (ClientSpec, bool) {
	i := slices.IndexFunc(registry, func(s ClientSpec) bool { return s.Name == name })
	if i < 0 {
		return ClientSpec{}, false
	}
	return registry[i], true
}

// The baselines every ratio is computed against. Both always run.
const (
	// FloorClient is the raw x/sys/unix loop.
	FloorClient = "raw"
	// ReferenceClient is what most Go programs use today.
	ReferenceClient = "mdlayher"
)

func clientNames() []string {
	names := make([]string, len(registry))
	for i, s := range registry {
		names[i] = s.Name
	}
	return names
}

func unknownClient(name string) error {
	return fmt.Errorf("unknown client %q (have %v)", name, clientNames())
}
