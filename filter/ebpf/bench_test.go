package ebpf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nlring/netlink/filter"
	"github.com/nlring/netlink/internal/netns"
	"github.com/nlring/netlink/internal/nlsock"
	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// BenchmarkReceiverCPU measures the CPU a receiver spends per event it
// wants, when 1 route event in 10 or in 100 is for the table it wants.
// Each iteration runs the same batch of route changes three times, once
// for each receiver, alone on a locked thread whose CPU time
// getrusage(RUSAGE_THREAD) reads: one filtering in user space (it parses
// every event to find RTA_TABLE), one with a classic filter, one with an
// eBPF filter. The filters run in the sender's context; what they save is
// the receiver's wake-ups, copies and parsing.
//
// Metrics: ns of receiver CPU per wanted event for each, and the ratio of
// each filter's to user space's, measured in the same run, interleaved.
//
//	go test -run '^$' -bench ReceiverCPU -benchtime 5x ./filter/ebpf
func BenchmarkReceiverCPU(b *testing.B) {
	for _, sel := range []int{10, 100} {
		b.Run(fmt.Sprintf("1in%d", sel), func(b *testing.B) { benchReceivers(b, sel) })
	}
}

const (
	wantedTable = 100
	otherTable  = 200
	// eventsPerRound route additions, then as many deletions.
	eventsPerRound = 10000
)

type receiverMode int

const (
	userSpace receiverMode = iota
	classic
	eBPF
	numModes
)

var modeNames = [numModes]string{"user", "classic", "ebpf"}

func benchReceivers(b *testing.B, sel int) {
	ns := testutil.VethNS(b)
	batch := routeBatch(sel)
	var cpu [numModes]time.Duration
	var wanted [numModes]int
	var dropped uint64
	b.ResetTimer()
	for range b.N {
		for m := range numModes {
			b.StopTimer()
			r := newReceiver(b, ns, m)
			b.StartTimer()
			r.start <- struct{}{}
			if err := ns.Batch(strings.NewReader(batch)); err != nil {
				b.Fatal(err)
			}
			r.sync(1)
			res := <-r.done
			if res.err != nil {
				b.Fatalf("%s receiver: %v", modeNames[m], res.err)
			}
			cpu[m] += res.cpu
			wanted[m] += res.wanted
			if r.f != nil {
				c, err := r.f.Counters()
				if err != nil {
					b.Fatal(err)
				}
				dropped += c.Dropped
			}
			r.close()
		}
	}
	b.StopTimer()
	want := b.N * 2 * eventsPerRound / sel
	for m := range numModes {
		if wanted[m] != want {
			b.Fatalf("%s receiver got %d wanted events, want %d", modeNames[m], wanted[m], want)
		}
		b.ReportMetric(float64(cpu[m].Nanoseconds())/float64(want), modeNames[m]+"-ns/event")
	}
	b.ReportMetric(float64(cpu[classic])/float64(cpu[userSpace]), "classic/user")
	b.ReportMetric(float64(cpu[eBPF])/float64(cpu[userSpace]), "ebpf/user")
	if wantDropped := uint64(b.N * 2 * (eventsPerRound - eventsPerRound/sel)); dropped != wantDropped {
		b.Errorf("the eBPF filter counted %d drops, want %d", dropped, wantDropped)
	}
}

// routeBatch adds eventsPerRound host routes, 1 in sel in wantedTable,
// then deletes them.
func routeBatch(sel int) string {
	var add, del strings.Builder
	for i := range eventsPerRound {
		table := otherTable
		if i%sel == 0 {
			table = wantedTable
		}
		route := fmt.Sprintf("%s/32 dev %s table %d\n", testutil.RouteDst(i), testutil.Link, table)
		add.WriteString("route add " + route)
		del.WriteString("route del " + route)
	}
	return add.String() + del.String()
}

type roundResult struct {
	cpu    time.Duration
	wanted int
	err    error
}

// receiver receives events on a locked thread of its own.
type receiver struct {
	mode  receiverMode
	fd    int
	pid   uint32
	f     *Filter
	start chan struct{}
	done  chan roundResult
}

