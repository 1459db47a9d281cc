package evtx

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/internal/benchgen"
	"github.com/hvic/hvic/internal/evtxwriter"
)

// fullIC is the reference: Records followed by ExtractIC, with the Stats of
// the pass.
func fullIC(t testing.TB, f *File) ([]ICEvent, Stats) {
	t.Helper()
	return fullICFor(t, f, nil)
}

// fullICFor is fullIC with ExtractICFor and a selection.
func fullICFor(t testing.TB, f *File, sel []EventKey) ([]ICEvent, Stats) {
	t.Helper()
	return passOf(f).icFor(t, sel)
}

// recordPass is what one Records pass over a File yields, in order, and
// the File's Stats after it.
type recordPass struct {
	items []passItem
	stats Stats
}

type passItem struct {
	rec Record
	err error
}

// passOf runs Records on f.
func passOf(f *File) *recordPass {
	p := &recordPass{}
	for r, err := range f.Records(context.Background()) {
		p.items = append(p.items, passItem{r, err})
	}
	p.stats = f.Stats()
	return p
}

// icFor is fullICFor on the pass: every error a *FormatError, the IC
// events of the records ExtractICFor selects.
func (p *recordPass) icFor(t testing.TB, sel []EventKey) ([]ICEvent, Stats) {
	t.Helper()
	var evs []ICEvent
	for _, it := range p.items {
		if it.err != nil {
			var fe *FormatError
			require.ErrorAs(t, it.err, &fe)
			continue
		}
		if ev, ok := ExtractICFor(it.rec, sel); ok {
			evs = append(evs, ev)
		}
	}
	return evs, p.stats
}

// corpusPasses holds one Records pass per corpus file, shared by
// TestScanICCorpus and TestSpanCorpus (which clears it): the corpus is
// decoded once for both references.
var corpusPasses sync.Map // path -> func() *recordPass

// corpusPass returns the Records pass over corpus file path (contents b),
// decoding it on first use.
func corpusPass(t testing.TB, path string, b []byte) *recordPass {
	t.Helper()
	v, _ := corpusPasses.LoadOrStore(path, sync.OnceValues(func() (*recordPass, error) {
		f, err := FromBytes(b, &Options{Name: "x.evtx"})
		if err != nil {
			return nil, err
		}
		return passOf(f), nil
	}))
	p, err := v.(func() (*recordPass, error))()
	require.NoError(t, err)
	return p
}

// problemKey is what two problems must share to be the same.
type problemKey struct {
	Kind     ProblemKind
	Chunk    int
	Offset   int64
	RecordID uint64
	Lost     int
	Err      string
}

func keys(ps []Problem) []problemKey {
	out := make([]problemKey, 0, len(ps))
	for _, p := range ps {
		out = append(out, problemKey{p.Kind, p.Chunk, p.Offset, p.RecordID, p.Lost, p.Err.Error()})
	}
	return out
}

// filteredChunks recomputes which slots the fast path may skip: complete
// chunks with the signature whose bytes hold no relevant name.
func filteredChunks(b []byte) map[int]bool {
	return filteredChunksBy(b, icFilter)
}

// filteredChunksBy is filteredChunks with a given filter (nil: none).
func filteredChunksBy(b []byte, nf *nameFilter) map[int]bool {
	out := map[int]bool{}
	if nf == nil {
		return out
	}
	for i, off := 0, int64(fileHeaderBlock); int64(len(b))-off >= chunkSize; i, off = i+1, off+chunkSize {
		c := b[off : off+chunkSize]
		if string(c[:8]) == string(chunkMagic) && !nf.mayHold(c) {
			out[i] = true
		}
	}
	return out
}

// scanConfigs are the worker layouts every equivalence test runs.
var scanConfigs = []struct {
	name string
	opts *ScanOptions
}{
	{"defaults", nil},
	{"one worker, one chunk a batch", &ScanOptions{Workers: 1, BatchChunks: 1, InFlight: 1}},
	{"three workers, odd batches", &ScanOptions{Workers: 3, BatchChunks: 3, InFlight: 4}},
}

