// Command nlconncost measures what a Conn costs a process, the way a user
// would look at it: for mdlayher/netlink and for nlring on each backend, in
// a fresh process of its own,
//
//   - idle: open -n Conns (default 10,000) and keep them, with and without
//     one Execute each, and report the descriptors the process holds in all
//     and, per Conn, the growth of its address space (VmSize), resident set
//     (VmRSS) and memory mappings;
//   - limit: under an address-space limit (RLIMIT_AS, -as-limit, default
//     2 GiB, set with prlimit(1) before the program starts, as `ulimit -v`
//     would), open -as-n Conns (default 1,000), each doing one Execute
//     (RTM_GETLINK for lo), and report how many succeed.
//
// Run it as root (it raises RLIMIT_NOFILE for the idle Conns):
//
//	go run ./cmd/nlconncost                 # in bench/
//	go run ./cmd/nlconncost -json
//	go run ./cmd/nlconncost -n 2000 -heapprofile /tmp   # then go tool pprof -top /tmp/nlring-auto-execute.pprof
//
// Conns are opened in the process's own network namespace; the only request
// is RTM_GETLINK for lo.
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"text/tabwriter"

	mdnl "github.com/mdlayher/netlink"
	nlr "github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"golang.org/x/sys/unix"
)

const childEnv = "NLCONNCOST_CHILD"

var clients = []string{"mdlayher", "nlring-auto", "nlring-syscall", "nlring-iouring"}

func main() {
	if v, ok := os.LookupEnv(childEnv); ok {
		os.Exit(child(v))
	}
	var (
		n       = flag.Int("n", 10000, "idle Conns per client")
		asN     = flag.Int("as-n", 1000, "Conns, each doing one Execute, under the address-space limit")
		asLimit = flag.Int64("as-limit", 2<<30, "RLIMIT_AS in bytes for the limit test")
		only    = flag.String("clients", strings.Join(clients, ","), "clients to measure")
		asJSON  = flag.Bool("json", false, "print results as JSON")
		heapDir = flag.String("heapprofile", "", "write a heap profile of every idle test, all allocations sampled, to `dir`/CLIENT-{dialled,execute}.pprof, taken with the Conns open (recording every allocation inflates the other figures)")
	)
	flag.Parse()
	var results []result
	for _, test := range []job{{Test: "idle"}, {Test: "idle", Execute: true}, {Test: "limit", Execute: true}} {
		for _, c := range strings.Split(*only, ",") {
			j := test
			j.Client, j.N = c, *n
			if j.Test == "limit" {
				j.N, j.ASLimit = *asN, *asLimit
			} else if *heapDir != "" {
				what := "dialled"
				if j.Execute {
					what = "execute"
				}
				j.HeapProfile = filepath.Join(*heapDir, c+"-"+what+".pprof")
			}
			r, err := runChild(j)
			if err != nil {
				fmt.Fprintf(os.Stderr, "nlconncost: %s %s: %v\n", j.Test, c, err)
			}
			results = append(results, r)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(results)
		return
	}
	printTables(results)
}

// A job is one child process's work.
type job struct {
	Test    string `json:"test"` // idle or limit
	Client  string `json:"client"`
	N       int    `json:"n"`
	Execute bool   `json:"execute"`
	ASLimit int64  `json:"asLimit,omitempty"`
	// HeapProfile, if set, is where the idle test writes a heap profile.
	HeapProfile string `json:"heapProfile,omitempty"`
}

// A result is what the child saw.
type result struct {
	job
	Opened int `json:"opened"`
	// NoFile is RLIMIT_NOFILE (soft) during the test.
	NoFile uint64 `json:"noFile"`
	// Before and After are the process's state before the first Dial and
	// with every Conn open.
	Before  status `json:"before"`
	After   status `json:"after"`
	Backend string `json:"backend,omitempty"`
	Error   string `json:"error,omitempty"`
}

type status struct {
	FDs     int   `json:"fds"`
	Maps    int   `json:"maps"`
	Threads int   `json:"threads"`
	VmSize  int64 `json:"vmSize"` // bytes
	VmRSS   int64 `json:"vmRSS"`  // bytes
}

func runChild(j job) (result, error) {
	exe, err := os.Executable()
	if err != nil {
		return result{job: j}, err
	}
	spec, _ := json.Marshal(j)
	var cmd *exec.Cmd
	if j.ASLimit > 0 {
		if _, err := exec.LookPath("prlimit"); err != nil {
			return result{job: j}, errors.New("prlimit(1) not found: it sets RLIMIT_AS before the child starts")
		}
		cmd = exec.Command("prlimit", fmt.Sprintf("--as=%d", j.ASLimit), "--", exe)
	} else {
		cmd = exec.Command(exe)
	}
	cmd.Env = append(os.Environ(), childEnv+"="+string(spec))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var r result
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		// The child died: say how far it got and how it ended.
		r = result{job: j}
		var fatal []string
		for line := range strings.Lines(stderr.String()) {
			if _, err := fmt.Sscanf(line, "opened %d", &r.Opened); err != nil && len(fatal) < 1 && strings.TrimSpace(line) != "" {
				fatal = append(fatal, strings.TrimSpace(line))
			}
		}
		r.Error = fmt.Sprintf("process died (%v) after %d Conns: %s", runErr, r.Opened, strings.Join(fatal, "; "))
		return r, errors.New(r.Error)
	}
	return r, nil
}

