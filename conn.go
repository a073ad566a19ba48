package netlink

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/nlring/netlink/backend"
)

// A Conn is a connection to netlink: it sends requests and receives replies
// and multicast messages.
//
// A Conn is safe for concurrent use. Execute is serialized with every other
// request and receive, so that its reply is never taken by another
// goroutine; Send and SendMessages are never blocked by a Receive waiting in
// another goroutine. Programs with heavy traffic do best with a Conn per
// worker.
//
// A Conn can work inside another network namespace: see Config.NetNS.
type Conn struct {
	// seq is the last sequence number handed out by Send.
	seq atomic.Uint32

	// sendMu is held for reading by Send and SendMessages and for writing
	// by Execute, so that no request is sent while Execute waits for its
	// reply. Receive does not take it: a blocked Receive must not hold up a
	// Send (NFQUEUE verdicts are sent while a goroutine waits for packets).
	sendMu sync.RWMutex

	// recvSem serializes receivers, so that the parts of a multi-part reply
	// are never shared between two of them. It is a channel rather than a
	// mutex so that a context can abandon the wait for it.
	recvSem chan struct{}

	// t moves datagrams: a backend socket or a legacy Socket.
	t transport

	// pid is the port ID the socket is bound to.
	pid uint32

	// allowUserSenders disables dropping unicast datagrams whose sender is
	// not the kernel.
	allowUserSenders bool

	// listening is set once the Conn has joined a multicast group: its
	// requests then set events aside (events) and watch for overruns.
	listening atomic.Bool
	// events holds the events (multicast datagrams) a request's reply
	// reader set aside, for the next Receive, ReceiveIter or Subscription
	// to take before anything still in the socket: a Conn that both joins
	// groups and sends requests loses no event to Execute. It is guarded by
	// the receive lock (recvSem).
	events datagramQueue
	// keepReadBuffer and readBufferSet decide whether listening raises
	// the receive buffer (Config.KeepReadBuffer, SetReadBuffer).
	keepReadBuffer bool
	readBufferSet  atomic.Bool

	// kind and reason tell which backend runs the Conn and why.
	kind   backend.Kind
	reason string
}

var _ syscall.Conn = &Conn{}

// Dial opens a netlink socket of protocol family (unix.NETLINK_ROUTE, ...)
// and returns a Conn on it. A nil config means the zero Config.
//
// The backend is chosen as Config.Backend and the NLRING_BACKEND environment
// variable say; Conn.Backend tells which one runs and why.
func Dial(family int, config *Config) (*Conn, error) {
	if config == nil {
		config = &Config{}
	}
	sock, kind, reason, err := openBackend(family, config)
	if err != nil {
		return nil, err
	}
	c := newConn(newBackendTransport(sock), sock.PID())
	c.kind, c.reason = kind, reason
	c.allowUserSenders = config.AllowUserSenders
	c.keepReadBuffer = config.KeepReadBuffer
	if config.Groups != 0 {
		c.listen()
	}

	if config.Strict {
		// Every option of the strict set must take: a kernel that silently
		// lacked one would leave the caller with weaker checks than asked.
		for _, o := range []ConnOption{ExtendedAcknowledge, GetStrictCheck} {
			if err := c.t.setOption(o, true); err != nil {
				_ = c.Close()
				return nil, err
			}
		}
	}
	return c, nil
}

// NewConn returns a Conn that runs over sock, a caller-provided Socket, with
// port ID pid. It exists for tests (package nltest builds on it); programs
// use Dial.
//
// Messages pass between the Conn and sock as they are, never re-encoded.
// Operations sock does not implement (JoinGroup, SetOption, ...) fail with
// an error saying they are not supported.
func NewConn(sock Socket, pid uint32) *Conn {
	c := newConn(&legacyTransport{sock: sock}, pid)
	c.reason = "NewConn: caller-provided Socket"
	return c
}

func newConn(t transport, pid uint32) *Conn {
	debugDial()
	c := &Conn{
		recvSem: make(chan struct{}, 1),
		t:       t,
		pid:     pid,
	}
	// A random first sequence number makes it unlikely that a reply still
	// queued for an earlier socket with the same port ID matches a request.
	c.seq.Store(rand.Uint32())
	return c
}

// Close closes the connection. A Receive or ReceiveIter blocked in another
// goroutine returns with an error. Calling Close more than once is harmless.
func (c *Conn) Close() error {
	// Close takes no lock: it must interrupt a receive that holds one.
	return newOpError("close", c.t.close())
}

// PID returns the port ID the Conn's socket is bound to (nlmsg_pid in the
// messages it sends).
func (c *Conn) PID() uint32 { return c.pid }

// Backend tells which backend runs the Conn and why it was chosen: the
// reason names the setting that chose it, or why automatic selection fell
// back to the syscall backend. A Conn made by NewConn has no backend kind.
func (c *Conn) Backend() (kind backend.Kind, reason string) {
	return c.kind, c.reason
}

// Send sends one message. On success it returns m as it was sent.
//
// Zero fields of m.Header are filled in: Length from the size of m.Data,
// Sequence with the Conn's next sequence number and PID with the Conn's port
// ID.
func (c *Conn) Send(m Message) (Message, error) {
	c.sendMu.RLock()
	defer c.sendMu.RUnlock()
	return c.lockedSend(m)
}

// lockedSend implements Send; the caller holds sendMu.
func (c *Conn) lockedSend(m Message) (Message, error) {
	c.fill(&m)
	debugMessage("send", m)
	if err := c.t.send(m); err != nil {
		debugError("send", err)
		return Message{}, newOpError("send", err)
	}
	return m, nil
}

// SendMessages sends msgs together in one datagram, filling in their headers
// in place as Send does, and returns msgs.
func (c *Conn) SendMessages(msgs []Message) ([]Message, error) {
	c.sendMu.RLock()
	defer c.sendMu.RUnlock()

	for i := range msgs {
		c.fill(&msgs[i])
	}
	debugMessages("send msgs", msgs)
	if err := c.t.sendMessages(msgs); err != nil {
		debugError("send msgs", err)
		return nil, newOpError("send-messages", err)
	}
	return msgs, nil
}

// fill sets the zero header fields of m as Send documents.
func (c *Conn) fill(m *Message) {
	if m.Header.Length == 0 {
		m.Header.Length = uint32(nlmsgAlign(nlmsgHeaderLen + len(m.Data)))
	}
	if m.Header.Sequence == 0 {
		m.Header.Sequence = c.seq.Add(1)
	}
	if m.Header.PID == 0 {
		m.Header.PID = c.pid
	}
}
