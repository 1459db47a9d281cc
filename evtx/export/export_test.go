package export

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/evtx"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// binary is the .evtx path for the same log: records and IC events.
func binary(t testing.TB, name string) ([]evtx.Record, []evtx.ICEvent) {
	return readLog(t, fixture(t, name), name)
}

// position clears what only the binary reader knows.
func position(ev evtx.ICEvent) evtx.ICEvent {
	ev.File, ev.Chunk, ev.Offset = "", 0, 0
	return ev
}

func TestParseXMLForms(t *testing.T) {
	tests := []struct {
		file, log string
		form      Form
		enc       string
	}{
		{"integration-viewer.xml", "hv01-integration-admin.evtx", FormEventsXML, "utf-16le"},
		{"integration-viewer-utf8-ja.xml", "hv01-integration-admin.evtx", FormEventsXML, "utf-8-bom"},
		{"system-viewer-utf8.xml", "hv01-system.evtx", FormEventsXML, "utf-8-bom"},
		{"integration-wevtutil.xml", "hv01-integration-admin.evtx", FormEventXML, "utf-8"},
		{"integration-wevtutil-rd.xml", "hv01-integration-admin.evtx", FormEventXML, "utf-8"},
		{"system-wevtutil-rd.xml", "hv01-system.evtx", FormEventXML, "utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b := fixture(t, tt.file)
			assert.Equal(t, tt.form, Sniff(b))
			res, err := Parse(b, &Options{Name: tt.file})
			require.NoError(t, err)
			assert.Equal(t, tt.form, res.Form)
			assert.Equal(t, tt.enc, res.Encoding)
			assert.Empty(t, res.Problems)
			recs, evs := binary(t, tt.log)
			require.Len(t, res.Records, len(recs))
			for i, r := range recs {
				got := res.Records[i]
				assert.Equal(t, tt.file, got.File)
				r.File, r.Chunk, r.Offset = got.File, got.Chunk, got.Offset
				assert.Equal(t, r, got, "record %d", i)
			}
			require.Len(t, res.Events, len(evs))
			for i := range evs {
				assert.Equal(t, position(evs[i]), position(res.Events[i]))
				assert.False(t, res.Events[i].Ambiguous)
			}
			require.Len(t, res.Coverage, 1)
			c := res.Coverage[0]
			assert.Equal(t, recs[0].Computer, c.Computer)
			assert.Equal(t, recs[0].Channel, c.Channel)
			assert.Equal(t, recs[0].TimeCreated, c.First)
			assert.Equal(t, len(recs), c.Records)
			assert.False(t, c.LocalTime)
		})
	}
}

func TestParseRenderedForms(t *testing.T) {
	tests := []struct {
		file, log, channel, computer string
		form                         Form
	}{
		{"integration-viewer.csv", "hv01-integration-admin.evtx", chIntegr, "", FormViewerCSV},
		{"integration-viewer-ja.csv", "hv01-integration-admin.evtx", chIntegr, "", FormViewerCSV},
		{"integration-viewer-ja.txt", "hv01-integration-admin.evtx", chIntegr, "", FormViewerText},
		{"system-viewer.txt", "hv01-system.evtx", "System", "", FormViewerText},
		{"system-viewer.csv", "hv01-system.evtx", "System", "", FormViewerCSV},
		{"integration-winevent.csv", "hv01-integration-admin.evtx", chIntegr, host, FormWinEventCSV},
		{"system-winevent.csv", "hv01-system.evtx", "System", host, FormWinEventCSV},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b := fixture(t, tt.file)
			assert.Equal(t, tt.form, Sniff(b))
			res, err := Parse(b, &Options{Name: tt.file})
			require.NoError(t, err)
			assert.True(t, res.Form.Rendered())
			assert.Empty(t, res.Problems)
			assert.Nil(t, res.Records)
			recs, evs := binary(t, tt.log)
			require.Len(t, res.Events, len(evs))
			// Rendered forms list the newest first.
			for i, want := range evs {
				got := res.Events[len(evs)-1-i]
				assert.True(t, got.Ambiguous)
				assert.Contains(t, got.Note, NoteRendered)
				assert.Equal(t, tt.file, got.File)
				w := position(want)
				w.Time = w.Time.Truncate(time.Second)
				w.Computer, w.Ambiguous, w.Note = tt.computer, true, got.Note
				if tt.form != FormWinEventCSV {
					w.RecordID = 0
				}
				assert.Equal(t, w, position(got), "event %d", i)
			}
			require.Len(t, res.Coverage, 1)
			c := res.Coverage[0]
			assert.Equal(t, Coverage{Computer: tt.computer, Channel: tt.channel, LocalTime: true, Records: len(recs),
				First: recs[0].TimeCreated.Truncate(time.Second), Last: recs[len(recs)-1].TimeCreated.Truncate(time.Second)}, c)
		})
	}
}

