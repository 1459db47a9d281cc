package export

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPythonEvtx cross-checks the XML path against python-evtx: for each
// generated .evtx, python-evtx's evtx_dump.py output (in the folder named
// by HVIC_PYEVTX_DIR, as NAME.xml; scripts/crosscheck-export.sh makes it)
// must read back to the ICEvents the binary reader extracts. Known
// differences, asserted as such: python-evtx prints times to the
// microsecond (rounded down by a float), and prints a classic string array
// as one text without the places of its empty strings, so those events
// are recovered by pattern and flagged Ambiguous.
func TestPythonEvtx(t *testing.T) {
	dir := os.Getenv("HVIC_PYEVTX_DIR")
	if dir == "" {
		t.Skip("HVIC_PYEVTX_DIR not set: run scripts/crosscheck-export.sh")
	}
	for _, name := range []string{"hv01-integration-admin.evtx", "hv01-system.evtx"} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(name, ".evtx")+".xml"))
			require.NoError(t, err)
			res, err := Parse(b, nil)
			require.NoError(t, err)
			assert.Equal(t, FormEventsXML, res.Form)
			assert.Empty(t, res.Problems)
			recs, evs := binary(t, name)
			require.Len(t, res.Records, len(recs))
			require.Len(t, res.Events, len(evs))
			for i, want := range evs {
				got := position(res.Events[i])
				want = position(want)
				d := want.Time.Sub(got.Time)
				assert.True(t, d >= 0 && d < 2*time.Microsecond, "time %v vs %v", got.Time, want.Time)
				got.Time = want.Time
				if want.Provider == "storvsp" {
					assert.True(t, got.Ambiguous)
					assert.Contains(t, got.Note, "empty strings")
					got.Ambiguous, got.Note = want.Ambiguous, want.Note
				}
				assert.Equal(t, want, got, "event %d", i)
				t.Logf("event %d (%s %d %s): same ICEvent", i, want.Provider, want.EventID, want.VMName)
			}
		})
	}
}
