package bench

import (
	"net/netip"

	"golang.org/x/sys/unix"
)

// batchSize is how many route requests a batched client packs into one
// send, with an ACK asked for on the last only: ~26 KiB, well under the
// default send buffer, and few enough error replies to fit the default
// receive buffer should all of them fail.
const batchSize = 512

// routeSet is the input of an install workload, prepared before any clock
// starts: the prefixes, and the request bodies (rtmsg and attributes)
// clients that take raw bytes send as they are.
type routeSet struct {
	Prefixes []netip.Prefix
	Bodies   [][]byte
	LinkIdx  int
	Table    uint32
}

func newRouteSet(prefixes []netip.Prefix, linkIndex int, table uint32) *routeSet {
	s := &routeSet{Prefixes: prefixes, Bodies: make([][]byte, len(prefixes)), LinkIdx: linkIndex, Table: table}
	for i, p := range prefixes {
		s.Bodies[i] = routeBody(p, linkIndex, table)
	}
	return s
}

const (
	addFlags = unix.NLM_F_REQUEST | unix.NLM_F_CREATE | unix.NLM_F_EXCL
	delFlags = unix.NLM_F_REQUEST
)

// writeEach sends each body as its own request and waits for its ACK.
func (c *rawConn) writeEach(typ, flags uint16, bodies [][]byte, buf []byte) (int, error) {
	for i, body := range bodies {
		seq := c.nextSeq()
		buf = appendMsg(buf[:0], typ, flags|unix.NLM_F_ACK, seq, body)
		if err := c.write(buf); err != nil {
			return i, err
		}
		if _, err := c.collect(seq); err != nil {
			return i, err
		}
	}
	return len(bodies), nil
}

// writeBatched sends bodies batchSize to a datagram, asking for an ACK on the
// last request of each: failures are reported anyway, so one ACK per batch
// both paces the sender and proves the batch done. buf is scratch space.
func (c *rawConn) writeBatched(typ, flags uint16, bodies [][]byte, buf []byte) (int, error) {
	done := 0
	for done < len(bodies) {
		n := min(batchSize, len(bodies)-done)
		buf = buf[:0]
		var seq uint32
		for i, body := range bodies[done : done+n] {
			seq = c.nextSeq()
			f := flags
			if i == n-1 {
				f |= unix.NLM_F_ACK
			}
			buf = appendMsg(buf, typ, f, seq, body)
		}
		if err := c.write(buf); err != nil {
			return done, err
		}
		if _, err := c.collect(seq); err != nil {
			return done, err
		}
		done += n
	}
	return done, nil
}

// batchBuffer returns scratch space large enough for writeBatched on s.
func (s *routeSet) batchBuffer() []byte {
	size := 0
	for _, b := range s.Bodies {
		size = max(size, len(b))
	}
	return make([]byte, 0, batchSize*(nlHdrLen+nlAlign(size)))
}
