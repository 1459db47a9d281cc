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

// FuzzOpen opens and reads whole files. Seeds: the corpus, cut to its
// first chunk to keep inputs small.
func FuzzOpen(f *testing.F) {
	for _, b := range seedFiles(f) {
		f.Add(b[:min(len(b), fileHeaderBlock+chunkSize)])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		logged := quietLog(t)
		file, err := FromBytes(data, nil)
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

// FuzzRecords mutates one chunk behind a valid file header: the record
// scan, golang-evtx's BinXML decoding and the Record conversion. Seeds: the
// first chunk of every corpus file and the hand-crafted hostile chunks of
// hostile_test.go and silence_test.go.
func FuzzRecords(f *testing.F) {
	for _, b := range seedFiles(f) {
		if len(b) >= fileHeaderBlock+chunkSize {
			f.Add(b[fileHeaderBlock : fileHeaderBlock+chunkSize])
		}
	}
	frag := []byte{0x0f, 1, 1, 0}
	for _, extra := range [][]byte{selfRefDef(), nil} {
		b := craftChunk(cat(frag, []byte{0x0c, 1}, u32(0), u32(700), u32(0)), extra)
		f.Add(b[fileHeaderBlock:])
	}
	for _, b := range silenceSeeds() {
		f.Add(b[fileHeaderBlock:])
	}
	hdr := fileHeader()
	f.Fuzz(func(t *testing.T, chunk []byte) {
		if len(chunk) > chunkSize {
			chunk = chunk[:chunkSize]
		}
		logged := quietLog(t)
		data := append(append([]byte(nil), hdr...), chunk...)
		file, err := FromBytes(data, nil)
		require.NoError(t, err)
		drain(t, file)
		require.Empty(t, logged.String(), "nothing may be printed")
	})
}
