package hvic_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/hive"
	"github.com/hvic/hvic/internal/evtxwriter"
	"github.com/hvic/hvic/internal/hostile"
)

// prefixes are the words a message used to repeat: package names and the
// kinds of damage.
var prefixes = []string{"hvic: ", "hive: ", "evtx: ", "collect: ", "damaged: ", "unreadable: ", "refused: "}

// zeroLost matches a loss of nothing ("(0 record headers inside lost)").
var zeroLost = regexp.MustCompile(`\b0 [^()]*lost`)

// assertReadsOnce checks that a problem's message and error say each thing
// once: no package or kind repeated, no part repeated, the path at most
// once (none in the message, whose file Problem.File names), no "0 ...
// lost".
func assertReadsOnce(t *testing.T, file, message string, err error) {
	t.Helper()
	texts := []string{message}
	if err != nil {
		texts = append(texts, err.Error())
	}
	for _, text := range texts {
		for _, p := range prefixes {
			n := len(regexp.MustCompile(`(?:^|[\s:])`+regexp.QuoteMeta(p)).FindAllString(text, -1))
			assert.LessOrEqual(t, n, 1, "%q repeated in %q", p, text)
		}
		seen := map[string]bool{}
		for _, part := range strings.Split(text, ": ") {
			assert.False(t, part != "" && seen[part], "%q repeated in %q", part, text)
			seen[part] = true
		}
		assert.NotRegexp(t, zeroLost, text)
		if file != "" {
			assert.LessOrEqual(t, strings.Count(text, file), 1, "the path repeated in %q", text)
		}
	}
	assert.NotContains(t, message, "hvic: ")
	if file != "" {
		assert.NotContains(t, message, file, "the file is Problem.File's to name")
	}
}

// TestPartialFixtureReadsOnce: every problem of the partial fixture reads
// once.
func TestPartialFixtureReadsOnce(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "report", "partial.result.json"))
	require.NoError(t, err)
	var res hvic.Result
	require.NoError(t, json.Unmarshal(data, &res))
	require.NotEmpty(t, res.Problems)
	for _, p := range res.Problems {
		assertReadsOnce(t, p.File, p.Message, nil)
	}
}

// TestHostileProblemsReadOnce: every problem the hostile generators' and
// the writers' damaged files give reads once, in its message and in its
// error, and carries that error.
func TestHostileProblemsReadOnce(t *testing.T) {
	files := hostileProblemFiles(t)
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, data, 0o600))
	}
	res, err := hvic.ScanPaths(context.Background(), []string{dir},
		&hvic.Options{Export: &hive.ExportOptions{MaxKeys: 40}, MaxProblemsPerFile: 4})
	require.NoError(t, err)
	codes := map[string]bool{}
	for _, p := range res.Problems {
		require.NotNil(t, p.Err, "%s: %s", p.File, p.Message)
		assertReadsOnce(t, p.File, p.Message, p.Err)
		codes[p.Code.String()] = true
	}
	for _, c := range []string{"hive-damage", "hive-unreadable", "evtx-chunk-skipped", "evtx-record-failed",
		"unsafe-path", "registry-problem", "more-problems"} {
		assert.True(t, codes[c], "a %s problem is checked", c)
	}
}

// hostileProblemFiles are damaged and limit-hitting files of every kind.
func hostileProblemFiles(t *testing.T) map[string][]byte {
	t.Helper()
	loop, err := hostile.SubkeyLoopHive(hostile.LoopSelf)
	require.NoError(t, err)
	huge, err := hostile.HugeValueHive(0x7FFFFFF0)
	require.NoError(t, err)
	base, log1, err := hostile.GrowingLog(20, 512<<10)
	require.NoError(t, err)
	var refused bytes.Buffer
	require.NoError(t, hostile.RefusedZip(&refused, 5))
	cut, err := hostile.TruncatedZip(3, 500)
	require.NoError(t, err)
	dag, err := hostile.DAG{Depth: 3, FanOut: 32}.Bytes(2)
	require.NoError(t, err)

	system := evtxOf(t, scm(e2eHostA, jan), scm(e2eHostA, mar))
	badRecord := append([]byte(nil), system...)
	require.NoError(t, evtxwriter.CorruptRecordMagic(badRecord, 0, 1))
	badChunk := sysmonLog(t, e2eHostA)
	return map[string][]byte{
		"h1/SOFTWARE":      loop,
		"h2/SOFTWARE":      huge,
		"h3/SOFTWARE":      base,
		"h3/SOFTWARE.LOG1": log1,
		"h4/SOFTWARE":      damageLastBin(t, hostHiveWithBlob(t)),
		"h4/SAM":           otherHive(t, `\SystemRoot\System32\Config\SAM`, "SAM"),
		"h5/SOFTWARE":      append([]byte("regf"), bytes.Repeat([]byte{0xEE}, 600)...),
		"h6/guest.reg":     hostile.RegOverKeyLimit(40),
		"z/refused.zip":    refused.Bytes(),
		"z/cut.zip":        cut,
		"z/nested.zip":     zipOf(t, map[string][]byte{"in/System.evtx": evtxwriter.Truncate(system, 5000)}),
		"l/System.evtx":    badRecord,
		"l/Sysmon.evtx":    badChunk,
		"l/dag.evtx":       dag,
	}
}
