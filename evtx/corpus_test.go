package evtx

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corpus lists every .evtx under testdata/evtx with the counts this reader
// gets; testdata/evtx/README.md explains each against python-evtx and
// evtxexport.
var corpus = []struct {
	path             string
	decoded, failed  int
	skipped          int // chunk slots neither parsed nor empty
	headerCRC        bool
	chunkCRCProblems int
}{
	{"AndrewRathbun__DFIRArtifactMuseum/BelkasoftCTF_InsiderThreat/Microsoft-Windows-Hyper-V-Guest-Drivers%4Admin.evtx", 72, 0, 0, false, 0},
	{"AndrewRathbun__DFIRArtifactMuseum/BelkasoftCTF_InsiderThreat/Microsoft-Windows-Kernel-PnP%4Configuration.evtx", 263, 0, 0, false, 0},
	{"AndrewRathbun__DFIRArtifactMuseum/BelkasoftCTF_InsiderThreat/System.evtx", 1766, 0, 0, false, 0},
	{"Velocidex__evtx/Security_1_record.evtx", 1, 0, 0, false, 0},
	{"log2timeline__plaso/System.evtx", 5009, 0, 0, false, 0},
	{"log2timeline__plaso/System2.evtx", 283, 1, 0, false, 1},
	{"omerbenamram__evtx/Application_no_crc32.evtx", 17, 0, 0, true, 2},
	{"omerbenamram__evtx/MSExchange_Management_wec.evtx", 1, 0, 0, false, 0},
	{"omerbenamram__evtx/Microsoft-Windows-HelloForBusiness%4Operational.evtx", 5, 1, 0, false, 1},
	{"omerbenamram__evtx/sample-with-zero-data-size-event.evtx", 449, 1, 0, false, 1},
	{"omerbenamram__evtx/sample_with_a_bad_chunk_magic.evtx", 298, 3, 2, false, 3},
	{"omerbenamram__evtx/security_bad_string_cache.evtx", 2261, 0, 0, false, 1},
	{"omerbenamram__evtx/sysmon.evtx", 358, 0, 8, false, 0},
	{"omerbenamram__evtx/system.evtx", 1881, 0, 0, false, 0},
	{"williballenthin__python-evtx/dns_log_malformed.evtx", 5, 0, 0, false, 0},
	{"williballenthin__python-evtx/issue_38.evtx", 1, 0, 0, false, 0},
	{"williballenthin__python-evtx/system.evtx", 1601, 0, 0, false, 0},
}

func TestCorpusCounts(t *testing.T) {
	all, err := filepath.Glob(filepath.Join("..", "testdata", "evtx", "*", "*.evtx"))
	require.NoError(t, err)
	deeper, err := filepath.Glob(filepath.Join("..", "testdata", "evtx", "*", "*", "*.evtx"))
	require.NoError(t, err)
	require.Len(t, corpus, len(all)+len(deeper), "every corpus file has a row")
	for _, tc := range corpus {
		t.Run(tc.path, func(t *testing.T) {
			f, err := Open(filepath.Join("..", "testdata", "evtx", filepath.FromSlash(tc.path)), nil)
			require.NoError(t, err)
			defer func() { require.NoError(t, f.Close()) }()
			decoded, failed := 0, 0
			lastChunk := -1
			for r, err := range f.Records(context.Background()) {
				if err != nil {
					var fe *FormatError
					require.ErrorAs(t, err, &fe)
					failed++
					continue
				}
				decoded++
				assert.GreaterOrEqual(t, r.Chunk, lastChunk, "records come in chunk order")
				lastChunk = r.Chunk
				assert.NotZero(t, r.RecordID)
				assert.False(t, r.TimeCreated.IsZero())
				assert.Equal(t, "UTC", r.TimeCreated.Location().String())
			}
			s := f.Stats()
			assert.Equal(t, tc.decoded, s.RecordsDecoded, "decoded")
			assert.Equal(t, tc.failed, s.RecordsFailed, "failed")
			assert.Equal(t, tc.decoded, decoded)
			assert.Equal(t, tc.failed+tc.skipped, failed, "errors yielded: failed records + skipped chunks")
			assert.Equal(t, s.RecordsAttempted, s.RecordsDecoded+s.RecordsFailed)
			assert.Equal(t, tc.skipped, s.ChunksSkipped, "chunks skipped")
			assert.Equal(t, s.ChunkSlots, s.ChunksParsed+s.ChunksEmpty+s.ChunksSkipped)
			hdr, chunkCRC := false, 0
			for _, p := range s.Problems {
				require.Error(t, p.Err)
				switch p.Kind {
				case ProblemHeaderCRC:
					hdr = true
					assert.True(t, errors.Is(p.Err, ErrChecksum))
				case ProblemChunkDataCRC, ProblemChunkHeaderCRC:
					chunkCRC++
				}
			}
			assert.Equal(t, tc.headerCRC, hdr, "file header CRC problem")
			assert.Equal(t, tc.chunkCRCProblems, chunkCRC, "chunk CRC problems")
		})
	}
}
