package evtx_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/evtx"
	"github.com/hvic/hvic/internal/evtxwriter"
)

// The tests in this file write logs with internal/evtxwriter and check that
// the evtx package reads back every event as written, in every layout,
// across chunks, with a dirty header, and under each kind of damage the
// writer can inflict, losing exactly what the damage destroys.

var rtBase = time.Date(2013, 10, 21, 9, 45, 12, 987654300, time.UTC)

// rtEvent returns event i of a mixed Hyper-V IC log: classic storvsp and
// VMSMP events with qualifiers and empty insertion strings, manifest and
// UserData Integration and VmSwitch events.
func rtEvent(i int, layout evtxwriter.Layout) evtxwriter.Event {
	tm := rtBase.Add(time.Duration(i)*1234567*time.Microsecond + time.Duration(i%10)*100)
	vm := fmt.Sprintf("VM-%04d", i)
	id := fmt.Sprintf("{%08X-ABCD-4EF0-8123-456789ABCDEF}", i)
	if layout == evtxwriter.Classic {
		if i%2 == 0 {
			return evtxwriter.Event{Provider: "storvsp", EventID: 6, HasQualifiers: true, Qualifiers: 32768, Level: 3,
				Keywords: 0x80000000000000, Time: tm, Channel: "System", Computer: "HV-HOST01", Layout: layout,
				Data: []evtxwriter.Field{{Value: "\\Device\\RaidPort0"}, {Value: vm}, {Value: id}, {Value: "5.1"}, {Value: "4.2"}}}
		}
		return evtxwriter.Event{Provider: "VMSMP", EventID: 26, HasQualifiers: true, Qualifiers: 49152, Level: 2,
			Keywords: 0x80000000000000, Time: tm, Channel: "System", Computer: "HV-HOST02", Layout: layout,
			Data: []evtxwriter.Field{{Value: vm}, {Value: "x & <y> \"z\""}, {Value: "Ünïcödé ☃"}}}
	}
	if i%2 == 0 {
		comp := []string{"KvpExchange", "Heartbeat", "Shutdown", "TimeSync", "VSS"}[i%5]
		return evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-Integration-" + comp,
			ProviderGUID: "{2B74A015-3873-4C56-9928-EA80C58B2787}", EventID: []uint16{4000, 4010}[i/2%2],
			Version: 1, Level: 3, Task: 7, Opcode: 9, Keywords: 0x4000000000000001, Time: tm,
			Channel: "Microsoft-Windows-Hyper-V-Integration-Admin", Computer: "HV-HOST01", UserSID: "S-1-5-18",
			ProcessID: 1000 + uint32(i), ThreadID: 7, Layout: layout,
			Data: []evtxwriter.Field{{Name: "VmName", Value: vm}, {Name: "VmId", Value: id},
				{Name: "FrameworkVersion", Value: "Negotiated (3.0) - Expected (3.0)"}, {Name: "MessageVersion", Value: "4.0"}}}
	}
	return evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-VmSwitch",
		ProviderGUID: "{67DC0D66-3695-47C0-9642-33F76F7BD7AD}", EventID: 27, Level: 3, Time: tm,
		Channel: "System", Computer: "HV-HOST01", Layout: layout,
		Data: []evtxwriter.Field{{Name: "VMName", Value: vm}, {Name: "ServerVersion", Value: "4.0"},
			{Name: "ClientVersion", Value: "3.2"}, {Name: "VMId", Value: id}}}
}

func rtMixed(n int) []evtxwriter.Event {
	layouts := []evtxwriter.Layout{evtxwriter.Classic, evtxwriter.Manifest, evtxwriter.UserData}
	out := make([]evtxwriter.Event, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, rtEvent(i, layouts[i%3]))
	}
	return out
}

func rtWrite(t testing.TB, opts evtxwriter.Options, events []evtxwriter.Event) ([]byte, []evtxwriter.Location) {
	t.Helper()
	w := evtxwriter.New(opts)
	for _, e := range events {
		require.NoError(t, w.Add(e))
	}
	b, err := w.Bytes()
	require.NoError(t, err)
	return b, w.Locations()
}

