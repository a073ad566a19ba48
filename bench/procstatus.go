package bench

import (
	"bytes"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// procStatus reads fields of /proc/self/status without allocating after it
// is opened, so that sampling it does not show in a client's allocation
// count.
type procStatus struct {
	f   *os.File
	buf []byte
}

func openProcStatus() (*procStatus, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return nil, err
	}
	return &procStatus{f: f, buf: make([]byte, 8<<10)}, nil
}

func (p *procStatus) Close() error { return p.f.Close() }

// read rereads the file; fields then parse it.
func (p *procStatus) read() error {
	// One pread: the file is far smaller than the buffer, and ReadAt would
	// make a second call to see the end.
	n, err := unix.Pread(int(p.f.Fd()), p.buf[:cap(p.buf)], 0)
	if err != nil {
		return err
	}
	p.buf = p.buf[:n]
	return nil
}

// field returns the number after "name:" in the last read, 0 if absent.
// Sizes (VmSize, VmRSS, VmHWM) are in KiB.
func (p *procStatus) field(name string) int64 {
	b := p.buf
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if len(line) > len(name) && line[len(name)] == ':' && string(line[:len(name)]) == name {
			v := bytes.TrimSpace(line[len(name)+1:])
			if i := bytes.IndexByte(v, ' '); i >= 0 {
				v = v[:i]
			}
			var n int64
			for _, c := range v {
				if c < '0' || c > '9' {
					break
				}
				n = n*10 + int64(c-'0')
			}
			return n
		}
	}
	return 0
}

// threadSampleInterval is how often threadSampler looks at the thread
// count.
const threadSampleInterval = time.Millisecond

// threadSampler records the peak of the process's OS thread count (the
// Threads line of /proc/self/status) while it runs.
type threadSampler struct {
	quit chan struct{}
	peak chan int
}

func startThreadSampler(ps *procStatus) *threadSampler {
	t := &threadSampler{quit: make(chan struct{}), peak: make(chan int, 1)}
	go func() {
		tick := time.NewTicker(threadSampleInterval)
		defer tick.Stop()
		peak := 0
		for {
			if ps.read() == nil {
				peak = max(peak, int(ps.field("Threads")))
			}
			select {
			case <-t.quit:
				t.peak <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return t
}

// stop ends sampling and returns the peak.
func (t *threadSampler) stop() int {
	close(t.quit)
	return <-t.peak
}
