package evtx

import (
	"context"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/internal/benchgen"
)

// refMayHold is an independent, slow statement of what the filter decides:
// some byte offset starts one of the names, read as UTF-16LE code units or
// as UTF-8 runes, each rune equal to the name's letter under
// strings.EqualFold.
func refMayHold(data []byte) bool {
	for _, name := range filterNames {
		want := []rune(name)
		for i := range data {
			ok16 := len(data)-i >= 2*len(want)
			for k := 0; ok16 && k < len(want); k++ {
				r := rune(uint16(data[i+2*k]) | uint16(data[i+2*k+1])<<8)
				ok16 = strings.EqualFold(string(r), string(want[k])) && utf8.ValidRune(r)
			}
			if ok16 {
				return true
			}
			pos, ok8 := i, true
			for k := 0; ok8 && k < len(want); k++ {
				r, n := utf8.DecodeRune(data[pos:])
				ok8 = n > 0 && r != utf8.RuneError && strings.EqualFold(string(r), string(want[k]))
				pos += n
			}
			if ok8 {
				return true
			}
		}
	}
	return false
}

func FuzzFilter(f *testing.F) {
	for _, s := range []string{"storvsp", "Micro\u017foft-Windows-Hyper-V-", "VMSMP", "vvvv", ""} {
		f.Add([]byte(s))
		f.Add(utf16le(s))
		f.Add(append([]byte{0}, utf16le(strings.ToUpper(s))...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		require.Equal(t, refMayHold(data), icFilter.mayHold(data))
	})
}

// FuzzScanIC checks on arbitrary input that the fast path finds exactly the
// IC events of the full decode, and the same problems for the chunks it
// decodes, without panicking or printing. Inputs are cut to two chunk
// slots and read with the small limits of fuzzOpts. Seeds: fuzzFileSeeds
// (truncated chunks: the full path) and three whole generated chunks (the
// filter path; the last one from the realistic Hyper-V host log). With
// fuzzOpts' small MaxChunkWork the record-level filter stays off; the
// second half reads the input again with the default MaxChunkWork, where
// it is on (checkFuzzRecordFilter).
func FuzzScanIC(f *testing.F) {
	for _, b := range fuzzFileSeeds(f) {
		f.Add(b)
	}
	b, err := benchgen.Bytes(benchgen.Options{Records: 40, IC: []int{0, 20, 40}, Seed: 1})
	require.NoError(f, err)
	f.Add(b[:min(len(b), fileHeaderBlock+chunkSize)])
	b, err = benchgen.Bytes(benchgen.Options{Records: 0, IC: []int{0, 1, 2, 3, 4}, Seed: 2})
	require.NoError(f, err)
	f.Add(b[:min(len(b), fileHeaderBlock+chunkSize)])
	b = hyperVHostLog(f, 400)
	f.Add(b[:min(len(b), fileHeaderBlock+2*chunkSize)])
	f.Fuzz(func(t *testing.T, data []byte) {
		data = data[:min(len(data), fileHeaderBlock+2*chunkSize)]
		logged := quietLog(t)
		file, err := FromBytes(data, fuzzOpts())
		if err != nil {
			require.Empty(t, logged.String(), "nothing may be printed")
			return
		}
		want, full := fullIC(t, file)
		got, st, err := file.ScanIC(context.Background(), &ScanOptions{Workers: 2, BatchChunks: 1})
		require.NoError(t, err)
		require.Equal(t, want, got)
		skip := filteredChunks(data)
		var wantProblems []Problem
		for _, p := range full.Problems {
			if p.Chunk >= 0 && skip[p.Chunk] && p.Kind != ProblemChunkHeaderCRC && p.Kind != ProblemChunkDataCRC {
				continue
			}
			wantProblems = append(wantProblems, p)
		}
		require.Equal(t, keys(wantProblems), keys(st.Problems))
		checkFuzzRecordFilter(t, data)
		require.Empty(t, logged.String(), "nothing may be printed")
	})
}

// catalogueOnce is catalogue, computed once for the fuzz targets.
var catalogueOnce = sync.OnceValue(catalogue)

// withCounts is kb's catalogue widened by every event ID of the guest
// driver providers, as Survey does with the scan's ScanOptions.Count.
var withCounts = sync.OnceValue(func() []EventKey {
	return append(append([]EventKey(nil), catalogueOnce()...),
		EventKey{Provider: "netvsc", AnyID: true}, EventKey{Provider: "storvsc", AnyID: true}, EventKey{Provider: "vmbus", AnyID: true})
})

// checkFuzzRecordFilter is FuzzScanIC's second half: fuzzOpts with the
// default MaxChunkWork (the record-level filter is on), without a selection,
// with kb's catalogue and with it widened by AnyID keys: the full decode's
// events and problems.
func checkFuzzRecordFilter(t *testing.T, data []byte) {
	opts := fuzzOpts()
	opts.MaxChunkWork = DefaultMaxChunkWork
	for _, sel := range [][]EventKey{nil, catalogueOnce(), withCounts()} {
		file, err := FromBytes(data, opts)
		require.NoError(t, err)
		want, full := fullICFor(t, file, sel)
		got, st, err := file.ScanIC(context.Background(), &ScanOptions{Workers: 2, BatchChunks: 1, Events: sel})
		require.NoError(t, err)
		require.Equal(t, want, got)
		skip := filteredChunksBy(data, filterFor(sel))
		var wantProblems []Problem
		for _, p := range full.Problems {
			if p.Chunk >= 0 && skip[p.Chunk] && p.Kind != ProblemChunkHeaderCRC && p.Kind != ProblemChunkDataCRC {
				continue
			}
			wantProblems = append(wantProblems, p)
		}
		require.Equal(t, keys(wantProblems), keys(st.Problems))
	}
}
