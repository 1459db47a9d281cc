package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/examples/internal/cliflag"
	"github.com/hvic/hvic/report"
)

const sample = "../../testdata/sample"

func TestRun(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("nothing here\n"), 0o644))
	outFile := filepath.Join(dir, "report.html")
	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     string // substring expected on stdout
		stderr     string // substring expected on stderr
		stderrLine bool   // stderr must be exactly one line
	}{
		{"sample text", []string{"-linux", "LNX01", sample}, exitAction, "Case 3: incompatible mismatch", "", false},
		{"sample ja", []string{"-lang", "ja", "-linux", "LNX01", sample}, exitAction, "ケース 3: 互換性のない不一致", "", false},
		{"only current guests", []string{filepath.Join(sample, "guests", "FS01"), filepath.Join(sample, "HV01", "Registry")}, exitOK, "Case 1: versions match", "", false},
		{"default sample", nil, exitAction, "DB01", "bundled sample", true},
		{"bad format", []string{"-format", "pdf", sample}, exitUsage, "", `-format "pdf"`, true},
		{"bad lang", []string{"-lang", "fr", sample}, exitUsage, "", `-lang "fr"`, true},
		{"bad workers", []string{"-workers", "0", sample}, exitUsage, "", "-workers 0", true},
		{"unknown flag", []string{"-nope"}, exitUsage, "", "flag provided but not defined", false},
		{"missing path", []string{filepath.Join(dir, "missing")}, exitUsage, "", "missing: no such file or directory", true},
		{"nothing readable", []string{dir}, exitUsage, "", "nothing readable", true},
		{"help", []string{"-h"}, exitOK, "", "usage: iccheck", false},
		{"help after a path documents exit status", []string{sample, "-h"}, exitOK, "", "3  input read, but no Hyper-V evidence", false},
		{"to file", []string{"-format", "html", "-o", outFile, "-progress", sample}, exitAction, "", "files", false},
		{"unwritable output", []string{"-o", filepath.Join(dir, "no", "such", "dir", "r.txt"), sample}, exitUsage, "", "r.txt: no such file or directory", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			assert.Equal(t, tt.code, code, stderr.String())
			assert.Contains(t, stdout.String(), tt.stdout)
			assert.Contains(t, stderr.String(), tt.stderr)
			assert.NotContains(t, stderr.String(), "goroutine ")
			if tt.stderrLine {
				assert.Equal(t, 1, strings.Count(strings.TrimRight(stderr.String(), "\n"), "\n")+1, stderr.String())
			}
		})
	}
	page, err := os.ReadFile(outFile)
	require.NoError(t, err)
	assert.Contains(t, string(page), "<svg")
}

func TestRunJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.Equal(t, exitAction, run([]string{"-format", "json", "-workers", "1", sample}, &stdout, &stderr))
	var doc struct {
		SchemaVersion string `json:"schema_version"`
		VMs           []struct {
			Name string `json:"vm_name"`
			Case string `json:"case"`
		} `json:"vms"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &doc))
	assert.Equal(t, report.SchemaVersion, doc.SchemaVersion)
	assert.Len(t, doc.VMs, 7)
	for _, vm := range doc.VMs {
		assert.NotEmpty(t, vm.Name)
		assert.NotEmpty(t, vm.Case, vm.Name)
	}
}

// TestStderrEscapesInputNames: names taken from the input (here archive
// entry names refused as unsafe) reach stderr with their control
// characters shown, never raw.
func TestStderrEscapesInputNames(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"../\x1b[2J\x1b]0;pwn\x07.evtx", "../a\nStatus: complete\x00.evtx"} {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = w.Write([]byte("ElfFile\x00"))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(filepath.Join(dir, "c.zip"), buf.Bytes(), 0o644))
	var stdout, stderr bytes.Buffer
	run([]string{"-format", "json", dir}, &stdout, &stderr)
	out := stderr.String()
	assert.Contains(t, out, `\x1b[2J\x1b]0;pwn\x07.evtx`)
	assert.Contains(t, out, `a\x0aStatus: complete\x00.evtx`)
	for i := 0; i < len(out); i++ {
		if c := out[i]; c < 0x20 && c != '\n' && c != '\t' {
			t.Fatalf("raw control byte %#x on stderr: %q", c, out)
		}
	}
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		assert.True(t, strings.HasPrefix(line, "iccheck: "), "forged line %q", line)
	}
}

// TestExitStatus: one case per exit status and per -fail-on threshold, on
// parts of the bundled sample whose worst action is known: the whole
// sample (DB01 upgrade-required), HV01's SOFTWARE hive with WEB01's
// (mismatch-unclassified, upgrade-recommended), WEB01's hive alone
// (undetermined, investigate) and FS01 with HV01 (match, none).
func TestExitStatus(t *testing.T) {
	hostHive := filepath.Join(sample, "HV01", "Registry")
	web01 := filepath.Join(sample, "guests", "WEB01")
	fs01 := filepath.Join(sample, "guests", "FS01")
	noHyperV := filepath.Join("..", "..", "testdata", "evtx", "williballenthin__python-evtx", "issue_38.evtx")
	inputs := []struct {
		name  string
		paths []string
		want  map[threshold]int // by -fail-on
	}{
		{"required", []string{"-linux", "LNX01", sample},
			map[threshold]int{failRequired: exitAction, failRecommended: exitAction, failAny: exitAction, failNever: exitOK}},
		{"recommended", []string{hostHive, web01},
			map[threshold]int{failRequired: exitOK, failRecommended: exitAction, failAny: exitAction, failNever: exitOK}},
		{"investigate", []string{web01},
			map[threshold]int{failRequired: exitOK, failRecommended: exitOK, failAny: exitAction, failNever: exitOK}},
		{"nothing to do", []string{hostHive, fs01},
			map[threshold]int{failRequired: exitOK, failRecommended: exitOK, failAny: exitOK, failNever: exitOK}},
		{"host facts without VMs", []string{hostHive},
			map[threshold]int{failRequired: exitOK, failRecommended: exitOK, failAny: exitOK, failNever: exitOK}},
		{"no Hyper-V evidence", []string{noHyperV},
			map[threshold]int{failRequired: exitNoEvidence, failRecommended: exitNoEvidence, failAny: exitNoEvidence, failNever: exitNoEvidence}},
	}
	for _, in := range inputs {
		for _, th := range []threshold{failRequired, failRecommended, failAny, failNever} {
			t.Run(in.name+"/"+string(th), func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				code := run(append([]string{"-format", "json", "-fail-on", string(th)}, in.paths...), &stdout, &stderr)
				assert.Equal(t, in.want[th], code, stderr.String())
				if code == exitNoEvidence {
					assert.Contains(t, stderr.String(), "no Hyper-V evidence")
				}
			})
		}
	}
	var stdout, stderr bytes.Buffer
	assert.Equal(t, exitOK, run([]string{"-format", "json", web01}, &stdout, &stderr), "investigate is below the default threshold")
	assert.Equal(t, exitAction, run([]string{"-format", "json", hostHive, web01}, &stdout, &stderr), "recommended is the default threshold")
	assert.Equal(t, exitUsage, run([]string{"-fail-on", "high", web01}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), `-fail-on "high"`)
}

// TestFlagsAnywhere: flags before, between and after the paths give the
// same report; "--" makes what follows a path.
func TestFlagsAnywhere(t *testing.T) {
	hostHive := filepath.Join(sample, "HV01", "Registry")
	web01 := filepath.Join(sample, "guests", "WEB01")
	orders := map[string][]string{
		"before":  {"-format", "json", "-fail-on", "required", "-workers", "1", hostHive, web01},
		"between": {hostHive, "-format", "json", "-fail-on=required", web01, "-workers", "1"},
		"after":   {hostHive, web01, "-format", "json", "--fail-on", "required", "-workers", "1"},
	}
	reports := map[string]string{}
	for name, args := range orders {
		var stdout, stderr bytes.Buffer
		require.Equal(t, exitOK, run(args, &stdout, &stderr), "%s: upgrade-recommended is below -fail-on required: %s", name, stderr.String())
		var doc struct {
			VMs []struct {
				Name   string `json:"vm_name"`
				Action string `json:"action"`
			} `json:"vms"`
		}
		require.NoError(t, json.Unmarshal(stdout.Bytes(), &doc), name)
		require.Len(t, doc.VMs, 1, name)
		assert.Equal(t, "WEB01", doc.VMs[0].Name)
		reports[name] = withoutRun(t, stdout.Bytes())
	}
	assert.Equal(t, reports["before"], reports["between"])
	assert.Equal(t, reports["before"], reports["after"])

	var stdout, stderr bytes.Buffer
	assert.Equal(t, exitUsage, run([]string{"-format", "json", "--", "-format"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "iccheck: -format: no such file or directory", "after --, -format is a path")
	stderr.Reset()
	assert.Equal(t, exitUsage, run([]string{web01, "-format"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "flag needs an argument: -format")
}

// withoutRun is a JSON report without its run header, which holds the
// scan's time.
func withoutRun(t *testing.T, report []byte) string {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(report, &doc))
	require.Contains(t, doc, "run")
	delete(doc, "run")
	out, err := json.Marshal(doc)
	require.NoError(t, err)
	return string(out)
}

// TestVersion: -version prints the version the reports carry.
func TestVersion(t *testing.T) {
	v := cliflag.Version()
	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, run([]string{filepath.Join(sample, "guests", "WEB01"), "-version"}, &stdout, &stderr))
	assert.Equal(t, "iccheck "+v+"\n", stdout.String())
	assert.Empty(t, stderr.String())

	stdout.Reset()
	run([]string{"-format", "json", filepath.Join(sample, "guests", "WEB01")}, &stdout, &stderr)
	var doc struct {
		Run struct {
			Tool    string `json:"tool"`
			Version string `json:"tool_version"`
		} `json:"run"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &doc))
	assert.Equal(t, "iccheck", doc.Run.Tool)
	assert.Equal(t, v, doc.Run.Version)

	stdout.Reset()
	run([]string{"-format", "sarif", filepath.Join(sample, "guests", "WEB01")}, &stdout, &stderr)
	var sarif struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Version    string `json:"version"`
					Properties struct {
						ToolVersion string `json:"toolVersion"`
					} `json:"properties"`
				} `json:"driver"`
			} `json:"tool"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &sarif))
	require.Len(t, sarif.Runs, 1)
	// The same string everywhere the tool names itself: it starts with a
	// number, as SARIF wants (SARIF2005), so driver.version is it too.
	assert.Equal(t, v, sarif.Runs[0].Tool.Driver.Properties.ToolVersion)
	assert.Equal(t, v, sarif.Runs[0].Tool.Driver.Version)
}

// TestFilters: -vm, -host and -min-action restrict what every format
// reports, wherever they stand on the command line; the text header names
// the filter; the exit status counts only the VMs reported; a bad level is
// a usage error.
func TestFilters(t *testing.T) {
	type doc struct {
		VMs []struct {
			Name string `json:"vm_name"`
		} `json:"vms"`
		Filter *struct {
			VMs       []string `json:"vms"`
			Hosts     []string `json:"hosts"`
			MinAction string   `json:"min_action"`
		} `json:"filter"`
	}
	tests := []struct {
		name string
		args []string
		want []string
		code int
	}{
		{"no filter", []string{"-linux", "LNX01", sample}, []string{"APP01", "DB01", "DC01", "FS01", "LNX01", "SQL01", "WEB01"}, exitAction},
		{"vm before", []string{"-vm", "fs01,app01", sample}, []string{"APP01", "FS01"}, exitOK},
		{"vm after", []string{sample, "-vm=fs01,APP01"}, []string{"APP01", "FS01"}, exitOK},
		{"host between", []string{filepath.Join(sample, "HV01"), "-host", "hv01", filepath.Join(sample, "guests")}, []string{"APP01", "DB01", "DC01", "FS01", "LNX01", "SQL01", "WEB01"}, exitAction},
		{"other host", []string{sample, "-host", "HV02"}, nil, exitOK},
		{"min-action required", []string{"-min-action", "required", sample}, []string{"DB01"}, exitAction},
		{"vm and level", []string{sample, "-vm", "WEB01,FS01", "-min-action", "recommended"}, []string{"WEB01"}, exitAction},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"-format", "json", "-workers", "1"}, tt.args...), &stdout, &stderr)
			assert.Equal(t, tt.code, code, stderr.String())
			var d doc
			require.NoError(t, json.Unmarshal(stdout.Bytes(), &d))
			var names []string
			for _, vm := range d.VMs {
				names = append(names, vm.Name)
			}
			assert.ElementsMatch(t, tt.want, names)
			assert.Equal(t, tt.name == "no filter", d.Filter == nil, "the JSON says a filter was applied")
			for _, f := range []string{"text", "markdown", "html", "csv", "sarif"} {
				stdout.Reset()
				assert.Equal(t, tt.code, run(append([]string{"-format", f, "-workers", "1"}, tt.args...), &stdout, &stderr), f)
				out := stdout.String()
				// One VM section per VM reported, in each human format; one
				// row per VM in CSV.
				sections := map[string]int{"text": strings.Count(out, "\n* "), "markdown": strings.Count(out, "\n### "),
					"html": strings.Count(out, `<div class="detail"`), "csv": strings.Count(out, "\r\n") - 1}
				if n, ok := sections[f]; ok {
					assert.Equal(t, len(tt.want), n, f)
				}
				if f == "text" {
					assert.Equal(t, tt.name != "no filter", strings.Contains(out, "\nFilter: "), "the header names the filter")
					for _, vm := range tt.want {
						assert.Contains(t, out, "\n* "+vm+" {", f)
					}
				}
			}
		})
	}
	var stdout, stderr bytes.Buffer
	assert.Equal(t, exitUsage, run([]string{"-min-action", "high", sample}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), `-min-action "high": want none, investigate, recommended or required`)
}
