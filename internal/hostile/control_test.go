package hostile

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/report"
)

// rawControl returns the first byte below 0x20 other than newline and tab
// (and the CR of a CRLF line end), and its offset; -1 when there is none.
func rawControl(b []byte) (byte, int) {
	for i, c := range b {
		if c >= 0x20 || c == '\n' || c == '\t' {
			continue
		}
		if c == '\r' && i+1 < len(b) && b[i+1] == '\n' {
			continue
		}
		return c, i
	}
	return 0, -1
}

// TestControlNamesNeverRaw scans a zip whose entry names and values carry
// newlines, escape sequences, NUL, CR and BEL, and renders the result in
// every format and language: no such byte may reach the output raw, and
// no forged "Status: complete" line may appear (issue 11 row 7).
func TestControlNamesNeverRaw(t *testing.T) {
	var zb bytes.Buffer
	require.NoError(t, ControlNames(&zb))
	dir := t.TempDir()
	name := filepath.Join(dir, "case.zip")
	require.NoError(t, os.WriteFile(name, zb.Bytes(), 0o644))

	res, err := hvic.ScanPaths(context.Background(), []string{name}, nil)
	require.NoError(t, err)
	require.NotEmpty(t, res.Inventory.Files, "the safe entries are read")
	require.NotEmpty(t, res.Problems, "the entry escaping the archive is refused with a problem")

	for _, f := range report.Formats() {
		for _, lang := range []string{"en", "ja"} {
			var out bytes.Buffer
			require.NoError(t, report.Render(&out, f, res, &report.Options{Lang: lang}), "%s %s", f, lang)
			c, at := rawControl(out.Bytes())
			assert.Equal(t, -1, at, "%s %s: raw control byte %#x at %d", f, lang, c, at)
			assert.NotContains(t, out.String(), "\nStatus: complete\n", "%s %s: forged status line", f, lang)
		}
	}
}
