package advicetest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/evtx/export"
	"github.com/hvic/hvic/internal/psvm"
)

// TestSniffersDoNotOverlap: each fixture of the new readers is claimed by
// its own sniffer only, and reg query text and .evtx files by neither, so the phase-2
// collection sniffer can ask them in any order.
func TestSniffersDoNotOverlap(t *testing.T) {
	type claim struct{ psvm, export bool }
	check := func(dir string, want claim, skip func(string) bool) {
		files, err := filepath.Glob(filepath.Join(dir, "*"))
		require.NoError(t, err)
		require.NotEmpty(t, files)
		for _, p := range files {
			if skip(p) {
				continue
			}
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			head := b[:min(len(b), 4096)]
			got := claim{psvm.Sniff(head), export.Sniff(head) != export.FormUnknown}
			assert.Equal(t, want, got, p)
		}
	}
	notData := func(p string) bool { return strings.HasSuffix(p, ".md") || strings.HasSuffix(p, ".evtx") }
	check("../psvm/testdata", claim{psvm: true}, notData)
	check(exportData, claim{export: true}, notData)
	check("testdata", claim{psvm: true}, func(p string) bool { return notData(p) || !strings.HasSuffix(p, ".csv") })
	check("testdata", claim{}, func(p string) bool { return notData(p) || !strings.HasSuffix(p, ".txt") })
	check(exportData, claim{}, func(p string) bool { return !strings.HasSuffix(p, ".evtx") })
}
