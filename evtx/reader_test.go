package evtx

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/internal/evtxwriter"
)

// genLog writes n manifest events with the test writer.
func genLog(t *testing.T, n int, opts evtxwriter.Options, fields int) []byte {
	t.Helper()
	w := evtxwriter.New(opts)
	base := time.Date(2014, 3, 4, 5, 6, 7, 891234500, time.UTC)
	for i := 0; i < n; i++ {
		data := []evtxwriter.Field{{Name: "VmName", Value: "vm"}, {Name: "VmId", Value: vmGUIDUpper}}
		for k := 0; k < fields; k++ {
			data = append(data, evtxwriter.Field{Name: "F" + strings.Repeat("x", k%5), Value: "v"})
		}
		require.NoError(t, w.Add(evtxwriter.Event{
			Provider: "Microsoft-Windows-Hyper-V-Integration-KvpExchange", ProviderGUID: "{2b74a015-3873-4c56-9928-ea80c58b2787}",
			EventID: 4010, Level: 3, Keywords: 0x8000000000000000, Time: base.Add(time.Duration(i) * time.Second),
			Channel: "Microsoft-Windows-Hyper-V-Integration-Admin", Computer: "HV01", UserSID: "S-1-5-18", Data: data,
		}))
	}
	b, err := w.Bytes()
	require.NoError(t, err)
	return b
}

func collect(t *testing.T, f *File) (recs []Record, errs []error) {
	t.Helper()
	for r, err := range f.Records(context.Background()) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		recs = append(recs, r)
	}
	return recs, errs
}

func TestOpenErrors(t *testing.T) {
	good := genLog(t, 1, evtxwriter.Options{}, 0)
	tests := []struct {
		name string
		data []byte
		opts *Options
		want error
	}{
		{"empty", nil, nil, ErrNotEVTX},
		{"text", []byte("hello, this is not an event log at all"), nil, ErrNotEVTX},
		{"zeros", make([]byte, fileHeaderBlock+chunkSize), nil, ErrNotEVTX},
		{"too large", good, &Options{MaxFileSize: 1000}, ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := FromBytes(tc.data, tc.opts)
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, f)
			var fe *FormatError
			require.ErrorAs(t, err, &fe)
			assert.True(t, strings.HasPrefix(err.Error(), "evtx: "), err.Error())
		})
	}
	_, err := Open(filepath.Join(t.TempDir(), "missing.evtx"), nil)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "evtx: "))
}

func TestRecordFields(t *testing.T) {
	b := genLog(t, 3, evtxwriter.Options{}, 0)
	f, err := FromBytes(b, &Options{Name: "gen.evtx"})
	require.NoError(t, err)
	recs, errs := collect(t, f)
	require.Empty(t, errs)
	require.Len(t, recs, 3)
	r := recs[1]
	assert.Equal(t, "gen.evtx", r.File)
	assert.Equal(t, "Microsoft-Windows-Hyper-V-Integration-KvpExchange", r.Provider)
	assert.Equal(t, "{2B74A015-3873-4C56-9928-EA80C58B2787}", r.ProviderGUID, "braces, upper case")
	assert.Equal(t, uint16(4010), r.EventID)
	assert.False(t, r.HasQualifiers)
	assert.Equal(t, uint8(3), r.Level)
	assert.Equal(t, uint64(0x8000000000000000), r.Keywords)
	assert.Equal(t, time.Date(2014, 3, 4, 5, 6, 8, 891234500, time.UTC), r.TimeCreated, "exact to 100 ns")
	assert.Equal(t, uint64(2), r.RecordID)
	assert.Equal(t, "S-1-5-18", r.UserID)
	assert.Equal(t, "HV01", r.Computer)
	assert.Equal(t, []Field{{"VmName", "vm"}, {"VmId", vmGUIDUpper}}, r.Data)
	assert.Equal(t, 0, r.Chunk)
	assert.Equal(t, int64(fileHeaderBlock+chunkHeaderSize), recs[0].Offset, "first record right after the chunk header")
	assert.Greater(t, r.Offset, recs[0].Offset)
	v, ok := r.DataValue("VmId")
	assert.True(t, ok)
	assert.Equal(t, vmGUIDUpper, v)
	_, ok = r.DataValue("nope")
	assert.False(t, ok)
	s := f.Stats()
	assert.Equal(t, Stats{ChunkSlots: 1, ChunksPresent: 1, ChunksParsed: 1, RecordsAttempted: 3, RecordsDecoded: 3}, s)
	assert.True(t, f.Header().ChecksumValid)
	assert.False(t, f.Header().Dirty())
}

