package main

import (
	"flag"

	"github.com/nlring/netlink/bench"
)

// sizes are flags that override one size of the chosen scenario; only the
// flags given on the command line are applied.
type sizes map[string]*int

func sizeFlags(fs *flag.FlagSet) sizes {
	s := sizes{}
	for _, f := range []struct{ name, usage string }{
		{"routes", "IPv4 routes in the main table"},
		{"routes6", "IPv6 routes in the main table"},
		{"links", "ifb links"},
		{"neighbours", "permanent neighbours"},
		{"conntrack", "conntrack entries"},
		{"install", "routes added per install round"},
		{"events", "route adds in the event burst"},
		{"roundtrips", "RTM_GETLINK round trips per latency round"},
	} {
		s[f.name] = fs.Int(f.name, 0, f.usage+" (overrides the scenario)")
	}
	return s
}

func (s sizes) apply(fs *flag.FlagSet, sc *bench.Scenario) {
	field := map[string]*int{
		"routes": &sc.Routes4, "routes6": &sc.Routes6, "links": &sc.Links,
		"neighbours": &sc.Neighbours, "conntrack": &sc.Conntrack, "install": &sc.Install,
		"events": &sc.Events, "roundtrips": &sc.RoundTrips,
	}
	fs.Visit(func(f *flag.Flag) {
		if p, ok := field[f.Name]; ok {
			*p = *s[f.Name]
			sc.Name = "custom"
		}
	})
}
