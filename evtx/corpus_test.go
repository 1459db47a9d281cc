package evtx

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corpus lists every .evtx under testdata/evtx with the counts this reader
// gets, and python-evtx's; testdata/evtx/README.md explains each against
// python-evtx and evtxexport.
var corpus = []struct {
	path                       string
	decoded, recovered, failed int
	partial                    int // ProblemRecordPartial (records yielded with a damaged end)
	skipped                    int // chunk slots neither parsed nor empty
	headerCRC                  bool
	chunkCRCProblems           int
	// python is python-evtx 0.6.1's count of records it renders, each
	// record in its own try (as python-evtx's own test of
	// dns_log_malformed counts them): scripts/crosscheck-evtx.sh -corpus.
	python int
}{
	{"AndrewRathbun__DFIRArtifactMuseum/BelkasoftCTF_InsiderThreat/Microsoft-Windows-Hyper-V-Guest-Drivers%4Admin.evtx", 72, 0, 0, 0, 0, false, 0, 72},
	{"AndrewRathbun__DFIRArtifactMuseum/BelkasoftCTF_InsiderThreat/Microsoft-Windows-Kernel-PnP%4Configuration.evtx", 263, 0, 0, 0, 0, false, 0, 263},
	{"AndrewRathbun__DFIRArtifactMuseum/BelkasoftCTF_InsiderThreat/System.evtx", 1766, 0, 0, 0, 0, false, 0, 1766},
	{"Velocidex__evtx/Security_1_record.evtx", 1, 0, 0, 0, 0, false, 0, 1},
	{"log2timeline__plaso/System.evtx", 5009, 0, 0, 0, 0, false, 0, 5009},
	{"log2timeline__plaso/System2.evtx", 194, 89, 1, 0, 0, false, 1, 194},
	{"omerbenamram__evtx/Application_no_crc32.evtx", 17, 0, 0, 0, 0, true, 2, 17},
	{"omerbenamram__evtx/MSExchange_Management_wec.evtx", 1, 0, 0, 0, 0, false, 0, 0},
	{"omerbenamram__evtx/Microsoft-Windows-HelloForBusiness%4Operational.evtx", 5, 0, 1, 0, 0, false, 1, 6},
	{"omerbenamram__evtx/sample-with-zero-data-size-event.evtx", 335, 114, 1, 0, 0, false, 1, 335},
	{"omerbenamram__evtx/sample_with_a_bad_chunk_magic.evtx", 269, 31, 2, 2, 2, false, 3, 270},
	{"omerbenamram__evtx/security_bad_string_cache.evtx", 2261, 0, 0, 0, 0, false, 1, 2261},
	{"omerbenamram__evtx/sysmon.evtx", 358, 0, 0, 0, 8, false, 0, 358},
	{"omerbenamram__evtx/system.evtx", 1881, 0, 0, 0, 0, false, 0, 1881},
	{"williballenthin__python-evtx/dns_log_malformed.evtx", 5, 0, 0, 0, 0, false, 0, 1},
	{"williballenthin__python-evtx/issue_38.evtx", 1, 0, 0, 0, 0, false, 0, 1},
	{"williballenthin__python-evtx/system.evtx", 1601, 0, 0, 0, 0, false, 0, 1601},
}

// beyondPython lists the files whose decoded count is more than 2 away from
// python-evtx's, with the reason (testdata/evtx/README.md has the detail).
var beyondPython = map[string]string{
	"williballenthin__python-evtx/dns_log_malformed.evtx": "python-evtx decodes ANSI strings as ASCII and raises " +
		"UnicodeDecodeError on the 4 records whose DNS names hold bytes above 0x7F; its own test asserts " +
		"attempted 5, completed 1, failed 4. evtxexport reads 5.",
}

// TestCorpusWithinPython checks the acceptance line: on every corpus
// file the decoded count is within 2 of python-evtx's, or the file is in
// beyondPython with its reason; and hvic never decodes fewer than
// python-evtx renders minus 2.
func TestCorpusWithinPython(t *testing.T) {
	for _, tc := range corpus {
		d := tc.decoded - tc.python
		if why, ok := beyondPython[tc.path]; ok {
			assert.Greater(t, d, 2, "%s is listed in beyondPython but is within 2: remove it", tc.path)
			assert.NotEmpty(t, why)
			continue
		}
		assert.LessOrEqual(t, d, 2, tc.path)
		assert.GreaterOrEqual(t, d, -2, tc.path)
	}
}

