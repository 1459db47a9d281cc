package hive

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/hvic/hvic/internal/hivewriter"
	"github.com/stretchr/testify/require"
)

// oldLog builds an old-format (DIRT) transaction log that turns base into
// next, as Vista to 2012 write them: the base block of next with file type
// 1, a DIRT dirty vector of one bit per 512-byte sector, then the dirty
// sectors. Both must have the same hive bins size. Written from the format
// description, independently of the reader.
func oldLog(t testing.TB, base, next []byte) []byte {
	t.Helper()
	require.Equal(t, len(base), len(next))
	bins := len(next) - baseBlockSize
	header := append([]byte(nil), next[:logHeaderSize]...)
	binary.LittleEndian.PutUint32(header[28:], fileTypeLogOld)
	binary.LittleEndian.PutUint32(header[508:], xor32(header))
	vec := make([]byte, bins/pageSize)
	var sectors []byte
	for i := 0; i < bins/sectorSize; i++ {
		a := base[baseBlockSize+i*sectorSize : baseBlockSize+(i+1)*sectorSize]
		b := next[baseBlockSize+i*sectorSize : baseBlockSize+(i+1)*sectorSize]
		if string(a) != string(b) {
			vec[i/8] |= 1 << (i % 8)
			sectors = append(sectors, b...)
		}
	}
	out := append(header, "DIRT"...)
	out = append(out, vec...)
	for len(out)%sectorSize != 0 {
		out = append(out, 0)
	}
	return append(out, sectors...)
}

// oldFormatPair builds, from a tree, a dirty base with an old-format log
// that adds a key and changes the Auto value.
func oldFormatPair(t testing.TB, b *hivewriter.Builder) (base, log []byte) {
	t.Helper()
	c := b.Clone()
	c.Sequence = 7
	c.Timestamp = time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)
	before, err := c.Bytes()
	require.NoError(t, err)
	c.Key(`Microsoft\Virtual Machine\Auto`).SetString("IntegrationServicesVersion", "6.2.9200.16433")
	c.Key(`Added\By\Log`)
	after, err := c.Bytes()
	require.NoError(t, err)
	// Pad the shorter image so both have the same bins size.
	for len(before) < len(after) {
		before = append(before, 0)
	}
	for len(after) < len(before) {
		after = append(after, 0)
	}
	binary.LittleEndian.PutUint32(before[40:], uint32(len(before)-baseBlockSize))
	binary.LittleEndian.PutUint32(after[40:], uint32(len(after)-baseBlockSize))
	binary.LittleEndian.PutUint32(after[508:], xor32(after))
	// The base is dirty: primary sequence one ahead.
	binary.LittleEndian.PutUint32(before[4:], 8)
	binary.LittleEndian.PutUint32(before[508:], xor32(before))
	return before, oldLog(t, before, after)
}

func TestOldFormatBuilt(t *testing.T) {
	fixtures, err := hivewriter.Fixtures()
	require.NoError(t, err)
	var guest *hivewriter.Builder
	for _, f := range fixtures {
		if f.Side == "guest" {
			guest = f.Tree
			break
		}
	}
	require.NotNil(t, guest)
	base, log := oldFormatPair(t, guest)

	stale, err := FromBytes(context.Background(), base, nil, nil)
	require.NoError(t, err)
	require.True(t, stale.Recovery().Dirty)
	_, err = stale.Key(`Added\By\Log`)
	require.ErrorIs(t, err, ErrKeyNotFound)

	h, err := FromBytes(context.Background(), base, []LogFile{{Name: "SOFTWARE.LOG1", Data: log}, {Name: "SOFTWARE.LOG2"}}, nil)
	require.NoError(t, err)
	rec := h.Recovery()
	require.True(t, rec.Recovered)
	require.Len(t, rec.Applied, 1)
	require.Equal(t, LogOld, rec.Applied[0].Format)
	require.Equal(t, (len(log)-(logHeaderSize+4+(len(base)-baseBlockSize)/pageSize+sectorSize-1)/sectorSize*sectorSize)/sectorSize, rec.Applied[0].Pages)
	require.Empty(t, h.Problems())
	k, err := h.Key(`Microsoft\Virtual Machine\Auto`)
	require.NoError(t, err)
	v, ok := k.Value("IntegrationServicesVersion")
	require.True(t, ok)
	s, ok := v.Text()
	require.True(t, ok)
	require.Equal(t, "6.2.9200.16433", s)
	require.True(t, k.FromLog)
	_, err = h.Key(`added\by\LOG`)
	require.NoError(t, err)

	// The log is older than the base: refused, base read.
	older := append([]byte(nil), log...)
	binary.LittleEndian.PutUint64(older[12:], 1)
	binary.LittleEndian.PutUint32(older[508:], xor32(older))
	h, err = FromBytes(context.Background(), base, []LogFile{{Name: "SOFTWARE.LOG1", Data: older}}, nil)
	require.NoError(t, err)
	require.False(t, h.Recovery().Recovered)
	require.Len(t, h.Recovery().Refused, 1)
	require.ErrorIs(t, h.Recovery().Refused[0].Err, ErrBadLog)

	// A log cut inside its sectors is refused as a whole.
	h, err = FromBytes(context.Background(), base, []LogFile{{Name: "SOFTWARE.LOG1", Data: log[:len(log)-100]}}, nil)
	require.NoError(t, err)
	require.False(t, h.Recovery().Recovered)
	require.Len(t, h.Problems(), 2)
	require.ErrorIs(t, h.Problems()[0], ErrBadLog)
	require.ErrorIs(t, h.Problems()[1], ErrStale)
}
