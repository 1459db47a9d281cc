package evtx

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/internal/evtxwriter"
)

// The tests in this file prove the package silent: golang-evtx v1.2.9
// prints "PANIC - ..." and a stack trace on the standard library's logger
// whenever one of its parse errors reaches checkParsingError (parser.go),
// whatever golang-utils' log level. They capture the standard logger (so
// they must not run in parallel), read inputs through all three decoding
// entry points and fail on any output.

// readAllWays reads b through Records, ParallelRecords and ScanIC and
// returns the Stats of the Records pass. It fails the test if anything is
// printed on the standard logger.
func readAllWays(t *testing.T, b []byte, parallel bool) Stats {
	t.Helper()
	logged := quietLog(t)
	f, err := FromBytes(b, nil)
	if err != nil {
		require.Empty(t, logged.String(), "printed while opening")
		return Stats{}
	}
	decoded := 0
	for _, err := range f.Records(context.Background()) {
		if err == nil {
			decoded++
		}
	}
	st := f.Stats()
	require.Equal(t, st.RecordsDecoded+st.RecordsRecovered, decoded)
	require.Equal(t, st.RecordsAttempted, st.RecordsDecoded+st.RecordsRecovered+st.RecordsFailed)
	if parallel {
		n := 0
		for _, err := range f.ParallelRecords(context.Background(), &ScanOptions{Workers: 2, BatchChunks: 1}) {
			if err == nil {
				n++
			}
		}
		require.Equal(t, decoded, n, "ParallelRecords decodes what Records decodes")
		_, _, err := f.ScanIC(context.Background(), &ScanOptions{Workers: 2, BatchChunks: 1})
		require.NoError(t, err)
		_, _, err = f.ScanIC(context.Background(), &ScanOptions{Workers: 2, DecodeAll: true})
		require.NoError(t, err)
	}
	require.Empty(t, logged.String(), "golang-evtx printed")
	return st
}

func TestSilentCorpus(t *testing.T) {
	var paths []string
	for _, pat := range []string{"*/*.evtx", "*/*/*.evtx"} {
		p, err := filepath.Glob(filepath.Join("..", "testdata", "evtx", pat))
		require.NoError(t, err)
		paths = append(paths, p...)
	}
	require.NotEmpty(t, paths)
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			if !exhaustive() && len(b) > fileHeaderBlock+2*chunkSize {
				// whole files with -long; the race detector makes them slow
				b = b[:fileHeaderBlock+2*chunkSize]
			}
			st := readAllWays(t, b, true)
			assert.Positive(t, st.RecordsAttempted+st.ChunksSkipped)
		})
	}
}

// silenceLog writes a log of n events in the three layouts with values of
// every type the writer knows, in chunks of perChunk records.
func silenceLog(t *testing.T, n, perChunk int) ([]byte, []evtxwriter.Location) {
	t.Helper()
	base := time.Date(2013, 10, 21, 9, 45, 12, 0, time.UTC)
	w := evtxwriter.New(evtxwriter.Options{MaxRecordsPerChunk: perChunk})
	for i := 0; i < n; i++ {
		tm := base.Add(time.Duration(i) * time.Second)
		var e evtxwriter.Event
		switch i % 3 {
		case 0:
			e = evtxwriter.Event{Provider: "storvsp", EventID: 6, HasQualifiers: true, Qualifiers: 32768, Level: 3, Time: tm,
				Channel: "System", Computer: "HV", Layout: evtxwriter.Classic,
				Data: []evtxwriter.Field{{Value: "dev"}, {Value: "vm"}, {Value: ""}, {Value: "5.1"}, {Value: "4.2"}}}
		case 1:
			e = evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-Integration-VSS", ProviderGUID: "{2B74A015-3873-4C56-9928-EA80C58B2787}",
				EventID: 4010, Level: 3, Time: tm, Channel: "Microsoft-Windows-Hyper-V-Integration-Admin", Computer: "HV", UserSID: "S-1-5-18",
				Layout: evtxwriter.Manifest,
				Data: []evtxwriter.Field{{Name: "VmName", Value: "vm"}, {Name: "N", Value: "7", Type: evtxwriter.UInt32},
					{Name: "G", Value: "{2B74A015-3873-4C56-9928-EA80C58B2787}", Type: evtxwriter.GUID},
					{Name: "T", Value: "2013-10-21T09:45:12Z", Type: evtxwriter.FileTime}, {Name: "S", Value: "2013-10-21T09:45:12Z", Type: evtxwriter.SystemTime},
					{Name: "B", Value: "abcd", Type: evtxwriter.Binary}, {Name: "O", Value: "true", Type: evtxwriter.Bool}}}
		case 2:
			e = evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-VmSwitch", EventID: 27, Level: 3, Time: tm, Channel: "System",
				Computer: "HV", Layout: evtxwriter.UserData,
				Data: []evtxwriter.Field{{Name: "VMName", Value: "vm"}, {Name: "Sid", Value: "S-1-5-21-1-2-3", Type: evtxwriter.SID},
					{Name: "X", Value: "0x10", Type: evtxwriter.Hex64}, {Name: "U", Value: "9", Type: evtxwriter.UInt16}}}
		}
		require.NoError(t, w.Add(e))
	}
	b, err := w.Bytes()
	require.NoError(t, err)
	return b, w.Locations()
}