func TestCorpusCounts(t *testing.T) {
	all, err := filepath.Glob(filepath.Join("..", "testdata", "evtx", "*", "*.evtx"))
	require.NoError(t, err)
	deeper, err := filepath.Glob(filepath.Join("..", "testdata", "evtx", "*", "*", "*.evtx"))
	require.NoError(t, err)
	require.Len(t, corpus, len(all)+len(deeper), "every corpus file has a row")
	for _, tc := range corpus {
		t.Run(tc.path, func(t *testing.T) {
			t.Parallel()
			f, err := Open(filepath.Join("..", "testdata", "evtx", filepath.FromSlash(tc.path)), nil)
			require.NoError(t, err)
			defer func() { require.NoError(t, f.Close()) }()
			decoded, recovered, failed := 0, 0, 0
			lastChunk := -1
			for r, err := range f.Records(context.Background()) {
				if err != nil {
					var fe *FormatError
					require.ErrorAs(t, err, &fe)
					failed++
					continue
				}
				if r.Recovered {
					recovered++
				} else {
					decoded++
				}
				assert.GreaterOrEqual(t, r.Chunk, lastChunk, "records come in chunk order")
				lastChunk = r.Chunk
				assert.NotZero(t, r.RecordID)
				assert.False(t, r.TimeCreated.IsZero())
				assert.Equal(t, "UTC", r.TimeCreated.Location().String())
				for _, d := range r.Data {
					assert.True(t, utf8.ValidString(d.Name) && utf8.ValidString(d.Value), "record %d: %q is not UTF-8", r.RecordID, d.Value)
				}
			}
			s := f.Stats()
			assert.Equal(t, tc.decoded, s.RecordsDecoded, "decoded")
			assert.Equal(t, tc.recovered, s.RecordsRecovered, "recovered")
			assert.Equal(t, tc.failed, s.RecordsFailed, "failed")
			assert.Equal(t, tc.decoded, decoded)
			assert.Equal(t, tc.recovered, recovered)
			assert.Equal(t, tc.failed+tc.skipped, failed, "errors yielded: failed records + skipped chunks")
			assert.Equal(t, s.RecordsAttempted, s.RecordsDecoded+s.RecordsRecovered+s.RecordsFailed)
			assert.Equal(t, tc.skipped, s.ChunksSkipped, "chunks skipped")
			assert.Equal(t, s.ChunkSlots, s.ChunksParsed+s.ChunksEmpty+s.ChunksSkipped)
			hdr, chunkCRC, partial := false, 0, 0
			for _, p := range s.Problems {
				require.Error(t, p.Err)
				switch p.Kind {
				case ProblemRecordPartial:
					partial++
					assert.Zero(t, p.Lost)
				case ProblemHeaderCRC:
					hdr = true
					assert.True(t, errors.Is(p.Err, ErrChecksum))
				case ProblemChunkDataCRC, ProblemChunkHeaderCRC:
					chunkCRC++
				}
			}
			assert.Equal(t, tc.headerCRC, hdr, "file header CRC problem")
			assert.Equal(t, tc.chunkCRCProblems, chunkCRC, "chunk CRC problems")
			assert.Equal(t, tc.partial, partial, "partial records")
		})
	}
}

