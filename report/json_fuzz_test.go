package report_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/report"
	"github.com/hvic/hvic/report/result"
)

// FuzzRenderJSON: a JSON report is an input too (decode, then render, as
// report's own tests do). Whatever Result a document decodes to, every
// renderer writes it without panicking or failing, and its JSON decodes
// again. The seeds are the three end-to-end fixtures.
func FuzzRenderJSON(f *testing.F) {
	for _, name := range []string{"sample", "partial", "hostile"} {
		data, err := os.ReadFile(filepath.Join(goldenDir, name+".result.json"))
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte(`{"vms":[{"case":"match","explanation":[{"kind":"note","params":{"note":"x"}}]}],"findings":[{"vm":99},{"vm":-1}],"events":[{"vm":1}]}`))
	f.Add([]byte(`{"filter":{"min_action":"bogus","vms_total":-3},"summary":{"vms":-1}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var res result.Result
		if json.Unmarshal(data, &res) != nil {
			return
		}
		for _, format := range report.Formats() {
			var buf bytes.Buffer
			require.NoError(t, report.Render(&buf, format, &res, nil), format)
			if format == report.FormatJSON {
				var back result.Result
				require.NoError(t, json.Unmarshal(buf.Bytes(), &back))
			}
		}
	})
}
