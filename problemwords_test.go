package hvic_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/hive"
	"github.com/hvic/hvic/report"
)

// problemLine is a problem as the text report prints it: "    [level]
// label: message".
var problemLine = regexp.MustCompile(`^    \[[a-z]+\] (.+)$`)

// offsetRe and keyPathRe find the positions a line names: hexadecimal
// offsets and registry key paths (two or more names joined by
// backslashes, doubled when quoted in Go syntax).
var (
	offsetRe  = regexp.MustCompile(`\b0x[0-9a-fA-F]+\b`)
	keyPathRe = regexp.MustCompile(`[^\s"\\:;,()]+(?:\\\\?[^\s"\\:;,()]+)+`)
	byteEsc   = regexp.MustCompile(`\\x[0-9a-fA-F]{2}`)
)

// repetition returns what a rendered problem line says twice: a sequence
// of 3 words (case folded, punctuation stripped; a word is what lies
// between spaces), an offset or a key path; or a pair of words three
// times. It returns "" when the line says each thing once.
func repetition(line string) string {
	var words []string
	for _, f := range strings.Fields(strings.ToLower(line)) {
		w := strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return r
			}
			return -1
		}, f)
		if w != "" {
			words = append(words, w)
		}
	}
	seen := map[string]int{}
	for _, c := range []struct{ n, most int }{{3, 1}, {2, 2}} {
		for i := 0; i+c.n <= len(words); i++ {
			seq := strings.Join(words[i:i+c.n], " ")
			if seen[seq]++; seen[seq] > c.most {
				return seq
			}
		}
	}
	pos := map[string]bool{}
	for _, o := range offsetRe.FindAllString(line, -1) {
		o = strings.ToLower(o)
		if pos[o] {
			return o
		}
		pos[o] = true
	}
	for _, k := range keyPathRe.FindAllString(line, -1) {
		if byteEsc.MatchString(k) {
			continue // a quoted byte string, not a key
		}
		k = strings.ToLower(strings.ReplaceAll(k, `\\`, `\`))
		if pos[k] {
			return k
		}
		pos[k] = true
	}
	return ""
}

// TestRepetition: the check finds the repetitions problems used to carry
// and passes lines that say each thing once.
func TestRepetition(t *testing.T) {
	for _, tc := range []struct {
		line, want string
	}{
		{`dirty hive read without its logs: replay: dirty hive read without its transaction logs: values may be stale`, "dirty hive read"},
		{`transaction log refused: replay transaction log: transaction log: bad transaction log: header checksum mismatch`, "transaction log"},
		{`registry data problem: system facts: facts: key ControlSet001\Services\vmicheartbeat: ControlSet001\Services\vmicheartbeat: key unreadable: damaged subkey list of "ControlSet001\\Services": offset 0xf80f0 nk cell: corrupt: cell size 0`, `controlset001\services\vmicheartbeat`},
		{`path escapes the archive: entry name escapes the archive`, "escapes the archive"},
		{`hive damaged: offset 0x4 base block: sequence 5 at offset 0x4`, "0x4"},
		{`hive damaged: key A\B: damaged subkey list of "a\\b"`, `a\b`},
		{`hive damaged: offset 0x2000 hive bin: corrupt: no hbin signature`, ""},
		{`event log damaged: chunk 6 offset 0x61000 chunk header: corrupt: bad chunk signature "\x00\x00\x00\x00\x00\x00\x00\x00"`, ""},
		{`registry data problem: key ControlSet001\Services\vmicvss: damaged subkey list of "ControlSet001\\Services": offset 0xf80f0 nk cell: corrupt: cell size 0`, ""},
	} {
		assert.Equal(t, tc.want, repetition(tc.line), tc.line)
	}
}

// TestCorpusProblemsReadOnce: no problem line of the text report, over
// the public corpus copies and the hostile generators' files, says a
// thing twice (see repetition).
func TestCorpusProblemsReadOnce(t *testing.T) {
	dir := t.TempDir()
	for name, data := range hostileProblemFiles(t) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, data, 0o600))
	}
	inputs := []string{filepath.Join("testdata", "hive"), filepath.Join("testdata", "evtx"), filepath.Join("testdata", "collect"), dir}
	res, err := hvic.ScanPaths(context.Background(), inputs,
		&hvic.Options{Export: &hive.ExportOptions{MaxKeys: 40}, MaxProblemsPerFile: 100})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, report.Text(&buf, res, nil))
	n := 0
	for _, line := range strings.Split(buf.String(), "\n") {
		m := problemLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n++
		assert.Empty(t, repetition(m[1]), "said twice in %q", m[1])
	}
	assert.Greater(t, n, 100, "the corpus gives problems to check")
}
