package hvic

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hvic/hvic/evtx"
	"github.com/hvic/hvic/internal/collect"
	"github.com/hvic/hvic/report/result"
)

// Each evtx problem kind the reader reports has its own code, and the
// collection walk's refusal reasons map to the codes of the same name.
func TestProblemCodeMaps(t *testing.T) {
	for k, c := range evtxCodes {
		assert.Equal(t, "evtx-"+strings.ReplaceAll(k.String(), "_", "-"), c.String(), k.String())
	}
	assert.Equal(t, result.CodeEVTXDamage, evtxCode(evtx.ProblemUnknown))
	for r, c := range refusalCodes {
		assert.Equal(t, string(r), c.String())
	}
	assert.Equal(t, result.CodeUnreadable, refusalCode(collect.ReasonUnreadable))
}