func TestLimits(t *testing.T) {
	b := genLog(t, 50, evtxwriter.Options{}, 20)
	tests := []struct {
		name        string
		opts        Options
		decoded     int
		failed      int
		kind        ProblemKind
		fieldsAtMax int
	}{
		{"records per chunk", Options{MaxRecordsPerChunk: 10}, 10, 40, ProblemRecordLimit, 22},
		{"fields", Options{MaxDataFields: 5}, 50, 0, ProblemDataLimit, 5},
		{"data size", Options{MaxDataSize: 20}, 50, 0, ProblemDataLimit, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := FromBytes(b, &tc.opts)
			require.NoError(t, err)
			recs, errs := collect(t, f)
			s := f.Stats()
			assert.Equal(t, tc.decoded, s.RecordsDecoded)
			assert.Equal(t, tc.failed, s.RecordsFailed)
			assert.Len(t, recs, tc.decoded)
			for _, r := range recs {
				assert.LessOrEqual(t, len(r.Data), tc.fieldsAtMax)
			}
			found := false
			for _, p := range s.Problems {
				if p.Kind == tc.kind {
					found = true
					assert.ErrorIs(t, p.Err, ErrTooLarge)
				}
			}
			assert.True(t, found, "problem %s reported", tc.kind)
			if tc.failed > 0 {
				require.Len(t, errs, 1)
				assert.ErrorIs(t, errs[0], ErrTooLarge)
			}
		})
	}
}

func TestCancelAndStop(t *testing.T) {
	b := genLog(t, 3000, evtxwriter.Options{}, 0)
	f, err := FromBytes(b, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	var last error
	for r, err := range f.Records(ctx) {
		if err != nil {
			last = err
			continue
		}
		if r.Chunk > 0 {
			cancel()
		}
		n++
	}
	require.ErrorIs(t, last, context.Canceled)
	assert.Less(t, n, 3000, "stopped at the next chunk")
	assert.Greater(t, f.Stats().ChunkSlots, f.Stats().ChunksParsed)

	// A consumer that stops early; a second pass starts afresh.
	n = 0
	for range f.Records(context.Background()) {
		n++
		if n == 5 {
			break
		}
	}
	assert.Equal(t, 5, n)
	recs, errs := collect(t, f)
	assert.Empty(t, errs)
	assert.Len(t, recs, 3000)
	assert.Equal(t, 3000, f.Stats().RecordsDecoded)
}

func TestDamage(t *testing.T) {
	clean := genLog(t, 400, evtxwriter.Options{MaxRecordsPerChunk: 100}, 2)
	tests := []struct {
		name    string
		damage  func([]byte) ([]byte, error)
		decoded int
		failed  int
		skipped int
		kinds   []ProblemKind
		is      error
	}{
		{"record magic", func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptRecordMagic(b, 1, 7) },
			399, 1, 0, []ProblemKind{ProblemRecordFailed, ProblemChunkDataCRC}, ErrCorrupt}, // records 9.. of chunk 1 are Recovered
		{"chunk magic", func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptChunkMagic(b, 2) },
			300, 0, 1, []ProblemKind{ProblemChunkSkipped}, ErrCorrupt},
		{"chunk data CRC", func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptChunkCRC(b, 0) },
			400, 0, 0, []ProblemKind{ProblemChunkDataCRC}, ErrChecksum},
		{"chunk header CRC", func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptChunkHeaderCRC(b, 3) },
			400, 0, 0, []ProblemKind{ProblemChunkHeaderCRC}, ErrChecksum},
		{"file header CRC", func(b []byte) ([]byte, error) { return b, evtxwriter.CorruptFileHeaderCRC(b) },
			400, 0, 0, []ProblemKind{ProblemHeaderCRC}, ErrChecksum},
		{"no file header", func(b []byte) ([]byte, error) { copy(b, make([]byte, 128)); return b, nil },
			400, 0, 0, []ProblemKind{ProblemHeader}, ErrCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.damage(append([]byte(nil), clean...))
			require.NoError(t, err)
			f, err := FromBytes(b, nil)
			require.NoError(t, err)
			recs, errs := collect(t, f)
			s := f.Stats()
			assert.Len(t, recs, tc.decoded)
			assert.Equal(t, tc.decoded, s.RecordsDecoded+s.RecordsRecovered, "yielded")
			recovered := 0
			for _, r := range recs {
				if r.Recovered {
					recovered++
					assert.Equal(t, 1, r.Chunk, "only records after the damage in its chunk are recovered")
				}
			}
			assert.Equal(t, recovered, s.RecordsRecovered)
			if tc.failed == 0 {
				assert.Zero(t, recovered, "nothing to recover from")
			} else {
				assert.Positive(t, recovered)
			}
			assert.Equal(t, tc.failed, s.RecordsFailed)
			assert.Equal(t, tc.skipped, s.ChunksSkipped)
			assert.Len(t, errs, tc.failed+tc.skipped)
			kinds := map[ProblemKind]bool{}
			for _, p := range s.Problems {
				kinds[p.Kind] = true
				var fe *FormatError
				require.True(t, errors.As(p.Err, &fe))
			}
			for _, k := range tc.kinds {
				assert.True(t, kinds[k], "problem %s", k)
			}
			matched := false
			for _, p := range s.Problems {
				matched = matched || errors.Is(p.Err, tc.is)
			}
			assert.True(t, matched)
		})
	}
}

