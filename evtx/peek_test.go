package evtx

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/internal/benchgen"
	"github.com/hvic/hvic/internal/evtxwriter"
)

// hyperVHostLog is a small copy of benchgen's realistic Hyper-V host log:
// the Hyper-V prefix in every chunk, VmSwitch 232/233/234, Hypervisor.
func hyperVHostLog(t testing.TB, records int) []byte {
	t.Helper()
	o := benchgen.HyperVHost()
	o.Records, o.IC = records, benchgen.Spread(6, records)
	b, err := benchgen.Bytes(o)
	require.NoError(t, err)
	return b
}

// skipCount runs the record filter's pre-pass on every complete chunk of b
// and returns how many records it would skip and how many chunks it
// light-reads.
func skipCount(t *testing.T, b []byte, keys []EventKey) (skipped, plain int) {
	t.Helper()
	f, err := FromBytes(b, nil)
	require.NoError(t, err)
	d := newDecoder(f)
	d.keys = keys
	for off := fileHeaderBlock; len(b)-off >= chunkSize; off += chunkSize {
		c := b[off : off+chunkSize]
		d.startChunk(0, int64(off), c)
		if s := d.plainChunk(c); s != nil {
			skipped += len(s)
			plain++
		}
	}
	return skipped, plain
}

// decodedLog is one full decode of a log (Records): its records and the
// Stats of the pass, the reference for every selection checked on it.
type decodedLog struct {
	records []Record
	stats   Stats
}

// decodeLog decodes b fully, as fullICFor does, keeping the records.
func decodeLog(t testing.TB, b []byte) decodedLog {
	t.Helper()
	f, err := FromBytes(b, &Options{Name: "x.evtx"})
	require.NoError(t, err)
	var d decodedLog
	for r, err := range f.Records(context.Background()) {
		if err != nil {
			var fe *FormatError
			require.ErrorAs(t, err, &fe)
			continue
		}
		d.records = append(d.records, r)
	}
	d.stats = f.Stats()
	return d
}

// icFor is fullICFor's result on the decoded records: ExtractICFor with
// the selection on each.
func (d decodedLog) icFor(sel []EventKey) []ICEvent {
	var evs []ICEvent
	for _, r := range d.records {
		if ev, ok := ExtractICFor(r, sel); ok {
			evs = append(evs, ev)
		}
	}
	return evs
}

// checkRecordFilter compares ScanIC with the record-level filter (several
// worker layouts), ScanIC with the chunk filter alone, and the full decode
// of b (full, decoded once for every selection) with ExtractICFor: the
// same events, the same problems (those of the chunks the chunk filter
// skips aside, as in checkEquivalent) and the same record counts.
func checkRecordFilter(t *testing.T, b []byte, full decodedLog, sel []EventKey) []ICEvent {
	t.Helper()
	f, err := FromBytes(b, &Options{Name: "x.evtx"})
	require.NoError(t, err)
	want := full.icFor(sel)
	skip := filteredChunksBy(b, filterFor(sel))
	var wantProblems []Problem
	for _, p := range full.stats.Problems {
		if p.Chunk >= 0 && skip[p.Chunk] && p.Kind != ProblemChunkHeaderCRC && p.Kind != ProblemChunkDataCRC {
			continue
		}
		wantProblems = append(wantProblems, p)
	}
	ref, refSt, err := f.ScanIC(context.Background(), &ScanOptions{Events: sel, noRecordFilter: true})
	require.NoError(t, err)
	require.Equal(t, want, ref, "chunk filter alone")
	for _, sc := range scanConfigs {
		o := ScanOptions{}
		if sc.opts != nil {
			o = *sc.opts
		}
		o.Events = sel
		got, st, err := f.ScanIC(context.Background(), &o)
		require.NoError(t, err)
		assert.Equal(t, want, got, "%s: events", sc.name)
		assert.Equal(t, keys(wantProblems), keys(st.Problems), "%s: problems", sc.name)
		refSt.Problems, st.Problems = nil, nil
		assert.Equal(t, refSt, st, "%s: counts", sc.name)
	}
	return want
}

func TestScanICRecordFilterHyperVHost(t *testing.T) {
	// 2000 records fill 15 chunks, each with the Hyper-V prefix: the chunk
	// filter passes them all and the record filter does the skipping
	// (minSkips is given for 4000 records and scaled).
	n := 2000
	if raceEnabled {
		n = 1000 // the full decodes are slow under -race
	}
	b := hyperVHostLog(t, n)
	full := decodeLog(t, b)
	selections := []struct {
		name     string
		sel      []EventKey
		events   int
		minSkips int // records the filter must skip, at least
	}{
		{"kb's catalogue", catalogue(), 6, 3900},
		{"no selection: every VmSwitch record", nil, 0, 2000},
		{"VmSwitch 232 selected too", append(catalogue(), EventKey{Provider: "Microsoft-Windows-Hyper-V-VmSwitch", ID: 232}), 7, 3000},
		{"a prefix selection", []EventKey{{Provider: "microsoft-windows-hyper-v-", Prefix: true, ID: 27}}, 1, 3900},
	}
	for _, s := range selections {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			got := checkRecordFilter(t, b, full, s.sel)
			assert.GreaterOrEqual(t, len(got), s.events)
			skipped, plain := skipCount(t, b, s.sel)
			assert.GreaterOrEqual(t, skipped, s.minSkips*n/4000)
			assert.Positive(t, plain)
		})
	}
}

