package hvic_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/evtx/export"
	"github.com/hvic/hvic/kb"
)

// Issue 12 phase 2: the text forms customers send (Get-VM CSV, event log
// exports, a guest's reg query text) scanned with hvic.Scan give the
// verdicts of the same collection with .evtx files. The logs and their
// exports are evtx/export's testdata (host HV01.contoso.local); the Get-VM
// CSV and the reg query text are internal/advicetest's.

const (
	exportData = "evtx/export/testdata"
	adviceData = "internal/advicetest/testdata"
)

func fixture(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	return b
}

// formsBase is what both versions share: the host's SOFTWARE hive (the
// 2012 R2 host offering 6.3.9600.18398), its Get-VM CSV, and web01's
// reg query text.
func formsBase(t *testing.T) collection {
	return collection{
		"HV01/SOFTWARE":      hostHive(t, shapeNamed(t, "2012R2"), map[string]string{"Win6x": "6.3.9600.18398"}),
		"HV01/HV01-vms.csv":  fixture(t, adviceData, "host-get-vm.csv"),
		"web01/web01-vm.txt": fixture(t, adviceData, "guest-reg-query.txt"),
	}
}

type scanVerdict struct{ vm, rule string }

func scanVerdicts(res *hvic.Result) []scanVerdict {
	var out []scanVerdict
	for _, a := range res.VMs {
		out = append(out, scanVerdict{a.VMName, a.RuleID})
	}
	return out
}

func TestScanFormsGiveTheBinaryVerdicts(t *testing.T) {
	binary := formsBase(t)
	binary["HV01/hv01-integration-admin.evtx"] = fixture(t, exportData, "hv01-integration-admin.evtx")
	binary["HV01/hv01-system.evtx"] = fixture(t, exportData, "hv01-system.evtx")
	bres := scanCollection(t, binary, nil)
	want := scanVerdicts(bres)
	require.Contains(t, want, scanVerdict{"web01", kb.RuleCase2}, "web01: guest older, 4010 latest")
	require.Contains(t, want, scanVerdict{"db01", kb.RuleCase1}, "db01: the version from Get-VM equals the host's")

	for _, p := range [][2]string{
		{"integration-viewer.xml", "system-viewer-utf8.xml"},
		{"integration-wevtutil.xml", "system-wevtutil-rd.xml"},
		{"integration-viewer.csv", "system-viewer.csv"},
		{"integration-viewer-ja.txt", "system-viewer.txt"},
		{"integration-winevent.csv", "system-winevent.csv"},
	} {
		t.Run(p[0], func(t *testing.T) {
			c := formsBase(t)
			for _, n := range p {
				c["HV01/"+n] = fixture(t, exportData, n)
			}
			res := scanCollection(t, c, nil)
			assert.ElementsMatch(t, want, scanVerdicts(res))
			kinds := map[string]string{}
			for _, f := range res.Inventory.Files {
				kinds[f.Path] = f.Kind + "/" + string(f.Role)
			}
			assert.Equal(t, "get-vm/"+string(hvic.RoleHostVMList), kinds["HV01/HV01-vms.csv"])
			assert.Equal(t, "event-export/"+string(hvic.RoleIntegrationLog), kinds["HV01/"+p[0]])
			assert.Equal(t, "event-export/"+string(hvic.RoleSystemLog), kinds["HV01/"+p[1]])
			for _, f := range findingsOf(res, kb.RuleCase2) {
				if f.VMName != "web01" {
					continue
				}
				// A verdict resting on rendered text says so.
				rendered := !strings.HasSuffix(p[0], ".xml")
				assert.Equal(t, rendered, f.Params["ambiguous"] == "true", "ambiguous")
				assert.Equal(t, rendered, strings.Contains(f.Params["ambiguousNote"], export.NoteRendered), "note")
			}
		})
	}
}

// TestScanGetVMHost: a Get-VM listing's host is its ComputerName column;
// without one, the host its place in the collection names, said to be a
// guess when it rests on the collection as a whole; with no host known,
// the listing is kept and the problem says so.
func TestScanGetVMHost(t *testing.T) {
	const withComputer = "\"Name\",\"VMId\",\"State\",\"IntegrationServicesVersion\",\"IntegrationServicesState\",\"ComputerName\"\r\n" +
		"\"db01\",\"5e0b5b3a-0000-4000-8000-000000000002\",\"Off\",\"6.3.9600.18398\",\"Up to date\",\"HV01.contoso.local\"\r\n"
	plain := string(fixture(t, adviceData, "host-get-vm.csv"))
	guest := fixture(t, adviceData, "guest-reg-query.txt")
	tests := []struct {
		name     string
		c        collection
		wantHost string
		wantCode string // the Get-VM file's problem, "" for none
	}{
		{"ComputerName column", collection{"exports/vms.csv": []byte(withComputer)}, "HV01.contoso.local", ""},
		{"the only host known", collection{"case-123/vms.csv": []byte(plain), "web01/web01-vm.txt": guest}, "HV01.contoso.local", "host-guessed"},
		{"the folder names the host", collection{"HV01/vms.csv": []byte(plain), "web01/web01-vm.txt": guest}, "HV01.contoso.local", ""},
		{"no host known", collection{"vms.csv": []byte(plain)}, "", "host-unnamed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scanCollection(t, tt.c, nil)
			require.NotEmpty(t, res.Evidence.VMViews)
			for _, v := range res.Evidence.VMViews {
				assert.Equal(t, tt.wantHost, v.Host, v.VMName)
			}
			var codes []string
			for _, p := range res.Problems {
				if strings.HasSuffix(p.File, "vms.csv") {
					codes = append(codes, p.Code.String())
				}
			}
			if tt.wantCode == "" {
				assert.Empty(t, codes)
			} else {
				assert.Equal(t, []string{tt.wantCode}, codes)
			}
			db := vmNamed(t, res, "db01")
			assert.Equal(t, tt.wantHost, db.Host)
			assert.NotEmpty(t, db.RuleID)
		})
	}
}

// TestScanServicesHost: a Get-VMIntegrationService listing without
// ComputerName is named like a Get-VM one: the host the collection
// singles out, said once as a guess (ErrGuessed, not damage), or no host,
// said once.
func TestScanServicesHost(t *testing.T) {
	services, err := os.ReadFile(filepath.Join("testdata", "forms", "vmis.csv"))
	require.NoError(t, err)
	guest := fixture(t, adviceData, "guest-reg-query.txt")
	tests := []struct {
		name     string
		c        collection
		wantHost string
		wantCode string
	}{
		{"the only host known", collection{"case-123/vmis.csv": services, "web01/web01-vm.txt": guest}, "HV01.contoso.local", "host-guessed"},
		{"no host known", collection{"vmis.csv": services}, "", "host-unnamed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scanCollection(t, tt.c, nil)
			require.NotEmpty(t, res.Evidence.ICServices)
			for _, s := range res.Evidence.ICServices {
				assert.Equal(t, tt.wantHost, s.Host, s.VMName)
			}
			var got []hvic.Problem
			for _, p := range res.Problems {
				if strings.HasSuffix(p.File, "vmis.csv") {
					got = append(got, p)
				}
			}
			require.Len(t, got, 1)
			assert.Equal(t, tt.wantCode, got[0].Code.String())
			assert.Equal(t, tt.wantCode == "host-guessed", errors.Is(got[0].Err, hvic.ErrGuessed))
			assert.Equal(t, tt.wantCode == "host-unnamed", errors.Is(got[0].Err, hvic.ErrDamaged))
		})
	}
}
