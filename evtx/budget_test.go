package evtx

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/hvic/hvic/internal/evtxwriter"
	"github.com/hvic/hvic/internal/hostile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// problemsOf returns the problems of kind k.
func problemsOf(ps []Problem, k ProblemKind) []Problem {
	var out []Problem
	for _, p := range ps {
		if p.Kind == k {
			out = append(out, p)
		}
	}
	return out
}

// TestTemplateWeight checks the expansion weight the validator gives a
// fan-out chain: at least FanOut^(Depth-1) leaf definitions, computed once
// per definition (the memo holds every level after the first record).
func TestTemplateWeight(t *testing.T) {
	for _, sh := range []hostile.DAG{{Depth: 2, FanOut: 3}, {Depth: 4, FanOut: 8}, {Depth: 10, FanOut: 8}, {Depth: 8, FanOut: 64}} {
		b, err := sh.Bytes(1)
		require.NoError(t, err)
		f, err := FromBytes(b, nil)
		require.NoError(t, err)
		data := b[fileHeaderBlock:]
		d := newDecoder(f)
		d.startChunk(0, fileHeaderBlock, data)
		rec := nextRecord(data, chunkHeaderSize+1) // the second record: one template instance
		require.Positive(t, rec)
		size, ok := recordAt(data, rec)
		require.True(t, ok)
		d.v.limit = rec + size
		w, err := d.v.peek(rec + recordHeader + 4)
		require.NoError(t, err)
		leaves := math.Pow(float64(sh.FanOut), float64(sh.Depth-1))
		want := int64(min(leaves*100, float64(maxWeight))) // a leaf definition is over 100 bytes
		assert.GreaterOrEqual(t, w, want, "%+v", sh)
		assert.Len(t, d.v.defs, sh.Depth, "each definition checked once")
	}
}

// TestChunkBudgetDAG reads fan-out chains of several shapes: every record
// fails, the work spent per chunk never exceeds MaxChunkWork, and once it
// is spent the chunk's other records are reported in one problem.
func TestChunkBudgetDAG(t *testing.T) {
	tests := []struct {
		shape hostile.DAG
		work  int64
	}{
		{hostile.DAG{}, 0}, // depth 10, fan-out 8, default budget
		{hostile.DAG{Depth: 3, FanOut: 32}, 600 << 10},
		{hostile.DAG{Depth: 3, FanOut: 8}, 300 << 10},
		{hostile.DAG{Depth: 10, FanOut: 2}, 1 << 20},
		{hostile.DAG{Depth: 12, FanOut: 2}, 0}, // every record fails validation, cheaply
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("depth %d fan-out %d", tc.shape.Depth, tc.shape.FanOut), func(t *testing.T) {
			logged := quietLog(t)
			const chunks = 2
			b, err := tc.shape.Bytes(chunks)
			require.NoError(t, err)
			per, err := tc.shape.RecordsPerChunk()
			require.NoError(t, err)
			f, err := FromBytes(b, &Options{MaxChunkWork: tc.work})
			require.NoError(t, err)
			recs, errs := collect(t, f)
			assert.Empty(t, recs)
			s := f.Stats()
			assert.Equal(t, chunks*per, s.RecordsAttempted)
			assert.Equal(t, s.RecordsAttempted, s.RecordsFailed)
			assert.LessOrEqual(t, f.maxChunkWork, f.opts.MaxChunkWork)
			budget := problemsOf(s.Problems, ProblemChunkBudget)
			require.Len(t, budget, chunks, "one budget problem per chunk")
			failed := problemsOf(s.Problems, ProblemRecordFailed)
			lost := 0
			for _, p := range budget {
				lost += p.Lost
				assert.ErrorIs(t, p.Err, ErrTooLarge)
			}
			for _, p := range failed {
				lost += p.Lost
				assert.ErrorIs(t, p.Err, ErrDecode)
			}
			assert.Equal(t, s.RecordsFailed, lost, "every record accounted for")
			// A record refused or stopped by its budget costs its whole
			// allowance, so a chunk holds at most MaxChunkWork/256Ki of
			// them (the others fail for what they decode to).
			stopped := 0
			for _, p := range failed {
				if errors.Is(p.Err, errBudget) {
					stopped++
				}
			}
			assert.LessOrEqual(t, stopped, chunks*int(f.opts.MaxChunkWork/recordBudgetBase+1))
			// Every failure costs at least failCost: problems per chunk
			// are bounded whatever the records.
			assert.LessOrEqual(t, len(failed), chunks*int(f.opts.MaxChunkWork/failCost+1))
			if tc.shape.Depth == 10 && tc.shape.FanOut == 8 {
				assert.Len(t, failed, chunks, "a fan-out bomb spends its chunk's budget")
			}
			assert.Len(t, errs, len(failed)+len(budget))
			assert.Empty(t, logged.String())
		})
	}
}