func newReceiver(b *testing.B, ns *netns.NS, mode receiverMode) *receiver {
	fd, pid, err := nlsock.Open(nlsock.Options{Family: unix.NETLINK_ROUTE, Groups: testutil.EventGroups, NetNS: ns.FD()})
	if err != nil {
		b.Fatal(err)
	}
	r := &receiver{mode: mode, fd: fd, pid: pid, start: make(chan struct{}), done: make(chan roundResult)}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 64<<20); err != nil {
		b.Fatal(err)
	}
	switch mode {
	case classic:
		raw, err := filter.Assemble(pid, filter.RouteTable(wantedTable))
		if err != nil {
			b.Fatal(err)
		}
		if err := attachRaw(fd, raw); err != nil {
			b.Fatal(err)
		}
	case eBPF:
		r.f, err = New(Spec{PortID: pid, Types: map[uint16]Match{
			unix.RTM_NEWROUTE: MatchTable, unix.RTM_DELROUTE: MatchTable,
		}, Tables: []uint32{wantedTable}})
		if errors.Is(err, ErrPermission) {
			b.Skipf("skipped: loading eBPF needs root or CAP_BPF: %v", err)
		}
		if err != nil {
			b.Fatal(err)
		}
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ATTACH_BPF, r.f.prog.FD()); err != nil {
			b.Fatal(err)
		}
	}
	go r.loop()
	return r
}

func attachRaw(fd int, raw []bpf.RawInstruction) error {
	filters := make([]unix.SockFilter, len(raw))
	for i, ins := range raw {
		filters[i] = unix.SockFilter{Code: ins.Op, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	return unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER,
		&unix.SockFprog{Len: uint16(len(filters)), Filter: &filters[0]})
}

// close stops the loop (closing the channel ends it between rounds) and
// releases the socket and the filter.
func (r *receiver) close() {
	close(r.start)
	unix.Close(r.fd)
	if r.f != nil {
		r.f.Close()
	}
}

// sync sends a request whose ACK, exempt from the filters, ends the round.
func (r *receiver) sync(seq uint32) {
	req := make([]byte, unix.NLMSG_HDRLEN+unix.SizeofIfInfomsg)
	binary.NativeEndian.PutUint32(req[0:], uint32(len(req)))
	binary.NativeEndian.PutUint16(req[4:], unix.RTM_GETLINK)
	binary.NativeEndian.PutUint16(req[6:], unix.NLM_F_REQUEST|unix.NLM_F_ACK)
	binary.NativeEndian.PutUint32(req[8:], seq)
	binary.NativeEndian.PutUint32(req[unix.NLMSG_HDRLEN+4:], 1) // lo
	if err := unix.Sendto(r.fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		panic(err)
	}
}

func (r *receiver) loop() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	buf := make([]byte, 32<<10)
	for range r.start {
		before := threadCPU()
		wanted, err := r.round(buf)
		r.done <- roundResult{cpu: threadCPU() - before, wanted: wanted, err: err}
	}
}

// round receives until the ACK of a sync request and counts the wanted
// events, checking each event's table as a user-space filter would.
func (r *receiver) round(buf []byte) (int, error) {
	wanted := 0
	for {
		n, _, err := unix.Recvfrom(r.fd, buf, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return 0, err // ENOBUFS included: the benchmark must lose nothing
		}
		for b := buf[:n]; len(b) >= unix.NLMSG_HDRLEN; {
			l := int(binary.NativeEndian.Uint32(b))
			if l < unix.NLMSG_HDRLEN || l > len(b) {
				return 0, fmt.Errorf("bad message length %d", l)
			}
			switch typ := binary.NativeEndian.Uint16(b[4:]); typ {
			case unix.NLMSG_ERROR:
				if binary.NativeEndian.Uint32(b[12:]) == r.pid {
					return wanted, nil
				}
			case unix.RTM_NEWROUTE, unix.RTM_DELROUTE:
				if l >= unix.NLMSG_HDRLEN+unix.SizeofRtMsg && routeTable(b[unix.NLMSG_HDRLEN+unix.SizeofRtMsg:l]) == wantedTable {
					wanted++
				}
			}
			b = b[min((l+3)&^3, len(b)):]
		}
	}
}

func routeTable(attrs []byte) uint32 {
	for len(attrs) >= unix.NLA_HDRLEN {
		l := int(binary.NativeEndian.Uint16(attrs))
		if l < unix.NLA_HDRLEN || l > len(attrs) {
			return 0
		}
		if binary.NativeEndian.Uint16(attrs[2:])&nlaTypeMask == unix.RTA_TABLE && l == 8 {
			return binary.NativeEndian.Uint32(attrs[4:])
		}
		attrs = attrs[min((l+3)&^3, len(attrs)):]
	}
	return 0
}

func threadCPU() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
