package evtx

import (
	"context"
	"os"
	"path/filepath"
	"strings"
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
// decodes, without panicking or printing.
func FuzzScanIC(f *testing.F) {
	small, err := filepath.Glob(filepath.Join("..", "testdata", "evtx", "*", "*.evtx"))
	require.NoError(f, err)
	for _, p := range small {
		if st, err := os.Stat(p); err == nil && st.Size() <= 70000 {
			b, err := os.ReadFile(p)
			require.NoError(f, err)
			f.Add(b)
		}
	}
	for _, b := range silenceSeeds() {
		f.Add(b)
	}
	b, err := benchgen.Bytes(benchgen.Options{Records: 40, IC: []int{0, 20, 40}, Seed: 1})
	require.NoError(f, err)
	f.Add(b)
	b, err = benchgen.Bytes(benchgen.Options{Records: 0, IC: []int{0, 1, 2, 3, 4}, Seed: 2})
	require.NoError(f, err)
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		// A few chunks and records per chunk: the full decode that serves as
		// the reference spends its per-record read budget on every looping
		// record, and the fast path shares its code.
		if len(data) > fileHeaderBlock+2*chunkSize {
			return
		}
		logged := quietLog(t)
		file, err := FromBytes(data, &Options{MaxRecordsPerChunk: 16})
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
		require.Empty(t, logged.String(), "nothing may be printed")
	})
}
