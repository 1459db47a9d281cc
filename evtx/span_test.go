package evtx

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/internal/benchgen"
	"github.com/hvic/hvic/internal/evtxwriter"
)

// spanRef is what a full decode (Records) says about a log, in Span's terms.
type spanRef struct {
	span Span
	// decodedAt is the number of records attempted (decode errors) before
	// the first record that decoded, -1 when none did.
	decodedAt int
	// minCreated and maxCreated are the extremes of TimeCreated over the
	// decoded records.
	minCreated, maxCreated time.Time
}

// spanReference runs Records on f and derives the expected Span.
func spanReference(t testing.TB, f *File) spanRef {
	t.Helper()
	return spanReferenceFrom(t, f.slots(), passOf(f))
}

// spanReferenceFrom derives the expected Span from a Records pass over a
// log of the given chunk slots.
func spanReferenceFrom(t testing.TB, slots int, pass *recordPass) spanRef {
	t.Helper()
	ref := spanRef{decodedAt: -1}
	failed := 0
	// Span samples the first decodable of the first spanSampleTries
	// records of each sampled chunk: count the decode attempts per chunk.
	sampled := spanSampleSlots(slots)
	tries := map[int]int{}
	got := map[int]bool{}
	// Span then decodes the newest record (the first with the highest
	// identifier Records attempts to decode) and those before it in its
	// chunk: their channels and computers come last.
	type attempt struct {
		chunk   int
		offset  int64
		id      uint64
		rec     Record
		decoded bool
	}
	var attempts []attempt
	newest := -1
	for _, it := range pass.items {
		r, err := it.rec, it.err
		if err != nil {
			var fe *FormatError
			require.ErrorAs(t, err, &fe)
			if errors.Is(err, ErrDecode) {
				failed++
				tries[fe.Chunk]++
				attempts = append(attempts, attempt{chunk: fe.Chunk, offset: fe.Offset, id: fe.RecordID})
				if newest < 0 || fe.RecordID > attempts[newest].id {
					newest = len(attempts) - 1
				}
			}
			continue
		}
		attempts = append(attempts, attempt{chunk: r.Chunk, offset: r.Offset, id: r.RecordID, rec: r, decoded: true})
		if newest < 0 || r.RecordID > attempts[newest].id {
			newest = len(attempts) - 1
		}
		take := sampled[r.Chunk] && !got[r.Chunk] && tries[r.Chunk] < spanSampleTries
		tries[r.Chunk]++
		if take {
			got[r.Chunk] = true
		}
		if ref.decodedAt < 0 {
			ref.decodedAt = failed
			if failed < spanProbes {
				ref.span.Decoded = true
				ref.span.Channel, ref.span.Computer = r.Channel, r.Computer
				take = true
			}
		}
		if take {
			ref.span.Channels = appendNew(ref.span.Channels, r.Channel)
			ref.span.Computers = appendNew(ref.span.Computers, r.Computer)
		}
		if !r.TimeCreated.IsZero() {
			if ref.minCreated.IsZero() || r.TimeCreated.Before(ref.minCreated) {
				ref.minCreated = r.TimeCreated
			}
			if r.TimeCreated.After(ref.maxCreated) {
				ref.maxCreated = r.TimeCreated
			}
		}
	}
	if newest >= 0 {
		for _, a := range attempts[:newest+1] {
			if a.decoded && a.chunk == attempts[newest].chunk && a.offset <= attempts[newest].offset {
				ref.span.Channels = appendNew(ref.span.Channels, a.rec.Channel)
				ref.span.Computers = appendNew(ref.span.Computers, a.rec.Computer)
			}
		}
	}
	st := pass.stats
	for _, p := range st.Problems {
		if p.Kind == ProblemRecordFailed && errors.Is(p.Err, ErrCorrupt) && !errors.Is(p.Err, ErrDecode) {
			ref.span.Damaged++
		}
	}
	ref.span.Records = st.RecordsAttempted - ref.span.Damaged
	ref.span.ChunksParsed = st.ChunksParsed
	ref.span.ChunksSkipped = st.ChunksSkipped
	return ref
}

// checkSpan compares Span, from memory and through an io.ReaderAt, with the
// full decode. With sameTimes (logs whose header time is TimeCreated) it
// also compares First/Last with the extremes of TimeCreated. It returns the
// Span.
func checkSpan(t *testing.T, b []byte, sameTimes bool) Span {
	t.Helper()
	return checkSpanWith(t, b, nil, sameTimes)
}

