package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"time"
	"unsafe"

	mdnl "github.com/mdlayher/netlink"
	nlr "github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/internal/rawtrip"
	vnl "github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// The process-per-run workloads, dial-churn and conns, run each client in a
// fresh child process: the benchmark's own binary, started again under
// `ip netns exec` in the scenario's namespace with childEnv set. A process
// never gives back the OS threads it has started, so thread counts measured
// in one shared process would carry every earlier client's; and what a Conn
// costs to open is best seen from a process that has opened none before.
// The child measures itself and prints a childResult as JSON.

// childEnv holds the JSON childJob of a child process.
const childEnv = "NLBENCH_CHILD"

func init() {
	if v, ok := os.LookupEnv(childEnv); ok {
		// Not on this goroutine: during package initialization the
		// runtime keeps it locked to the main thread, which turns every
		// wait in the runtime poller into a thread hand-off and made
		// mdlayher's Dial/Execute/Close 4× slower than in a test binary.
		code := make(chan int)
		go func() { code <- childMain(v) }()
		os.Exit(<-code)
	}
}

// A childJob is what a child process runs.
type childJob struct {
	Workload string `json:"workload"`
	Client   string `json:"client"`
	// N is the number of Dial/Execute/Close cycles (dial-churn) or of
	// concurrent Conns (conns); M is Executes per Conn (conns).
	N int `json:"n"`
	M int `json:"m,omitempty"`
}

// A childResult is what a child process measured.
type childResult struct {
	WallNs int64 `json:"wallNs"`
	Msgs   int   `json:"msgs"`
	// Syscalls is counted by the raw clients only.
	Syscalls int64  `json:"syscalls,omitempty"`
	Mallocs  uint64 `json:"mallocs"`
	HeapPeak uint64 `json:"heapPeak"`
	Extra
	Error string `json:"error,omitempty"`
}

// Extra is what the process-per-run workloads measure beyond a Sample.
type Extra struct {
	// Threads is the peak of the child's OS thread count (Threads in
	// /proc/self/status, sampled every threadSampleInterval, and at the end)
	// over the whole run, opening and closing included; ThreadsStart is the
	// count before the client did anything.
	Threads      int `json:"threads"`
	ThreadsStart int `json:"threadsStart"`
	// RSSPeak is the child's peak resident set (VmHWM), in bytes.
	RSSPeak int64 `json:"rssPeak"`
	// Backend is what nlring's Conn.Backend said of the first Conn.
	Backend string `json:"backend,omitempty"`
}

func childMain(spec string) int {
	os.Unsetenv(childEnv)
	// Client names say which backend runs; the environment must not
	// override them.
	os.Unsetenv(backend.EnvVar)
	var job childJob
	res := childResult{}
	if err := json.Unmarshal([]byte(spec), &job); err != nil {
		res.Error = err.Error()
	} else if err := runChildJob(job, &res); err != nil {
		res.Error = err.Error()
	}
	json.NewEncoder(os.Stdout).Encode(res)
	if res.Error != "" {
		return 1
	}
	return 0
}

// childImpl is one client's code for the process-per-run workloads.
type childImpl struct {
	// churn runs n Dial/Execute/Close cycles.
	churn func(n int, r *childResult) error
	// open dials one Conn for the conns workload and returns its Execute
	// and Close; nil if the client has no such workload.
	open func(r *childResult) (exec func() error, close func() error, err error)
}

var childImpls = map[string]childImpl{
	FloorClient:      {churn: rawChurn, open: rawOpen},
	ReferenceClient:  {churn: mdlayherChurn, open: mdlayherOpen},
	"nlring-auto":    nlringImpl(backend.Auto),
	"nlring-syscall": nlringImpl(backend.Syscall),
	"nlring-iouring": nlringImpl(backend.IOUring),
	"vishvananda":    {churn: vishvanandaChurn},
}

