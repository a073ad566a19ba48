// Package difftest feeds github.com/mdlayher/netlink v1.11.2 and nlring the
// same inputs and fails on any difference in what they return: values, error
// texts and types, errors.Is identities and panics. A difference nlring
// keeps on purpose is marked on its case with the row of
// docs/differences.md that explains it; the test fails for an unlisted
// difference and for a listed one that has gone away.
//
//	go test ./compat/difftest            (from the repository root)
//	sudo go test ./compat/difftest       (adds the real-socket cases)
package difftest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"reflect"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlring/netlink/internal/testutil"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Msg, Hdr and Attr are the two libraries' Message, Header and Attribute in
// a form both adapters convert to.
type Msg struct {
	Header Hdr
	Data   []byte
}

type Hdr struct {
	Length      uint32
	Type, Flags uint16
	Sequence    uint32
	PID         uint32
}

type Attr struct {
	Length, Type uint16
	Data         []byte
}

// Cfg is the part of netlink.Config the cases set.
type Cfg struct {
	Groups              uint32
	NetNS               int
	PID                 uint32
	Strict              bool
	MessageBufferSize   int
	DisableNSLockThread bool
}

// OpErr is an *OpError's fields and methods.
type OpErr struct {
	Op                 string
	Err                error
	Message            string
	Offset             int
	Sequence           uint32
	Timeout, Temporary bool
}

// Lib is one library's API, as the cases use it.
type Lib interface {
	Name() string
	HeaderTypeString(uint16) string
	HeaderFlagsString(uint16) string
	IsNotExist(error) bool
	Validate(req Msg, replies []Msg) error
	MarshalMessage(Msg) ([]byte, error)
	UnmarshalMessage([]byte) (Msg, error)
	MarshalAttributes([]Attr) ([]byte, error)
	UnmarshalAttributes([]byte) ([]Attr, error)
	Encode(bigEndian bool, fn func(Encoder)) ([]byte, error)
	Decode(b []byte, bigEndian bool, fn func(Decoder)) error
	OpError(error) *OpErr
	Nlenc(kind string, b []byte, v uint64) (put []byte, get uint64, alloc []byte)
	NlencString([]byte) string
	NlencBytes(string) []byte
	NltestDial(func([]Msg) ([]Msg, error)) Conn
	NltestError(int, []Msg) ([]Msg, error)
	NltestMultipart([]Msg) ([]Msg, error)
	NltestCheckRequest(types, flags []uint16, fn func([]Msg) ([]Msg, error)) func([]Msg) ([]Msg, error)
	NltestMustMarshalAttributes([]Attr) []byte
	Dial(family int, cfg Cfg) (Conn, error)
}

// Conn is a *netlink.Conn.
type Conn interface {
	Send(Msg) (Msg, error)
	SendMessages([]Msg) ([]Msg, error)
	Receive() ([]Msg, error)
	ReceiveIter() ([]Msg, error)
	ReceiveIterFirst(n int) ([]Msg, error) // stops after n messages
	Execute(Msg) ([]Msg, error)
	Close() error
	PID() uint32
	JoinGroup(uint32) error
	LeaveGroup(uint32) error
	SetOption(int, bool) error
	SetBPF([]bpf.RawInstruction) error
	RemoveBPF() error
	SetReadBuffer(int) error
	SetWriteBuffer(int) error
	ReadBuffer() (int, error)
	WriteBuffer() (int, error)
	SetDeadline(time.Time) error
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
	SyscallConn() (syscall.RawConn, error)
}

// Encoder and Decoder are an AttributeEncoder and an AttributeDecoder.
type Encoder interface {
	Uint8(uint16, uint8)
	Uint16(uint16, uint16)
	Uint32(uint16, uint32)
	Uint64(uint16, uint64)
	Int8(uint16, int8)
	Int16(uint16, int16)
	Int32(uint16, int32)
	Int64(uint16, int64)
	Flag(uint16, bool)
	String(uint16, string)
	Bytes(uint16, []byte)
	Do(uint16, func() ([]byte, error))
	Nested(uint16, func(Encoder) error)
}

type Decoder interface {
	Next() bool
	Type() uint16
	TypeFlags() uint16
	Len() int
	Bytes() []byte
	String() string
	Uint8() uint8
	Uint16() uint16
	Uint32() uint32
	Uint64() uint64
	Int8() int8
	Int16() int16
	Int32() int32
	Int64() int64
	Flag() bool
	Err() error
	Do(func([]byte) error)
	Nested(func(Decoder) error)
}