// TestChunkBudgetRecordErrors checks what the errors say: a record refused
// for its template's expansion, then the chunk's budget.
func TestChunkBudgetRecordErrors(t *testing.T) {
	b, err := hostile.DAG{}.Bytes(1)
	require.NoError(t, err)
	f, err := FromBytes(b, nil)
	require.NoError(t, err)
	_, errs := collect(t, f)
	require.NotEmpty(t, errs)
	assert.ErrorIs(t, errs[0], ErrDecode)
	assert.ErrorIs(t, errs[0], errBudget)
	assert.Contains(t, errs[0].Error(), "template instance expands to at least")
	last := errs[len(errs)-1]
	assert.ErrorIs(t, last, ErrTooLarge)
	assert.Contains(t, last.Error(), "MaxChunkWork")
}

// TestChunkBudgetScanIC: ScanIC (which decodes the chunks its filter keeps:
// the chain's leaf names an Integration provider) reports the same budget
// problems and stays fast.
func TestChunkBudgetScanIC(t *testing.T) {
	const chunks = 4
	b, err := hostile.DAG{}.Bytes(chunks)
	require.NoError(t, err)
	f, err := FromBytes(b, nil)
	require.NoError(t, err)
	start := time.Now()
	evs, st, err := f.ScanIC(context.Background(), nil)
	require.NoError(t, err)
	assert.Empty(t, evs)
	assert.Equal(t, chunks, st.ChunksDecoded)
	assert.Len(t, problemsOf(st.Problems, ProblemChunkBudget), chunks)
	assert.Equal(t, st.RecordsAttempted, st.RecordsFailed)
	// Before the chunk budget, one chunk took 4-19 s.
	assert.Less(t, time.Since(start), 2*time.Second)
}

// TestChunkBudgetNormalLog: a generated log decodes the same with the
// default budget as with an unlimited one; with a budget too small for a
// chunk, the records past it are reported, never silently dropped.
func TestChunkBudgetNormalLog(t *testing.T) {
	b := genLog(t, 300, evtxwriter.Options{MaxRecordsPerChunk: 100}, 4)
	read := func(work int64) ([]Record, Stats, int64) {
		f, err := FromBytes(b, &Options{MaxChunkWork: work})
		require.NoError(t, err)
		recs, _ := collect(t, f)
		return recs, f.Stats(), f.maxChunkWork
	}
	def, defStats, used := read(0)
	unl, _, _ := read(math.MaxInt64 / 2)
	assert.Equal(t, unl, def)
	assert.Len(t, def, 300)
	assert.Empty(t, defStats.Problems)
	assert.Less(t, used, int64(DefaultMaxChunkWork/2), "a normal chunk uses under half the budget")

	limit := used / 2
	small, st, used := read(limit)
	assert.Less(t, len(small), 300)
	assert.NotEmpty(t, small)
	assert.Equal(t, 300, st.RecordsAttempted)
	assert.Equal(t, 300, len(small)+st.RecordsFailed)
	budget := problemsOf(st.Problems, ProblemChunkBudget)
	assert.Len(t, budget, 3)
	lost := 0
	for _, p := range st.Problems {
		lost += p.Lost
	}
	assert.Equal(t, st.RecordsFailed, lost)
	assert.LessOrEqual(t, used, limit)
	for _, p := range budget {
		var fe *FormatError
		require.True(t, errors.As(p.Err, &fe))
		assert.Equal(t, "chunk", fe.What)
	}
}

// TestChunkBudgetDamageAfter: damage after the point where a chunk's budget
// ran out is still reported, in file order, between the budget problems
// of the records around it, and Span's counts still match Records'.
func TestChunkBudgetDamageAfter(t *testing.T) {
	b, err := hostile.DAG{Depth: 3, FanOut: 32}.Bytes(1)
	require.NoError(t, err)
	data := b[fileHeaderBlock:]
	// Overwrite the signature of a record near the chunk's end.
	at := nextRecord(data, chunkSize-400)
	require.Positive(t, at)
	copy(data[at:], "XXXX")
	f, err := FromBytes(b, &Options{MaxChunkWork: 500 << 10})
	require.NoError(t, err)
	var kinds []ProblemKind
	for _, err := range f.Records(context.Background()) {
		if err != nil {
			var fe *FormatError
			require.ErrorAs(t, err, &fe)
		}
	}
	s := f.Stats()
	var last int64
	for _, p := range s.Problems {
		if p.Kind.Warning() {
			continue
		}
		kinds = append(kinds, p.Kind)
		assert.Greater(t, p.Offset, last, "problems in file order")
		last = p.Offset
	}
	require.GreaterOrEqual(t, len(kinds), 3)
	assert.Equal(t, []ProblemKind{ProblemChunkBudget, ProblemRecordFailed, ProblemChunkBudget}, kinds[len(kinds)-3:])
	sp, err := f.Span(context.Background())
	require.NoError(t, err)
	assert.Equal(t, s.RecordsAttempted, sp.Records+sp.Damaged)
	assert.Equal(t, 1, sp.Damaged)
}
