package bench

import (
	"errors"
	"os"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
)

// A syscallCounter counts the system calls this process makes, all threads
// together, with an eBPF program on the sys_enter raw tracepoint.
// It counts any library's system calls the same way, io_uring_enter and
// the Go runtime's own (timers, GC, the heap sampler) included; those add a
// few dozen per run, which the report accepts as noise. Needs root.
type syscallCounter struct {
	count *ebpf.Map
	prog  *ebpf.Program
	link  link.Link
}

var (
	counterOnce sync.Once
	counter     *syscallCounter
	counterErr  error
)

// processSyscalls returns the process-wide counter, starting it the first
// time, or nil and why it is unavailable.
func processSyscalls() (*syscallCounter, error) {
	counterOnce.Do(func() { counter, counterErr = newSyscallCounter(uint32(os.Getpid())) })
	return counter, counterErr
}

func newSyscallCounter(tgid uint32) (*syscallCounter, error) {
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	if err != nil {
		return nil, err
	}
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:    ebpf.RawTracepoint,
		License: "GPL",
		Instructions: asm.Instructions{
			// Only this process: the upper half of pid_tgid is the tgid.
			asm.FnGetCurrentPidTgid.Call(),
			asm.RSh.Imm(asm.R0, 32),
			asm.JNE.Imm(asm.R0, int32(tgid), "exit"),
			// count[0]++
			asm.Mov.Imm(asm.R1, 0),
			asm.StoreMem(asm.RFP, -4, asm.R1, asm.Word),
			asm.LoadMapPtr(asm.R1, m.FD()),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, -4),
			asm.FnMapLookupElem.Call(),
			asm.JEq.Imm(asm.R0, 0, "exit"),
			asm.Mov.Imm(asm.R1, 1),
			asm.StoreXAdd(asm.R0, asm.R1, asm.DWord),
			asm.Mov.Imm(asm.R0, 0).WithSymbol("exit"),
			asm.Return(),
		},
	})
	if err != nil {
		m.Close()
		return nil, err
	}
	// A raw tracepoint needs no tracefs mount.
	l, err := link.AttachRawTracepoint(link.RawTracepointOptions{Name: "sys_enter", Program: prog})
	if err != nil {
		prog.Close()
		m.Close()
		return nil, err
	}
	return &syscallCounter{count: m, prog: prog, link: l}, nil
}

// Read returns the number of system calls counted so far.
func (c *syscallCounter) Read() (int64, error) {
	if c == nil {
		return 0, errors.New("no syscall counter")
	}
	var v uint64
	if err := c.count.Lookup(uint32(0), &v); err != nil {
		return 0, err
	}
	return int64(v), nil
}
