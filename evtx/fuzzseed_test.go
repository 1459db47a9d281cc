package evtx

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/hvic/hvic/internal/evtxwriter"
	"github.com/hvic/hvic/internal/hostile"
	"github.com/stretchr/testify/require"
)

// Fuzzing budget. A target that mutates whole 64 KiB chunks, with records
// that may each spend a 256 Ki-unit decode budget, ran 79-625 executions a
// minute. The chunk targets now mutate a prefix of at most fuzzCut bytes,
// padded with zeros to a whole chunk (the normal, full-chunk path), and
// decode with fuzzOpts: a few records per chunk and a small MaxChunkWork.
const fuzzCut = 8 << 10

// fuzzOpts are the per-input limits of the fuzz targets.
func fuzzOpts() *Options {
	return &Options{MaxRecordsPerChunk: 24, MaxChunkWork: 96 << 10, MaxDataFields: 64, MaxDataSize: 8 << 10}
}

// fuzzChunk returns a one-chunk file: a clean file header and the first
// fuzzCut bytes of chunk, padded with zeros to a whole chunk.
func fuzzChunk(chunk []byte) []byte {
	data := make([]byte, fileHeaderBlock+chunkSize)
	copy(data, fileHeader())
	copy(data[fileHeaderBlock:], chunk[:min(len(chunk), fuzzCut)])
	return data
}

// cutChunk returns the first chunk of a log b up to its free space offset
// (at least the chunk header, at most fuzzCut bytes).
func cutChunk(b []byte) []byte {
	if len(b) < fileHeaderBlock+chunkHeaderSize {
		return nil
	}
	c := b[fileHeaderBlock:min(len(b), fileHeaderBlock+chunkSize)]
	end := int(binary.LittleEndian.Uint32(c[48:]))
	end = max(min(end, len(c), fuzzCut), chunkHeaderSize)
	return c[:end]
}

// fuzzChunkSeeds returns small chunk prefixes: the first records of every
// corpus file's first chunk, a few generated records in each layout, the
// crafted hostile and silence chunks, and fan-out template chains.
func fuzzChunkSeeds(f *testing.F) [][]byte {
	f.Helper()
	var out [][]byte
	for _, b := range seedFiles(f) {
		if c := cutChunk(b); c != nil {
			out = append(out, c)
		}
	}
	w := evtxwriter.New(evtxwriter.Options{})
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, l := range []evtxwriter.Layout{evtxwriter.Manifest, evtxwriter.Classic, evtxwriter.UserData} {
		data := []evtxwriter.Field{{Name: "VmName", Value: "vm"}, {Name: "N", Value: "7", Type: evtxwriter.UInt32}}
		if l == evtxwriter.Classic {
			data = []evtxwriter.Field{{Value: "vm"}, {Value: ""}, {Value: "5.1"}}
		}
		require.NoError(f, w.Add(evtxwriter.Event{Provider: "storvsp", EventID: 6, Level: 3, Time: at,
			Channel: "System", Computer: "HV", Layout: l, Data: data}))
	}
	b, err := w.Bytes()
	require.NoError(f, err)
	out = append(out, cutChunk(b))
	frag := []byte{0x0f, 1, 1, 0}
	for _, extra := range [][]byte{selfRefDef(), nil} {
		out = append(out, craftChunk(cat(frag, []byte{0x0c, 1}, u32(0), u32(700), u32(0)), extra)[fileHeaderBlock:][:1024])
	}
	for _, b := range silenceSeeds() {
		out = append(out, b[fileHeaderBlock:][:1024])
	}
	for _, d := range []hostile.DAG{{Depth: 10, FanOut: 8}, {Depth: 3, FanOut: 32}} {
		b, err := d.Bytes(1)
		require.NoError(f, err)
		out = append(out, b[fileHeaderBlock:][:2048])
	}
	return out
}

// fuzzFileSeeds returns small whole files: a file header and one chunk
// prefix each (FuzzOpen, FuzzScanIC, FuzzSpan cut their input to two
// chunks).
func fuzzFileSeeds(f *testing.F) [][]byte {
	var out [][]byte
	for _, c := range fuzzChunkSeeds(f) {
		out = append(out, append(fileHeader(), c...))
	}
	return out
}