// TestSilentCorruptions damages generated logs with each corruption helper
// of internal/evtxwriter, at every record or chunk it can target.
func TestSilentCorruptions(t *testing.T) {
	orig, locs := silenceLog(t, 36, 12)
	chunks := locs[len(locs)-1].Chunk + 1
	require.Equal(t, 3, chunks)
	clean := readAllWays(t, orig, true)
	require.Equal(t, 36, clean.RecordsDecoded)
	require.Zero(t, clean.RecordsFailed)

	every := 4 // records whose damaged file also goes through the parallel passes
	if raceEnabled {
		every = 12
	}
	for _, l := range locs {
		t.Run(fmt.Sprintf("record data %d.%d", l.Chunk, l.Index), func(t *testing.T) {
			b := bytes.Clone(orig)
			require.NoError(t, evtxwriter.CorruptRecordData(b, l.Chunk, l.Index))
			st := readAllWays(t, b, l.Index%every == 0)
			assert.Equal(t, 1, st.RecordsFailed, "one bad record costs one record")
			assert.Equal(t, 35, st.RecordsDecoded)
		})
		t.Run(fmt.Sprintf("zero across %d.%d", l.Chunk, l.Index), func(t *testing.T) {
			// The end of this record and the start of the next zeroed: this
			// one is Partial (or failed), the next lost, the rest of the
			// chunk recovered.
			b := bytes.Clone(orig)
			require.NoError(t, evtxwriter.ZeroAcross(b, l.Chunk, l.Index, 12, 52))
			st := readAllWays(t, b, l.Index%every == 0)
			assert.LessOrEqual(t, st.RecordsFailed, 2)
			assert.LessOrEqual(t, 34, st.RecordsDecoded+st.RecordsRecovered)
			sp, err := mustOpen(t, b).Span(context.Background())
			require.NoError(t, err)
			assert.Equal(t, st.RecordsAttempted, sp.Records+sp.Damaged)
		})
		t.Run(fmt.Sprintf("record magic %d.%d", l.Chunk, l.Index), func(t *testing.T) {
			b := bytes.Clone(orig)
			require.NoError(t, evtxwriter.CorruptRecordMagic(b, l.Chunk, l.Index))
			st := readAllWays(t, b, l.Index%every == 0)
			assert.LessOrEqual(t, 34, st.RecordsDecoded+st.RecordsRecovered)
		})
	}
	for c := 0; c < chunks; c++ {
		for _, h := range []struct {
			name string
			fn   func([]byte, int) error
		}{
			{"chunk magic", evtxwriter.CorruptChunkMagic},
			{"chunk CRC", evtxwriter.CorruptChunkCRC},
			{"chunk header CRC", evtxwriter.CorruptChunkHeaderCRC},
		} {
			t.Run(fmt.Sprintf("%s %d", h.name, c), func(t *testing.T) {
				b := bytes.Clone(orig)
				require.NoError(t, h.fn(b, c))
				st := readAllWays(t, b, true)
				assert.LessOrEqual(t, 24, st.RecordsDecoded+st.RecordsRecovered)
			})
		}
	}
	t.Run("file header CRC", func(t *testing.T) {
		b := bytes.Clone(orig)
		require.NoError(t, evtxwriter.CorruptFileHeaderCRC(b))
		st := readAllWays(t, b, true)
		assert.Equal(t, 36, st.RecordsDecoded)
	})
	step := 97
	if !exhaustive() {
		step = 4099
	}
	for n := 0; n <= len(orig); n += step {
		t.Run(fmt.Sprintf("truncate %d", n), func(t *testing.T) {
			st := readAllWays(t, evtxwriter.Truncate(orig, n), n%(step*16) == 0)
			assert.LessOrEqual(t, st.RecordsDecoded+st.RecordsRecovered, 36)
		})
	}
}

