package hvic

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hvic/hvic/evtx"
	"github.com/hvic/hvic/internal/collect"
	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

// Each evtx problem kind the reader reports has its own code, and the
// collection walk's refusal reasons map to the codes of the same name.
func TestProblemCodeMaps(t *testing.T) {
	for k, c := range evtxCodes {
		if k == evtx.ProblemDamagedRegions {
			assert.Equal(t, result.CodeEVTXDamage, c) // the regions Survey counts
			continue
		}
		assert.Equal(t, "evtx-"+k.String(), c.String(), k.String())
	}
	assert.Equal(t, result.CodeEVTXDamage, evtxCode(evtx.ProblemUnknown))
	for r, c := range refusalCodes {
		assert.Equal(t, string(r), c.String())
	}
	assert.Equal(t, result.CodeUnreadable, refusalCode(collect.ReasonUnreadable))
}

// kb.NormalizeVMID is the one VM-ID normaliser; evtx.ParseGUID, which
// tells a GUID from other data, agrees with it on every GUID it accepts,
// whatever the braces, case, NULs and spaces around it.
func TestVMIDNormalisersAgree(t *testing.T) {
	for _, in := range []string{
		"0C6D3E55-1A2B-4C3D-8E9F-0000000000A1",
		"{0C6D3E55-1A2B-4C3D-8E9F-0000000000A1}",
		"{0c6d3e55-1a2b-4c3d-8e9f-0000000000a1}\x00",
		" 0c6d3e55-1a2b-4c3d-8e9f-0000000000a1 ",
	} {
		g, ok := evtx.ParseGUID(in)
		if !ok {
			continue // not a GUID to evtx: kb keeps it as a name-like ID
		}
		assert.Equal(t, kb.NormalizeVMID(in), g, "%q", in)
	}
	g, ok := evtx.ParseGUID("0C6D3E55-1A2B-4C3D-8E9F-0000000000A1")
	assert.True(t, ok)
	assert.Equal(t, "0c6d3e55-1a2b-4c3d-8e9f-0000000000a1", g)
}

// Workers bounds the CPUs in use: files read at once times the goroutines
// decoding each event log never exceeds Workers, and spare workers go to
// the event logs.
func TestInnerWorkers(t *testing.T) {
	tests := []struct{ workers, files, want int }{
		{1, 10, 1}, {1, 1, 1}, {4, 1, 4}, {4, 2, 2}, {4, 3, 1}, {4, 100, 1}, {8, 0, 8}, {2, 1, 2},
	}
	for _, tt := range tests {
		got := innerWorkers(tt.workers, tt.files)
		assert.Equal(t, tt.want, got, "%d workers, %d files", tt.workers, tt.files)
		assert.LessOrEqual(t, got*min(tt.workers, max(tt.files, 1)), tt.workers)
	}
}
