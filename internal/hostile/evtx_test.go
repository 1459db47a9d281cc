package hostile

import (
	"bytes"
	"context"
	"testing"

	"github.com/hvic/hvic/evtx"
	"github.com/hvic/hvic/internal/benchgen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDAGShape checks the generated log is well formed where it matters to
// a reader (checksums, record headers, identifiers): its only damage is the
// template chain.
func TestDAGShape(t *testing.T) {
	tests := []struct {
		dag    DAG
		chunks int
	}{
		{DAG{}, 1},
		{DAG{Depth: 3, FanOut: 32}, 3},
		{DAG{Depth: 1, FanOut: 1}, 2},
	}
	for _, tc := range tests {
		b, err := tc.dag.Bytes(tc.chunks)
		require.NoError(t, err)
		require.Len(t, b, 4096+tc.chunks*65536)
		per, err := tc.dag.RecordsPerChunk()
		require.NoError(t, err)
		assert.Greater(t, per, 1000, "small records fill the chunk")

		var w bytes.Buffer
		require.NoError(t, tc.dag.Write(&w, tc.chunks))
		assert.Equal(t, b, w.Bytes(), "Write and Bytes agree")

		f, err := evtx.FromBytes(b, nil)
		require.NoError(t, err)
		sp, err := f.Span(context.Background())
		require.NoError(t, err)
		assert.Equal(t, tc.chunks*per, sp.Records)
		assert.Zero(t, sp.Damaged)
		for range f.Records(context.Background()) {
		}
		s := f.Stats()
		assert.Equal(t, tc.chunks*per, s.RecordsAttempted)
		for _, p := range s.Problems {
			assert.False(t, p.Kind.Warning(), "no checksum or header warning: %v", p.Err)
		}
	}
}

func TestDAGErrors(t *testing.T) {
	_, err := DAG{Depth: 1000}.RecordsPerChunk()
	require.ErrorIs(t, err, ErrShape)
	_, err = DAG{}.Bytes(0)
	require.Error(t, err)
	_, err = DAG{Depth: 1000}.Bytes(1)
	require.ErrorIs(t, err, ErrShape)
}

// TestRepeatLog: a repeated log reads as valid (no problem), with record
// identifiers increasing across the copies and every copy's IC events.
func TestRepeatLog(t *testing.T) {
	base, err := benchgen.Bytes(benchgen.Options{Records: 1500, IC: benchgen.Spread(3, 1500), Seed: 1, SystemOnly: true})
	require.NoError(t, err)
	n := (len(base) - 4096) / 65536
	require.GreaterOrEqual(t, n, 2)
	fb, err := evtx.FromBytes(base, nil)
	require.NoError(t, err)
	baseEvents, _, err := fb.ScanIC(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, baseEvents, 3)

	chunks := 2*n + 1
	var w bytes.Buffer
	require.NoError(t, RepeatLog(&w, base, chunks))
	require.Equal(t, 4096+chunks*65536, w.Len())
	f, err := evtx.FromBytes(w.Bytes(), nil)
	require.NoError(t, err)
	var last uint64
	count := 0
	for r, err := range f.Records(context.Background()) {
		require.NoError(t, err)
		require.Greater(t, r.RecordID, last)
		last = r.RecordID
		count++
	}
	s := f.Stats()
	assert.Empty(t, s.Problems)
	assert.Equal(t, count, s.RecordsDecoded)
	assert.Equal(t, f.Header().NextRecordID, last+1)
	assert.True(t, f.Header().ChecksumValid)
	events, _, err := f.ScanIC(context.Background(), nil)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(events), 2*len(baseEvents))

	require.ErrorIs(t, RepeatLog(&w, base[:100], 1), ErrBase)
	require.Error(t, RepeatLog(&w, base, 0))
}
