package bench

import (
	"github.com/mdlayher/netlink"
	"github.com/ti-mo/conntrack"
)

// ti-mo/conntrack v0.6.0, the conntrack library Go programs use.
func init() {
	Register(ClientSpec{
		Name: "ti-mo-conntrack",
		Doc:  "ti-mo/conntrack v0.6.0 Dump",
		Rank: RankPeer,
		New:  newTimoConntrack,
	})
}

type timoConntrackClient struct{ c *conntrack.Conn }

func newTimoConntrack(env *Env) (Client, error) {
	c, err := conntrack.Dial(&netlink.Config{NetNS: env.NS.FD()})
	if err != nil {
		return nil, err
	}
	return &timoConntrackClient{c: c}, nil
}

func (t *timoConntrackClient) Close() error { return t.c.Close() }

func (t *timoConntrackClient) DumpConntrack() (Counts, error) {
	fs, err := t.c.Dump(nil)
	return Counts{Msgs: len(fs)}, err
}
