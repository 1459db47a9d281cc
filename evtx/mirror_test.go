package evtx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mirrorCounts tallies the records of a mirror comparison.
type mirrorCounts struct {
	records, printed, rejected, over int
}

// mirrorChunk decodes every record of a chunk twice, with and without the
// validator. Whenever golang-evtx alone prints, the validator must have
// rejected the record; a record the validator rejects that golang-evtx
// alone decodes silently is an over-rejection (logged and counted).
func mirrorChunk(t *testing.T, f *File, i int, chunk []byte, c *mirrorCounts) {
	t.Helper()
	uf := *f // the same file, read with Options.unchecked
	uf.opts.unchecked = true
	checked, unchecked := newDecoder(f), newDecoder(&uf)
	off := int64(fileHeaderBlock) + int64(i)*chunkSize
	checked.startChunk(i, off, chunk)
	unchecked.startChunk(i, off, chunk)
	for pos := chunkHeaderSize; len(chunk)-pos >= recordHeader; {
		size, ok := recordAt(chunk, pos)
		if !ok {
			if pos = nextRecord(chunk, pos+1); pos < 0 {
				return
			}
			continue
		}
		c.records++
		logged := quietLog(t)
		_, uerr := unchecked.decode(pos, size)
		uprinted := logged.Len() > 0
		logged.Reset()
		_, cerr := checked.decode(pos, size)
		require.Empty(t, logged.String(), "printed with the validator")
		if uprinted {
			c.printed++
			require.ErrorIs(t, cerr, errMalformed, "golang-evtx printed on a record the validator let through")
		}
		if errors.Is(cerr, errMalformed) {
			c.rejected++
			if uerr == nil && !uprinted {
				c.over++
				t.Logf("chunk %d offset 0x%x: rejected, golang-evtx alone decodes it: %v", i, pos, cerr)
			}
		}
		pos += size
	}
}

// TestValidatorMirror checks that the validator rejects exactly the records
// on which golang-evtx alone would print or fail: on the corpus (no record
// rejected that golang-evtx decodes) and on randomly damaged generated
// records, compared record by record.
func TestValidatorMirror(t *testing.T) {
	t.Run("corpus", func(t *testing.T) {
		if !exhaustive() {
			t.Skip("whole corpus twice: with -long, without -race")
		}
		paths, err := filepath.Glob(filepath.Join("..", "testdata", "evtx", "*", "*.evtx"))
		require.NoError(t, err)
		require.NotEmpty(t, paths)
		var c mirrorCounts
		for _, p := range paths {
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			f, err := FromBytes(b, nil)
			require.NoError(t, err)
			for i, off := 0, int64(fileHeaderBlock); int64(len(b))-off >= chunkSize; i, off = i+1, off+chunkSize {
				if chunk := b[off : off+chunkSize]; bytes.Equal(chunk[:8], chunkMagic) {
					mirrorChunk(t, f, i, chunk, &c)
				}
			}
		}
		t.Logf("corpus: %d records, %d printed without the validator, %d rejected by it, %d over-rejected", c.records, c.printed, c.rejected, c.over)
		assert.Positive(t, c.records)
		assert.Zero(t, c.over, "records golang-evtx decodes must not be rejected")
	})
	t.Run("damaged", func(t *testing.T) {
		orig, locs := silenceLog(t, 8, 6)
		le := binary.LittleEndian
		rng := rand.New(rand.NewSource(3))
		iters := 3000
		if !exhaustive() {
			iters = 300
		}
		u16s := []uint16{0, 1, 2, 3, 7, 0x7fff, 0x8000, 0xffff}
		u32s := []uint32{0, 1, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff}
		var c mirrorCounts
		for i := 0; i < iters; i++ {
			b := bytes.Clone(orig)
			for k := 0; k < 1+rng.Intn(3); k++ {
				l := locs[rng.Intn(6)] // the first chunk
				size := int(le.Uint32(orig[l.Offset+4:]))
				at := int(l.Offset) + recordHeader + rng.Intn(size-recordHeader-8)
				switch rng.Intn(4) {
				case 0:
					b[at] = byte(rng.Intn(256))
				case 1:
					le.PutUint16(b[at:], u16s[rng.Intn(len(u16s))])
				case 2:
					le.PutUint32(b[at:], u32s[rng.Intn(len(u32s))])
				case 3:
					le.PutUint32(b[at:], uint32(chunkHeaderSize+rng.Intn(4000)))
				}
			}
			f, err := FromBytes(b, nil)
			require.NoError(t, err)
			mirrorChunk(t, f, 0, b[fileHeaderBlock:fileHeaderBlock+chunkSize], &c)
		}
		t.Logf("damaged: %d records, %d printed without the validator, %d rejected by it, %d over-rejected", c.records, c.printed, c.rejected, c.over)
		assert.Positive(t, c.printed, "the damage reaches golang-evtx's printing paths")
		assert.Zero(t, c.over, "records golang-evtx decodes silently must not be rejected")
	})
}

// FuzzMirror mutates the first fuzzCut bytes of one chunk (the rest zero)
// and compares, record by record, golang-evtx with and without the
// validator (mirrorChunk): whatever golang-evtx alone prints on is
// rejected, nothing is printed with the validator, and no record
// golang-evtx alone decodes silently is rejected. Seeds: fuzzChunkSeeds.
func FuzzMirror(f *testing.F) {
	for _, c := range fuzzChunkSeeds(f) {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, chunk []byte) {
		data := fuzzChunk(chunk)
		file, err := FromBytes(data, fuzzOpts())
		require.NoError(t, err)
		var c mirrorCounts
		mirrorChunk(t, file, 0, data[fileHeaderBlock:], &c)
		require.Zero(t, c.over, "a record golang-evtx decodes silently was rejected")
	})
}
