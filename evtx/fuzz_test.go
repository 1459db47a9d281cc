package evtx

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"log"
	"os"
	"path/filepath"
	"testing"

	"github.com/hvic/hvic/internal/hostile"
	"github.com/stretchr/testify/require"
)

// seedFiles returns the corpus files of testdata/evtx.
func seedFiles(f *testing.F) [][]byte {
	f.Helper()
	var out [][]byte
	for _, pat := range []string{"*/*.evtx", "*/*/*.evtx"} {
		paths, err := filepath.Glob(filepath.Join("..", "testdata", "evtx", pat))
		require.NoError(f, err)
		for _, p := range paths {
			b, err := os.ReadFile(p)
			require.NoError(f, err)
			out = append(out, b)
		}
	}
	require.NotEmpty(f, out)
	return out
}

// quietLog makes the standard logger write to a buffer for the test, so a
// test fails if golang-evtx prints anything while this package drives it.
func quietLog(t testing.TB) *bytes.Buffer {
	var buf bytes.Buffer
	w, flags := log.Writer(), log.Flags()
	log.SetOutput(&buf)
	t.Cleanup(func() {
		log.SetOutput(w)
		log.SetFlags(flags)
	})
	return &buf
}

// drain reads every record and checks the invariants of Stats.
func drain(t testing.TB, f *File) {
	for r, err := range f.Records(context.Background()) {
		if err != nil {
			var fe *FormatError
			require.ErrorAs(t, err, &fe)
			continue
		}
		require.GreaterOrEqual(t, r.Chunk, 0)
		require.LessOrEqual(t, len(r.Data), DefaultMaxDataFields)
	}
	s := f.Stats()
	require.Equal(t, s.RecordsAttempted, s.RecordsDecoded+s.RecordsRecovered+s.RecordsFailed)
	require.Equal(t, s.ChunkSlots, s.ChunksParsed+s.ChunksEmpty+s.ChunksSkipped)
	for _, p := range s.Problems {
		var fe *FormatError
		require.ErrorAs(t, p.Err, &fe)
	}
}

// FuzzOpen opens and reads whole files, cut to a file header and two chunk
// slots, with the small limits of fuzzOpts. Seeds: fuzzFileSeeds (a file
// header and a chunk prefix each: a truncated last chunk).
func FuzzOpen(f *testing.F) {
	for _, b := range fuzzFileSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		data = data[:min(len(data), fileHeaderBlock+2*chunkSize)]
		logged := quietLog(t)
		file, err := FromBytes(data, fuzzOpts())
		if err != nil {
			var fe *FormatError
			require.ErrorAs(t, err, &fe)
			require.Nil(t, file)
			return
		}
		drain(t, file)
		require.Empty(t, logged.String(), "nothing may be printed")
	})
}

// fileHeader returns a clean file header block for one chunk.
func fileHeader() []byte {
	h := make([]byte, fileHeaderBlock)
	copy(h, fileMagic)
	le := binary.LittleEndian
	le.PutUint64(h[24:], 1)
	le.PutUint32(h[32:], 128)
	le.PutUint16(h[36:], 1)
	le.PutUint16(h[38:], 3)
	le.PutUint16(h[40:], fileHeaderBlock)
	le.PutUint16(h[42:], 1)
	le.PutUint32(h[124:], crc32.ChecksumIEEE(h[:fileHeaderCRC]))
	return h
}

// FuzzRecords mutates the first fuzzCut bytes of one chunk behind a valid
// file header (the rest of the chunk is zero): the record scan,
// golang-evtx's BinXML decoding and the Record conversion, with the small
// limits of fuzzOpts. Seeds: fuzzChunkSeeds.
func FuzzRecords(f *testing.F) {
	for _, c := range fuzzChunkSeeds(f) {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, chunk []byte) {
		logged := quietLog(t)
		file, err := FromBytes(fuzzChunk(chunk), fuzzOpts())
		require.NoError(t, err)
		drain(t, file)
		require.LessOrEqual(t, file.maxChunkWork, file.opts.MaxChunkWork)
		require.Empty(t, logged.String(), "nothing may be printed")
	})
}

// FuzzChunkBudget builds a fan-out template chain of any shape, damages a
// few bytes of it and reads it with a small MaxChunkWork: no chunk spends
// more than its budget, every record attempted is decoded or accounted for
// in a problem, and nothing is printed.
func FuzzChunkBudget(f *testing.F) {
	f.Add(uint8(10), uint8(8), uint32(64<<10), uint16(0), byte(0))
	f.Add(uint8(3), uint8(32), uint32(300<<10), uint16(600), byte(0x0c))
	f.Add(uint8(1), uint8(1), uint32(1), uint16(530), byte(0xff))
	f.Fuzz(func(t *testing.T, depth, fanout uint8, work uint32, at uint16, b byte) {
		dag := hostile.DAG{Depth: int(depth%16) + 1, FanOut: int(fanout%64) + 1}
		data, err := dag.Bytes(1)
		if err != nil {
			require.ErrorIs(t, err, hostile.ErrShape)
			return
		}
		data[fileHeaderBlock+int(at)%chunkSize] ^= b
		logged := quietLog(t)
		file, err := FromBytes(data, &Options{MaxChunkWork: int64(work%(1<<20)) + 1})
		require.NoError(t, err)
		drain(t, file)
		s := file.Stats()
		require.LessOrEqual(t, file.maxChunkWork, file.opts.MaxChunkWork)
		lost := 0
		for _, p := range s.Problems {
			lost += p.Lost
		}
		require.GreaterOrEqual(t, lost, s.RecordsFailed, "every failed record is in a problem")
		require.Empty(t, logged.String(), "nothing may be printed")
	})
}