func TestProblemKindNames(t *testing.T) {
	seen := map[string]bool{}
	for k := ProblemUnknown; k <= ProblemDataLimit; k++ {
		b, err := k.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, k.String(), string(b))
		assert.False(t, seen[k.String()])
		seen[k.String()] = true
	}
	assert.True(t, ProblemHeaderCRC.Warning())
	assert.False(t, ProblemRecordFailed.Warning())
	assert.Equal(t, "problem(42)", ProblemKind(42).String())
	fe := &FormatError{File: "a.evtx", Chunk: 2, Offset: 0x21000, RecordID: 7, What: "record", Err: ErrCorrupt}
	assert.Equal(t, "evtx: a.evtx: chunk 2 offset 0x21000 record 7: corrupt", fe.Error())
	assert.Equal(t, "chunk 2 offset 0x21000 record 7: corrupt", fe.Detail())
	bare := &FormatError{Chunk: -1, Offset: -1, Err: fmt.Errorf("%w: 3 regions", ErrCorrupt)}
	assert.Equal(t, "evtx: corrupt: 3 regions", bare.Error(), "the package named once")
	assert.ErrorIs(t, fe, ErrCorrupt)
}

func TestFiletime(t *testing.T) {
	tests := []struct {
		ft   int64
		want time.Time
	}{
		{0, time.Time{}},
		{116444736000000000, time.Unix(0, 0).UTC()},
		{116444736000000001, time.Unix(0, 100).UTC()},
		{116444736000000000 + 86400*10_000_000 + 9, time.Date(1970, 1, 2, 0, 0, 0, 900, time.UTC)},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, filetime(tc.ft), tc.ft)
	}
}

// failAfter is an io.ReaderAt whose reads beyond limit fail.
type failAfter struct {
	b     []byte
	limit int64
}

var errMedium = errors.New("medium error")

func (r failAfter) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > r.limit {
		return 0, errMedium
	}
	return copy(p, r.b[off:]), nil
}

func TestNewReaderReadError(t *testing.T) {
	b := genLog(t, 300, evtxwriter.Options{MaxRecordsPerChunk: 100}, 0)
	f, err := NewReader(failAfter{b: b, limit: int64(fileHeaderBlock + 2*chunkSize)}, int64(len(b)), &Options{Name: "disk"})
	require.NoError(t, err)
	recs, errs := collect(t, f)
	assert.Len(t, recs, 200)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], errMedium)
	assert.ErrorIs(t, errs[0], ErrTruncated)
	s := f.Stats()
	assert.Equal(t, 3, s.ChunkSlots)
	assert.Equal(t, 1, s.ChunksSkipped)
	assert.Equal(t, s.ChunkSlots, s.ChunksParsed+s.ChunksEmpty+s.ChunksSkipped)
}

