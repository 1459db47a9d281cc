package hvic_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/kb"
)

// bareAuto is `reg query "HKLM\Software\Microsoft\Virtual Machine\Auto"
// /v IntegrationServicesVersion` output: a version, no VM name or ID.
const bareAuto = "\r\nHKEY_LOCAL_MACHINE\\Software\\Microsoft\\Virtual Machine\\Auto\r\n" +
	"    IntegrationServicesVersion    REG_SZ    6.3.9600.16384\r\n\r\n"

// TestScanBareGuestExport (issue 12 item 5): a guest export naming no VM
// is tied to the VM the host's Get-VM lists whose name is in its file or
// folder name, as a guess said in a problem; otherwise it is an
// unattributed guest, and the problem says so.
func TestScanBareGuestExport(t *testing.T) {
	tests := []struct {
		name, file, code string
		vm               string // the VM the guest's version reaches, "" for none
	}{
		{"file name", "case/web01-auto.txt", "vm-guessed", "web01"},
		{"folder name", "web01/auto.txt", "vm-guessed", "web01"},
		{"no name", "guests/auto.txt", "guest-unattributed", ""},
		{"name inside a longer word", "case/web012.txt", "guest-unattributed", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := collection{
				"HV01/SOFTWARE":     hostHive(t, shapeNamed(t, "2012R2"), map[string]string{"Win6x": "6.3.9600.18398"}),
				"HV01/HV01-vms.csv": fixture(t, adviceData, "host-get-vm.csv"),
				"HV01/system.evtx":  fixture(t, exportData, "hv01-system.evtx"),
				"HV01/integ.evtx":   fixture(t, exportData, "hv01-integration-admin.evtx"),
				tt.file:             []byte(bareAuto),
			}
			res := scanCollection(t, c, nil)
			var codes []string
			for _, p := range res.Problems {
				if p.File == tt.file {
					codes = append(codes, p.Code.String())
				}
			}
			assert.Equal(t, []string{tt.code}, codes)
			require.Len(t, res.Evidence.Guests, 1)
			g := res.Evidence.Guests[0]
			assert.Equal(t, tt.vm, g.VMName)
			if tt.vm == "" {
				return
			}
			assert.Equal(t, []string{"HV01.contoso.local"}, g.HostNames)
			a := vmNamed(t, res, tt.vm)
			assert.Equal(t, "6.3.9600.16384", a.GuestIC.Version.String())
			assert.Equal(t, kb.RuleCase2, a.RuleID, "the guest's own older version decides, not Get-VM's")
		})
	}
}
