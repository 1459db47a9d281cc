package evtx

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// craftChunk builds a file with one chunk holding one record whose BinXML
// (after the 24-byte record header, at chunk offset 536) is body; extra is
// placed inside the record at chunk offset 700 for structures the body
// points at.
func craftChunk(body, extra []byte) []byte {
	c := make([]byte, chunkSize)
	copy(c, chunkMagic)
	le := binary.LittleEndian
	le.PutUint64(c[8:], 1)
	le.PutUint64(c[16:], 1)
	le.PutUint64(c[24:], 1)
	le.PutUint64(c[32:], 1)
	le.PutUint32(c[40:], 128)
	const recAt = chunkHeaderSize
	size := 512 // the record spans 512..1024
	copy(c[recAt:], recordMagic)
	le.PutUint32(c[recAt+4:], uint32(size))
	le.PutUint64(c[recAt+8:], 1)
	le.PutUint64(c[recAt+16:], 130000000000000000)
	copy(c[recAt+recordHeader:], body)
	le.PutUint32(c[recAt+size-4:], uint32(size))
	copy(c[700:], extra)
	le.PutUint32(c[44:], recAt)
	le.PutUint32(c[48:], uint32(recAt+size))
	return append(fileHeader(), c...)
}

func u32(v int) []byte {
	b := make([]byte, 4)
	binary.LittleEndian.PutUint32(b, uint32(v))
	return b
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// selfRefDef is a template definition at chunk offset 700 whose body holds
// a template instance pointing back at the definition itself: golang-evtx
// alone would recurse until the stack overflows.
func selfRefDef() []byte {
	return cat(u32(0), make([]byte, 16), u32(64), []byte{0x0f, 1, 1, 0},
		[]byte{0x0c, 1}, u32(0), u32(700), []byte{0x00})
}

func TestHostileBinXML(t *testing.T) {
	frag := []byte{0x0f, 1, 1, 0}
	tests := []struct {
		name  string
		body  []byte
		extra []byte
	}{
		{"template definition that contains itself",
			cat(frag, []byte{0x0c, 1}, u32(0), u32(700), u32(0)), selfRefDef()},
		{"value text of a non-string type",
			cat(frag, []byte{0x0c, 1}, u32(0), u32(700), u32(0)),
			cat(u32(0), make([]byte, 16), u32(64), frag, []byte{0x01, 0xff, 0xff}, u32(40), u32(780), []byte{0x02, 0x05, 0x02, 0x01, 0x00, 'a', 0, 0x04, 0x00})},
		{"unknown token in a definition",
			cat(frag, []byte{0x0c, 1}, u32(0), u32(700), u32(0)),
			cat(u32(0), make([]byte, 16), u32(64), frag, []byte{0x7f, 0x00})},
		{"definition outside the record",
			cat(frag, []byte{0x0c, 1}, u32(0), u32(60000), u32(0)), nil},
		{"bad fragment header in the definition",
			cat(frag, []byte{0x0c, 1}, u32(0), u32(700), u32(0)),
			cat(u32(0), make([]byte, 16), u32(64), []byte{0x68, 1, 1, 0, 0}),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logged := quietLog(t)
			f, err := FromBytes(craftChunk(tc.body, tc.extra), nil)
			require.NoError(t, err)
			recs, errs := collect(t, f)
			assert.Empty(t, recs)
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], ErrDecode)
			s := f.Stats()
			assert.Equal(t, 1, s.RecordsFailed)
			assert.Empty(t, logged.String(), "golang-evtx printed")
		})
	}
}
