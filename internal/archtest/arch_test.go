// Package archtest enforces the project's one-way dependency graph:
// evtx and hive (each wrapping its mandated parser) know nothing of the rest;
// kb (rules, matching, findings) knows no file format; report only renders;
// the root package hvic orchestrates.
package archtest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/hvic/hvic"

// forbidden lists, for each library package, the project packages it must not
// import (directly, in non-test files).
var forbidden = map[string][]string{
	"evtx":   {"hive", "kb", "report", ""},
	"hive":   {"evtx", "kb", "report", ""},
	"kb":     {"evtx", "hive", "report", ""},
	"report": {"evtx", "hive"},
}

func TestDependencyDirection(t *testing.T) {
	root := filepath.Join("..", "..")
	for pkg, bans := range forbidden {
		dir := filepath.Join(root, pkg)
		entries, err := os.ReadDir(dir)
		require.NoError(t, err, pkg)
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, parser.ImportsOnly)
			require.NoError(t, err, name)
			for _, imp := range f.Imports {
				path, err := strconv.Unquote(imp.Path.Value)
				require.NoError(t, err)
				for _, ban := range bans {
					target := module
					if ban != "" {
						target += "/" + ban
					}
					require.NotEqualf(t, target, path, "%s/%s imports %s: the dependency graph is one-way", pkg, name, path)
				}
			}
		}
	}
}

func TestLibraryDoesNotPrint(t *testing.T) {
	root := filepath.Join("..", "..")
	for _, pkg := range []string{"evtx", "hive", "kb", "report", "."} {
		dir := filepath.Join(root, pkg)
		entries, err := os.ReadDir(dir)
		require.NoError(t, err, pkg)
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			src, err := os.ReadFile(filepath.Join(dir, name))
			require.NoError(t, err)
			for _, bad := range []string{"fmt.Print", "log.Print", "log.Fatal", "os.Stdout", "os.Stderr"} {
				require.NotContainsf(t, string(src), bad, "%s/%s: library code must return data, not print", pkg, name)
			}
		}
	}
}