func runChildJob(job childJob, r *childResult) error {
	impl, ok := childImpls[job.Client]
	if !ok {
		return fmt.Errorf("no child implementation for client %q", job.Client)
	}
	ps, err := openProcStatus()
	if err != nil {
		return err
	}
	defer ps.Close()
	if err := ps.read(); err != nil {
		return err
	}
	r.ThreadsStart = int(ps.field("Threads"))

	// The samplers start first, so that what they allocate to start is not
	// counted; sampling itself allocates nothing.
	threads := startThreadSampler(ps)
	heap := startHeapSampler()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	switch job.Workload {
	case "dial-churn":
		err = timed(r, func() error { return impl.churn(job.N, r) })
	case "conns":
		if impl.open == nil {
			err = fmt.Errorf("client %s has no conns workload", job.Client)
			break
		}
		err = runConns(job.N, job.M, impl.open, r)
	default:
		err = fmt.Errorf("no child workload %q", job.Workload)
	}
	runtime.ReadMemStats(&after)
	r.Mallocs = after.Mallocs - before.Mallocs
	r.HeapPeak = heap.stop()
	r.Threads = threads.stop()
	if ps.read() == nil {
		r.Threads = max(r.Threads, int(ps.field("Threads")))
		r.RSSPeak = ps.field("VmHWM") << 10
	}
	return err
}

func timed(r *childResult, fn func() error) error {
	start := time.Now()
	err := fn()
	r.WallNs = time.Since(start).Nanoseconds()
	return err
}

// runConns opens n Conns, one per goroutine, then times them doing m
// Executes each at once. Opening and closing are outside the time, inside
// the thread count.
func runConns(n, m int, open func(*childResult) (func() error, func() error, error), r *childResult) error {
	var (
		ready, done sync.WaitGroup
		start       = make(chan struct{})
		mu          sync.Mutex
		firstErr    error
		closers     = make([]func() error, n)
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			exec, closeFn, err := open(r)
			ready.Done()
			if err != nil {
				fail(fmt.Errorf("conn %d: %w", i, err))
				return
			}
			closers[i] = closeFn
			<-start
			for range m {
				if err := exec(); err != nil {
					fail(fmt.Errorf("conn %d: %w", i, err))
					return
				}
			}
		}()
	}
	ready.Wait()
	t0 := time.Now()
	close(start)
	done.Wait()
	r.WallNs = time.Since(t0).Nanoseconds()
	r.Msgs = n * m
	var errs []error
	for _, c := range closers {
		if c != nil {
			errs = append(errs, c())
		}
	}
	if firstErr != nil {
		return firstErr
	}
	return errors.Join(errs...)
}

// getLinkLoBody is the ifinfomsg of RTM_GETLINK for lo, index 1 in every
// namespace.
var getLinkLoBody = linkBody(1)

// rawTrip is the floor's blocking socket (internal/rawtrip) with a
// prebuilt RTM_GETLINK for lo; it counts the system calls it makes.
type rawTrip struct {
	*rawtrip.Trip
	syscalls int64
}

func newRawTrip() *rawTrip {
	return &rawTrip{Trip: rawtrip.New(-1, appendMsg(nil, unix.RTM_GETLINK, unix.NLM_F_REQUEST, 1, getLinkLoBody), rawBufferSize)}
}

