package hvic_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/internal/collect"
	"github.com/hvic/hvic/report"
	"github.com/hvic/hvic/report/result"
)

var update = flag.Bool("update", false, "rewrite the end-to-end fixtures testdata/report/*.result.json")

// scanSampleAsCLI scans the bundled sample as the CLI does (with the Linux
// hint).
func scanSampleAsCLI(t *testing.T) *hvic.Result {
	t.Helper()
	res, err := hvic.Scan(context.Background(), os.DirFS(sampleDir), &hvic.Options{LinuxVMs: []string{"LNX01"},
		Tool: "iccheck", Inputs: []string{"testdata/sample"}})
	require.NoError(t, err)
	return res
}

// fixedRunTime replaces the scan time in the fixtures, so that they are
// stable from run to run.
var fixedRunTime = time.Date(2026, 12, 5, 9, 30, 0, 0, time.UTC)

// TestResultJSONRoundTrip: Scan -> json.Marshal -> json.Unmarshal ->
// report.Render gives the bytes rendering the scanned Result gives, in every
// format and language.
func TestResultJSONRoundTrip(t *testing.T) {
	for name, res := range fixtures(t) {
		t.Run(name, func(t *testing.T) { roundTrip(t, res) })
	}
}

func roundTrip(t *testing.T, res *hvic.Result) {
	data := encode(t, res)
	var rendered bytes.Buffer
	require.NoError(t, report.JSON(&rendered, res, nil))
	assert.Equal(t, string(data), rendered.String(), "json.Marshal of a Result from Scan is the JSON report")
	var back result.Result
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, string(data), string(encode(t, &back)))
	renderAll(t, res, &back, "Marshal")
	// The JSON report in each language decodes to a Result that renders
	// as the original in every format and language.
	for _, lang := range report.Languages() {
		var doc bytes.Buffer
		require.NoError(t, report.JSON(&doc, res, &report.Options{Lang: lang}))
		var fromReport result.Result
		require.NoError(t, json.Unmarshal(doc.Bytes(), &fromReport))
		assert.Equal(t, lang, fromReport.Language)
		renderAll(t, res, &fromReport, "report.JSON "+lang)
	}
}

// A filtered JSON report decodes to the filtered Result, which renders as
// the original does with the filter, header included, in every format and
// language.
func TestFilteredJSONRoundTrip(t *testing.T) {
	res := scanSampleAsCLI(t)
	for _, f := range []report.Filter{
		{VMs: []string{"web01", "DB01"}},
		{Hosts: []string{"hv01"}, MinAction: report.LevelRecommended},
		{Hosts: []string{"HV02"}},
	} {
		var doc bytes.Buffer
		require.NoError(t, report.JSON(&doc, res, &report.Options{Filter: f}))
		var back result.Result
		require.NoError(t, json.Unmarshal(doc.Bytes(), &back))
		require.NotNil(t, back.Filter)
		assert.Equal(t, f.MinAction.String(), back.Filter.MinAction)
		for _, format := range report.Formats() {
			for _, lang := range report.Languages() {
				var want, got bytes.Buffer
				require.NoError(t, report.Render(&want, format, res, &report.Options{Lang: lang, Filter: f}))
				require.NoError(t, report.Render(&got, format, &back, &report.Options{Lang: lang}))
				assert.Equal(t, want.String(), got.String(), "%v: %s %s", f, format, lang)
			}
		}
	}
}

// The file kinds a scan writes (collect.Kind's names, but "other", which
// is skipped, and "zip", which is walked into) are exactly the ones
// schema.md lists for inventory.files[].kind.
func TestSchemaListsFileKinds(t *testing.T) {
	schema, err := os.ReadFile(filepath.Join("report", "schema.md"))
	require.NoError(t, err)
	var row string
	for _, line := range strings.Split(string(schema), "\n") {
		if strings.HasPrefix(line, "| `kind` | string | content type") {
			row = line
		}
	}
	require.NotEmpty(t, row, "schema.md's inventory.files[].kind row")
	var want []string
	for k := collect.KindOther + 1; k.String() != collect.KindOther.String(); k++ {
		if k != collect.KindZip {
			want = append(want, k.String())
		}
	}
	var got []string
	for i, part := range strings.Split(row[strings.Index(row, "content type"):], "`") {
		if i%2 == 1 {
			got = append(got, part)
		}
	}
	assert.ElementsMatch(t, want, got)
}