func child(spec string) int {
	os.Unsetenv(childEnv)
	os.Unsetenv(backend.EnvVar)
	var r result
	if err := json.Unmarshal([]byte(spec), &r.job); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if r.HeapProfile != "" {
		runtime.MemProfileRate = 1
	}
	if err := openConns(&r); err != nil {
		r.Error = err.Error()
	}
	json.NewEncoder(os.Stdout).Encode(r)
	return 0
}

var (
	mdReq = mdnl.Message{Header: mdnl.Header{Type: unix.RTM_GETLINK, Flags: mdnl.Request}, Data: ifinfomsg(1)}
	nlReq = nlr.Message{Header: nlr.Header{Type: unix.RTM_GETLINK, Flags: nlr.Request}, Data: ifinfomsg(1)}
)

func ifinfomsg(index int32) []byte {
	b := make([]byte, unix.SizeofIfInfomsg)
	binary.NativeEndian.PutUint32(b[4:], uint32(index))
	return b
}

// openConns opens r.N Conns of r.Client, each doing one Execute if
// r.Execute, and keeps them all open until it has read the process's state.
func openConns(r *result) error {
	if r.Test == "idle" {
		// 3 descriptors per Conn at most, and room for the rest.
		want := uint64(3*r.N + 1024)
		var lim unix.Rlimit
		if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
			return err
		}
		if lim.Max < want {
			// Needs CAP_SYS_RESOURCE; without it the test runs into the
			// hard limit, and says so.
			raised := unix.Rlimit{Cur: want, Max: want}
			if unix.Setrlimit(unix.RLIMIT_NOFILE, &raised) == nil {
				lim = raised
			}
		}
		lim.Cur = lim.Max
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
			return err
		}
	}
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err == nil {
		r.NoFile = lim.Cur
	}
	dial, err := dialer(r.Client, &r.Backend)
	if err != nil {
		return err
	}
	runtime.GC()
	if r.Before, err = readStatus(); err != nil {
		return err
	}
	var closers []func() error
	defer func() {
		for _, c := range closers {
			c()
		}
	}()
	// Descriptors held back so that the state can still be read when the
	// Conns have used up every other one.
	var reserve []int
	for range 4 {
		if fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0); err == nil {
			reserve = append(reserve, fd)
		}
	}
	var openErr error
	for i := range r.N {
		exec, closeFn, err := dial(r.Execute)
		if err != nil {
			openErr = fmt.Errorf("conn %d: %w", i+1, err)
			break
		}
		closers = append(closers, closeFn)
		if r.Execute {
			if err := exec(); err != nil {
				openErr = fmt.Errorf("conn %d: Execute: %w", i+1, err)
				break
			}
		}
		r.Opened++
		if r.Test == "limit" {
			// For the parent, should the runtime itself die of the
			// limit: it cannot be caught.
			fmt.Fprintf(os.Stderr, "opened %d\n", r.Opened)
		}
	}
	// With the Conns that opened, if not all did: the figures are per Conn
	// opened.
	for _, fd := range reserve {
		unix.Close(fd)
	}
	if r.Test == "limit" {
		// Near the limit a GC can need address space the Conns took,
		// and a runtime out of memory throws.
		r.After, err = readStatus()
		return errors.Join(openErr, err)
	}
	runtime.GC()
	r.After, err = readStatus()
	if r.HeapProfile != "" && err == nil {
		err = writeHeapProfile(r.HeapProfile)
	}
	return errors.Join(openErr, err)
}

