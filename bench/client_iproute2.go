package bench

import (
	"bytes"
	"fmt"
	"os/exec"
	"syscall"
)

// iproute2, as a reference a person can reproduce by hand: `ip -n NS route
// show | wc -l`. Its time includes starting the process and printing text.
func init() {
	Register(ClientSpec{
		Name: "iproute2",
		Doc:  "ip -n NS route show table all / ip -o link show, lines counted (a reference)",
		Rank: RankTool,
		New:  func(env *Env) (Client, error) { return &iproute2Client{ns: env.NS.Name()}, nil },
	})
}

type iproute2Client struct{ ns string }

func (*iproute2Client) Close() error { return nil }

func (c *iproute2Client) DumpRoutes() (Counts, error) {
	return c.lines([]string{"route", "show", "table", "all"})
}

func (c *iproute2Client) DumpLinks() (Counts, error) {
	return c.lines([]string{"-o", "link", "show"})
}

// lines runs ip once per argument list, in turn, and counts the lines they
// print; PeakRSS is the largest peak resident set among them.
func (c *iproute2Client) lines(cmds ...[]string) (Counts, error) {
	counts := Counts{External: true}
	for _, args := range cmds {
		var out lineCounter
		var stderr bytes.Buffer
		cmd := exec.Command("ip", append([]string{"-n", c.ns}, args...)...)
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Run(); err != nil {
			return counts, fmt.Errorf("ip %v: %v: %s", args, err, bytes.TrimSpace(stderr.Bytes()))
		}
		counts.Msgs += int(out)
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			counts.PeakRSS = max(counts.PeakRSS, ru.Maxrss<<10) // Maxrss is in KiB
		}
	}
	return counts, nil
}

// lineCounter is the `wc -l` at the end of the pipe.
type lineCounter int

func (n *lineCounter) Write(b []byte) (int, error) {
	*n += lineCounter(bytes.Count(b, []byte{'\n'}))
	return len(b), nil
}