// checkSpanWith is checkSpan with the Records pass over b given (nil: run
// here, on the File Span then reads, so that Span also meets a File whose
// Stats are a full pass's).
func checkSpanWith(t *testing.T, b []byte, pass *recordPass, sameTimes bool) Span {
	t.Helper()
	f, err := FromBytes(b, &Options{Name: "x.evtx"})
	require.NoError(t, err)
	if pass == nil {
		pass = passOf(f)
	}
	ref := spanReferenceFrom(t, f.slots(), pass)
	before := f.Stats()
	got, err := f.Span(context.Background())
	require.NoError(t, err)
	assert.Equal(t, before, f.Stats(), "Span must not change Stats")
	viaReaderAt, err := NewReader(strings.NewReader(string(b)), int64(len(b)), &Options{Name: "x.evtx"})
	require.NoError(t, err)
	got2, err := viaReaderAt.Span(context.Background())
	require.NoError(t, err)
	assert.Equal(t, got, got2, "from bytes and through io.ReaderAt")

	assert.Equal(t, ref.span.Records, got.Records, "records")
	assert.Equal(t, ref.span.Damaged, got.Damaged, "damaged regions")
	assert.Equal(t, pass.stats.RecordsAttempted, got.Records+got.Damaged, "records + damaged = attempted")
	assert.Equal(t, ref.span.ChunksParsed, got.ChunksParsed, "chunks parsed")
	assert.Equal(t, ref.span.ChunksSkipped, got.ChunksSkipped, "chunks skipped")
	assert.Equal(t, ref.span.Decoded, got.Decoded, "decoded")
	assert.Equal(t, ref.span.Channel, got.Channel, "channel")
	assert.Equal(t, ref.span.Computer, got.Computer, "computer")
	assert.Equal(t, ref.span.Channels, got.Channels, "sampled channels")
	assert.Equal(t, ref.span.Computers, got.Computers, "sampled computers")
	if !got.First.IsZero() {
		assert.False(t, got.Last.Before(got.First), "first <= last")
	}
	if sameTimes {
		assert.True(t, ref.minCreated.Equal(got.First), "first: want %v, got %v", ref.minCreated, got.First)
		assert.True(t, ref.maxCreated.Equal(got.Last), "last: want %v, got %v", ref.maxCreated, got.Last)
	}
	return got
}

// spanCorpus returns the files of testdata/evtx by name.
func spanCorpus(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, pat := range []string{"*/*.evtx", "*/*/*.evtx"} {
		paths, err := filepath.Glob(filepath.Join("..", "testdata", "evtx", pat))
		require.NoError(t, err)
		for _, p := range paths {
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			out[p] = b
		}
	}
	require.NotEmpty(t, out)
	return out
}

func TestSpanCorpus(t *testing.T) {
	var logged bytes.Buffer
	w, flags := log.Writer(), log.Flags()
	log.SetOutput(&logged)
	t.Cleanup(func() { log.SetOutput(w); log.SetFlags(flags) })
	// Cleanups run last first: this check, after every parallel subtest,
	// before the logger is restored.
	t.Cleanup(func() { assert.Empty(t, logged.String(), "nothing printed") })
	t.Cleanup(corpusPasses.Clear) // the last test to use the passes
	for name, b := range spanCorpus(t) {
		t.Run(filepath.Base(name), func(t *testing.T) {
			t.Parallel()
			// Real logs: the header's written time and TimeCreated are
			// both recorded by Windows and may differ; only the counts,
			// channel and computer must agree. The full decode is the one
			// TestScanICCorpus made, if it ran.
			s := checkSpanWith(t, b, corpusPass(t, name, b), false)
			assert.Positive(t, s.Records)
		})
	}
}

// spanEvent is a writer event of record i: layouts, providers, channels and
// times vary; times are not in record order, so First/Last are real min/max.
func spanEvent(i int, rnd *rand.Rand) evtxwriter.Event {
	base := time.Date(2015, 6, 7, 8, 9, 10, 123456700, time.UTC)
	layouts := []evtxwriter.Layout{evtxwriter.Manifest, evtxwriter.Classic, evtxwriter.UserData}
	e := evtxwriter.Event{
		Provider: "Service Control Manager", ProviderGUID: "{555908d1-a6d7-4695-8e1e-26931d2012f4}",
		EventID: uint16(7036 + i%3), Level: 4, Time: base.Add(time.Duration(rnd.Int63n(int64(48 * time.Hour)))),
		Channel: "System", Computer: "HV01.example.test",
		Data:   []evtxwriter.Field{{Name: "param1", Value: fmt.Sprintf("service %d", i)}, {Name: "param2", Value: "running"}},
		Layout: layouts[i%len(layouts)],
	}
	if e.Layout == evtxwriter.Classic {
		e.Provider, e.EventID, e.HasQualifiers, e.Qualifiers = "storvsp", 6, true, 32768
	}
	return e
}

