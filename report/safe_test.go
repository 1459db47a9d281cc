package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/report"
	"github.com/hvic/hvic/report/result"
)

const forged = "Status: complete (forged)"

// hostileResult is the scan of a folder whose file names, VM name and
// values hold a newline followed by a forged status line, ESC sequences and
// NUL (the root package's hostileFS).
func hostileResult(t *testing.T) *result.Result { return fixture(t, "hostile") }

// TestRenderersEscapeInput: no renderer lets a control byte from the
// input through (other than the newlines and tabs of its own layout), and
// none shows the forged status line as a line of its own; JSON and CSV
// still decode to the exact input.
func TestRenderersEscapeInput(t *testing.T) {
	res := hostileResult(t)
	var names []string
	for _, f := range res.Inventory.Files {
		names = append(names, f.Path)
	}
	require.Contains(t, strings.Join(names, "|"), "\x1b", "the scan keeps the raw names")
	for _, f := range report.Formats() {
		t.Run(string(f), func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, report.Render(&buf, f, res, nil))
			out := buf.String()
			for i := 0; i < len(out); i++ {
				if c := out[i]; c < 0x20 && c != '\n' && c != '\t' && c != '\r' {
					t.Fatalf("raw control byte 0x%02x at %d: %q", c, i, out[max(0, i-40):min(len(out), i+40)])
				}
			}
			for _, line := range strings.Split(out, "\n") {
				assert.False(t, strings.HasPrefix(strings.TrimSpace(line), forged), "forged line %q", line)
			}
			switch f {
			case report.FormatText, report.FormatMarkdown:
				assert.Contains(t, out, `\x1b[2J`, "shown visibly")
				assert.Contains(t, out, `\x00`)
			case report.FormatJSON:
				var v map[string]any
				require.NoError(t, json.Unmarshal(buf.Bytes(), &v))
				assert.Contains(t, out, `\u001b`, "JSON keeps the exact name, escaped by the encoder")
			case report.FormatCSV:
				_, err := csv.NewReader(strings.NewReader(out)).ReadAll()
				require.NoError(t, err)
			}
		})
	}
	// The Result itself is not changed by rendering.
	for _, f := range res.Inventory.Files {
		assert.Contains(t, f.Path, "\x1b")
	}
}