// checkEquivalent runs ScanIC on b in several worker layouts, from memory
// and through an io.ReaderAt, and compares it with the full decode. With
// thorough it also checks ScanIC with DecodeAll and ParallelRecords (each a
// full decode: kept to the smaller inputs so that go test stays fast).
func checkEquivalent(t *testing.T, b []byte, thorough bool) []ICEvent {
	t.Helper()
	return checkEquivalentWith(t, b, nil, thorough)
}

// checkEquivalentWith is checkEquivalent with the full decode of b given
// (nil: decoded here).
func checkEquivalentWith(t *testing.T, b []byte, ref *recordPass, thorough bool) []ICEvent {
	t.Helper()
	f, err := FromBytes(b, &Options{Name: "x.evtx"})
	require.NoError(t, err)
	if ref == nil {
		ref = passOf(f)
	}
	want, full := ref.icFor(t, nil)
	skip := filteredChunks(b)
	var wantProblems []Problem
	for _, p := range full.Problems {
		if p.Chunk >= 0 && skip[p.Chunk] && p.Kind != ProblemChunkHeaderCRC && p.Kind != ProblemChunkDataCRC {
			continue
		}
		wantProblems = append(wantProblems, p)
	}
	viaReaderAt, err := NewReader(strings.NewReader(string(b)), int64(len(b)), &Options{Name: "x.evtx"})
	require.NoError(t, err)
	runs := []struct {
		name string
		f    *File
		opts *ScanOptions
	}{
		{"readerAt defaults", viaReaderAt, nil},
	}
	for _, sc := range scanConfigs {
		runs = append(runs, struct {
			name string
			f    *File
			opts *ScanOptions
		}{"bytes " + sc.name, f, sc.opts})
	}
	for _, r := range runs {
		got, st, err := r.f.ScanIC(context.Background(), r.opts)
		require.NoError(t, err)
		assert.Equal(t, want, got, "%s: events", r.name)
		assert.Equal(t, keys(wantProblems), keys(st.Problems), "%s: problems", r.name)
		assert.Equal(t, full.ChunkSlots, st.ChunkSlots)
		assert.Equal(t, full.ChunksPresent, st.ChunksPresent)
		assert.Equal(t, full.ChunksParsed, st.ChunksDecoded+st.ChunksFiltered, "%s: parsed = decoded + filtered", r.name)
		assert.Equal(t, len(skip), st.ChunksFiltered)
		assert.Equal(t, full.ChunksSkipped, st.ChunksSkipped)
		assert.Equal(t, full.ChunksEmpty, st.ChunksEmpty)
		assert.LessOrEqual(t, st.BytesRead, int64(len(b)))
	}
	if !thorough {
		return want
	}
	got, st, err := f.ScanIC(context.Background(), &ScanOptions{Workers: 3, BatchChunks: 2, DecodeAll: true})
	require.NoError(t, err)
	assert.Equal(t, want, got, "DecodeAll events")
	assert.Equal(t, keys(full.Problems), keys(st.Problems), "DecodeAll problems")
	assert.Equal(t, full.RecordsDecoded, st.RecordsDecoded)
	assert.Equal(t, full.RecordsRecovered, st.RecordsRecovered)
	assert.Equal(t, full.RecordsFailed, st.RecordsFailed)
	assert.Equal(t, full.ChunksParsed, st.ChunksDecoded)
	checkParallelRecords(t, b)
	return want
}

// checkParallelRecords compares ParallelRecords with Records: the same
// records and errors in order, and the same Stats.
func checkParallelRecords(t *testing.T, b []byte) {
	t.Helper()
	f, err := FromBytes(b, nil)
	require.NoError(t, err)
	type res struct {
		rec Record
		err string
	}
	collect := func(seq func(func(Record, error) bool)) []res {
		var out []res
		for r, err := range seq {
			e := ""
			if err != nil {
				e = err.Error()
			}
			out = append(out, res{r, e})
		}
		return out
	}
	want := collect(f.Records(context.Background()))
	wantStats := f.Stats()
	for _, sc := range scanConfigs[2:] {
		got := collect(f.ParallelRecords(context.Background(), sc.opts))
		require.Equal(t, len(want), len(got), sc.name)
		assert.Equal(t, want, got, sc.name)
		gs := f.Stats()
		assert.Equal(t, keys(wantStats.Problems), keys(gs.Problems), sc.name)
		ws := wantStats
		ws.Problems, gs.Problems = nil, nil
		assert.Equal(t, ws, gs, sc.name)
	}
}