// spanLog writes n spanEvents with the given options.
func spanLog(t *testing.T, n int, opts evtxwriter.Options, seed int64) []byte {
	t.Helper()
	rnd := rand.New(rand.NewSource(seed))
	w := evtxwriter.New(opts)
	for i := 0; i < n; i++ {
		require.NoError(t, w.Add(spanEvent(i, rnd)))
	}
	b, err := w.Bytes()
	require.NoError(t, err)
	return b
}

func TestSpanGenerated(t *testing.T) {
	// 1000 records fill 5 chunks: enough for damage in chunks 0, 1, 2 and
	// the last, and for cuts inside the last chunk and chunk 1's header.
	manyChunks := spanLog(t, 1000, evtxwriter.Options{}, 1)
	f, err := FromBytes(manyChunks, nil)
	require.NoError(t, err)
	require.Greater(t, f.slots(), 3, "the test needs several chunks")
	damage := func(b []byte, hurt func([]byte) error) []byte {
		c := append([]byte(nil), b...)
		require.NoError(t, hurt(c))
		return c
	}
	// A log whose first records cannot be decoded: Span must probe on.
	firstBad := damage(manyChunks, func(b []byte) error {
		for r := 0; r < 3; r++ {
			if err := evtxwriter.CorruptRecordData(b, 0, r); err != nil {
				return err
			}
		}
		return nil
	})
	// More undecodable records than spanProbes before the first good one.
	noProbe := damage(manyChunks, func(b []byte) error {
		for r := 0; r < spanProbes+2; r++ {
			if err := evtxwriter.CorruptRecordData(b, 0, r); err != nil {
				return err
			}
		}
		return nil
	})
	// A zeroed run across a record's end (Record.Partial when the System
	// part survives, else a failed record) and the next record's start.
	zeroAcross := func(chunk, rec, tail int) []byte {
		return damage(manyChunks, func(b []byte) error {
			if tail < 0 {
				off, err := evtxwriter.RecordOffset(b, chunk, rec)
				if err != nil {
					return err
				}
				tail = int(binary.LittleEndian.Uint32(b[off+4:])) - recordHeader
			}
			return evtxwriter.ZeroAcross(b, chunk, rec, tail, tail+40)
		})
	}
	lastChunk := f.slots() - 1
	lastRec := 0
	for {
		if _, err := evtxwriter.RecordOffset(manyChunks, lastChunk, lastRec+1); err != nil {
			break
		}
		lastRec++
	}
	tests := []struct {
		name        string
		b           []byte
		wantDecoded bool
	}{
		{"one record", spanLog(t, 1, evtxwriter.Options{}, 2), true},
		{"record end zeroed", zeroAcross(1, 5, 12), true},
		{"record body zeroed", zeroAcross(1, 5, -1), true},
		{"first record end zeroed", zeroAcross(0, 0, 12), true},
		{"newest record end zeroed", zeroAcross(lastChunk, lastRec, 12), true},
		{"many chunks", manyChunks, true},
		{"dirty, open last chunk, trailing empty slots", spanLog(t, 700, evtxwriter.Options{Dirty: true, OpenLastChunk: true, TrailingEmptyChunks: 2}, 3), true},
		{"few records per chunk", spanLog(t, 200, evtxwriter.Options{MaxRecordsPerChunk: 7}, 4), true},
		{"record magic damaged", damage(manyChunks, func(b []byte) error { return evtxwriter.CorruptRecordMagic(b, 1, 5) }), true},
		{"record data damaged", damage(manyChunks, func(b []byte) error { return evtxwriter.CorruptRecordData(b, 2, 0) }), true},
		{"chunk magic damaged", damage(manyChunks, func(b []byte) error { return evtxwriter.CorruptChunkMagic(b, 1) }), true},
		{"first chunk magic damaged", damage(manyChunks, func(b []byte) error { return evtxwriter.CorruptChunkMagic(b, 0) }), true},
		{"checksums damaged", damage(manyChunks, func(b []byte) error { return evtxwriter.CorruptChunkCRC(b, 0) }), true},
		{"first records undecodable", firstBad, true},
		{"more undecodable records than probes", noProbe, false},
		{"truncated inside a chunk", evtxwriter.Truncate(append([]byte(nil), manyChunks...), len(manyChunks)-40000), true},
		{"truncated inside a chunk header", evtxwriter.Truncate(append([]byte(nil), manyChunks...), 4096+65536+300), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := checkSpan(t, tc.b, true)
			assert.Equal(t, tc.wantDecoded, s.Decoded)
			if tc.wantDecoded {
				assert.Equal(t, "System", s.Channel)
				assert.Equal(t, "HV01.example.test", s.Computer)
			}
		})
	}
}

