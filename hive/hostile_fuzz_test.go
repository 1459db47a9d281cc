package hive

import (
	"bytes"
	"context"
	"testing"

	"github.com/hvic/hvic/internal/hivewriter"
	"github.com/stretchr/testify/require"
)

// smallDirty is a small dirty hive and its LOG1, plus the LOG1 with two
// more entries growing the bins: fast fuzz seeds for the in-place path.
func smallDirty(t testing.TB) (base, log1, grown []byte) {
	b := hivewriter.New()
	b.Key(`Microsoft\Virtual Machine\Auto`).SetString("IntegrationServicesVersion", "6.2.9200.16384")
	base, log1, err := b.Dirty(func(b *hivewriter.Builder) {
		b.Key(`Microsoft\Virtual Machine\Auto`).SetString("OSName", "x")
	})
	require.NoError(t, err)
	seq := le.Uint32(log1[4:])
	bins := le.Uint32(log1[512+16:])
	grown = append([]byte(nil), log1...)
	for i := uint32(1); i <= 2; i++ {
		end := bins + i*64<<10
		grown = append(grown, hivewriter.LogEntry(seq+i, end, []hivewriter.Page{{Offset: end - 4096, Data: hivewriter.EmptyBin(end - 4096)}})...)
	}
	return base, log1, grown
}

// FuzzFromReader reads a hive through FromReader with its log read in
// place: nothing may panic, and the image never grows past the base plus
// the log plus 1 MiB.
func FuzzFromReader(f *testing.F) {
	base, log1, grown := smallDirty(f)
	f.Add(base, log1, int64(len(base)))
	f.Add(base, grown, int64(len(base)))
	f.Add(base, grown, int64(len(base)-4096))
	f.Fuzz(func(t *testing.T, base, log1 []byte, size int64) {
		size = min(max(size, 0), int64(len(base)))
		logs := []LogFile{{Name: "h.LOG1", Reader: bytes.NewReader(log1), Size: int64(len(log1))}}
		h, err := FromReader(context.Background(), "h", bytes.NewReader(base), size, logs, fuzzOpts)
		if err != nil {
			require.Nil(t, h)
			return
		}
		require.LessOrEqual(t, int64(cap(h.img)), size+int64(len(log1))+1<<20)
		exercise(t, h, `Microsoft\Virtual Machine\Auto`)
	})
}
