package hvic_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/kb"
)

// TestRegistryRefsCarryData: every piece of registry evidence naming one
// value carries the data read, so that a report (JSON included) shows the
// value and not only where it was; the IC versions' refs carry the very
// versions the verdict compared.
func TestRegistryRefsCarryData(t *testing.T) {
	res := scanSampleAsCLI(t)
	checked := 0
	check := func(r kb.Ref) {
		if r.KeyPath == "" || r.Value == "" {
			return
		}
		checked++
		assert.NotEmpty(t, r.Data, "%s %s : %s", r.File, r.KeyPath, r.Value)
	}
	for _, a := range res.VMs {
		for _, ic := range []kb.ICVersion{a.HostIC, a.GuestIC} {
			if ic.Ref != nil && ic.Ref.Value != "" {
				assert.Equal(t, strings.Trim(ic.Raw, " \x00"), ic.Ref.Data, "%s %s", a.VMName, ic.Ref.File)
			}
		}
		for _, r := range a.Refs {
			check(r)
		}
	}
	for _, f := range res.Findings {
		for _, r := range f.Refs {
			check(r)
		}
	}
	require.Greater(t, checked, 10, "the sample's registry evidence was seen")
}