func TestSpanBenchgen(t *testing.T) {
	// The realistic generated System log of the benchmarks (many providers,
	// IC records spread over chunks), smaller.
	b, err := benchgen.Bytes(benchgen.Options{Records: 4000, IC: benchgen.Spread(6, 4000), Seed: 7})
	require.NoError(t, err)
	s := checkSpan(t, b, true)
	assert.Equal(t, 4000, s.Records)
	assert.Zero(t, s.Damaged)
}

func TestSpanRecordLimit(t *testing.T) {
	b := spanLog(t, 600, evtxwriter.Options{}, 5)
	for _, limit := range []int{1, 5, 100} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			f, err := FromBytes(b, &Options{MaxRecordsPerChunk: limit})
			require.NoError(t, err)
			ref := spanReference(t, f)
			got, err := f.Span(context.Background())
			require.NoError(t, err)
			// The writer's header time is TimeCreated, and only the
			// decoded records (those under the limit) give times.
			ref.span.First, ref.span.Last = ref.minCreated, ref.maxCreated
			assert.Equal(t, ref.span, got)
			assert.Equal(t, 600, got.Records, "records beyond the limit still count")
		})
	}
}

func TestSpanEmptyAndCancel(t *testing.T) {
	b := spanLog(t, 400, evtxwriter.Options{}, 6)
	f, err := FromBytes(b, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s, err := f.Span(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, s.Records, "no chunk read after cancellation")

	// A header-only file holds no chunk slot.
	empty, err := FromBytes(b[:fileHeaderBlock], nil)
	require.NoError(t, err)
	s, err = empty.Span(context.Background())
	require.NoError(t, err)
	assert.Equal(t, Span{}, s)
}

func TestSpanReadError(t *testing.T) {
	b := spanLog(t, 600, evtxwriter.Options{}, 8)
	f, err := FromBytes(b, nil)
	require.NoError(t, err)
	full, err := f.Span(context.Background())
	require.NoError(t, err)
	// Reads of the second chunk slot fail: that slot is skipped, as
	// Records skips it.
	bad := spanFailingReader{data: b, from: fileHeaderBlock + chunkSize}
	g, err := NewReader(bad, int64(len(b)), nil)
	require.NoError(t, err)
	ref := spanReference(t, g)
	got, err := g.Span(context.Background())
	require.NoError(t, err)
	assert.Equal(t, ref.span.Records, got.Records)
	assert.Equal(t, 1, got.ChunksSkipped)
	assert.Equal(t, ref.span.ChunksSkipped, got.ChunksSkipped)
	assert.Less(t, got.Records, full.Records)
}

// spanFailingReader fails every read that reaches offset from.
type spanFailingReader struct {
	data []byte
	from int64
}

func (r spanFailingReader) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > r.from && off < r.from+chunkSize {
		return 0, errors.New("disk error")
	}
	return bytesReaderAt(r.data).ReadAt(p, off)
}

// FuzzSpan checks on arbitrary input that Span agrees with the full decode
// (counts, channel, computer, first <= last) without panicking or printing.
func FuzzSpan(f *testing.F) {
	// Seeds: fuzzFileSeeds (a file header and a chunk prefix each) and two
	// small generated logs; inputs are cut to two chunk slots and read with
	// the small limits of fuzzOpts.
	const maxLen = fileHeaderBlock + 2*chunkSize
	for _, b := range fuzzFileSeeds(f) {
		f.Add(b)
	}
	for _, o := range []benchgen.Options{{Records: 30, IC: []int{0, 29}, Seed: 1}, {Records: 300, Seed: 2}} {
		b, err := benchgen.Bytes(o)
		require.NoError(f, err)
		f.Add(b[:min(len(b), maxLen)])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxLen {
			data = data[:maxLen]
		}
		var logged bytes.Buffer
		w, flags := log.Writer(), log.Flags()
		log.SetOutput(&logged)
		defer func() { log.SetOutput(w); log.SetFlags(flags) }()
		ef, err := FromBytes(data, fuzzOpts())
		if err != nil {
			var fe *FormatError
			require.ErrorAs(t, err, &fe)
			return
		}
		ref := spanReference(t, ef)
		got, err := ef.Span(context.Background())
		require.NoError(t, err)
		require.Equal(t, ref.span.Records, got.Records)
		require.Equal(t, ref.span.Damaged, got.Damaged)
		require.Equal(t, ref.span.ChunksParsed, got.ChunksParsed)
		require.Equal(t, ref.span.ChunksSkipped, got.ChunksSkipped)
		require.Equal(t, ref.span.Decoded, got.Decoded)
		require.Equal(t, ref.span.Channel, got.Channel)
		require.Equal(t, ref.span.Computer, got.Computer)
		require.Equal(t, ref.span.Channels, got.Channels)
		require.Equal(t, ref.span.Computers, got.Computers)
		if !got.First.IsZero() {
			require.False(t, got.Last.Before(got.First))
		}
		require.Empty(t, logged.String())
	})
}