// dial opens and binds a blocking socket: socket(2) and bind(2), as a
// library's Dial does at the least.
func (t *rawTrip) dial() unix.Errno {
	t.syscalls += 2
	fd, _, e := unix.Syscall(unix.SYS_SOCKET, unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if e != 0 {
		return e
	}
	var local unix.RawSockaddrNetlink // on the stack: bind does not keep it
	local.Family = unix.AF_NETLINK
	if _, _, e := unix.Syscall(unix.SYS_BIND, fd, uintptr(unsafe.Pointer(&local)), unix.SizeofSockaddrNetlink); e != 0 {
		unix.Close(int(fd))
		return e
	}
	t.FD = int(fd)
	return 0
}

func (t *rawTrip) close() unix.Errno {
	t.syscalls++
	_, _, e := unix.Syscall(unix.SYS_CLOSE, uintptr(t.FD), 0, 0)
	t.FD = -1
	return e
}

// trip sends the request and reads one reply, which must be RTM_NEWLINK.
func (t *rawTrip) trip() unix.Errno {
	t.syscalls += 2
	n, e := t.Do()
	switch {
	case e != 0:
		return e
	case n < nlHdrLen || *(*uint16)(unsafe.Pointer(&t.Buf[4])) != unix.RTM_NEWLINK:
		return unix.EBADMSG
	}
	return 0
}

// rawChurn is the floor of dial-churn: socket, bind, sendmsg, recvmsg,
// close, with nothing allocated per cycle.
func rawChurn(n int, r *childResult) error {
	t := newRawTrip()
	for i := range n {
		if e := t.cycle(); e != 0 {
			return fmt.Errorf("cycle %d: %w", i, e)
		}
		r.Msgs++
	}
	r.Syscalls = t.syscalls
	return nil
}

// cycle is one dial-churn cycle of the floor: socket, bind, sendmsg,
// recvmsg, close.
func (t *rawTrip) cycle() unix.Errno {
	if e := t.dial(); e != 0 {
		return e
	}
	if e := t.trip(); e != 0 {
		t.close()
		return e
	}
	return t.close()
}

// rawOpen is the floor of conns: a blocking socket per goroutine.
func rawOpen(r *childResult) (func() error, func() error, error) {
	t := newRawTrip()
	if e := t.dial(); e != 0 {
		return nil, nil, e
	}
	exec := func() error {
		if e := t.trip(); e != 0 {
			return e
		}
		return nil
	}
	closeFn := func() error {
		e := t.close()
		// The goroutines are done and closers run one at a time: the
		// counts are safe to add.
		r.Syscalls += t.syscalls
		if e != 0 {
			return e
		}
		return nil
	}
	return exec, closeFn, nil
}

func oneReply(n int, err error) error {
	if err == nil && n != 1 {
		err = fmt.Errorf("%d messages in reply to RTM_GETLINK for lo", n)
	}
	return err
}

var mdlayherGetLinkLo = mdnl.Message{Header: mdnl.Header{Type: unix.RTM_GETLINK, Flags: mdnl.Request}, Data: getLinkLoBody}

func mdlayherChurn(n int, r *childResult) error {
	for i := range n {
		c, err := mdnl.Dial(unix.NETLINK_ROUTE, nil)
		if err != nil {
			return fmt.Errorf("cycle %d: %w", i, err)
		}
		msgs, err := c.Execute(mdlayherGetLinkLo)
		err = errors.Join(oneReply(len(msgs), err), c.Close())
		if err != nil {
			return fmt.Errorf("cycle %d: %w", i, err)
		}
		r.Msgs++
	}
	return nil
}

func mdlayherOpen(*childResult) (func() error, func() error, error) {
	c, err := mdnl.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		return nil, nil, err
	}
	exec := func() error {
		msgs, err := c.Execute(mdlayherGetLinkLo)
		return oneReply(len(msgs), err)
	}
	return exec, c.Close, nil
}

var nlringGetLinkLo = nlr.Message{Header: nlr.Header{Type: unix.RTM_GETLINK, Flags: nlr.Request}, Data: getLinkLoBody}