// A Rec records what a case observed, one line per observation.
type Rec struct {
	lib   Lib
	lines []string
}

// V records values.
func (r *Rec) V(label string, vs ...any) {
	var sb strings.Builder
	sb.WriteString(label)
	for _, v := range vs {
		sb.WriteString(" ")
		sb.WriteString(format(v))
	}
	r.lines = append(r.lines, sb.String())
}

// E records an error: text, types, OpError fields, errors.Is identities.
func (r *Rec) E(label string, err error) {
	r.lines = append(r.lines, label+" "+r.describe(err))
}

// VE records values and an error.
func (r *Rec) VE(label string, v any, err error) {
	r.V(label, v)
	r.E(label+" err", err)
}

// P runs fn and records its panic, if any.
func (r *Rec) P(label string, fn func()) {
	defer func() {
		if p := recover(); p != nil {
			r.lines = append(r.lines, fmt.Sprintf("%s panic %T %v", label, p, p))
		}
	}()
	fn()
}

// isTargets are the errors every error is tested against with errors.Is.
var isTargets = []struct {
	name string
	err  error
}{
	{"EPERM", unix.EPERM}, {"ENOENT", unix.ENOENT}, {"EIO", unix.EIO}, {"EBADF", unix.EBADF},
	{"EAGAIN", unix.EAGAIN}, {"EEXIST", unix.EEXIST}, {"ENODEV", unix.ENODEV}, {"EINVAL", unix.EINVAL},
	{"ERANGE", unix.ERANGE}, {"ENOBUFS", unix.ENOBUFS}, {"ENOPROTOOPT", unix.ENOPROTOOPT},
	{"EPROTONOSUPPORT", unix.EPROTONOSUPPORT}, {"EOPNOTSUPP", unix.EOPNOTSUPP},
	{"EADDRINUSE", unix.EADDRINUSE}, {"ENOTSUP", unix.ENOTSUP}, {"EMSGSIZE", unix.EMSGSIZE},
	{"os.ErrDeadlineExceeded", os.ErrDeadlineExceeded}, {"net.ErrClosed", net.ErrClosed},
	{"os.ErrClosed", os.ErrClosed}, {"os.ErrNotExist", os.ErrNotExist}, {"os.ErrPermission", os.ErrPermission},
	{"io.EOF", io.EOF},
}

func (r *Rec) describe(err error) string {
	if err == nil {
		return "<nil>"
	}
	var is []string
	for _, t := range isTargets {
		if errors.Is(err, t.err) {
			is = append(is, t.name)
		}
	}
	s := fmt.Sprintf("%q type=%T is=%v isNotExist=%v", err.Error(), err, is, r.lib.IsNotExist(err))
	if oe := r.lib.OpError(err); oe != nil {
		s += fmt.Sprintf(" op=%q cause=%T message=%q offset=%d seq=%d timeout=%v temporary=%v",
			oe.Op, oe.Err, oe.Message, oe.Offset, oe.Sequence, oe.Timeout, oe.Temporary)
		var se *os.SyscallError
		if errors.As(oe.Err, &se) {
			s += fmt.Sprintf(" syscall=%q", se.Syscall)
		}
	}
	return s
}

