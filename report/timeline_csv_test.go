package report_test

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report"
	"github.com/hvic/hvic/report/result"
)

const bom = "\ufeff"

func timelineRows(t *testing.T, res *result.Result, opts *report.Options) (string, [][]string) {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, report.Render(&buf, report.FormatTimelineCSV, res, opts))
	out := buf.String()
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, bom))).ReadAll()
	require.NoError(t, err)
	return out, rows
}

func TestTimelineCSVSample(t *testing.T) {
	res := fixture(t, "sample")
	require.NotEmpty(t, res.Events)
	for _, lang := range report.Languages() {
		t.Run(lang, func(t *testing.T) {
			out, rows := timelineRows(t, res, &report.Options{Lang: lang})
			assert.False(t, strings.HasPrefix(out, bom), "no BOM unless Options.BOM")
			assert.Contains(t, out, "\r\n")
			require.Len(t, rows, len(res.Events)+1)
			want := map[string]string{"en": "time_utc", "ja": "時刻 (UTC)"}[lang]
			assert.Equal(t, want, rows[0][0])
			var prev time.Time
			seen := map[string]bool{}
			for _, row := range rows[1:] {
				require.Len(t, row, 17)
				at, err := time.Parse(time.RFC3339, row[0])
				require.NoError(t, err)
				assert.True(t, strings.HasSuffix(row[0], "Z"), row[0])
				assert.False(t, at.Before(prev), "rows in time order")
				prev = at
				seen[row[13]+"#"+row[14]] = true
				assert.NotEqual(t, "unknown", row[5], "kind classified by the catalogue")
			}
			for _, e := range res.Events {
				assert.True(t, seen[e.Ref.File+"#"+strconv.FormatUint(e.Ref.RecordID, 10)], e.Ref)
			}
		})
	}
}

// Rows are sorted by time; events at the same time keep the scan's order.
// The VM is the one kb attributed the event to, else the one it names; the
// host is the record's, else the VM's.
func TestTimelineCSVOrderAndAttribution(t *testing.T) {
	at := time.Date(2024, 5, 13, 10, 0, 0, 0, time.UTC)
	res := &result.Result{
		VMs: []kb.Assessment{{VMName: "DB01", VMID: "id-db", Host: "HV01"}},
		Events: []kb.Event{
			{Provider: "Microsoft-Windows-Hyper-V-Integration-Heartbeat", EventID: 4000, Time: at.Add(time.Minute), VM: 1, Ref: kb.Ref{File: "a.evtx", RecordID: 3}},
			{Provider: "p", EventID: 1, Time: at, VMName: "X", Host: "HV02", Ref: kb.Ref{File: "a.evtx", RecordID: 1}},
			{Provider: "p", EventID: 2, Time: at, Kind: kb.EventDegraded, VM: 1, Ambiguous: true, Note: "field 3 by position", Ref: kb.Ref{File: "a.evtx", RecordID: 2}},
		},
	}
	_, rows := timelineRows(t, res, nil)
	require.Len(t, rows, 4)
	type row struct{ record, host, vm, vmID, kind, ambiguous, note string }
	var got []row
	for _, r := range rows[1:] {
		got = append(got, row{r[14], r[1], r[2], r[3], r[5], r[15], r[16]})
	}
	assert.Equal(t, []row{
		{"1", "HV02", "X", "", "unknown", "false", ""},
		{"2", "HV01", "DB01", "id-db", "degraded", "true", "field 3 by position"},
		{"3", "HV01", "DB01", "id-db", "incompatible", "false", ""},
	}, got)
}

// Input-derived control characters are written visibly and cells that a
// spreadsheet would evaluate are defused.
func TestTimelineCSVHostileValues(t *testing.T) {
	at := time.Date(2024, 5, 13, 10, 0, 0, 0, time.UTC)
	res := &result.Result{Events: []kb.Event{{
		Provider: "+cmd", EventID: 4010, Time: at, VMName: "=HYPERLINK(\"http://x\")", VMID: "@SUM(A1)",
		Host: "-2+3\r\nforged,row", Component: "\x1b[31mred\x00", ServerVersion: "\tx", Note: "a\"b",
		Ref: kb.Ref{File: "dir/\x07bell,\"q\".evtx", RecordID: 9},
	}}}
	out, rows := timelineRows(t, res, nil)
	require.Len(t, rows, 2, "one event, one row")
	row := rows[1]
	require.Len(t, row, 17)
	for i, cell := range row {
		for _, r := range cell {
			assert.False(t, r < 0x20 || r == 0x7f, "cell %d: raw control %q", i, cell)
		}
		if cell != "" {
			assert.NotContains(t, "=+-@", cell[:1], "cell %d: %q", i, cell)
		}
	}
	assert.Equal(t, `'=HYPERLINK("http://x")`, row[2])
	assert.Equal(t, "'@SUM(A1)", row[3])
	assert.Equal(t, "'+cmd", row[7])
	assert.Equal(t, `'-2+3\x0d\x0aforged,row`, row[1])
	assert.Equal(t, `\x1b[31mred\x00`, row[4])
	assert.Equal(t, `a"b`, row[16])
	assert.NotContains(t, out, "\x1b")
}

func TestTimelineCSVBOMAndEmpty(t *testing.T) {
	for _, tt := range []struct {
		lang string
		bom  bool
	}{{"en", false}, {"en", true}, {"ja", true}, {"ja", false}} {
		out, rows := timelineRows(t, &result.Result{}, &report.Options{Lang: tt.lang, BOM: tt.bom})
		assert.Equal(t, tt.bom, strings.HasPrefix(out, bom), tt)
		require.Len(t, rows, 1, "the header only")
	}
}

func TestParseTimelineFormat(t *testing.T) {
	for _, s := range []string{"timeline-csv", "Timeline", " TIMELINE-CSV "} {
		f, err := report.ParseFormat(s)
		require.NoError(t, err, s)
		assert.Equal(t, report.FormatTimelineCSV, f)
	}
	assert.Contains(t, report.Formats(), report.FormatTimelineCSV)
}