// TestPartialAndRecovered damages a generated log the way a copy taken
// during a write does (a zeroed run over the end of one record and the
// start of the next, evtxwriter.ZeroAcross): the damaged record is yielded
// as Partial, the next one is lost, and the rest of the chunk is found by
// resynchronising and counted as recovered, not decoded.
func TestPartialAndRecovered(t *testing.T) {
	const n = 120
	clean := genLog(t, n, evtxwriter.Options{MaxRecordsPerChunk: 40}, 3)
	for _, tc := range []struct {
		name    string
		tail    int
		partial bool
	}{
		{"end of the event data zeroed", 12, true},
		{"whole body zeroed", -1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := append([]byte(nil), clean...)
			off, err := evtxwriter.RecordOffset(b, 1, 5)
			require.NoError(t, err)
			size := int(binary.LittleEndian.Uint32(b[off+4:]))
			tail := tc.tail
			if tail < 0 {
				tail = size - recordHeader
			}
			require.NoError(t, evtxwriter.ZeroAcross(b, 1, 5, tail, tail+40))
			f, err := FromBytes(b, nil)
			require.NoError(t, err)
			recs, errs := collect(t, f)
			s := f.Stats()

			// Chunk 1 holds records 41..80 (identifiers): 41-45 decoded, 46
			// partial or failed, 47 lost (one damaged region), 48-80
			// recovered.
			wantDecoded, wantFailed := n-1-33, 1
			if !tc.partial {
				wantDecoded--
				wantFailed++
			}
			assert.Equal(t, wantDecoded, s.RecordsDecoded)
			assert.Equal(t, 33, s.RecordsRecovered)
			assert.Equal(t, wantFailed, s.RecordsFailed)
			assert.Len(t, errs, wantFailed)
			assert.Equal(t, s.RecordsAttempted, s.RecordsDecoded+s.RecordsRecovered+s.RecordsFailed)
			var partial []Record
			for _, r := range recs {
				if r.Partial {
					partial = append(partial, r)
				}
				wantRecovered := r.Chunk == 1 && r.RecordID >= 48
				assert.Equal(t, wantRecovered, r.Recovered, "record %d", r.RecordID)
			}
			kinds := map[ProblemKind]int{}
			for _, p := range s.Problems {
				kinds[p.Kind]++
				if p.Kind == ProblemRecordPartial {
					assert.Zero(t, p.Lost)
					assert.Equal(t, off, p.Offset)
					assert.ErrorIs(t, p.Err, ErrCorrupt)
				}
			}
			if !tc.partial {
				assert.Empty(t, partial)
				assert.Zero(t, kinds[ProblemRecordPartial])
				assert.ErrorIs(t, errs[0], ErrCorrupt, "the zeroed record fails")
				return
			}
			require.Len(t, partial, 1)
			p := partial[0]
			assert.EqualValues(t, 46, p.RecordID)
			assert.Equal(t, off, p.Offset)
			assert.Equal(t, "Microsoft-Windows-Hyper-V-Integration-KvpExchange", p.Provider)
			assert.EqualValues(t, 4010, p.EventID)
			assert.Equal(t, "HV01", p.Computer)
			assert.False(t, p.Recovered, "a sequential reader reaches it")
			assert.Equal(t, 1, kinds[ProblemRecordPartial])
			ev, ok := ExtractIC(p)
			require.True(t, ok)
			assert.True(t, ev.Ambiguous)
			assert.Contains(t, ev.Note, "Record.Partial")

			sp, err := f.Span(context.Background())
			require.NoError(t, err)
			assert.Equal(t, s.RecordsAttempted, sp.Records+sp.Damaged, "Span walks what Records walks")
		})
	}
}

// TestDecodeErrorText: a record that fails on the package's own limits
// names the package once and unwraps to ErrDecode and the cause.
func TestDecodeErrorText(t *testing.T) {
	err := error(&decodeError{cause: fmt.Errorf("%w: 5 bytes", errBudget)})
	assert.Equal(t, "evtx: cannot decode record: decode budget exhausted (looping or nested too deep): 5 bytes", err.Error())
	assert.ErrorIs(t, err, ErrDecode)
	assert.ErrorIs(t, err, errBudget)
	fe := &FormatError{File: "a.evtx", Chunk: 0, Offset: 0x1200, RecordID: 1, What: "record", Err: err}
	assert.Equal(t, "chunk 0 offset 0x1200 record 1: cannot decode record: decode budget exhausted (looping or nested too deep): 5 bytes", fe.Detail())
}
