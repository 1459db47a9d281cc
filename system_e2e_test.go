package hvic_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/internal/hivewriter"
	"github.com/hvic/hvic/kb"
)

// systemHive is a SYSTEM hive: Select\Current = 1, ControlSet001 naming
// the machine computer, with each service of start (name -> Start) under
// Services.
func systemHive(t testing.TB, computer string, start map[string]uint32) []byte {
	t.Helper()
	b := hivewriter.New()
	b.Timestamp = copied
	b.Key("Select").SetDword("Current", 1)
	b.Key(`ControlSet001\Control\ComputerName\ComputerName`).SetString("ComputerName", computer)
	for name, s := range start {
		b.Key(`ControlSet001\Services\`+name).SetDword("Start", s)
	}
	out, err := b.Bytes()
	require.NoError(t, err)
	return out
}

// TestScanSystemHiveNamesHost: a host SOFTWARE hive with no log beside it
// is named by the SYSTEM hive in its folder, not guessed from the only
// computer the collection knows.
func TestScanSystemHiveNamesHost(t *testing.T) {
	for _, withSystem := range []bool{true, false} {
		t.Run(map[bool]string{true: "with SYSTEM", false: "without"}[withSystem], func(t *testing.T) {
			c := collection{
				"case-7/SOFTWARE": hostHive(t, shapeNamed(t, "2012R2"), map[string]string{"Win6x": ic2012R2}),
				"VM1/SOFTWARE":    guestHive(t, shapeNamed(t, "2012"), ic2012R2, e2eVM1, e2eHostA, mar),
			}
			if withSystem {
				c["case-7/SYSTEM"] = systemHive(t, "HV01", nil)
			}
			res := scanCollection(t, c, nil)
			var codes []string
			for _, p := range res.Problems {
				if p.File == "case-7/SOFTWARE" {
					codes = append(codes, p.Code.String())
				}
			}
			if withSystem {
				assert.Empty(t, codes, "named by its SYSTEM hive")
			} else {
				assert.Equal(t, []string{"host-guessed"}, codes)
			}
			vm := vmNamed(t, res, e2eVM1.name)
			assert.Equal(t, e2eHostA, vm.Host)
			assert.Equal(t, kb.RuleCase1, vm.RuleID)
		})
	}
}

// TestScanGuestDataExchange: seed 002. On a 2016+ host a Windows Server
// 2012 guest gets its ICs through Windows Update, which needs Data
// Exchange: the guest's SYSTEM hive (paired by folder) showing
// vmickvpexchange disabled turns the remediation to the cab from the
// download centre; the Guest Service Interface off changes nothing.
func TestScanGuestDataExchange(t *testing.T) {
	tests := []struct {
		name     string
		services map[string]uint32 // nil: no SYSTEM hive
		fallback bool
	}{
		{"no SYSTEM hive", nil, false},
		{"Data Exchange manual", map[string]uint32{"vmickvpexchange": 3, "vmicguestinterface": 4}, false},
		{"Data Exchange disabled", map[string]uint32{"vmickvpexchange": 4, "vmicguestinterface": 3}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := collection{
				"HV01/SOFTWARE":    host2019Hive(t),
				"HV01/System.evtx": evtxOf(t, scm(e2eHostA, mar)),
				"VM1/SOFTWARE":     guestHive(t, shapeNamed(t, "2012"), ic2012Upd, e2eVM1, e2eHostA, mar),
			}
			if tt.services != nil {
				c["VM1/SYSTEM"] = systemHive(t, "VM1", tt.services)
			}
			res := scanCollection(t, c, nil)
			vm := vmNamed(t, res, e2eVM1.name)
			require.NotNil(t, vm.Remediation, vm.RuleID)
			assert.Equal(t, "REM-2016-DATAEXCHANGE", vm.Remediation.ID)
			assert.Equal(t, tt.fallback, vm.Remediation.FallbackApplies)
			var g *kb.GuestEvidence
			for i := range res.Evidence.Guests {
				g = &res.Evidence.Guests[i]
			}
			require.NotNil(t, g)
			if tt.services == nil {
				assert.Nil(t, g.DataExchangeDisabled)
			} else {
				require.NotNil(t, g.DataExchangeDisabled)
				assert.Equal(t, tt.fallback, *g.DataExchangeDisabled)
			}
			text := textOf(t, res)
			assert.Equal(t, tt.fallback, strings.Contains(text, "vmickvpexchange) is disabled"), text)
			assert.Equal(t, tt.fallback, strings.Contains(text, "Data Exchange service is disabled"), text)
			var roles []string
			for _, f := range res.Inventory.Files {
				if f.Path == "VM1/SYSTEM" {
					roles = append(roles, string(f.Role), f.Host)
				}
			}
			if tt.services != nil {
				assert.Equal(t, []string{string(hvic.RoleOtherRegistry), "VM1"}, roles)
			}
		})
	}
}
