package evtx

import (
	"context"
	"math/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/internal/evtxwriter"
)

// surveyRef is what a full decode says: records per (computer, channel)
// and the IC events, in file order.
type surveyRef struct {
	records map[[2]string]int
	total   int
	events  []uint64 // record IDs
}

func fullDecode(t *testing.T, b []byte) surveyRef {
	t.Helper()
	f, err := FromBytes(b, nil)
	require.NoError(t, err)
	ref := surveyRef{records: map[[2]string]int{}}
	for rec, err := range f.Records(context.Background()) {
		if err != nil {
			continue
		}
		ref.records[[2]string{rec.Computer, rec.Channel}]++
		ref.total++
		if ic, ok := ExtractICFor(rec, nil); ok {
			ref.events = append(ref.events, ic.RecordID)
		}
	}
	return ref
}

// Survey agrees with a full decode on every path: a log of one channel and
// one computer (read with ScanIC, the rest counted from record headers),
// and mixed logs (a renamed host, forwarded events of two channels), which
// it decodes in full.
func TestSurvey(t *testing.T) {
	write := func(n int, channel, computer func(i int) string) []byte {
		rnd := rand.New(rand.NewSource(5))
		w := evtxwriter.New(evtxwriter.Options{MaxRecordsPerChunk: 10})
		for i := 0; i < n; i++ {
			e := spanEvent(i, rnd)
			e.Channel, e.Computer = channel(i), computer(i)
			require.NoError(t, w.Add(e))
		}
		b, err := w.Bytes()
		require.NoError(t, err)
		return b
	}
	const sys, integ = "System", "Microsoft-Windows-Hyper-V-Integration-Admin"
	host := func(int) string { return "HV01" }
	tests := []struct {
		name  string
		b     []byte
		mixed bool
	}{
		{"one channel, one computer", write(200, func(int) string { return sys }, host), false},
		{"host renamed", write(200, func(int) string { return sys }, func(i int) string {
			if i < 120 {
				return "HV01"
			}
			return "HV01-NEW"
		}), true},
		{"forwarded: two channels", write(200, func(i int) string {
			if (i/10)%2 == 1 {
				return integ
			}
			return sys
		}, host), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ref := fullDecode(t, tc.b)
			require.NotEmpty(t, ref.events, "the log holds IC events (storvsp 6)")
			f, err := FromBytes(tc.b, nil)
			require.NoError(t, err)
			s, err := f.Survey(context.Background(), nil)
			require.NoError(t, err)
			assert.Equal(t, tc.mixed, s.Mixed)
			assert.False(t, s.Damaged)
			assert.Empty(t, s.Problems)
			assert.Equal(t, ref.total, s.Records)
			got := map[[2]string]int{}
			for _, c := range s.Coverage {
				got[[2]string{c.Computer, c.Channel}] = c.Records
				assert.False(t, c.First.IsZero())
				assert.False(t, c.Last.Before(c.First))
			}
			assert.Equal(t, ref.records, got)
			var ids []uint64
			for _, ic := range s.Events {
				ids = append(ids, ic.RecordID)
				assert.NotEmpty(t, ic.Channel)
			}
			assert.Equal(t, ref.events, ids)
		})
	}
}

// On a damaged log Survey counts the records a full decode yields, marks
// the coverage damaged and reports the damage, mixed or not.
func TestSurveyDamaged(t *testing.T) {
	pure := spanLog(t, 200, evtxwriter.Options{MaxRecordsPerChunk: 10}, 3)
	for _, tc := range []struct {
		name    string
		corrupt func([]byte) error
	}{
		{"record magic", func(b []byte) error { return evtxwriter.CorruptRecordMagic(b, 3, 4) }},
		{"chunk magic", func(b []byte) error { return evtxwriter.CorruptChunkMagic(b, 5) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := append([]byte(nil), pure...)
			require.NoError(t, tc.corrupt(b))
			ref := fullDecode(t, b)
			f, err := FromBytes(b, nil)
			require.NoError(t, err)
			s, err := f.Survey(context.Background(), nil)
			require.NoError(t, err)
			assert.True(t, s.Damaged)
			assert.NotEmpty(t, s.Problems)
			assert.Equal(t, ref.total, s.Records)
		})
	}
}

// A cancelled context is Survey's only error.
func TestSurveyCancelled(t *testing.T) {
	f, err := FromBytes(spanLog(t, 50, evtxwriter.Options{}, 1), nil)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = f.Survey(ctx, nil)
	assert.ErrorIs(t, err, context.Canceled)
}

// TestSurveyCount: records of the ScanOptions.Count providers (a guest's
// netvsc and storvsc events, whatever their ID) are counted per provider,
// not returned as IC events, on the single-channel path (chunk filter on)
// and the mixed one; the IC selection is unchanged; without Events, Count
// is ignored.
func TestSurveyCount(t *testing.T) {
	at := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	ev := func(i int, provider string, id uint16, computer string) evtxwriter.Event {
		return evtxwriter.Event{Provider: provider, EventID: id, Level: 4, Time: at.Add(time.Duration(i) * time.Minute),
			Channel: "System", Computer: computer, Layout: evtxwriter.Classic,
			Data: []evtxwriter.Field{{Value: "x"}}}
	}
	build := func(mixed bool) []byte {
		w := evtxwriter.New(evtxwriter.Options{MaxRecordsPerChunk: 8})
		for i := 0; i < 60; i++ {
			computer := "web01.contoso.local"
			if mixed && i%2 == 1 {
				computer = "web01-renamed"
			}
			var e evtxwriter.Event
			switch {
			case i < 30:
				e = ev(i, "Service Control Manager", 7036, computer)
			case i%3 == 0:
				e = ev(i, "netvsc", uint16(i), computer)
			case i%3 == 1:
				e = ev(i, "storvsc", 1, computer)
			default:
				e = ev(i, "Microsoft-Windows-Hyper-V-VmSwitch", 26, computer)
			}
			require.NoError(t, w.Add(e))
		}
		b, err := w.Bytes()
		require.NoError(t, err)
		return b
	}
	count := []EventKey{{Provider: "netvsc", AnyID: true}, {Provider: "storvsc", AnyID: true}, {Provider: "vmbus", AnyID: true}}
	// Every name holds a "v": the single-channel path keeps its chunk
	// filter (filterFor), widened by the Count names.
	events := []EventKey{{Provider: "Microsoft-Windows-Hyper-V-VmSwitch", ID: 26}, {Provider: "Microsoft-Windows-Hyper-V-Integration", Prefix: true, ID: 4010}}
	for _, mixed := range []bool{false, true} {
		f, err := FromBytes(build(mixed), nil)
		require.NoError(t, err)
		s, err := f.Survey(context.Background(), &ScanOptions{Events: events, Count: count})
		require.NoError(t, err)
		assert.Equal(t, mixed, s.Mixed)
		assert.Equal(t, map[string]int{"netvsc": 10, "storvsc": 10}, s.Counted, "mixed %v", mixed)
		assert.Len(t, s.Events, 10, "the selected VmSwitch 26s stay IC events")
		for _, e := range s.Events {
			assert.Equal(t, "Microsoft-Windows-Hyper-V-VmSwitch", e.Provider)
		}
		assert.Equal(t, 60, s.Records)

		none, err := f.Survey(context.Background(), &ScanOptions{Count: count})
		require.NoError(t, err)
		assert.Nil(t, none.Counted, "Count needs Events")
	}
}