func TestScanICCorpus(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "evtx", "*", "*.evtx"))
	require.NoError(t, err)
	deeper, err := filepath.Glob(filepath.Join("..", "testdata", "evtx", "*", "*", "*.evtx"))
	require.NoError(t, err)
	paths = append(paths, deeper...)
	require.NotEmpty(t, paths)
	for _, p := range paths {
		t.Run(filepath.Base(filepath.Dir(p))+"/"+filepath.Base(p), func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			if raceEnabled && len(b) > 70000 {
				t.Skip("large corpus files are checked without -race")
			}
			checkEquivalentWith(t, b, corpusPass(t, p, b), len(b) <= 70000)
		})
	}
}

func layoutPtr(l evtxwriter.Layout) *evtxwriter.Layout { return &l }

func TestScanICGenerated(t *testing.T) {
	const noise = 600 // about 300 KiB, 5 chunks
	layouts := []struct {
		name   string
		layout *evtxwriter.Layout
	}{
		{"native", nil},
		{"manifest", layoutPtr(evtxwriter.Manifest)},
		{"classic", layoutPtr(evtxwriter.Classic)},
		{"userdata", layoutPtr(evtxwriter.UserData)},
	}
	places := []struct {
		name    string
		records int
		ic      []int
	}{
		{"alone", 0, []int{0}},
		{"five alone", 0, []int{0, 1, 2, 3, 4}},
		{"first chunk", noise, []int{0}},
		{"last chunk", noise, []int{noise}},
		{"middle chunk", noise, []int{noise / 2}},
		{"first, middle and last", noise, benchgen.Spread(3, noise+1)},
		{"spread", noise, benchgen.Spread(10, noise)},
	}
	for _, l := range layouts {
		for _, pl := range places {
			t.Run(l.name+"/"+pl.name, func(t *testing.T) {
				// Among noise the layout changes only the IC records: the
				// native layout is checked in every place, the forced ones
				// alone and in one place among noise (every place with
				// -long; none among noise under -race).
				if l.layout != nil && pl.records > 0 {
					if raceEnabled {
						t.Skip("forced layouts among noise are checked without -race")
					}
					if !*long && pl.name != "first, middle and last" {
						t.Skip("forced layouts among noise: every place with -long")
					}
				}
				t.Parallel()
				b, locs, icIdx, err := benchgen.Generate(benchgen.Options{Records: pl.records, IC: pl.ic, Seed: 7, Layout: l.layout})
				require.NoError(t, err)
				got := checkEquivalent(t, b, false)
				require.Len(t, got, len(icIdx), "every IC record is found")
				for k, i := range icIdx {
					assert.Equal(t, locs[i].RecordID, got[k].RecordID)
					assert.Equal(t, locs[i].Chunk, got[k].Chunk)
				}
				if pl.records > 0 {
					chunks := map[int]bool{}
					for _, i := range icIdx {
						chunks[locs[i].Chunk] = true
					}
					f, err := FromBytes(b, nil)
					require.NoError(t, err)
					_, st, err := f.ScanIC(context.Background(), nil)
					require.NoError(t, err)
					assert.Equal(t, len(chunks), st.ChunksDecoded, "only the chunks with IC records are decoded")
				}
			})
		}
	}
}

func TestScanICNoRelevant(t *testing.T) {
	b, err := benchgen.Bytes(benchgen.Options{Records: 1500, Seed: 9})
	require.NoError(t, err)
	got := checkEquivalent(t, b, false)
	assert.Empty(t, got)
	f, err := FromBytes(b, nil)
	require.NoError(t, err)
	_, st, err := f.ScanIC(context.Background(), nil)
	require.NoError(t, err)
	assert.Zero(t, st.ChunksDecoded)
	assert.Equal(t, st.ChunksPresent, st.ChunksFiltered)
	assert.Equal(t, int64(len(b)-fileHeaderBlock), st.BytesRead)
}