// format prints a value for a Rec.
func format(v any) string {
	switch v := v.(type) {
	case []byte:
		if v == nil {
			return "nil"
		}
		return fmt.Sprintf("%x", v)
	case Msg:
		return fmt.Sprintf("{%+v %s}", v.Header, format(v.Data))
	case []Msg:
		if v == nil {
			return "nil"
		}
		parts := make([]string, len(v))
		for i, m := range v {
			parts[i] = format(m)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case []Attr:
		if v == nil {
			return "nil"
		}
		parts := make([]string, len(v))
		for i, a := range v {
			parts[i] = fmt.Sprintf("{%d %d %s}", a.Length, a.Type, format(a.Data))
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return fmt.Sprintf("%#v", v)
}

// A Case runs the same steps against each library.
type Case struct {
	Name string
	Run  func(l Lib, r *Rec)
	// Diff names the row of docs/differences.md ("D3") that explains why
	// the two libraries differ in this case; empty if they must not.
	Diff string
	// DiffOn, if set, limits Diff to one of nlring's backends, however
	// chosen.
	DiffOn string
	// Root marks cases that need real sockets and CAP_NET_ADMIN.
	Root bool
}

// caseTimeout bounds a case: a library that hangs fails the case rather
// than the whole run.
const caseTimeout = 2 * time.Second

// run runs c against l and returns its record.
func run(c Case, l Lib) []string {
	r := &Rec{lib: l}
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.P("case", func() { c.Run(l, r) })
	}()
	select {
	case <-done:
		return r.lines
	case <-time.After(caseTimeout):
		// The goroutine is left behind, with no way to stop it: the run
		// ends here (see compare) before it can take the machine down.
		hung = true
		return []string{"hung for " + caseTimeout.String()}
	}
}

// hung is set when a case hangs: no case runs after it.
var hung bool

// differenceRows returns the IDs of the rows of docs/differences.md.
func differenceRows(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open("../../docs/differences.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows := map[string]bool{}
	id := regexp.MustCompile(`^\| *(D[0-9]+) *\|`)
	s := bufio.NewScanner(f)
	for s.Scan() {
		if m := id.FindStringSubmatch(s.Text()); m != nil {
			rows[m[1]] = true
		}
	}
	return rows
}

func TestDifferential(t *testing.T) {
	rows := differenceRows(t)
	root := os.Geteuid() == 0
	if root {
		socketNS = testutil.NS(t).FD()
	}
	names := map[string]bool{}
	var n, listed int
	for _, c := range allCases() {
		if names[c.Name] {
			t.Fatalf("two cases named %q", c.Name)
		}
		names[c.Name] = true
		if c.Diff != "" && !rows[c.Diff] {
			t.Errorf("%s: difference %s is not a row of docs/differences.md", c.Name, c.Diff)
		}
		if c.Root && !root {
			continue
		}
		backends := []string{""}
		if c.Root {
			// Real sockets run on each of nlring's backends.
			backends = nlringBackends
		}
		for _, be := range backends {
			if hung {
				break
			}
			name := c.Name
			if be != "" {
				name += "/" + be
			}
			n++
			t.Run(name, func(t *testing.T) {
				setNlringBackend(be)
				defer setNlringBackend("")
				cc := c
				if cc.DiffOn != "" && !strings.HasSuffix(be, cc.DiffOn) {
					cc.Diff = ""
				}
				compare(t, cc, &listed)
			})
		}
	}
	t.Logf("%d cases run (%d intended differences)", n, listed)
}

// compare runs c against both libraries and fails on an unlisted
// difference or a listed one that is gone.
func compare(t *testing.T, c Case, listed *int) {
	want, got := run(c, mdlayherLib{}), run(c, nlringLib{})
	if hung {
		t.Fatalf("hung; no further cases run:\n%s", lineDiff(want, got))
	}
	same := reflect.DeepEqual(want, got)
	switch {
	case same && c.Diff != "":
		t.Errorf("listed as difference %s, but the libraries now agree:\n%s", c.Diff, strings.Join(got, "\n"))
	case !same && c.Diff == "":
		t.Errorf("the libraries differ:\n%s", lineDiff(want, got))
	case !same:
		*listed++
		t.Logf("intended difference %s:\n%s", c.Diff, lineDiff(want, got))
	}
}

// lineDiff shows the lines of two records that differ.
func lineDiff(want, got []string) string {
	var sb strings.Builder
	for i := 0; i < max(len(want), len(got)); i++ {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w == g {
			fmt.Fprintf(&sb, "  = %s\n", w)
			continue
		}
		fmt.Fprintf(&sb, "  - mdlayher: %s\n  + nlring:   %s\n", w, g)
	}
	return sb.String()
}

// TestAdaptersInStep checks that the two adapters are the same code.
func TestAdaptersInStep(t *testing.T) {
	read := func(name string) []string {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		return lines[1:] // the first names the other file
	}
	m, n := read("lib_mdlayher_test.go"), read("lib_nlring_test.go")
	for i := range m {
		m[i] = strings.ReplaceAll(m[i], "mdlayher", "nlring")
	}
	if !reflect.DeepEqual(m, n) {
		t.Fatalf("lib_mdlayher_test.go and lib_nlring_test.go differ beyond the library's name:\n%s", lineDiff(m, n))
	}
}
