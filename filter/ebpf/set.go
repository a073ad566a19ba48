package ebpf

import (
	"errors"
	"fmt"
	"slices"

	"github.com/cilium/ebpf"
)

// Set is a set of u32 values held in a BPF hash map that the filter
// program reads. Changes take effect for the next datagram, without
// re-attaching. Its methods are safe for concurrent use, but a Set method
// is not atomic: use one goroutine to change a given Set.
type Set struct {
	m *ebpf.Map
}

var present = uint8(1)

// Add adds vals. It fails if the set would exceed Spec.MaxEntries; the
// values added before the failure stay.
func (s *Set) Add(vals ...uint32) error {
	for _, v := range vals {
		if err := s.m.Put(v, present); err != nil {
			return fmt.Errorf("filter/ebpf: adding %d: %w", v, err)
		}
	}
	return nil
}

// Remove removes vals; values not in the set are ignored.
func (s *Set) Remove(vals ...uint32) error {
	for _, v := range vals {
		if err := s.m.Delete(v); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			return fmt.Errorf("filter/ebpf: removing %d: %w", v, err)
		}
	}
	return nil
}

// Set replaces the set's contents with vals. It adds first and removes
// after, so a value in both the old and the new contents never leaves the
// set, and for a moment both old and new values pass.
func (s *Set) Set(vals ...uint32) error {
	if err := s.Add(vals...); err != nil {
		return err
	}
	old, err := s.Values()
	if err != nil {
		return err
	}
	var stale []uint32
	for _, v := range old {
		if !slices.Contains(vals, v) {
			stale = append(stale, v)
		}
	}
	return s.Remove(stale...)
}

// Values returns the set's contents, sorted.
func (s *Set) Values() ([]uint32, error) {
	var (
		vals []uint32
		key  uint32
		val  uint8
	)
	it := s.m.Iterate()
	for it.Next(&key, &val) {
		vals = append(vals, key)
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("filter/ebpf: listing set: %w", err)
	}
	slices.Sort(vals)
	return vals, nil
}