// nlringImpl dials as a user would: a nil Config for auto, else
// Config.Backend. An explicit backend must be the one that runs.
func nlringImpl(kind backend.Kind) childImpl {
	var once sync.Once
	dial := func(r *childResult) (*nlr.Conn, error) {
		var cfg *nlr.Config
		if kind != backend.Auto {
			cfg = &nlr.Config{Backend: kind}
		}
		c, err := nlr.Dial(unix.NETLINK_ROUTE, cfg)
		if err != nil {
			return nil, err
		}
		got, why := c.Backend()
		once.Do(func() { r.Backend = fmt.Sprintf("%s (%s)", got, why) })
		if kind != backend.Auto && got != kind {
			c.Close()
			return nil, fmt.Errorf("asked for the %s backend, got %s (%s)", kind, got, why)
		}
		return c, nil
	}
	return childImpl{
		churn: func(n int, r *childResult) error {
			for i := range n {
				c, err := dial(r)
				if err != nil {
					return fmt.Errorf("cycle %d: %w", i, err)
				}
				msgs, err := c.Execute(nlringGetLinkLo)
				err = errors.Join(oneReply(len(msgs), err), c.Close())
				if err != nil {
					return fmt.Errorf("cycle %d: %w", i, err)
				}
				r.Msgs++
			}
			return nil
		},
		open: func(r *childResult) (func() error, func() error, error) {
			c, err := dial(r)
			if err != nil {
				return nil, nil, err
			}
			exec := func() error {
				msgs, err := c.Execute(nlringGetLinkLo)
				return oneReply(len(msgs), err)
			}
			return exec, c.Close, nil
		},
	}
}

// vishvanandaChurn uses the package-level LinkByIndex, which opens a socket
// for the call and closes it after, as every package-level function of
// vishvananda/netlink does.
func vishvanandaChurn(n int, r *childResult) error {
	for i := range n {
		l, err := vnl.LinkByIndex(1)
		if err != nil {
			return fmt.Errorf("cycle %d: %w", i, err)
		}
		if l.Attrs().Index != 1 {
			return fmt.Errorf("cycle %d: asked for link 1, got %d", i, l.Attrs().Index)
		}
		r.Msgs++
	}
	return nil
}

// procClient runs the process-per-run workloads of one client (childImpls
// names it) in the namespace ns. Clients embed it.
type procClient struct {
	name, ns string
}

// DialChurner runs Dial/Execute/Close cycles.
type DialChurner interface {
	DialChurn(n int) (Sample, Extra, error)
}

// ConnsRunner runs n Conns at once, each doing m Executes.
type ConnsRunner interface {
	Conns(n, m int) (Sample, Extra, error)
}

func (p procClient) DialChurn(n int) (Sample, Extra, error) {
	return p.run(childJob{Workload: "dial-churn", Client: p.name, N: n})
}

// procConnsClient adds the conns workload.
type procConnsClient struct{ procClient }

func (p procConnsClient) Conns(n, m int) (Sample, Extra, error) {
	return p.run(childJob{Workload: "conns", Client: p.name, N: n, M: m})
}

// procOnlyClient is a client that has only the process-per-run workloads.
type procOnlyClient struct{ procConnsClient }

func (procOnlyClient) Close() error { return nil }

func newProcClient(name string, env *Env) procClient {
	return procClient{name: name, ns: env.NS.Name()}
}

func (p procClient) run(job childJob) (Sample, Extra, error) {
	exe, err := os.Executable()
	if err != nil {
		return Sample{}, Extra{}, err
	}
	spec, err := json.Marshal(job)
	if err != nil {
		return Sample{}, Extra{}, err
	}
	cmd := exec.Command("ip", "netns", "exec", p.ns, exe)
	cmd.Env = append(os.Environ(), childEnv+"="+string(spec))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var res childResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return Sample{}, Extra{}, fmt.Errorf("child %s %s: %v; %v: %s", job.Workload, job.Client, runErr, err,
			strings.TrimSpace(stderr.String()))
	}
	if res.Error != "" {
		return Sample{}, res.Extra, fmt.Errorf("child %s %s: %s", job.Workload, job.Client, res.Error)
	}
	if runErr != nil {
		return Sample{}, res.Extra, fmt.Errorf("child %s %s: %v: %s", job.Workload, job.Client, runErr, strings.TrimSpace(stderr.String()))
	}
	wall := time.Duration(res.WallNs)
	return Sample{
		Time: wall, Wall: wall, Msgs: res.Msgs,
		Mallocs: res.Mallocs, HeapPeak: res.HeapPeak, Syscalls: res.Syscalls,
	}, res.Extra, nil
}
