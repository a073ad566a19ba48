package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nlring/netlink/internal/testutil"
)

func TestMain(m *testing.M) { testutil.VerifyTestMain(m) }

// events builds test2json lines: each spec is "action test" or
// "action" for the package.
func events(pkg string, specs ...string) string {
	var b strings.Builder
	for _, s := range specs {
		action, test, _ := strings.Cut(s, " ")
		b.WriteString(`{"Action":"` + action + `","Package":"` + pkg + `"`)
		if test != "" {
			b.WriteString(`,"Test":"` + test + `"`)
		}
		b.WriteString("}\n")
	}
	return b.String()
}

func TestSummarize(t *testing.T) {
	tests := []struct {
		name  string
		input string
		known []knownFailure
		want  counts
		// wantFailures are the unexplained failures, as result strings.
		wantFailures []string
	}{
		{
			name:  "passes and skips",
			input: events("p", "pass TestA", "skip TestB", "pass"),
			want:  counts{passed: 1, skipped: 1},
		},
		{
			name:         "subtests counted, not their parent",
			input:        events("p", "pass TestA/x", "fail TestA/y", "fail TestA", "fail"),
			want:         counts{passed: 1, failed: 1},
			wantFailures: []string{"p TestA/y"},
		},
		{
			name:         "parent failing on its own",
			input:        events("p", "pass TestA/x", "fail TestA", "fail"),
			want:         counts{passed: 1, failed: 1},
			wantFailures: []string{"p TestA"},
		},
		{
			name:  "known failure by pattern covers subtests",
			input: events("p", "fail TestVlan1/sub", "fail TestVlan1", "pass TestOther", "fail"),
			known: []knownFailure{{kind: "kernel", suite: "s", pattern: "TestVlan*"}},
			want:  counts{passed: 1, known: 1},
		},
		{
			name:  "known failure of another suite does not apply",
			input: events("p", "fail TestVlan1", "fail"),
			known: []knownFailure{{kind: "kernel", suite: "other", pattern: "TestVlan1"}},
			want:  counts{failed: 1}, wantFailures: []string{"p TestVlan1"},
		},
		{
			name:         "package failing without a failed test",
			input:        events("p", "pass TestA", "fail"),
			want:         counts{passed: 1, failed: 1},
			wantFailures: []string{"p [package]"},
		},
		{
			name:         "nothing but a build error",
			input:        "# p\n./x.go:1: undefined: y\nFAIL p [build failed]\n",
			want:         counts{failed: 1},
			wantFailures: []string{"[output without test events]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := readSuite("s", strings.NewReader(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			got := summarize([]*suite{s}, tt.known)
			if diff := testutil.Diff(tt.want, got.counts); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
			var failures []string
			for _, r := range got.failures {
				failures = append(failures, r.String())
			}
			if diff := testutil.Diff(tt.wantFailures, failures); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	kernel := write("kernel.txt", "# comment\ns TestDummy no CONFIG_DUMMY\n")
	ok := write("ok.json", events("p", "pass TestA", "fail TestDummy", "fail"))
	bad := write("bad.json", events("p", "fail TestA", "fail"))

	var out strings.Builder
	if err := run(&out, kernel, "", []string{"s=" + ok}); err != nil {
		t.Fatalf("run with only a known failure: %v\n%s", err, out.String())
	}
	if !strings.HasSuffix(out.String(), "1 passed, 0 failed, 0 skipped\n") {
		t.Errorf("last line of:\n%s\nwant the totals", out.String())
	}

	out.Reset()
	if err := run(&out, kernel, "", []string{"s=" + bad}); !errors.Is(err, errFailures) {
		t.Fatalf("run with a failure = %v, want errFailures", err)
	}

	if err := run(&out, write("broken.txt", "s TestX\n"), "", nil); err == nil {
		t.Fatal("a known-failures line without a reason was accepted")
	}
}
