package hivewriter

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAddFillerSize(t *testing.T) {
	for _, want := range []int{1 << 20, 8 << 20} {
		b := New()
		AddFiller(b, want)
		start := time.Now()
		data, err := b.Bytes()
		require.NoError(t, err)
		t.Logf("%d bytes in %v", len(data), time.Since(start))
		assert.InDelta(t, float64(want), float64(len(data)), float64(want)/2)
	}
}

// BenchmarkBuild100MiB measures building a 100 MiB hive:
// go test -run='^$' -bench=Build100MiB -benchtime=1x ./internal/hivewriter
func BenchmarkBuild100MiB(b *testing.B) {
	bl := New()
	AddFiller(bl, 100<<20)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		data, err := bl.Bytes()
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(data)))
	}
}