func writeHeapProfile(file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func dialer(client string, chosen *string) (func(bool) (func() error, func() error, error), error) {
	if client == "mdlayher" {
		return func(bool) (func() error, func() error, error) {
			c, err := mdnl.Dial(unix.NETLINK_ROUTE, nil)
			if err != nil {
				return nil, nil, err
			}
			exec := func() error {
				msgs, err := c.Execute(mdReq)
				return oneReply(len(msgs), err)
			}
			return exec, c.Close, nil
		}, nil
	}
	kind, ok := strings.CutPrefix(client, "nlring-")
	if !ok {
		return nil, fmt.Errorf("unknown client %q (have %s)", client, strings.Join(clients, ", "))
	}
	k, err := backend.ParseKind(kind)
	if err != nil {
		return nil, err
	}
	return func(bool) (func() error, func() error, error) {
		var cfg *nlr.Config // what a program passes for the default
		if k != backend.Auto {
			cfg = &nlr.Config{Backend: k}
		}
		c, err := nlr.Dial(unix.NETLINK_ROUTE, cfg)
		if err != nil {
			return nil, nil, err
		}
		got, why := c.Backend()
		if *chosen == "" {
			*chosen = fmt.Sprintf("%s (%s)", got, why)
		}
		if k != backend.Auto && got != k {
			c.Close()
			return nil, nil, fmt.Errorf("asked for %s, got %s (%s)", k, got, why)
		}
		exec := func() error {
			msgs, err := c.Execute(nlReq)
			return oneReply(len(msgs), err)
		}
		return exec, c.Close, nil
	}, nil
}

func oneReply(n int, err error) error {
	if err == nil && n != 1 {
		err = fmt.Errorf("%d messages in reply to RTM_GETLINK for lo", n)
	}
	return err
}

func readStatus() (status, error) {
	var s status
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return s, err
	}
	s.FDs = len(fds) - 1 // the directory's own descriptor
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return s, err
	}
	s.Maps = bytes.Count(maps, []byte{'\n'})
	st, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return s, err
	}
	for line := range strings.SplitSeq(string(st), "\n") {
		name, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		var n int64
		fmt.Sscan(strings.TrimSpace(v), &n)
		switch name {
		case "Threads":
			s.Threads = int(n)
		case "VmSize":
			s.VmSize = n << 10
		case "VmRSS":
			s.VmRSS = n << 10
		}
	}
	return s, nil
}

func printTables(results []result) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	ref := map[bool]result{}
	for _, r := range results {
		if r.Test == "idle" && r.Client == "mdlayher" {
			ref[r.Execute] = r
		}
	}
	fmt.Fprintln(tw, "idle Conns\tclient\topened\tfds in all\tfds/Conn\taddress space/Conn\tRSS/Conn\t×mdlayher RSS\tmaps/Conn\tthreads\tbackend\t")
	for _, r := range results {
		if r.Test != "idle" {
			continue
		}
		what := "dialled"
		if r.Execute {
			what = "+1 Execute each"
		}
		per := func(a, b int64) float64 {
			if r.Opened == 0 {
				return 0
			}
			return float64(b-a) / float64(r.Opened)
		}
		rss := per(r.Before.VmRSS, r.After.VmRSS)
		x := ""
		if m, ok := ref[r.Execute]; ok && m.Opened > 0 && r.After.VmRSS > 0 {
			mrss := float64(m.After.VmRSS-m.Before.VmRSS) / float64(m.Opened)
			x = fmt.Sprintf("%.2f", rss/mrss)
		}
		if r.After.FDs == 0 { // no figures
			fmt.Fprintf(tw, "%s\t%s\t%d\t\t\t\t\t\t\t\t%s\t\n", what, r.Client, r.Opened, r.Backend)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.2f\t%s\t%s\t%s\t%.2f\t%d\t%s\t\n", what, r.Client, r.Opened, r.After.FDs,
			per(int64(r.Before.FDs), int64(r.After.FDs)), kib(per(r.Before.VmSize, r.After.VmSize)),
			kib(rss), x, per(int64(r.Before.Maps), int64(r.After.Maps)), r.After.Threads, r.Backend)
	}
	tw.Flush()
	fmt.Println()
	tw = tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "RLIMIT_AS\tclient\tsucceeded\tof\tVmSize at start\tfirst error\t")
	for _, r := range results {
		if r.Test != "limit" {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t\n", mib(r.ASLimit), r.Client, r.Opened, r.N, mib(r.Before.VmSize), r.Error)
	}
	tw.Flush()
	for _, r := range results {
		if r.Test == "idle" && r.Error != "" {
			fmt.Printf("error: idle %s (execute=%v), RLIMIT_NOFILE %d: %s\n", r.Client, r.Execute, r.NoFile, r.Error)
		}
	}
}

func kib(b float64) string { return fmt.Sprintf("%.1f KiB", b/1024) }
func mib(b int64) string   { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
