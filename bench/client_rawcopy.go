package bench

// RawCopyClient is the floor with one more step per datagram: a copy into
// memory of its own, freshly allocated. An API that hands out messages the
// caller may keep (Execute, Receive, ReceiveIter) cannot do less, so this is
// the floor of those APIs; the raw client stays the floor of zero-copy ones.
const RawCopyClient = "raw-copy"

func init() {
	Register(ClientSpec{
		Name: RawCopyClient,
		Doc:  "the raw loop plus a fresh allocation and copy of each datagram: the floor of APIs whose messages the caller owns",
		Rank: RankFloor,
		New:  newRawCopyClient,
	})
}

// rawCopyClient runs the raw client's dumps and round trips on rawConns
// that copy each datagram they receive (rawConn.owned).
type rawCopyClient struct{ raw *rawClient }

func newRawCopyClient(env *Env) (Client, error) {
	c, err := newRawClient(env)
	if err != nil {
		return nil, err
	}
	raw := c.(*rawClient)
	raw.route.owned, raw.ct.owned = true, true
	return rawCopyClient{raw}, nil
}

func (r rawCopyClient) Close() error                         { return r.raw.Close() }
func (r rawCopyClient) DumpRoutes() (Counts, error)          { return r.raw.DumpRoutes() }
func (r rawCopyClient) DumpLinks() (Counts, error)           { return r.raw.DumpLinks() }
func (r rawCopyClient) DumpConntrack() (Counts, error)       { return r.raw.DumpConntrack() }
func (r rawCopyClient) GetLink(index, n int) (Counts, error) { return r.raw.GetLink(index, n) }
