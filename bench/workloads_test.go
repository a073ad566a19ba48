package bench

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestBenchmarksCoverWorkloads keeps the Go benchmarks in step with the
// workload registry: every workload has its Benchmark<Bench>, which runs
// that very workload, and every benchmark that runs a workload runs a
// registered one. It reads the package's test files, so removing a
// benchmark or registering a workload without one fails it.
func TestBenchmarksCoverWorkloads(t *testing.T) {
	benches := workloadBenchmarks(t)
	for _, w := range Workloads() {
		name, ok := benches[w.Bench]
		switch {
		case !ok:
			t.Errorf("workload %s has no Benchmark%s", w.Name, w.Bench)
		case name != w.Name:
			t.Errorf("Benchmark%s runs workload %q, want %q", w.Bench, name, w.Name)
		}
		delete(benches, w.Bench)
	}
	for bench, name := range benches {
		t.Errorf("Benchmark%s runs workload %q, which Workloads() does not list under that benchmark", bench, name)
	}
}

// workloadBenchmarks returns, for each Benchmark function of the package's
// test files that calls benchWorkload, its name without "Benchmark" and the
// workload it names.
func workloadBenchmarks(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	benches := map[string]string{}
	fset := token.NewFileSet()
	for _, file := range files {
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || fn.Body == nil || !strings.HasPrefix(fn.Name.Name, "Benchmark") {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) != 2 {
					return true
				}
				if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "benchWorkload" {
					return true
				}
				lit, ok := call.Args[1].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Errorf("%s: %s names its workload with an expression, not a string literal", fset.Position(call.Pos()), fn.Name.Name)
					return false
				}
				name, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				benches[strings.TrimPrefix(fn.Name.Name, "Benchmark")] = name
				return false
			})
		}
	}
	return benches
}