type rtResult struct {
	records []evtx.Record
	errs    []error
	stats   evtx.Stats
	header  evtx.Header
}

func rtRead(t testing.TB, b []byte) rtResult {
	t.Helper()
	f, err := evtx.FromBytes(b, &evtx.Options{Name: "generated.evtx"})
	require.NoError(t, err)
	var out rtResult
	for r, err := range f.Records(context.Background()) {
		if err != nil {
			out.errs = append(out.errs, err)
			continue
		}
		out.records = append(out.records, r)
	}
	out.stats = f.Stats()
	out.header = f.Header()
	return out
}

// rtCheck asserts that got is exactly what was written for e at l.
func rtCheck(t *testing.T, e evtxwriter.Event, l evtxwriter.Location, got evtx.Record) {
	t.Helper()
	what := fmt.Sprintf("record %d (%s %s %d)", l.RecordID, e.Layout, e.Provider, e.EventID)
	assert.Equal(t, e.Provider, got.Provider, what)
	wantGUID := ""
	if e.Layout != evtxwriter.Classic {
		wantGUID = strings.ToUpper(e.ProviderGUID)
	}
	assert.Equal(t, wantGUID, got.ProviderGUID, what)
	assert.Equal(t, e.EventID, got.EventID, what)
	assert.Equal(t, e.HasQualifiers, got.HasQualifiers, what)
	assert.Equal(t, e.Qualifiers, got.Qualifiers, what)
	assert.Equal(t, e.Version, got.Version, what)
	assert.Equal(t, e.Level, got.Level, what)
	assert.Equal(t, e.Task, got.Task, what)
	assert.Equal(t, e.Opcode, got.Opcode, what)
	assert.Equal(t, e.Keywords, got.Keywords, what)
	assert.Equal(t, e.Channel, got.Channel, what)
	assert.Equal(t, e.Computer, got.Computer, what)
	assert.Equal(t, e.UserSID, got.UserID, what)
	assert.Equal(t, e.ProcessID, got.ProcessID, what)
	assert.Equal(t, e.ThreadID, got.ThreadID, what)
	assert.True(t, e.Time.Truncate(100).Equal(got.TimeCreated), "%s: time %v, want %v", what, got.TimeCreated, e.Time)
	assert.Equal(t, time.UTC, got.TimeCreated.Location(), what)
	assert.Equal(t, l.RecordID, got.RecordID, what)
	assert.Equal(t, l.Chunk, got.Chunk, what)
	assert.Equal(t, l.Offset, got.Offset, what)
	assert.Equal(t, "generated.evtx", got.File, what)
	want := make([]evtx.Field, 0, len(e.Data))
	for _, d := range e.Data {
		name := d.Name
		if e.Layout == evtxwriter.Classic {
			name = ""
		}
		want = append(want, evtx.Field{Name: name, Value: d.Value})
	}
	assert.Equal(t, want, got.Data, what)
}

// rtCheckAll asserts that res holds exactly the events whose indexes are
// not in lost, in order.
func rtCheckAll(t *testing.T, events []evtxwriter.Event, locs []evtxwriter.Location, res rtResult, lost map[int]bool) {
	t.Helper()
	var want []int
	for i := range events {
		if !lost[i] {
			want = append(want, i)
		}
	}
	require.Len(t, res.records, len(want), "decoded records")
	for k, i := range want {
		rtCheck(t, events[i], locs[i], res.records[k])
	}
	assert.Equal(t, len(want), res.stats.RecordsDecoded+res.stats.RecordsRecovered)
	recovered := 0
	for _, r := range res.records {
		if r.Recovered {
			recovered++
		}
	}
	assert.Equal(t, recovered, res.stats.RecordsRecovered)
}

