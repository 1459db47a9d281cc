package evtxwriter

import (
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixture is three chunks of four records, mixed layouts.
func fixture(t *testing.T) ([]byte, []Location) {
	t.Helper()
	w := New(Options{MaxRecordsPerChunk: 4})
	for i := 0; i < 12; i++ {
		e := storvsp6(i)
		if i%2 == 1 {
			e = kvp4010(i, Manifest)
		}
		require.NoError(t, w.Add(e))
	}
	return mustBytes(t, w), w.Locations()
}

func chunkCRCs(b []byte, chunk int) (header, data bool) {
	le := binary.LittleEndian
	c := b[fileHeaderBlock+chunk*chunkSize:]
	h := crc32.NewIEEE()
	h.Write(c[:120])
	h.Write(c[128:512])
	return h.Sum32() == le.Uint32(c[124:]), crc32.ChecksumIEEE(c[512:le.Uint32(c[48:])]) == le.Uint32(c[52:])
}

func TestRecordOffset(t *testing.T) {
	b, locs := fixture(t)
	for _, l := range locs {
		off, err := RecordOffset(b, l.Chunk, l.Index)
		require.NoError(t, err)
		assert.Equal(t, l.Offset, off)
	}
	for _, tc := range []struct{ chunk, rec int }{{-1, 0}, {3, 0}, {0, 4}, {0, -1}, {99, 0}} {
		_, err := RecordOffset(b, tc.chunk, tc.rec)
		assert.ErrorIs(t, err, ErrNoSuch, "chunk %d record %d", tc.chunk, tc.rec)
	}
	_, err := RecordOffset(b[:fileHeaderBlock+100], 0, 0)
	assert.ErrorIs(t, err, ErrNoSuch, "truncated chunk header")
}

func TestCorruptions(t *testing.T) {
	tests := []struct {
		name    string
		corrupt func([]byte) error
		check   func(t *testing.T, orig, b []byte, locs []Location)
	}{
		{"record magic", func(b []byte) error { return CorruptRecordMagic(b, 1, 2) }, func(t *testing.T, orig, b []byte, locs []Location) {
			off := locs[6].Offset
			assert.Equal(t, "BAD!", string(b[off:off+4]))
			h, d := chunkCRCs(b, 1)
			assert.True(t, h)
			assert.False(t, d, "data CRC no longer matches")
			assert.Equal(t, orig[off+4:], b[off+4:], "only the signature changed")
		}},
		{"record data", func(b []byte) error { return CorruptRecordData(b, 0, 0) }, func(t *testing.T, orig, b []byte, locs []Location) {
			diff := 0
			for i := range b {
				if b[i] != orig[i] {
					diff++
				}
			}
			assert.Equal(t, 4, diff, "only the value count changed")
			assert.Contains(t, string(b[locs[0].Offset:locs[0].Offset+int64(locs[0].Size)]), "\xff\xff\xff\xff")
		}},
		{"record data, referenced template", func(b []byte) error { return CorruptRecordData(b, 0, 2) }, func(t *testing.T, orig, b []byte, locs []Location) {
			assert.NotEqual(t, orig[locs[2].Offset:locs[3].Offset], b[locs[2].Offset:locs[3].Offset])
			assert.Equal(t, orig[:locs[2].Offset], b[:locs[2].Offset])
		}},
		{"zero across", func(b []byte) error { return ZeroAcross(b, 1, 2, 10, 30) }, func(t *testing.T, orig, b []byte, locs []Location) {
			end := locs[6].Offset + int64(locs[6].Size)
			assert.Equal(t, make([]byte, 30), b[end-10:end+20])
			assert.Equal(t, orig[:end-10], b[:end-10])
			assert.Equal(t, orig[end+20:], b[end+20:])
			assert.Equal(t, end, locs[7].Offset, "the next record's header is zeroed")
		}},
		{"chunk magic", func(b []byte) error { return CorruptChunkMagic(b, 2) }, func(t *testing.T, orig, b []byte, locs []Location) {
			assert.Equal(t, "ElfJunk\x00", string(b[fileHeaderBlock+2*chunkSize:][:8]))
		}},
		{"chunk data CRC", func(b []byte) error { return CorruptChunkCRC(b, 1) }, func(t *testing.T, orig, b []byte, locs []Location) {
			h, d := chunkCRCs(b, 1)
			assert.True(t, h, "header CRC recomputed")
			assert.False(t, d)
		}},
		{"chunk header CRC", func(b []byte) error { return CorruptChunkHeaderCRC(b, 0) }, func(t *testing.T, orig, b []byte, locs []Location) {
			h, d := chunkCRCs(b, 0)
			assert.False(t, h)
			assert.True(t, d)
		}},
		{"file header CRC", CorruptFileHeaderCRC, func(t *testing.T, orig, b []byte, locs []Location) {
			assert.NotEqual(t, crc32.ChecksumIEEE(b[:120]), binary.LittleEndian.Uint32(b[124:]))
			assert.Equal(t, orig[:120], b[:120])
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, locs := fixture(t)
			orig := append([]byte(nil), b...)
			require.NoError(t, tc.corrupt(b))
			assert.NotEqual(t, orig, b)
			assert.Len(t, b, len(orig))
			tc.check(t, orig, b, locs)
		})
	}
}

func TestCorruptionErrors(t *testing.T) {
	b, _ := fixture(t)
	short := b[:100]
	for name, err := range map[string]error{
		"record magic":      CorruptRecordMagic(b, 0, 9),
		"record data":       CorruptRecordData(b, 5, 0),
		"chunk magic":       CorruptChunkMagic(b, 3),
		"zero across":       ZeroAcross(b, 0, 0, 2, 10),
		"chunk CRC":         CorruptChunkCRC(b, -1),
		"chunk header CRC":  CorruptChunkHeaderCRC(b, 7),
		"file header short": CorruptFileHeaderCRC(short[:50]),
	} {
		assert.ErrorIs(t, err, ErrNoSuch, name)
	}
}

func TestTruncate(t *testing.T) {
	b := []byte("0123456789")
	tests := []struct {
		n    int
		want string
	}{{-1, ""}, {0, ""}, {4, "0123"}, {10, "0123456789"}, {20, "0123456789"}}
	for _, tc := range tests {
		assert.Equal(t, tc.want, string(Truncate(b, tc.n)), "n=%d", tc.n)
	}
}
