//go:build linux

package netlink_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/nlring/netlink"
	"github.com/nlring/netlink/backend"
	"github.com/nlring/netlink/backend/iouring"
	"golang.org/x/sys/unix"
)

// emfileChildEnv makes the test binary run one out-of-descriptors scenario
// instead of the test: "<backend>:<free descriptors>".
const emfileChildEnv = "NLRING_EMFILE_CHILD"

// TestDialOutOfDescriptors runs Dial in a loop, in a fresh process whose
// descriptor limit leaves only a few free, on every backend and on auto,
// for every number of free descriptors from 1 to 9 (a Conn takes 1 or 3).
// The Go runtime creates its poller at the first pollable descriptor and
// throws if it cannot: a process that meets that moment out of descriptors
// dies. Each child must end with a clean EMFILE from Dial, not a crash, and
// hold no descriptor of nlring's once its Conns are closed.
func TestDialOutOfDescriptors(t *testing.T) {
	if v := os.Getenv(emfileChildEnv); v != "" {
		emfileChild(t, v)
		return
	}
	if testing.Short() {
		t.Skip("skipped in -short: starts 27 processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []backend.Kind{backend.Syscall, backend.IOUring, backend.Auto} {
		t.Run(string(kind), func(t *testing.T) {
			if kind == backend.IOUring {
				if why := iouring.Supported(); why != nil {
					t.Skipf("io_uring backend unavailable: %v", why)
				}
			}
			for free := 1; free <= 9; free++ {
				cmd := exec.Command(exe, "-test.run=^TestDialOutOfDescriptors$", "-test.v", "-test.count=1")
				cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s:%d", emfileChildEnv, kind, free), backend.EnvVar+"=")
				out, err := cmd.CombinedOutput()
				if err != nil || !strings.Contains(string(out), "--- PASS: TestDialOutOfDescriptors") {
					t.Errorf("%d descriptors free: child %v:\n%s", free, err, out)
				}
			}
		})
	}
}

// emfileChild is the child process of TestDialOutOfDescriptors.
func emfileChild(t *testing.T, spec string) {
	kindName, freeStr, _ := strings.Cut(spec, ":")
	kind := backend.Kind(kindName)
	free, err := strconv.Atoi(freeStr)
	if err != nil {
		t.Fatalf("%s=%q: %v", emfileChildEnv, spec, err)
	}
	before := openFDs(t)
	for _, what := range before {
		if what == "anon_inode:[eventpoll]" {
			t.Fatal("the runtime poller exists already: the scenario cannot happen in this process")
		}
	}

	var saved unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &saved); err != nil {
		t.Fatal(err)
	}
	// Descriptors are allocated lowest first, below the limit: set it so
	// that exactly free numbers under it are unused.
	low := saved
	for n, unused := 0, 0; unused < free; n++ {
		if _, ok := before[n]; !ok {
			unused++
		}
		low.Cur = uint64(n + 1)
	}
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	var (
		conns   []*netlink.Conn
		dialErr error
	)
	for range 100 {
		c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{Backend: kind})
		if err != nil {
			dialErr = err
			break
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &saved); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s, %d free: %d Conns, then %v", kind, free, len(conns), dialErr)
	if !errors.Is(dialErr, unix.EMFILE) || !strings.Contains(fmt.Sprint(dialErr), "too many open files") {
		t.Errorf("Dial ended with %v, want an error wrapping EMFILE", dialErr)
	}

	// What is open now and was not: the runtime poller's epoll and eventfd,
	// created once, may be; nothing else.
	poller := map[string]int{"anon_inode:[eventpoll]": 1, "anon_inode:[eventfd]": 1}
	for fd, what := range openFDs(t) {
		if before[fd] == what {
			continue
		}
		if poller[what] > 0 {
			poller[what]--
			continue
		}
		t.Errorf("descriptor %d (%s) left open", fd, what)
	}
}