// TestScanICDamaged damages logs the way real logs are damaged, in chunks
// with and without IC records, and with the writer's dirty and
// preallocated shapes.
func TestScanICDamaged(t *testing.T) {
	const noise = 500
	ic := []int{0, noise / 2, noise}
	tests := []struct {
		name   string
		wopts  evtxwriter.Options
		damage func(b []byte) ([]byte, error)
	}{
		{"dirty, open last chunk, preallocated", evtxwriter.Options{Dirty: true, OpenLastChunk: true, TrailingEmptyChunks: 3}, nil},
		{"record data in the IC chunk", evtxwriter.Options{}, func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptRecordData(b, 0, 0) }},
		{"record data in a noise chunk", evtxwriter.Options{}, func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptRecordData(b, 2, 3) }},
		{"record magic in the IC chunk", evtxwriter.Options{}, func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptRecordMagic(b, 0, 1) }},
		{"chunk magic of the IC chunk", evtxwriter.Options{}, func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptChunkMagic(b, 0) }},
		{"chunk magic of a noise chunk", evtxwriter.Options{}, func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptChunkMagic(b, 2) }},
		{"data CRC of a noise chunk", evtxwriter.Options{}, func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptChunkCRC(b, 1) }},
		{"header CRC of a noise chunk", evtxwriter.Options{}, func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptChunkHeaderCRC(b, 2) }},
		{"file header CRC", evtxwriter.Options{}, func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptFileHeaderCRC(b) }},
		{"truncated inside the last chunk", evtxwriter.Options{}, func(b []byte) ([]byte, error) { return evtxwriter.Truncate(b, len(b)-20000), nil }},
		{"truncated inside a chunk header", evtxwriter.Options{}, func(b []byte) ([]byte, error) {
			return evtxwriter.Truncate(b, fileHeaderBlock+2*chunkSize+100), nil
		}},
		{"no file header", evtxwriter.Options{}, func(b []byte) ([]byte, error) { copy(b, make([]byte, 8)); return b, nil }},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, _, _, err := benchgen.Generate(benchgen.Options{Records: noise, IC: ic, Seed: 11, Writer: tc.wopts})
			require.NoError(t, err)
			if tc.damage != nil {
				b, err = tc.damage(b)
				require.NoError(t, err)
			}
			// The full-decode comparisons (DecodeAll, ParallelRecords) run
			// on every case with -long, on every third case otherwise (the
			// dirty log, record magic in the IC chunk, a noise chunk's data
			// CRC, a cut inside the last chunk), on the first under -race.
			checkEquivalent(t, b, i == 0 || exhaustive() || !raceEnabled && i%3 == 0)
		})
	}
}

// TestScanICCaseVariants writes IC records whose provider names differ in
// letter case, including U+017F (long s), which strings.EqualFold (and so
// ExtractIC) equates with "s".
func TestScanICCaseVariants(t *testing.T) {
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	vm := []evtxwriter.Field{{Name: "VMName", Value: "vm1"}, {Name: "VMId", Value: "5e0b5b3a-1b2c-4d3e-8f90-abcdef012345"},
		{Name: "ServerVersion", Value: "4.0"}, {Name: "ClientVersion", Value: "3.2"}}
	classic := []evtxwriter.Field{{Value: "x"}, {Value: "vm1"}, {Value: "5e0b5b3a-1b2c-4d3e-8f90-abcdef012345"}, {Value: "5.1"}, {Value: "4.2"}}
	tests := []struct {
		provider string
		id       uint16
		layout   evtxwriter.Layout
		data     []evtxwriter.Field
		ic       bool // ExtractIC recognises it
	}{
		{"MICROSOFT-WINDOWS-HYPER-V-VMSWITCH", 27, evtxwriter.Manifest, vm, true},
		{"microsoft-windows-hyper-v-vmswitch", 27, evtxwriter.Manifest, vm, true},
		{"Microsoft-Windows-Hyper-v-VmSwitch", 26, evtxwriter.Manifest, vm, true},
		{"Micro\u017foft-Window\u017f-Hyper-V-VmSwitch", 27, evtxwriter.Manifest, vm, true},
		{"vmsmp", 27, evtxwriter.Manifest, vm, true},
		{"VmSmP", 26, evtxwriter.Classic, classic, true},
		{"StorVSP", 6, evtxwriter.Classic, classic, true},
		{"\u017ftorv\u017fp", 6, evtxwriter.Classic, classic, true},
		{"STORVSP", 5, evtxwriter.Classic, classic, true},
		{"MICROSOFT-WINDOWS-HYPER-V-INTEGRATION-HEARTBEAT", 4010, evtxwriter.Manifest, vm, true},
		{"Microsoft-Windows-Hyper-V-StorageVSP", 6, evtxwriter.Manifest, vm, true},
		{"Microsoft-Windows-Hyper-V-Hypervisor", 27, evtxwriter.Manifest, vm, false},
	}
	for _, tc := range tests {
		t.Run(tc.provider, func(t *testing.T) {
			w := evtxwriter.New(evtxwriter.Options{})
			for i := 0; i < 300; i++ {
				e := evtxwriter.Event{Provider: "Service Control Manager", EventID: 7036, Time: at, Channel: "System",
					Data: []evtxwriter.Field{{Name: "param1", Value: "Windows Time"}}}
				if i == 200 {
					e = evtxwriter.Event{Provider: tc.provider, EventID: tc.id, Time: at, Channel: "System", Layout: tc.layout, Data: tc.data}
				}
				require.NoError(t, w.Add(e))
			}
			b, err := w.Bytes()
			require.NoError(t, err)
			got := checkEquivalent(t, b, false)
			if tc.ic {
				require.Len(t, got, 1)
				assert.Equal(t, tc.provider, got[0].Provider)
			} else {
				assert.Empty(t, got)
			}
		})
	}
}