// renderAll asserts that got renders as want in every format and
// language.
func renderAll(t *testing.T, want, got *result.Result, from string) {
	t.Helper()
	for _, f := range report.Formats() {
		for _, lang := range report.Languages() {
			var w, g bytes.Buffer
			require.NoError(t, report.Render(&w, f, want, &report.Options{Lang: lang}))
			require.NoError(t, report.Render(&g, f, got, &report.Options{Lang: lang}))
			assert.Equal(t, w.String(), g.String(), "%s: %s %s", from, f, lang)
		}
	}
}

// fixtures are the scans whose Results, as JSON, package report renders
// its goldens and tests from, without a scan: the bundled sample as the CLI
// scans it, a partial scan (refused, damaged, skipped files) and a scan of
// hostile names and values.
func fixtures(t *testing.T) map[string]*hvic.Result {
	t.Helper()
	partial, err := hvic.Scan(context.Background(), partialFS(t), nil)
	require.NoError(t, err)
	require.Equal(t, hvic.StatusPartial, partial.Status)
	hostile, err := hvic.Scan(context.Background(), hostileFS(), nil)
	require.NoError(t, err)
	problems, err := hvic.Scan(context.Background(), problemsFS(t), nil)
	require.NoError(t, err)
	out := map[string]*hvic.Result{"sample": scanSampleAsCLI(t), "partial": partial, "hostile": hostile, "problems": problems}
	for _, res := range out {
		require.False(t, res.Run.GeneratedAt.IsZero())
		res.Run.GeneratedAt = fixedRunTime
	}
	return out
}

// TestResultFixtures is the end-to-end golden: each fixture scan, as JSON,
// is the file report's tests read. Run go test . -run TestResultFixtures
// -update after a change in what a scan finds, then go test ./report
// -update.
func TestResultFixtures(t *testing.T) {
	for name, res := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			data := encode(t, res)
			path := filepath.Join("testdata", "report", name+".result.json")
			if *update {
				require.NoError(t, os.WriteFile(path, data, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(data), "run go test . -run TestResultFixtures -update to regenerate")
		})
	}
}

// encode is json.Marshal with report.JSON's encoder settings: indented by
// two spaces, <, > and & as themselves, a final newline.
func encode(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	return buf.Bytes()
}

// partialFS is a collection read in part: a cut event log, a text file, an
// archive entry escaping its archive and an orphan transaction log.
func partialFS(t *testing.T) fstest.MapFS {
	t.Helper()
	sample, err := os.ReadFile(filepath.Join(sampleDir, "HV01", "Logs", "System.evtx"))
	require.NoError(t, err)
	return fstest.MapFS{
		"c/System.evtx":   {Data: sample[:5000]},
		"c/notes.txt":     {Data: []byte("hello\n")},
		"c/evil.zip":      {Data: zipWith(t, "../x.evtx", "ElfFile\x00")},
		"c/SOFTWARE.LOG1": {Data: []byte("regf")},
	}
}

func zipWith(t *testing.T, name, data string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	require.NoError(t, err)
	_, err = w.Write([]byte(data))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// Forged is the status line hostileFS's names and values try to forge.
const forged = "Status: complete (forged)"

// hostileFS is a folder whose file names, VM name and values hold a
// newline followed by a forged status line, ESC sequences and NUL.
func hostileFS() fstest.MapFS {
	evil := "\x1b[2J\x1b[31mred\x00\n" + forged + "\n"
	reg := "Windows Registry Editor Version 5.00\r\n\r\n" +
		"[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Auto]\r\n" +
		"\"IntegrationServicesVersion\"=" + hexSZ("6.2.9200.16384") + "\r\n" +
		"\"OSName\"=" + hexSZ("Windows"+evil) + "\r\n\r\n" +
		"[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest\\Parameters]\r\n" +
		"\"VirtualMachineName\"=" + hexSZ("VM"+evil) + "\r\n" +
		"\"HostName\"=" + hexSZ("HV"+evil) + "\r\n"
	return fstest.MapFS{
		"guest" + evil + ".reg":  {Data: []byte(reg)},
		"broken" + evil + ".reg": {Data: []byte("Windows Registry Editor Version 5.00\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X" + evil + "\r\n")},
	}
}

// hexSZ writes s as a .reg hex(1) value (REG_SZ, UTF-16LE): the way a
// .reg carries any character, newlines and ESC included.
func hexSZ(s string) string {
	var b []byte
	for _, u := range utf16.Encode([]rune(s + "\x00")) {
		b = append(b, byte(u), byte(u>>8))
	}
	h := hex.EncodeToString(b)
	var parts []string
	for i := 0; i < len(h); i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return "hex(1):" + strings.Join(parts, ",")
}
