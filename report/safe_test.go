package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/report"
)

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

const forged = "Status: complete (forged)"

// hostileResult scans a folder whose file names, VM name and values
// hold a newline followed by a forged status line, ESC sequences and NUL.
func hostileResult(t *testing.T) *hvic.Result {
	evil := "\x1b[2J\x1b[31mred\x00\n" + forged + "\n"
	reg := "Windows Registry Editor Version 5.00\r\n\r\n" +
		"[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Auto]\r\n" +
		"\"IntegrationServicesVersion\"=" + hexSZ("6.2.9200.16384") + "\r\n" +
		"\"OSName\"=" + hexSZ("Windows"+evil) + "\r\n\r\n" +
		"[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest\\Parameters]\r\n" +
		"\"VirtualMachineName\"=" + hexSZ("VM"+evil) + "\r\n" +
		"\"HostName\"=" + hexSZ("HV"+evil) + "\r\n"
	fsys := fstest.MapFS{
		"guest" + evil + ".reg":  {Data: []byte(reg)},
		"broken" + evil + ".reg": {Data: []byte("Windows Registry Editor Version 5.00\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X" + evil + "\r\n")},
	}
	res, err := hvic.Scan(context.Background(), fsys, nil)
	require.NoError(t, err)
	return res
}

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