func TestRoundTripLayouts(t *testing.T) {
	for _, layout := range []evtxwriter.Layout{evtxwriter.Manifest, evtxwriter.Classic, evtxwriter.UserData} {
		t.Run(layout.String(), func(t *testing.T) {
			var events []evtxwriter.Event
			for i := 0; i < 40; i++ {
				events = append(events, rtEvent(i, layout))
			}
			b, locs := rtWrite(t, evtxwriter.Options{}, events)
			res := rtRead(t, b)
			assert.Empty(t, res.errs)
			assert.Empty(t, res.stats.Problems)
			rtCheckAll(t, events, locs, res, nil)
		})
	}
}

// TestRoundTripEmptyStrings pins the classic positional data with empty
// insertion strings, which golang-evtx v1.2.9 drops from string arrays.
func TestRoundTripEmptyStrings(t *testing.T) {
	tests := []struct {
		name string
		data []string
	}{
		{"first empty", []string{"", "vm1", "{00000000-0000-0000-0000-000000000001}", "5.1", "4.2"}},
		{"middle empty", []string{"\\Device\\0", "", "{00000000-0000-0000-0000-000000000001}", "", "4.2"}},
		{"last empty", []string{"a", "vm1", ""}},
		{"all empty", []string{"", ""}},
		{"single", []string{"only"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := rtEvent(0, evtxwriter.Classic)
			e.Data = nil
			for _, s := range tc.data {
				e.Data = append(e.Data, evtxwriter.Field{Value: s})
			}
			b, locs := rtWrite(t, evtxwriter.Options{}, []evtxwriter.Event{e})
			res := rtRead(t, b)
			require.Empty(t, res.errs)
			rtCheckAll(t, []evtxwriter.Event{e}, locs, res, nil)
		})
	}
}

// TestRoundTripTypedValues checks the text the reader gives typed
// (non-string) event data values.
func TestRoundTripTypedValues(t *testing.T) {
	tests := []struct {
		typ      evtxwriter.ValueType
		in, want string
	}{
		{evtxwriter.UInt8, "200", "200"},
		{evtxwriter.UInt16, "65535", "65535"},
		{evtxwriter.UInt32, "4000000000", "4000000000"},
		{evtxwriter.UInt64, "18446744073709551615", "18446744073709551615"},
		{evtxwriter.Int32, "-5", "-5"},
		{evtxwriter.GUID, "{aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee}", "{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}"},
		{evtxwriter.SID, "S-1-5-21-1-2-3-500", "S-1-5-21-1-2-3-500"},
		{evtxwriter.FileTime, "2019-04-05T06:07:08.1234567Z", "2019-04-05T06:07:08.1234567Z"},
		{evtxwriter.SystemTime, "2019-04-05T06:07:08.123Z", "2019-04-05T06:07:08.123Z"},
		{evtxwriter.Binary, "deadbeef", "DEADBEEF"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d %s", tc.typ, tc.in), func(t *testing.T) {
			e := rtEvent(1, evtxwriter.Manifest)
			e.Data = []evtxwriter.Field{{Name: "Before", Value: "x"}, {Name: "V", Value: tc.in, Type: tc.typ}, {Name: "After", Value: "y"}}
			b, _ := rtWrite(t, evtxwriter.Options{}, []evtxwriter.Event{e})
			res := rtRead(t, b)
			require.Empty(t, res.errs)
			require.Len(t, res.records, 1)
			assert.Equal(t, []evtx.Field{{Name: "Before", Value: "x"}, {Name: "V", Value: tc.want}, {Name: "After", Value: "y"}}, res.records[0].Data)
		})
	}
}

func TestRoundTripManyChunks(t *testing.T) {
	events := rtMixed(5000)
	b, locs := rtWrite(t, evtxwriter.Options{}, events)
	chunks := locs[len(locs)-1].Chunk + 1
	require.Greater(t, chunks, 10)
	res := rtRead(t, b)
	assert.Empty(t, res.errs)
	assert.Empty(t, res.stats.Problems)
	assert.Equal(t, chunks, res.stats.ChunksParsed)
	rtCheckAll(t, events, locs, res, nil)
}

