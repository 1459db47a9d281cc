package hvic_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/report/result"
)

// TestOneCauseOneProblem (issue 14 item 6): in the public corpus, one
// cause reads as one problem under the default per-file cap: the damaged
// Services subkey list of regipy's corrupted SYSTEM hive (60 bad cells,
// the eight integration services it hides) and the eight consecutive
// chunks of sysmon.evtx with a bad signature.
func TestOneCauseOneProblem(t *testing.T) {
	tests := []struct {
		name, input, file string
		cause             string // in exactly one problem of the file
		names             []string
	}{
		{"damaged subkey list", filepath.Join("testdata", "hive", "regipy", "corrupted_system_hive.gz"),
			"corrupted_system_hive", `key ControlSet001\Services: offset 0xf80f0`,
			[]string{"59 more damaged nk cells", "vmicheartbeat", "and 4 others"}},
		{"bad chunk signatures", filepath.Join("testdata", "evtx", "omerbenamram__evtx", "sysmon.evtx"),
			"sysmon.evtx", "bad chunk signature", []string{"chunk 9 offset 0x91000", "chunks 10-16 too"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := hvic.ScanPaths(context.Background(), []string{tt.input}, nil)
			require.NoError(t, err)
			var with []hvic.Problem
			for _, p := range res.Problems {
				if !strings.HasSuffix(p.File, tt.file) {
					continue
				}
				assert.NotEqual(t, result.CodeMoreProblems, p.Code, "within the cap: %s", p.Message)
				if strings.Contains(p.Message, tt.cause) {
					with = append(with, p)
				}
			}
			require.Len(t, with, 1, "one problem says %q", tt.cause)
			for _, n := range tt.names {
				assert.Contains(t, with[0].Message, n)
			}
		})
	}
}