// ExampleFile_Span summarises a generated System log without decoding it.
func ExampleFile_Span() {
	b, err := benchgen.Bytes(benchgen.Options{Records: 3000, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := FromBytes(b, &Options{Name: "System.evtx"})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := f.Span(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Records, "records in", s.ChunksParsed, "chunks; channel", s.Channel)
	fmt.Println("decoded a record:", s.Decoded, "; time covered:", s.Last.Sub(s.First) > 0)
	fmt.Println("sampled channels:", s.Channels, "computers:", s.Computers, "mixed:", s.Mixed())
	// Output:
	// 3000 records in 23 chunks; channel System
	// decoded a record: true ; time covered: true
	// sampled channels: [System] computers: [HV01.corp.example] mixed: false
}

func TestSpanSampleSlots(t *testing.T) {
	tests := []struct {
		slots int
		want  []int
	}{
		{0, nil},
		{1, []int{0}},
		{3, []int{0, 1, 2}},
		{spanSamples, nil}, // every slot: checked below
		{1000, nil},        // spanSamples slots from 0 to 999: checked below
	}
	for _, tc := range tests {
		got := spanSampleSlots(tc.slots)
		assert.Len(t, got, min(tc.slots, spanSamples), "slots %d", tc.slots)
		for _, i := range tc.want {
			assert.True(t, got[i], "slots %d: slot %d sampled", tc.slots, i)
		}
		if tc.slots > 0 {
			assert.True(t, got[0] && got[tc.slots-1], "slots %d: first and last sampled", tc.slots)
		}
		for i := range got {
			assert.True(t, i >= 0 && i < tc.slots, "slots %d: slot %d in range", tc.slots, i)
		}
	}
}

func TestSpanMixed(t *testing.T) {
	// write returns a log of n records, 10 a chunk, whose channel and
	// computer are chosen per record.
	write := func(n int, channel, computer func(i int) string) []byte {
		rnd := rand.New(rand.NewSource(9))
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
	tests := []struct {
		name                string
		b                   []byte
		channels, computers []string
	}{
		{"pure", write(300, func(int) string { return sys }, func(int) string { return "HV01" }), []string{sys}, []string{"HV01"}},
		{"host renamed halfway", write(300, func(int) string { return sys }, func(i int) string {
			if i < 150 {
				return "HV01"
			}
			return "HV01-NEW"
		}), []string{sys}, []string{"HV01", "HV01-NEW"}},
		// Renamed inside the newest chunk: the newest record and those
		// before it in its chunk are decoded.
		{"host renamed in the last chunk", write(95, func(int) string { return sys }, func(i int) string {
			if i < 93 {
				return "HV01"
			}
			return "HV01-NEW"
		}), []string{sys}, []string{"HV01", "HV01-NEW"}},
		{"forwarded: channel per chunk", write(300, func(i int) string {
			if (i/10)%2 == 1 {
				return integ
			}
			return sys
		}, func(int) string { return "HV01" }), []string{sys, integ}, []string{"HV01"}},
		// A first record of another channel (a generated System log that
		// starts with an Integration record) is seen as mixed too.
		{"first record differs", write(300, func(i int) string {
			if i == 0 {
				return integ
			}
			return sys
		}, func(int) string { return "HV01" }), []string{integ, sys}, []string{"HV01"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := checkSpan(t, tc.b, true)
			assert.Equal(t, tc.channels, s.Channels)
			assert.Equal(t, tc.computers, s.Computers)
			assert.Equal(t, len(tc.channels) > 1 || len(tc.computers) > 1, s.Mixed())
		})
	}
}