func TestScanICCancel(t *testing.T) {
	b, err := benchgen.Bytes(benchgen.Options{Records: 600, IC: []int{0, 599}, Seed: 4})
	require.NoError(t, err)
	f, err := FromBytes(b, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err = f.ScanIC(ctx, nil)
	require.ErrorIs(t, err, context.Canceled)
	n := 0
	for _, err := range f.ParallelRecords(ctx, nil) {
		require.ErrorIs(t, err, context.Canceled)
		n++
	}
	assert.Equal(t, 1, n, "cancellation is yielded once")

	// Stopping early releases the workers (the race detector and the test's
	// goroutine check would see them otherwise).
	seen := 0
	for _, err := range f.ParallelRecords(context.Background(), &ScanOptions{Workers: 2, BatchChunks: 1}) {
		require.NoError(t, err)
		seen++
		if seen == 3 {
			break
		}
	}
	assert.Equal(t, 3, seen)

	// Cancelled in the middle: the records before, then ctx.Err() once.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	good, bad := 0, 0
	for _, err := range f.ParallelRecords(ctx, &ScanOptions{Workers: 2, BatchChunks: 1}) {
		if err != nil {
			require.ErrorIs(t, err, context.Canceled)
			bad++
			continue
		}
		good++
		if good == 5 {
			cancel()
		}
	}
	assert.Equal(t, 1, bad)
	assert.GreaterOrEqual(t, good, 5)
	assert.Less(t, good, 600)
}

func TestScanOptionsDefaults(t *testing.T) {
	o := (*ScanOptions)(nil).withDefaults()
	assert.Positive(t, o.Workers)
	assert.Equal(t, DefaultBatchChunks, o.BatchChunks)
	assert.Equal(t, 2*o.Workers, o.InFlight)
	o = (&ScanOptions{Workers: 1000, BatchChunks: 1 << 20, InFlight: 1}).withDefaults()
	assert.Equal(t, maxScanWorkers, o.Workers)
	assert.Equal(t, maxBatchChunks, o.BatchChunks)
	assert.Equal(t, maxScanWorkers, o.InFlight, "never fewer batches in flight than workers")
}

// errReaderAt fails every read after the first n bytes.
type errReaderAt struct {
	b []byte
	n int64
}

var errDisk = errors.New("disk error")

func (r errReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= r.n {
		return 0, errDisk
	}
	k := copy(p, r.b[off:min(r.n, int64(len(r.b)))])
	if k < len(p) {
		return k, errDisk
	}
	return k, nil
}

func TestScanICReadError(t *testing.T) {
	b, err := benchgen.Bytes(benchgen.Options{Records: 800, IC: []int{0, 799}, Seed: 6})
	require.NoError(t, err)
	r := errReaderAt{b: b, n: int64(fileHeaderBlock + 2*chunkSize + 1000)}
	f, err := NewReader(r, int64(len(b)), nil)
	require.NoError(t, err)
	want, full := fullIC(t, f)
	got, st, err := f.ScanIC(context.Background(), &ScanOptions{Workers: 2, BatchChunks: 2})
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Len(t, got, 1, "the IC record of the readable first chunk")
	assert.Equal(t, keys(full.Problems), keys(st.Problems), "unreadable slots are reported like the full decode does")
	lost := 0
	for _, p := range st.Problems {
		if strings.Contains(p.Err.Error(), errDisk.Error()) {
			lost++
		}
	}
	assert.Equal(t, st.ChunkSlots-2, lost, "every unreadable slot is a problem")
}

// TestScanICSelection checks ScanIC with ScanOptions.Events against the
// full decode with ExtractICFor: the same events and problems, and only the
// chunks that name a selected provider decoded.
func TestScanICSelection(t *testing.T) {
	b, _, icIdx, err := benchgen.Generate(benchgen.Options{Records: 1200, IC: benchgen.Spread(10, 1200), Seed: 11})
	require.NoError(t, err)
	selections := []struct {
		name string
		sel  []EventKey
		min  int // events expected at least
	}{
		{"catalogue", []EventKey{
			{Provider: "Microsoft-Windows-Hyper-V-Integration", Prefix: true, ID: 4000},
			{Provider: "Microsoft-Windows-Hyper-V-Integration", Prefix: true, ID: 4010},
			{Provider: "Microsoft-Windows-Hyper-V-VmSwitch", ID: 27},
			{Provider: "storvsp", ID: 6},
			{Provider: "Microsoft-Windows-Hyper-V-StorageVSP", ID: 6},
			{Provider: "Microsoft-Windows-Hyper-V-Worker", ID: 23014},
		}, len(icIdx)},
		{"storvsp only", []EventKey{{Provider: "STORVSP", ID: 6}}, 1},
		{"a name without the anchor: no pre-filter", []EventKey{{Provider: "Microsoft-Windows-Kernel-General", ID: 12}, {Provider: "storvsp", ID: 6}}, 1},
		{"empty selection", []EventKey{}, 0},
		{"a name outside the defaults: its own filter", []EventKey{{Provider: "Service Control Manager", ID: 7036}, {Provider: "storvsp", ID: 6}}, 1},
	}
	for _, s := range selections {
		t.Run(s.name, func(t *testing.T) {
			f, err := FromBytes(b, &Options{Name: "x.evtx"})
			require.NoError(t, err)
			want, full := fullICFor(t, f, s.sel)
			assert.GreaterOrEqual(t, len(want), s.min)
			nf := filterFor(s.sel)
			skip := filteredChunksBy(b, nf)
			for _, sc := range scanConfigs {
				o := ScanOptions{Events: s.sel}
				if sc.opts != nil {
					o = *sc.opts
					o.Events = s.sel
				}
				got, st, err := f.ScanIC(context.Background(), &o)
				require.NoError(t, err)
				assert.Equal(t, want, got, sc.name)
				assert.Equal(t, len(skip), st.ChunksFiltered, sc.name)
				assert.Equal(t, full.ChunksParsed, st.ChunksDecoded+st.ChunksFiltered, sc.name)
			}
		})
	}
	assert.Nil(t, filterFor([]EventKey{{Provider: "Microsoft-Windows-Kernel-General", ID: 12}}))
	assert.Nil(t, filterFor([]EventKey{{Provider: "", Prefix: true, ID: 1}}))
	assert.Same(t, icFilter, filterFor(nil))
	assert.Same(t, icFilter, filterFor([]EventKey{{Provider: "STORVSP", ID: 6}, {Provider: "Microsoft-Windows-Hyper-V-Worker", ID: 1}}),
		"names that contain a default name use the default filter")
	nf := filterFor([]EventKey{{Provider: "Vendor-Service", ID: 1}, {Provider: "vendor-service-extra", ID: 2}, {Provider: "Vendor-Service", ID: 3}})
	require.NotNil(t, nf)
	assert.Len(t, nf.pats, 1, "a name containing another one, and a repeated name, are dropped")
	assert.True(t, nf.mayHold(utf16le("xxVENDOR-SERVICE-EXTRAxx")))
	assert.False(t, nf.mayHold(utf16le("storvsp")))
}
