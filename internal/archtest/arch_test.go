// Package archtest enforces the project's one-way dependency graph, on
// transitive imports (go list -deps): evtx and hive (each wrapping its
// mandated parser) know nothing of the rest; kb (rules, matching, findings)
// knows no file format; report/result holds the result types on kb alone;
// report renders them and depends on nothing that scans; the root package
// hvic orchestrates.
package archtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/hvic/hvic"

// forbidden lists, for each library package, the packages it must not
// depend on, directly or through others (non-test code): "" is the root
// package hvic, other names are relative to the module unless they hold a
// dot (a third-party module).
var forbidden = map[string][]string{
	"evtx":          {"", "hive", "kb", "report", "internal/collect", "www.velocidex.com/golang/regparser"},
	"hive":          {"", "evtx", "kb", "report", "internal/collect", "github.com/0xrawsec/golang-evtx"},
	"kb":            {"", "evtx", "hive", "report", "internal/collect", "github.com/0xrawsec/golang-evtx", "www.velocidex.com/golang/regparser"},
	"report/result": {"", "evtx", "hive", "report", "internal/collect", "github.com/0xrawsec/golang-evtx", "www.velocidex.com/golang/regparser"},
	"report":        {"", "evtx", "hive", "internal/collect", "github.com/0xrawsec/golang-evtx", "www.velocidex.com/golang/regparser"},
}

// deps lists pkg's transitive dependencies with go list -deps.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", pkg)
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.Output()
	require.NoError(t, err, "go list -deps %s", pkg)
	return strings.Fields(string(out))
}

// banned is the import path prefix a forbidden entry stands for.
func banned(entry string) string {
	switch {
	case entry == "":
		return module
	case strings.Contains(strings.SplitN(entry, "/", 2)[0], "."):
		return entry
	}
	return module + "/" + entry
}

func TestDependencyDirection(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	for pkg, bans := range forbidden {
		t.Run(pkg, func(t *testing.T) {
			all := deps(t, module+"/"+pkg)
			require.Contains(t, all, module+"/"+pkg)
			for _, dep := range all {
				if dep == module+"/"+pkg {
					continue
				}
				for _, ban := range bans {
					b := banned(ban)
					hit := dep == b || (ban != "" && strings.HasPrefix(dep, b+"/"))
					if ban == "report" && dep == module+"/report/result" && pkg != "report/result" {
						hit = false // the result types sit under report
					}
					require.Falsef(t, hit, "%s depends on %s: the dependency graph is one-way", pkg, dep)
				}
			}
		})
	}
}

// TestRuleCatchesViolation checks the rule itself on a known edge: the root
// package depends on evtx.
func TestRuleCatchesViolation(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	all := deps(t, module)
	assert.Contains(t, all, banned("evtx"))
	assert.Contains(t, all, banned("github.com/0xrawsec/golang-evtx")+"/evtx")
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