// TestSilentByteDamage overwrites bytes inside record bodies of the first
// chunk (inline template definitions, substitution arrays, value data,
// nested BinXML) with bytes golang-evtx reacts to, one position at a time,
// and with random multi-byte damage. Whatever the damage, nothing is
// printed and the second chunk is read in full.
func TestSilentByteDamage(t *testing.T) {
	orig, locs := silenceLog(t, 8, 6)
	le := binary.LittleEndian
	var targets []evtxwriter.Location
	for _, l := range locs {
		// records 0-2 hold the inline template definitions; 3-5 use them.
		if l.Chunk == 0 {
			targets = append(targets, l)
		}
	}
	require.Len(t, targets, 6)
	patterns := []func(byte) byte{
		func(byte) byte { return 0x00 }, func(byte) byte { return 0xff },
		func(b byte) byte { return b ^ 0x01 }, func(b byte) byte { return b ^ 0x80 },
		func(byte) byte { return tokTemplate }, func(byte) byte { return tokValue1 },
		func(byte) byte { return tokEntityRef1 }, func(byte) byte { return vtSID },
	}
	stride, perPos := 1, 2
	if !exhaustive() {
		stride, perPos = 13, 1
	}
	check := func(t *testing.T, b []byte, parallel bool) {
		t.Helper()
		st := readAllWays(t, b, parallel)
		require.GreaterOrEqual(t, st.RecordsDecoded+st.RecordsRecovered, 2, "the second chunk is read in full")
	}
	n := 0
	for _, l := range targets {
		size := int(le.Uint32(orig[l.Offset+4:]))
		for p := recordHeader; p < size-4; p += stride {
			for j := 0; j < perPos; j++ {
				// the patterns take turns: with perPos 2, each applies
				// at every fourth position
				pat := patterns[(p*perPos+j)%len(patterns)]
				b := bytes.Clone(orig)
				at := int(l.Offset) + p
				b[at] = pat(b[at])
				n++
				check(t, b, n%64 == 0)
			}
		}
	}
	rng := rand.New(rand.NewSource(2))
	iters := 1500
	if !exhaustive() {
		iters = 200
	}
	u16s := []uint16{0, 1, 2, 3, 7, 0x7fff, 0x8000, 0xffff}
	u32s := []uint32{0, 1, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff}
	for i := 0; i < iters; i++ {
		b := bytes.Clone(orig)
		for k := 0; k < 1+rng.Intn(3); k++ {
			l := targets[rng.Intn(len(targets))]
			size := int(le.Uint32(orig[l.Offset+4:]))
			at := int(l.Offset) + recordHeader + rng.Intn(size-recordHeader-8)
			switch rng.Intn(4) {
			case 0:
				b[at] = byte(rng.Intn(256))
			case 1:
				le.PutUint16(b[at:], u16s[rng.Intn(len(u16s))])
			case 2:
				le.PutUint32(b[at:], u32s[rng.Intn(len(u32s))])
			case 3: // a chunk offset: a string, a definition, another record
				le.PutUint32(b[at:], uint32(chunkHeaderSize+rng.Intn(4000)))
			}
		}
		check(t, b, i%64 == 0)
	}
}

// chunkName returns s as a chunk Name (MS-EVEN6 2.2.12 Name): previous-string
// offset, hash, character count, UTF-16LE characters and a NUL.
func chunkName(s string) []byte {
	b := cat(u32(0), []byte{0, 0, byte(len(s)), 0})
	for _, r := range s {
		b = append(b, byte(r), 0)
	}
	return append(b, 0, 0)
}