// TestCorpusDamageDetail pins what the damaged corpus files give record by
// record (testdata/evtx/README.md, "Every difference explained").
func TestCorpusDamageDetail(t *testing.T) {
	read := func(t *testing.T, path string) (map[uint64]Record, Stats) {
		f, err := Open(filepath.Join("..", "testdata", "evtx", filepath.FromSlash(path)), nil)
		require.NoError(t, err)
		defer func() { require.NoError(t, f.Close()) }()
		got := map[uint64]Record{}
		for r, err := range f.Records(context.Background()) {
			if err == nil {
				got[r.RecordID] = r
			}
		}
		return got, f.Stats()
	}
	t.Run("bad chunk magic", func(t *testing.T) {
		got, s := read(t, "omerbenamram__evtx/sample_with_a_bad_chunk_magic.evtx")
		// python-evtx renders the two half-zeroed records with their System
		// part and cut data; so does this reader, flagged Partial.
		for id, data := range map[uint64]string{47640: "Microsoft.Wi", 45933: "Microsoft.Windows.ContentDeliver"} {
			r, ok := got[id]
			require.True(t, ok, "record %d", id)
			assert.True(t, r.Partial)
			assert.False(t, r.Recovered)
			assert.Equal(t, "Microsoft-Windows-AppXDeployment", r.Provider)
			assert.EqualValues(t, 325, r.EventID)
			assert.Equal(t, []Field{{"PackageFamilyName", data}}, r.Data)
		}
		// Record 46741 (chunk 0) has nothing left but its header: failed.
		_, ok := got[46741]
		assert.False(t, ok)
		failed := map[uint64]bool{}
		for _, p := range s.Problems {
			if p.Kind == ProblemRecordFailed && p.RecordID != 0 {
				failed[p.RecordID] = true
			}
		}
		assert.True(t, failed[46741])
		// Chunk 7: 47628-47640 as python-evtx reads them, then 47675-47705
		// found by resynchronising past the zeroed run.
		for id := uint64(47628); id <= 47705; id++ {
			r, ok := got[id]
			switch {
			case id <= 47640:
				require.True(t, ok, "record %d", id)
				assert.False(t, r.Recovered, "record %d", id)
			case id < 47675:
				assert.False(t, ok, "record %d", id)
			default:
				require.True(t, ok, "record %d", id)
				assert.True(t, r.Recovered, "record %d", id)
				assert.Equal(t, 7, r.Chunk)
			}
		}
	})
	t.Run("zero data size", func(t *testing.T) {
		got, _ := read(t, "omerbenamram__evtx/sample-with-zero-data-size-event.evtx")
		var recovered []uint64
		for id, r := range got {
			if r.Recovered {
				recovered = append(recovered, id)
				assert.Equal(t, 0, r.Chunk)
			}
		}
		assert.Len(t, recovered, 114, "records 4-117 of chunk 0, past the size-0 record")
	})
	t.Run("truncated", func(t *testing.T) {
		got, s := read(t, "log2timeline__plaso/System2.evtx")
		n := 0
		for _, r := range got {
			assert.Equal(t, r.Chunk == 2, r.Recovered, "record %d", r.RecordID)
			if r.Recovered {
				n++
			}
		}
		assert.Equal(t, 89, n, "the records wholly present in the cut third chunk")
		assert.Equal(t, 89, s.RecordsRecovered)
	})
	t.Run("ANSI strings", func(t *testing.T) {
		got, _ := read(t, "williballenthin__python-evtx/dns_log_malformed.evtx")
		require.Len(t, got, 5)
		r := got[2]
		v, ok := r.DataValue("QNAME")
		require.True(t, ok)
		assert.Equal(t, "b._dns-sd._udp.@\u00a65\x01.", v, "0xA6 read as Windows-1252, as evtxexport prints it")
	})
}

func TestANSIString(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "",
		"plain":                "plain",
		"\xa6":                 "\u00a6",
		"caf\xe9 \x80":         "caf\u00e9 \u20ac",
		"\x01\x7f":             "\x01\x7f",
		"\x81\x8d\x8f\x90\x9d": "\u0081\u008d\u008f\u0090\u009d",
	} {
		got := ansiString([]byte(in))
		assert.Equal(t, want, got, "%q", in)
		assert.True(t, utf8.ValidString(got))
	}
}

// TestCorpusBinary pins EventData's <Binary> on a classic record: plaso
// System.evtx record 1 (Service Control Manager 7036), whose data python-evtx
// prints as base64 "ZQB2AGUAbgB0AGwAbwBnAC8AMQAAAA==" ("eventlog/1" in
// UTF-16LE); scripts/crosscheck-corpus-fields.sh compares every record.
func TestCorpusBinary(t *testing.T) {
	path := filepath.Join("..", "testdata", "evtx", "log2timeline__plaso", "System.evtx")
	first := func(opts *Options) (Record, Stats) {
		f, err := Open(path, opts)
		require.NoError(t, err)
		defer func() { require.NoError(t, f.Close()) }()
		for r, err := range f.Records(context.Background()) {
			require.NoError(t, err)
			return r, f.Stats()
		}
		t.Fatal("no record")
		return Record{}, Stats{}
	}
	r, _ := first(nil)
	require.EqualValues(t, 1, r.RecordID)
	assert.Equal(t, "6500760065006E0074006C006F0067002F0031000000", r.Binary)
	// A MaxDataSize below the data cuts it at a whole byte and says so.
	// The two fields take 36 bytes (names and values) of the 50.
	r, s := first(&Options{MaxDataSize: 50})
	assert.Len(t, r.Data, 2)
	assert.Equal(t, "6500760065006E", r.Binary)
	kinds := map[ProblemKind]bool{}
	for _, p := range s.Problems {
		kinds[p.Kind] = true
	}
	assert.True(t, kinds[ProblemDataLimit])
}
