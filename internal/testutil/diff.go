package testutil

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// maxDepth bounds the walk over cyclic or very deep values; below it the
// report shows whole values.
const maxDepth = 32

// Diff returns "" when want and got are equal by reflect.DeepEqual, and
// otherwise a report naming each differing part by its path, with the want
// side marked - and the got side +. Unexported fields are compared too.
func Diff(want, got any) string {
	if reflect.DeepEqual(want, got) {
		return ""
	}
	var d differ
	d.walk("", reflect.ValueOf(want), reflect.ValueOf(got), 0)
	if len(d.out) == 0 {
		// DeepEqual and the walk disagree only where DeepEqual compares
		// identities the walk renders alike: show the whole values.
		d.report("", reflect.ValueOf(want), reflect.ValueOf(got))
	}
	return strings.Join(d.out, "\n")
}

type differ struct{ out []string }

func (d *differ) report(path string, want, got reflect.Value) {
	if path == "" {
		path = "(value)"
	}
	d.out = append(d.out, fmt.Sprintf("%s:\n\t-: %s\n\t+: %s", path, render(want), render(got)))
}

// render formats v with %#v, which reaches unexported fields too.
func render(v reflect.Value) string {
	if !v.IsValid() {
		return "<nil>"
	}
	return fmt.Sprintf("%#v", v)
}

func (d *differ) walk(path string, w, g reflect.Value, depth int) {
	if !w.IsValid() || !g.IsValid() {
		if w.IsValid() != g.IsValid() {
			d.report(path, w, g)
		}
		return
	}
	if w.Type() != g.Type() || depth > maxDepth {
		d.report(path, w, g)
		return
	}
	switch w.Kind() {
	case reflect.Bool:
		if w.Bool() != g.Bool() {
			d.report(path, w, g)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if w.Int() != g.Int() {
			d.report(path, w, g)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if w.Uint() != g.Uint() {
			d.report(path, w, g)
		}
	case reflect.Float32, reflect.Float64:
		if w.Float() != g.Float() {
			d.report(path, w, g)
		}
	case reflect.Complex64, reflect.Complex128:
		if w.Complex() != g.Complex() {
			d.report(path, w, g)
		}
	case reflect.String:
		if w.String() != g.String() {
			d.report(path, w, g)
		}
	case reflect.Pointer:
		if w.Pointer() == g.Pointer() {
			return
		}
		if w.IsNil() || g.IsNil() {
			d.report(path, w, g)
			return
		}
		d.walk("(*"+path+")", w.Elem(), g.Elem(), depth+1)
	case reflect.Interface:
		if w.IsNil() || g.IsNil() {
			if w.IsNil() != g.IsNil() {
				d.report(path, w, g)
			}
			return
		}
		d.walk(path, w.Elem(), g.Elem(), depth+1)
	case reflect.Struct:
		for i := range w.NumField() {
			d.walk(path+"."+w.Type().Field(i).Name, w.Field(i), g.Field(i), depth+1)
		}
	case reflect.Slice:
		if w.IsNil() != g.IsNil() {
			d.report(path, w, g)
			return
		}
		if w.Type().Elem().Kind() == reflect.Uint8 {
			// Bytes read best whole.
			if string(w.Bytes()) != string(g.Bytes()) {
				d.report(path, w, g)
			}
			return
		}
		d.walkSequence(path, w, g, depth)
	case reflect.Array:
		d.walkSequence(path, w, g, depth)
	case reflect.Map:
		d.walkMap(path, w, g, depth)
	default:
		// Func, Chan, UnsafePointer: DeepEqual compares identities (a
		// non-nil func never equals anything).
		if w.Kind() == reflect.Func && (!w.IsNil() || !g.IsNil()) || w.Pointer() != g.Pointer() {
			d.report(path, w, g)
		}
	}
}

func (d *differ) walkSequence(path string, w, g reflect.Value, depth int) {
	n := min(w.Len(), g.Len())
	for i := range n {
		d.walk(fmt.Sprintf("%s[%d]", path, i), w.Index(i), g.Index(i), depth+1)
	}
	for i := n; i < w.Len(); i++ {
		d.report(fmt.Sprintf("%s[%d]", path, i), w.Index(i), reflect.Value{})
	}
	for i := n; i < g.Len(); i++ {
		d.report(fmt.Sprintf("%s[%d]", path, i), reflect.Value{}, g.Index(i))
	}
}

func (d *differ) walkMap(path string, w, g reflect.Value, depth int) {
	if w.IsNil() != g.IsNil() {
		d.report(path, w, g)
		return
	}
	// Keys in a stable order, by their rendering.
	type key struct {
		v    reflect.Value
		text string
	}
	var keys []key
	seen := map[string]bool{}
	for _, m := range []reflect.Value{w, g} {
		for _, k := range m.MapKeys() {
			if t := render(k); !seen[t] {
				seen[t] = true
				keys = append(keys, key{k, t})
			}
		}
	}
	slices.SortFunc(keys, func(a, b key) int { return strings.Compare(a.text, b.text) })
	for _, k := range keys {
		// MapIndex yields the zero Value for a missing key.
		d.walk(fmt.Sprintf("%s[%s]", path, k.text), w.MapIndex(k.v), g.MapIndex(k.v), depth+1)
	}
}