func TestRoundTripDirty(t *testing.T) {
	events := rtMixed(3000)
	b, locs := rtWrite(t, evtxwriter.Options{Dirty: true, Full: true, HeaderChunks: 1, TrailingEmptyChunks: 2, OpenLastChunk: true}, events)
	chunks := locs[len(locs)-1].Chunk + 1
	require.Greater(t, chunks, 3)
	res := rtRead(t, b)
	assert.True(t, res.header.Dirty(), "flags 3 = dirty and full (golang-evtx only sees 1 as dirty)")
	assert.True(t, res.header.Full())
	assert.EqualValues(t, 1, res.header.ChunkCount, "the header undercounts")
	assert.Empty(t, res.errs)
	assert.Equal(t, chunks, res.stats.ChunksParsed, "chunks found by slot, not by the header's count")
	assert.Equal(t, 2, res.stats.ChunksEmpty)
	rtCheckAll(t, events, locs, res, nil)
	for _, p := range res.stats.Problems {
		assert.True(t, p.Kind.Warning(), "%v", p.Err)
	}
	assert.True(t, hasProblem(res, evtx.ProblemChunkDataCRC, chunks-1), "open last chunk's stale data CRC is reported")
}

func hasProblem(res rtResult, kind evtx.ProblemKind, chunk int) bool {
	for _, p := range res.stats.Problems {
		if p.Kind == kind && p.Chunk == chunk {
			return true
		}
	}
	return false
}

func TestRoundTripCorruption(t *testing.T) {
	const perChunk = 6
	events := rtMixed(4 * perChunk)
	idx := func(chunk, rec int) int { return chunk*perChunk + rec }
	tests := []struct {
		name     string
		damage   func(b []byte) ([]byte, error)
		lost     []int
		problem  evtx.ProblemKind
		chunk    int
		sentinel error
	}{
		{"record magic", func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptRecordMagic(b, 1, 3) },
			[]int{idx(1, 3)}, evtx.ProblemRecordFailed, 1, evtx.ErrCorrupt},
		{"record magic of a template-defining record", func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptRecordMagic(b, 2, 0) },
			[]int{idx(2, 0)}, evtx.ProblemRecordFailed, 2, evtx.ErrCorrupt},
		{"record data", func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptRecordData(b, 1, 4) },
			[]int{idx(1, 4)}, evtx.ProblemRecordFailed, 1, evtx.ErrDecode},
		{"record data of a template-defining record", func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptRecordData(b, 0, 0) },
			[]int{idx(0, 0)}, evtx.ProblemRecordFailed, 0, evtx.ErrDecode},
		{"chunk magic", func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptChunkMagic(b, 2) },
			[]int{idx(2, 0), idx(2, 1), idx(2, 2), idx(2, 3), idx(2, 4), idx(2, 5)}, evtx.ProblemChunkSkipped, 2, evtx.ErrCorrupt},
		{"chunk data CRC", func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptChunkCRC(b, 3) },
			nil, evtx.ProblemChunkDataCRC, 3, evtx.ErrChecksum},
		{"chunk header CRC", func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptChunkHeaderCRC(b, 0) },
			nil, evtx.ProblemChunkHeaderCRC, 0, evtx.ErrChecksum},
		{"file header CRC", func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptFileHeaderCRC(b) },
			nil, evtx.ProblemHeaderCRC, -1, evtx.ErrChecksum},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, locs := rtWrite(t, evtxwriter.Options{MaxRecordsPerChunk: perChunk}, events)
			b, err := tc.damage(b)
			require.NoError(t, err)
			res := rtRead(t, b)
			lost := map[int]bool{}
			for _, i := range tc.lost {
				lost[i] = true
			}
			rtCheckAll(t, events, locs, res, lost)
			require.True(t, hasProblem(res, tc.problem, tc.chunk), "want a %v problem in chunk %d, got %v", tc.problem, tc.chunk, res.stats.Problems)
			lostCount := 0
			for _, p := range res.stats.Problems {
				lostCount += p.Lost
				var fe *evtx.FormatError
				require.True(t, errors.As(p.Err, &fe), "%v", p.Err)
				if p.Kind == tc.problem && p.Chunk == tc.chunk {
					assert.ErrorIs(t, p.Err, tc.sentinel)
				}
			}
			assert.Equal(t, len(tc.lost), lostCount, "records reported lost")
			assert.Len(t, res.errs, map[bool]int{true: 0, false: 1}[len(tc.lost) == 0], "one data-losing error yielded")
			if len(tc.lost) == 0 {
				assert.True(t, tc.problem.Warning())
			}
		})
	}
}

