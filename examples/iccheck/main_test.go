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
			Name string `json:"name"`
			Case string `json:"case"`
		} `json:"vms"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &doc))
	assert.Equal(t, "1.0", doc.SchemaVersion)
	assert.Len(t, doc.VMs, 7)
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