func TestParseDamaged(t *testing.T) {
	b := fixture(t, "integration-wevtutil.xml")
	// Cut the second event short: it is a problem, the rest are read.
	s := string(b)
	first := len(s) / 5
	i := first + 200
	damaged := s[:i] + "<Bogus" + s[i+50:]
	res, err := Parse([]byte(damaged), nil)
	require.NoError(t, err)
	assert.NotEmpty(t, res.Problems)
	assert.Less(t, len(res.Records), 5)
	assert.GreaterOrEqual(t, len(res.Records), 3)

	res, err = Parse(b, &Options{MaxRecords: 2})
	require.NoError(t, err)
	assert.Len(t, res.Records, 2)
	require.Len(t, res.Problems, 1)

	_, err = Parse(b, &Options{MaxSize: 10})
	require.ErrorIs(t, err, ErrTooLarge)
	res, err = Parse(b, &Options{MaxDataFields: 1})
	require.NoError(t, err)
	assert.Len(t, res.Records[1].Data, 1)
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{"", "hello", "<html></html>", "Name,State\nvm,Running\n", "<Eventful/>"} {
		assert.Equal(t, FormUnknown, Sniff([]byte(in)), in)
		_, err := Parse([]byte(in), nil)
		require.ErrorIs(t, err, ErrNotExport, in)
	}
}

func TestFormNames(t *testing.T) {
	assert.Equal(t, "winevent-csv", FormWinEventCSV.String())
	assert.Equal(t, "form(42)", Form(42).String())
	assert.False(t, FormEventXML.Rendered())
}

// TestParsePastedWithPrompt: wevtutil output pasted with its command line.
func TestParsePastedWithPrompt(t *testing.T) {
	in := "C:\\Users\\admin>wevtutil qe Microsoft-Windows-Hyper-V-Integration-Admin /f:xml\r\n" +
		string(fixture(t, "integration-wevtutil.xml")) + "\r\nC:\\Users\\admin>"
	assert.Equal(t, FormEventXML, Sniff([]byte(in)))
	res, err := Parse([]byte(in), nil)
	require.NoError(t, err)
	assert.Empty(t, res.Problems)
	_, evs := binary(t, "hv01-integration-admin.evtx")
	assert.Len(t, res.Events, len(evs))
}

// hintKeys are the guest driver providers package hvic counts (kb's
// HintProviders), every event ID.
var hintKeys = []evtx.EventKey{
	{Provider: "netvsc", AnyID: true}, {Provider: "storvsc", AnyID: true}, {Provider: "vmbus", AnyID: true},
	{Provider: "Microsoft-Windows-Hyper-V-Netvsc", AnyID: true}, {Provider: "Microsoft-Windows-Hyper-V-Storvsc", AnyID: true},
}

// icKeys is an IC selection like kb's catalogue.
var icKeys = []evtx.EventKey{
	{Provider: intPrefix, Prefix: true, ID: 4000}, {Provider: intPrefix, Prefix: true, ID: 4010},
	{Provider: intPrefix, Prefix: true, ID: 4096}, {Provider: "Microsoft-Windows-Hyper-V-VmSwitch", ID: 27},
	{Provider: "storvsp", ID: 6}, {Provider: "VMSMP", ID: 26},
}

// surveyCounted is the binary path's count: evtx's Survey of the log.
func surveyCounted(t *testing.T, log string, events, count []evtx.EventKey) map[string]int {
	t.Helper()
	f, err := evtx.FromBytes(fixture(t, log), &evtx.Options{Name: log})
	require.NoError(t, err)
	sv, err := f.Survey(context.Background(), &evtx.ScanOptions{Events: events, Count: count})
	require.NoError(t, err)
	return sv.Counted
}

// TestParseCounts: every form counts the records Options.Count selects
// exactly as evtx's Survey counts them in the .evtx the export was
// rendered from, and a record that is an IC event is not counted.
func TestParseCounts(t *testing.T) {
	guestForms := []string{"guest-system-viewer.xml", "guest-system-wevtutil.xml", "guest-system-wevtutil-rd.xml",
		"guest-system-viewer.csv", "guest-system-viewer-ja.csv", "guest-system-viewer.txt",
		"guest-system-viewer-ja.txt", "guest-system-winevent.csv"}
	type tc struct {
		file, log     string
		events, count []evtx.EventKey
		icEvents      int
	}
	var tests []tc
	for _, f := range guestForms {
		tests = append(tests, tc{file: f, log: "web01-system.evtx", events: icKeys, count: hintKeys})
	}
	// storvsp 6 is both an IC event and selected by Count: an IC event.
	both := append([]evtx.EventKey{{Provider: "storvsp", AnyID: true}, {Provider: "Service Control Manager", AnyID: true}}, hintKeys...)
	for _, f := range []string{"system-viewer-utf8.xml", "system-wevtutil-rd.xml", "system-viewer.csv", "system-viewer.txt", "system-winevent.csv"} {
		tests = append(tests, tc{file: f, log: "hv01-system.evtx", events: icKeys, count: both, icEvents: 2})
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			want := surveyCounted(t, tt.log, tt.events, tt.count)
			require.NotEmpty(t, want)
			res, err := Parse(fixture(t, tt.file), &Options{Name: tt.file, Events: tt.events, Count: tt.count})
			require.NoError(t, err)
			assert.Empty(t, res.Problems)
			assert.Equal(t, want, res.Counted)
			assert.Len(t, res.Events, tt.icEvents)
			recs, _ := binary(t, tt.log)
			require.Len(t, res.Coverage, 1)
			assert.Equal(t, len(recs), res.Coverage[0].Records, "counted records still cover the log")

			res, err = Parse(fixture(t, tt.file), &Options{Name: tt.file, Events: tt.events})
			require.NoError(t, err)
			assert.Nil(t, res.Counted, "nothing counted without Count")
		})
	}
}