func TestRoundTripTruncated(t *testing.T) {
	events := rtMixed(200)
	b, locs := rtWrite(t, evtxwriter.Options{}, events)
	last := locs[len(locs)-1].Chunk
	require.GreaterOrEqual(t, last, 1)
	firstOf := func(chunk, index int) int {
		for i, l := range locs {
			if l.Chunk == chunk && l.Index == index {
				return i
			}
		}
		t.Fatalf("no record %d in chunk %d", index, chunk)
		return 0
	}
	lastStart := 4096 + last*65536
	mid := firstOf(last, 5)
	tests := []struct {
		name     string
		cut      int
		firstBad int              // index of the first event lost
		problem  evtx.ProblemKind // expected in the last chunk; ProblemUnknown for none
	}{
		{"inside a record", int(locs[mid].Offset) + locs[mid].Size/2, mid, evtx.ProblemChunkTruncated},
		{"between records", int(locs[mid].Offset), mid, evtx.ProblemChunkTruncated},
		{"inside the chunk header", lastStart + 100, firstOf(last, 0), evtx.ProblemChunkSkipped},
		{"inside the string and template tables", lastStart + 300, firstOf(last, 0), evtx.ProblemChunkSkipped},
		{"at a chunk boundary", lastStart, firstOf(last, 0), evtx.ProblemUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := rtRead(t, evtxwriter.Truncate(b, tc.cut))
			lost := map[int]bool{}
			for i := tc.firstBad; i < len(events); i++ {
				lost[i] = true
			}
			rtCheckAll(t, events, locs, res, lost)
			if tc.problem != evtx.ProblemUnknown {
				assert.True(t, hasProblem(res, tc.problem, last), "%v", res.stats.Problems)
			} else {
				for _, p := range res.stats.Problems {
					assert.NotEqual(t, last, p.Chunk, "the cut chunk is simply absent: %v", p.Err)
				}
			}
		})
	}
}

// TestRoundTripExactFill: a record that ends at the last byte of its chunk
// (free space offset 65536; libevtx 20181227 drops it) is read like any
// other.
func TestRoundTripExactFill(t *testing.T) {
	w := evtxwriter.New(evtxwriter.Options{})
	var events []evtxwriter.Event
	for i := 0; ; i++ {
		e := rtEvent(i, evtxwriter.Manifest)
		size, err := w.SizeOf(e)
		require.NoError(t, err)
		if w.Remaining() > 0 && size+600 >= w.Remaining() {
			break
		}
		require.NoError(t, w.Add(e))
		events = append(events, e)
	}
	rem := w.Remaining()
	filled := false
	for n := 0; n < 600 && !filled; n++ {
		e := rtEvent(len(events), evtxwriter.Manifest)
		e.Data[0].Value = strings.Repeat("p", n) + e.Data[0].Value
		size, err := w.SizeOf(e)
		require.NoError(t, err)
		if size == rem {
			require.NoError(t, w.Add(e))
			events = append(events, e)
			filled = true
		}
	}
	require.True(t, filled, "no padding fills the %d bytes left", rem)
	events = append(events, rtEvent(len(events), evtxwriter.Classic))
	require.NoError(t, w.Add(events[len(events)-1]))
	b, err := w.Bytes()
	require.NoError(t, err)
	locs := w.Locations()
	ends := locs[len(locs)-2]
	require.EqualValues(t, 4096+65536, ends.Offset+int64(ends.Size), "the record ends at the chunk's end")
	res := rtRead(t, b)
	assert.Empty(t, res.errs)
	assert.Empty(t, res.stats.Problems)
	rtCheckAll(t, events, locs, res, nil)
}
