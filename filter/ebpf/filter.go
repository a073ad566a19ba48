package ebpf

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// Filter is a loaded eBPF socket filter and the maps holding its criteria.
// Its program passes the replies addressed to Spec.PortID: attach it to
// that socket (another socket's replies would be dropped). Its methods are
// safe for concurrent use.
type Filter struct {
	prog     *ebpf.Program
	types    *ebpf.Map
	tables   *Set
	ifaces   *Set
	zones    *Set
	attrs    *Set
	counters *ebpf.Map
	noAttr   bool // no Spec.Attr: the program has no code for MatchAttr
}

// Conn is what Attach needs of a socket: *netlink.Conn, *os.File and the
// net package's connections have this method.
type Conn interface {
	SyscallConn() (syscall.RawConn, error)
}

// ErrPermission is returned by New when the kernel refuses to load eBPF.
var ErrPermission = errors.New("filter/ebpf: loading eBPF needs root or CAP_BPF (classic filters from package filter need no privilege)")

// New creates the maps, fills them from spec and loads the program.
func New(spec Spec) (_ *Filter, err error) {
	if err := spec.check(); err != nil {
		return nil, err
	}
	size := spec.MaxEntries
	if size == 0 {
		size = DefaultMaxEntries
	}
	f := &Filter{}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	if f.types, err = newMap("nlf_types", ebpf.Hash, 4, 4, size); err != nil {
		return nil, err
	}
	f.noAttr = len(spec.Attr.Path) == 0
	for _, s := range []**Set{&f.tables, &f.ifaces, &f.zones, &f.attrs} {
		m, err := newMap("nlf_set", ebpf.Hash, 4, 1, size)
		if err != nil {
			return nil, err
		}
		*s = &Set{m: m}
	}
	if f.counters, err = newMap("nlf_counters", ebpf.PerCPUArray, 4, 8, numCounters); err != nil {
		return nil, err
	}
	if err := f.SetTypes(spec.Types); err != nil {
		return nil, err
	}
	for _, init := range []struct {
		set  *Set
		vals []uint32
	}{{f.tables, spec.Tables}, {f.ifaces, spec.Interfaces}, {f.zones, spec.Zones}, {f.attrs, spec.Attrs}} {
		if err := init.set.Add(init.vals...); err != nil {
			return nil, err
		}
	}
	insns := program(spec.PortID, spec.Attr, fds{
		types:      f.types.FD(),
		tables:     f.tables.m.FD(),
		interfaces: f.ifaces.m.FD(),
		zones:      f.zones.m.FD(),
		attrs:      f.attrs.m.FD(),
		counters:   f.counters.FD(),
	})
	f.prog, err = ebpf.NewProgram(&ebpf.ProgramSpec{
		Name:         "nlring_filter",
		Type:         ebpf.SocketFilter,
		Instructions: insns,
		License:      "MIT", // it calls no GPL-only helper
	})
	if err != nil {
		return nil, loadError("loading the program", err)
	}
	return f, nil
}

func newMap(name string, typ ebpf.MapType, key, value uint32, entries int) (*ebpf.Map, error) {
	m, err := ebpf.NewMap(&ebpf.MapSpec{
		Name:       name,
		Type:       typ,
		KeySize:    key,
		ValueSize:  value,
		MaxEntries: uint32(entries),
	})
	if err != nil {
		return nil, loadError("creating map "+name, err)
	}
	return m, nil
}

// loadError replaces cilium/ebpf's permission errors, which advise raising
// RLIMIT_MEMLOCK (useless on kernels that charge BPF memory to the cgroup),
// with ErrPermission.
func loadError(what string, err error) error {
	if errors.Is(err, unix.EPERM) || errors.Is(err, os.ErrPermission) {
		return fmt.Errorf("%w: %s: %w", ErrPermission, what, unix.EPERM)
	}
	return fmt.Errorf("filter/ebpf: %s: %w", what, err)
}

// Attach attaches the filter to c's socket (SO_ATTACH_BPF), replacing any
// filter it had.
func (f *Filter) Attach(c Conn) error {
	return control(c, "SO_ATTACH_BPF", func(fd int) error {
		return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ATTACH_BPF, f.prog.FD())
	})
}