// TestScanICRecordFilterDamaged damages the Hyper-V host log: a damaged
// chunk is not plain and is decoded fully, so the problems are the full
// decode's.
func TestScanICRecordFilterDamaged(t *testing.T) {
	tests := []struct {
		name   string
		damage func(b []byte) ([]byte, error)
	}{
		{"record data", func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptRecordData(b, 1, 5) }},
		{"record magic", func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptRecordMagic(b, 2, 7) }},
		{"chunk data CRC", func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptChunkCRC(b, 1) }},
		{"truncated", func(b []byte) ([]byte, error) { return evtxwriter.Truncate(b, len(b)-30000), nil }},
	}
	// 600 records fill 5 chunks: the damage is in chunks 1 and 2, the
	// truncation inside the last one.
	clean := hyperVHostLog(t, 600)
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if raceEnabled && i > 0 {
				t.Skip("one damaged case under -race")
			}
			t.Parallel()
			b, err := tc.damage(append([]byte(nil), clean...))
			require.NoError(t, err)
			full := decodeLog(t, b)
			checkRecordFilter(t, b, full, catalogue())
			checkRecordFilter(t, b, full, nil)
		})
	}
}

// TestPlainChunkRefuses lists what makes the pre-pass decode a chunk fully.
func TestPlainChunkRefuses(t *testing.T) {
	b := hyperVHostLog(t, 300)
	f, err := FromBytes(b, nil)
	require.NoError(t, err)
	c := append([]byte(nil), b[fileHeaderBlock:fileHeaderBlock+chunkSize]...)
	d := newDecoder(f)
	d.keys = catalogue()
	d.startChunk(0, fileHeaderBlock, c)
	require.NotEmpty(t, d.plainChunk(c), "the clean chunk is light-read")
	tests := []struct {
		name string
		edit func(c []byte) []byte
		opts *Options
	}{
		{"cut chunk", func(c []byte) []byte { return c[:chunkSize-1] }, nil},
		{"bad record magic", func(c []byte) []byte { c[chunkHeaderSize] = 0; return c }, nil},
		{"free space offset in a record", func(c []byte) []byte { c[48]++; return c }, nil},
		{"small chunk budget", func(c []byte) []byte { return c }, &Options{MaxChunkWork: DefaultMaxChunkWork - 1}},
		{"few records allowed", func(c []byte) []byte { return c }, &Options{MaxRecordsPerChunk: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := FromBytes(b, tc.opts)
			require.NoError(t, err)
			d := newDecoder(f)
			d.keys = catalogue()
			cc := tc.edit(append([]byte(nil), c...))
			d.startChunk(0, fileHeaderBlock, cc)
			assert.Nil(t, d.plainChunk(cc))
		})
	}
}

// FuzzPeekRecord compares, on arbitrary chunks, the light reader's
// provider names and event IDs of each record with golang-evtx's decode of
// the same record (records decoded in order, as a Records pass does):
// whenever both read a record, the decoded provider is one the light
// reader gave, and so is the event ID when it gave any; and a record it
// says no selection can match is not returned by ExtractICFor.
func FuzzPeekRecord(f *testing.F) {
	for _, c := range fuzzChunkSeeds(f) {
		f.Add(c)
	}
	f.Add(cutChunk(hyperVHostLog(f, 60)))
	b, err := benchgen.Bytes(benchgen.Options{Records: 0, IC: []int{0, 1, 2, 3, 4}, Seed: 2})
	require.NoError(f, err)
	f.Add(cutChunk(b))
	sels := [][]EventKey{nil, catalogueOnce()}
	f.Fuzz(func(t *testing.T, chunk []byte) {
		logged := quietLog(t)
		data := fuzzChunk(chunk)
		file, err := FromBytes(data, fuzzOpts())
		if err != nil {
			return
		}
		c := data[fileHeaderBlock:]
		d := newDecoder(file)
		d.startChunk(0, fileHeaderBlock, c)
		p := peeker{data: c, defs: map[int]*peekDef{}}
		for pos := chunkHeaderSize; ; {
			size, ok := recordAt(c, pos)
			if !ok {
				break
			}
			info, light := p.record(&d.v, pos+recordHeader, pos+size)
			rec, err := d.decode(pos, size)
			if light && err == nil {
				require.Contains(t, info.providers, rec.Provider)
				if info.ids != nil {
					require.Contains(t, info.ids, rec.EventID)
				}
				for _, sel := range sels {
					if _, ok := ExtractICFor(rec, sel); ok {
						require.True(t, info.mayBeSelected(sel, nil), "a selected record is never skipped")
					}
				}
			}
			if light {
				require.True(t, slices.Contains(info.providers, ""))
			}
			pos += size
		}
		require.Empty(t, logged.String(), "nothing may be printed")
	})
}
