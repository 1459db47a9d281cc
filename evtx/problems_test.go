package evtx

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/internal/evtxwriter"
	"github.com/hvic/hvic/internal/hostile"
)

// manyProblemsLog is a log of 20 chunks of 10 records in which every chunk
// holds three damaged regions and one undecodable record (and so a data
// checksum warning): 100 problems.
func manyProblemsLog(t *testing.T) []byte {
	t.Helper()
	b := spanLog(t, 200, evtxwriter.Options{MaxRecordsPerChunk: 10}, 3)
	for c := 0; c < 20; c++ {
		require.NoError(t, evtxwriter.CorruptRecordData(b, c, 8))
		for _, r := range []int{5, 3, 1} {
			require.NoError(t, evtxwriter.CorruptRecordMagic(b, c, r))
		}
	}
	return b
}

// decodeAll walks every record of b with opts; it returns the records
// decoded and the pass's Stats.
func decodeAll(t *testing.T, b []byte, opts *Options) (int, Stats) {
	t.Helper()
	f, err := FromBytes(b, opts)
	require.NoError(t, err)
	n := 0
	for _, err := range f.Records(context.Background()) {
		if err == nil {
			n++
		}
	}
	return n, f.Stats()
}

// Options.MaxProblems keeps the first problems in file order on every
// path, counts the rest exactly and says so in one last problem; every
// other count, and Survey's records, are those of the uncapped pass.
func TestMaxProblems(t *testing.T) {
	b := manyProblemsLog(t)
	total, full := decodeAll(t, b, nil)
	require.Zero(t, full.ProblemsDropped)
	require.Len(t, full.Problems, 100)
	for _, k := range []int{1, 7, 99} {
		opts := &Options{MaxProblems: k}
		n, seq := decodeAll(t, b, opts)
		assert.Equal(t, total, n)
		require.Len(t, seq.Problems, k+1)
		assert.Equal(t, full.Problems[:k], seq.Problems[:k], "the first ones, in file order")
		last := seq.Problems[k]
		assert.Equal(t, ProblemsDropped, last.Kind)
		assert.True(t, last.Kind.Warning())
		assert.Equal(t, 100-k, last.Lost)
		assert.Equal(t, 100-k, seq.ProblemsDropped)
		assert.ErrorIs(t, last.Err, ErrTooLarge)
		want := full
		want.Problems, want.ProblemsDropped = seq.Problems, seq.ProblemsDropped
		assert.Equal(t, want, seq, "every count covers the whole pass")

		f, err := FromBytes(b, opts)
		require.NoError(t, err)
		so := &ScanOptions{Workers: 2, BatchChunks: 3}
		for range f.ParallelRecords(context.Background(), so) {
		}
		assert.Equal(t, seq, f.Stats(), "ParallelRecords == Records")

		_, st, err := f.ScanIC(context.Background(), &ScanOptions{Workers: 2, BatchChunks: 3, DecodeAll: true})
		require.NoError(t, err)
		assert.Equal(t, seq.Problems, st.Problems, "ScanIC decoding every chunk == Records")
		assert.Equal(t, seq.ProblemsDropped, st.ProblemsDropped)

		s, err := f.Survey(context.Background(), nil)
		require.NoError(t, err)
		assert.Equal(t, total, s.Records, "Survey's records do not depend on the kept list")
		assert.True(t, s.Damaged)
		assert.Positive(t, s.ProblemsDropped)
		assert.LessOrEqual(t, len(s.Problems), k+2, "kept, one damaged-regions, one problems-dropped")
		assert.Equal(t, ProblemsDropped, s.Problems[len(s.Problems)-1].Kind)
		assert.Equal(t, s.ProblemsDropped, s.Problems[len(s.Problems)-1].Lost)
	}
}

// A batch keeps at most MaxProblems problems itself, so that one batch of
// many damaged chunks cannot grow without bound before it is merged.
func TestMaxProblemsBatch(t *testing.T) {
	b := manyProblemsLog(t)
	f, err := FromBytes(b, &Options{MaxProblems: 5})
	require.NoError(t, err)
	o := (&ScanOptions{Workers: 1, BatchChunks: 20}).withDefaults()
	batches, dropped := 0, 0
	require.NoError(t, f.runBatches(context.Background(), o, nil, false, func(bt *batch) bool {
		batches++
		assert.Len(t, bt.stats.Problems, 5)
		dropped += bt.stats.ProblemsDropped
		return true
	}))
	assert.Equal(t, 1, batches)
	assert.Equal(t, 95, dropped)
}

// Survey subtracts the records of ProblemChunkBudget: a log whose every
// record spends its chunk's decoding budget holds no record.
func TestSurveyChunkBudget(t *testing.T) {
	_ = quietLog(t)
	b, err := hostile.DAG{}.Bytes(2)
	require.NoError(t, err)
	total, st := decodeAll(t, b, nil)
	require.NotEmpty(t, problemsOf(st.Problems, ProblemChunkBudget))
	f, err := FromBytes(b, nil)
	require.NoError(t, err)
	s, err := f.Survey(context.Background(), nil)
	require.NoError(t, err)
	assert.False(t, s.Mixed)
	require.NotEmpty(t, problemsOf(s.Problems, ProblemChunkBudget))
	assert.Equal(t, total, s.Records)
	assert.True(t, s.Damaged)
}
