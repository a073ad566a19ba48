package bench

import (
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// The process-per-run workloads' client code, in this process and in its
// network namespace, for profiling one client at a time:
//
//	go test -run '^$' -bench 'BenchmarkChurnInProcess/nlring-syscall$' -cpuprofile cpu.out ./bench
//	go tool pprof -top cpu.out
//
// nlbench's dial-churn runs the same code in a fresh process per run.
func BenchmarkChurnInProcess(b *testing.B) {
	for _, name := range childClientNames() {
		b.Run(name, func(b *testing.B) {
			var r childResult
			churn := func() error { return childImpls[name].churn(1, &r) }
			if name == FloorClient {
				// rawChurn sets up its buffers once per call, not per cycle.
				trip := newRawTrip()
				churn = func() error {
					if e := trip.cycle(); e != 0 {
						return e
					}
					return nil
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := churn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkExecuteInProcess is one Execute (RTM_GETLINK for lo) on a Conn
// opened before, per client: conns' work on one Conn.
func BenchmarkExecuteInProcess(b *testing.B) {
	for _, name := range childClientNames() {
		open := childImpls[name].open
		if open == nil {
			continue
		}
		b.Run(name, func(b *testing.B) {
			var r childResult
			exec, closeFn, err := open(&r)
			if err != nil {
				b.Fatal(err)
			}
			defer closeFn()
			b.ReportAllocs()
			for b.Loop() {
				if err := exec(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestRawChurnAllocatesNothing keeps the dial-churn floor honest.
func TestRawChurnAllocatesNothing(t *testing.T) {
	trip := newRawTrip()
	var errno unix.Errno
	allocs := testing.AllocsPerRun(200, func() {
		if e := trip.cycle(); e != 0 {
			errno = e
		}
	})
	if errno != 0 {
		t.Fatal(errno)
	}
	if allocs != 0 {
		t.Errorf("a dial-churn cycle of the floor allocates %v times, want 0", allocs)
	}
}

func childClientNames() []string {
	var names []string
	for name := range childImpls {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
