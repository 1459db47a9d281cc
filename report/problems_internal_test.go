package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/report/result"
)

// updating reports whether the goldens are being rewritten (the -update
// flag report_test.go defines).
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func loadFixture(t *testing.T, name string) *result.Result {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "report", name+".result.json"))
	require.NoError(t, err)
	var res result.Result
	require.NoError(t, json.Unmarshal(data, &res))
	return &res
}

// problemSections renders only the problem parts of res in format f.
func problemSections(t *testing.T, res *result.Result, f Format, lang string) string {
	t.Helper()
	v, err := newView(res, &Options{Lang: lang}, f == FormatHTML)
	require.NoError(t, err)
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	switch f {
	case FormatText:
		textProblems(bw, v)
	case FormatMarkdown:
		markdownProblems(bw, v)
	case FormatHTML:
		d := htmlData{L: map[string]string{}, Problems: v.problemParts()}
		for k := range msg {
			d.L[strings.ReplaceAll(k, ".", "_")] = tr(lang, k)
		}
		require.NoError(t, htmlTemplate.ExecuteTemplate(bw, "problems", d))
	}
	require.NoError(t, bw.Flush())
	return buf.String()
}

// TestProblemSectionsGolden: the problems fixture's problems (damage in
// a System log, a guess, damage in SAM, SECURITY and Sysmon files) are
// grouped by file in three parts, in text, Markdown and HTML, in English
// and Japanese (testdata/report/problems.LANG.EXT; -update rewrites them).
func TestProblemSectionsGolden(t *testing.T) {
	res := loadFixture(t, "problems")
	for _, f := range []Format{FormatText, FormatMarkdown, FormatHTML} {
		for _, lang := range Languages() {
			ext := map[Format]string{FormatText: "txt", FormatMarkdown: "md", FormatHTML: "html"}[f]
			name := "problems." + lang + "." + ext
			t.Run(name, func(t *testing.T) {
				got := problemSections(t, res, f, lang)
				path := filepath.Join("..", "testdata", "report", name)
				if updating() {
					require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
				}
				want, err := os.ReadFile(path)
				require.NoError(t, err)
				assert.Equal(t, string(want), got, "run go test ./report -update to regenerate")
			})
		}
	}
}

// TestProblemParts: each problem lands in one part, each file once per
// part, in the order of its first problem.
func TestProblemParts(t *testing.T) {
	for _, name := range []string{"problems", "partial", "sample"} {
		t.Run(name, func(t *testing.T) {
			res := loadFixture(t, name)
			v, err := newView(res, &Options{Lang: "en"}, false)
			require.NoError(t, err)
			parts := v.problemParts()
			require.NotEmpty(t, parts)
			assert.Equal(t, "problems", parts[0].Key, "the main part is always there")
			total := 0
			for _, part := range parts {
				files := map[string]bool{}
				n := 0
				for _, f := range part.Files {
					assert.False(t, files[f.File], "%s listed twice in %s", f.File, part.Key)
					files[f.File] = true
					n += len(f.Items)
				}
				assert.Equal(t, part.Count, n)
				total += n
			}
			assert.Equal(t, len(res.Problems), total)
		})
	}
	res := loadFixture(t, "problems")
	v, err := newView(res, &Options{Lang: "en"}, false)
	require.NoError(t, err)
	parts := v.problemParts()
	require.Len(t, parts, 3)
	assert.Equal(t, []string{"problems", "problems.guesses", "problems.other"}, []string{parts[0].Key, parts[1].Key, parts[2].Key})
	assert.Equal(t, "guess", parts[1].Files[0].Items[0].Class)
	assert.True(t, parts[2].Secondary)
	for _, f := range parts[2].Files {
		for _, it := range f.Items {
			assert.Equal(t, "info", it.Class)
		}
	}
}

// TestProblemLevel: every severity a problem can carry has its word.
func TestProblemLevel(t *testing.T) {
	tests := []struct {
		p    result.Problem
		want string
	}{
		{result.Problem{Severity: result.SeverityInfo, Code: result.CodeHiveDamage}, "info"},
		{result.Problem{Severity: result.SeverityWarning, Code: result.CodeEVTXHeaderCRC}, "warning"},
		{result.Problem{Severity: result.SeverityError, Code: result.CodeUnsafePath}, "error"},
		{result.Problem{Severity: result.SeverityWarning, Code: result.CodeHostGuessed}, "guess"},
		{result.Problem{Severity: result.SeverityWarning, Code: result.CodeVMGuessed}, "guess"},
		{result.Problem{Code: result.CodeInternal}, "unknown"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, problemLevel(tt.p), tt.p.Code.String())
		for _, lang := range Languages() {
			_, ok := msg["sev."+tt.want]
			assert.True(t, ok, "sev.%s has a %s text", tt.want, lang)
		}
	}
}