// valueRecord crafts a record instantiating, from chunk offset 700, the
// template <Event>%0 %1 ...</Event> with the given value descriptors
// (size, type) and value bytes.
func valueRecord(descs [][2]int, data []byte) []byte {
	frag := []byte{0x0f, 1, 1, 0}
	subs := []byte{}
	for i := range descs {
		subs = append(subs, tokNormalSubst, byte(i), 0, byte(descs[i][1]))
	}
	const nameAt = 700 + 24 + 4 + 11
	elem := cat([]byte{tokOpenStart1, 0xff, 0xff}, u32(0), u32(nameAt), chunkName("Event"), []byte{tokCloseStart}, subs, []byte{tokEnd})
	def := cat(u32(0), make([]byte, 16), u32(4+len(elem)+1), frag, elem, []byte{tokEOF})
	body := cat(frag, []byte{tokTemplate, 1}, u32(0), u32(700), u32(len(descs)))
	for _, d := range descs {
		body = append(body, byte(d[0]), byte(d[0]>>8), byte(d[1]), 0)
	}
	return craftChunk(append(body, data...), def)
}

// TestSilentValues covers each value golang-evtx's value parsers reject
// ("Not initialized slice", "Bad size data"): as the last value of a
// template instance the error reaches checkParsingError and would be
// printed, so the record fails here first; before another value
// golang-evtx drops the error silently and decodes the record, and so
// does this package.
func TestSilentValues(t *testing.T) {
	good := [2]int{4, vtString}
	goodData := []byte{'o', 0, 'k', 0}
	tests := []struct {
		name string
		desc [2]int
		data []byte
	}{
		{"string of 1 byte", [2]int{1, vtString}, []byte{'x'}},
		{"empty ANSI string", [2]int{0, vtAnsi}, nil},
		{"SID without sub-authorities", [2]int{8, vtSID}, []byte{1, 0, 0, 0, 0, 0, 0, 5}},
		{"uint16 array of odd size", [2]int{3, vtArray | vtUInt16}, []byte{1, 2, 3}},
		{"uint64 array of 12 bytes", [2]int{12, vtArray | vtUInt64}, make([]byte, 12)},
	}
	for _, tc := range tests {
		t.Run(tc.name+" last", func(t *testing.T) {
			st := readAllWays(t, valueRecord([][2]int{good, tc.desc}, cat(goodData, tc.data)), true)
			assert.Equal(t, 1, st.RecordsFailed)
			assert.Zero(t, st.RecordsDecoded)
		})
		t.Run(tc.name+" first", func(t *testing.T) {
			st := readAllWays(t, valueRecord([][2]int{tc.desc, good}, cat(tc.data, goodData)), true)
			assert.Zero(t, st.RecordsFailed)
			assert.Equal(t, 1, st.RecordsDecoded)
		})
	}
	t.Run("well-formed", func(t *testing.T) {
		st := readAllWays(t, valueRecord([][2]int{good, good}, cat(goodData, goodData)), true)
		assert.Equal(t, 1, st.RecordsDecoded)
	})
}

// TestSilentEntityName: an entity reference outside any template whose
// name has 0xffff characters (golang-evtx allocates Size+1 = 0 of them and
// fails with "Not initialized slice", then prints it).
func TestSilentEntityName(t *testing.T) {
	seeds := silenceSeeds()
	st := readAllWays(t, seeds[len(seeds)-1], true)
	assert.Equal(t, 1, st.RecordsFailed)
}

// silenceSeeds are the crafted inputs of this file, as fuzz seeds.
func silenceSeeds() [][]byte {
	str := [2]int{4, vtString}
	frag := []byte{0x0f, 1, 1, 0}
	entity := cat(frag, []byte{tokOpenStart1}, u32(0), u32(700), []byte{tokCloseStart, tokEntityRef1}, u32(760), []byte{tokEnd, tokEOF})
	name := chunkName("Event")
	return [][]byte{
		valueRecord([][2]int{str, {1, vtString}}, []byte{'o', 0, 'k', 0, 'x'}),
		valueRecord([][2]int{{0, vtAnsi}, str}, []byte{'o', 0, 'k', 0}),
		valueRecord([][2]int{str, {8, vtSID}}, []byte{'o', 0, 'k', 0, 1, 0, 0, 0, 0, 0, 0, 5}),
		valueRecord([][2]int{{3, vtArray | vtUInt16}, str}, []byte{1, 2, 3, 'o', 0, 'k', 0}),
		craftChunk(entity, cat(name, make([]byte, 60-len(name)), u32(0), []byte{0, 0, 0xff, 0xff})),
	}
}

func mustOpen(t *testing.T, b []byte) *File {
	t.Helper()
	f, err := FromBytes(b, nil)
	require.NoError(t, err)
	return f
}