// Detach removes the filter from c's socket (SO_DETACH_BPF), whatever
// filter it is.
func Detach(c Conn) error {
	return control(c, "SO_DETACH_BPF", func(fd int) error {
		return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DETACH_BPF, 0)
	})
}

func control(c Conn, what string, fn func(fd int) error) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return fmt.Errorf("filter/ebpf: %s: %w", what, err)
	}
	var opErr error
	if err := rc.Control(func(fd uintptr) { opErr = fn(int(fd)) }); err != nil {
		return fmt.Errorf("filter/ebpf: %s: %w", what, err)
	}
	if opErr != nil {
		return fmt.Errorf("filter/ebpf: %w", os.NewSyscallError("setsockopt "+what, opErr))
	}
	return nil
}

// Close releases the program and the maps. Sockets the filter is attached
// to keep running it (the kernel holds its own reference) until they
// detach it or close.
func (f *Filter) Close() error {
	var errs []error
	closeIt := func(c interface{ Close() error }) {
		if c != nil {
			errs = append(errs, c.Close())
		}
	}
	if f.prog != nil {
		closeIt(f.prog)
	}
	if f.types != nil {
		closeIt(f.types)
	}
	for _, s := range []*Set{f.tables, f.ifaces, f.zones, f.attrs} {
		if s != nil {
			closeIt(s.m)
		}
	}
	if f.counters != nil {
		closeIt(f.counters)
	}
	return errors.Join(errs...)
}

// SetType makes messages of type typ match when they meet m, replacing
// the Match the type had.
func (f *Filter) SetType(typ uint16, m Match) error {
	if err := checkMatch(typ, m); err != nil {
		return err
	}
	if m&MatchAttr != 0 && f.noAttr {
		return fmt.Errorf("filter/ebpf: type %d: MatchAttr, but the filter has no Spec.Attr", typ)
	}
	if err := f.types.Put(uint32(typ), uint32(m)); err != nil {
		return fmt.Errorf("filter/ebpf: setting type %d: %w", typ, err)
	}
	return nil
}

// RemoveType makes messages of type typ match no more. Removing a type
// that is not there is not an error.
func (f *Filter) RemoveType(typ uint16) error {
	if err := f.types.Delete(uint32(typ)); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
		return fmt.Errorf("filter/ebpf: removing type %d: %w", typ, err)
	}
	return nil
}

// SetTypes replaces all types: it sets those of types, then removes the
// others, so that a type in both the old and new sets never stops
// matching.
func (f *Filter) SetTypes(types map[uint16]Match) error {
	for t, m := range types {
		if err := f.SetType(t, m); err != nil {
			return err
		}
	}
	var key, val uint32
	var stale []uint16
	it := f.types.Iterate()
	for it.Next(&key, &val) {
		if _, ok := types[uint16(key)]; !ok {
			stale = append(stale, uint16(key))
		}
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("filter/ebpf: listing types: %w", err)
	}
	for _, t := range stale {
		if err := f.RemoveType(t); err != nil {
			return err
		}
	}
	return nil
}

// Tables is the set of route tables MatchTable consults.
func (f *Filter) Tables() *Set { return f.tables }

// Interfaces is the set of interface indexes MatchInterface consults.
func (f *Filter) Interfaces() *Set { return f.ifaces }

// Zones is the set of conntrack zones MatchZone consults.
func (f *Filter) Zones() *Set { return f.zones }

// Attrs is the set of attribute values MatchAttr consults.
func (f *Filter) Attrs() *Set { return f.attrs }

// Counters counts datagrams a filter has seen.
type Counters struct {
	// Matched datagrams passed because a message matched.
	Matched uint64
	// Dropped datagrams matched nothing.
	Dropped uint64
	// Exempt datagrams passed without looking at criteria: control
	// messages, dump parts, replies to the socket's own requests.
	Exempt uint64
}

// Counters sums the filter's per-CPU counters, over all the sockets it is
// attached to.
func (f *Filter) Counters() (Counters, error) {
	var c [numCounters]uint64
	for i := range c {
		var perCPU []uint64
		if err := f.counters.Lookup(uint32(i), &perCPU); err != nil {
			return Counters{}, fmt.Errorf("filter/ebpf: reading counters: %w", err)
		}
		for _, n := range perCPU {
			c[i] += n
		}
	}
	return Counters{Matched: c[counterMatched], Dropped: c[counterDropped], Exempt: c[counterExempt]}, nil
}
