package hostile

import (
	"bytes"
	"context"
	"testing"

	"github.com/hvic/hvic/evtx"
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
