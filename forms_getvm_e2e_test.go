package hvic_test

import (
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/kb"
)

// Issue 12: every form of Get-VM and Get-VMIntegrationService output,
// UTF-8 and UTF-16LE with BOM, scanned with hvic.Scan, ends in the
// verdict of the same collection with the Get-VM CSV of kb's checklist.

const formsData = "testdata/forms"

// utf16LEBOM is b as Windows PowerShell 5.1's > and Out-File write it.
func utf16LEBOM(b []byte) []byte {
	out := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(string(b))) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// getVMBase is HV01 without guests: its SOFTWARE hive (2012 R2, offering
// 6.3.9600.18398) and its two logs. The VMs' versions come from Get-VM.
func getVMBase(t *testing.T) collection {
	return collection{
		"HV01/SOFTWARE":                    hostHive(t, shapeNamed(t, "2012R2"), map[string]string{"Win6x": "6.3.9600.18398"}),
		"HV01/hv01-integration-admin.evtx": fixture(t, exportData, "hv01-integration-admin.evtx"),
		"HV01/hv01-system.evtx":            fixture(t, exportData, "hv01-system.evtx"),
	}
}

func TestScanGetVMForms(t *testing.T) {
	ref := getVMBase(t)
	ref["HV01/HV01-vms.csv"] = fixture(t, adviceData, "host-get-vm.csv")
	want := scanVerdicts(scanCollection(t, ref, nil))
	require.Contains(t, want, scanVerdict{"web01", kb.RuleCase2}, "web01: older, 4010 latest")
	require.Contains(t, want, scanVerdict{"db01", kb.RuleCase1}, "db01: the host's version")

	for _, name := range []string{"getvm-table.txt", "getvm-table-autosize.txt", "getvm-table-truncated.txt",
		"getvm-list.txt", "getvm-table-ja.txt", "getvm-list-ja.txt", "getvm.json", "getvm-type.csv"} {
		for _, enc := range []string{"utf-8", "utf-16le"} {
			t.Run(name+"/"+enc, func(t *testing.T) {
				b := fixture(t, formsData, name)
				if enc == "utf-16le" {
					b = utf16LEBOM(b)
				}
				c := getVMBase(t)
				c["HV01/"+name] = b
				res := scanCollection(t, c, nil)
				got := scanVerdicts(res)
				for _, v := range want {
					assert.Contains(t, got, v)
				}
				for _, vm := range []string{"web01", "db01"} {
					a := vmNamed(t, res, vm)
					f := primaryOf(t, res, a)
					assert.Equal(t, "host-view", f.Params["guestVersionSource"], vm)
					assert.Equal(t, "agrees", f.Params["hostView"], vm)
					require.NotNil(t, a.GuestIC.Ref, vm)
					assert.Equal(t, "HV01/"+name, a.GuestIC.Ref.File, vm)
				}
				kind := ""
				for _, f := range res.Inventory.Files {
					if f.Path == "HV01/"+name {
						kind = f.Kind + "/" + string(f.Role)
					}
				}
				assert.Equal(t, "get-vm/"+string(hvic.RoleHostVMList), kind)
				if name != "getvm-table-truncated.txt" {
					assert.ElementsMatch(t, want, got)
					return
				}
				assert.Len(t, got, len(want)+1)
				// app03's version and state were cut short: listed, but
				// its version is no evidence, and the problem says so.
				app := vmNamed(t, res, "app03")
				assert.Empty(t, app.GuestIC.Raw)
				assert.NotEqual(t, kb.RuleCase1, app.RuleID)
				assert.NotEqual(t, kb.RuleCase2, app.RuleID)
				cut := 0
				for _, p := range res.Problems {
					if p.File == "HV01/"+name && strings.Contains(p.Message, "cut short") {
						cut++
					}
				}
				assert.Equal(t, 2, cut, "version and state cut short")
			})
		}
	}
}

func primaryOf(t *testing.T, res *hvic.Result, a kb.Assessment) kb.Finding {
	t.Helper()
	for _, f := range findingsOf(res, a.RuleID) {
		if f.VMName == a.VMName {
			return f
		}
	}
	require.FailNow(t, "no primary finding for "+a.VMName)
	return kb.Finding{}
}

// TestScanIntegrationServiceForms: seeds 002 and 003 from the host's side.
// On a 2016+ host a Windows Server 2012 guest gets ICs through Windows
// Update, which needs Data Exchange: Get-VMIntegrationService listing
// Key-Value Pair Exchange disabled turns the remediation to the cab, as
// the guest's SYSTEM hive does (TestScanGuestDataExchange); the Guest
// Service Interface off is information only; Heartbeat's protocol
// mismatch is weighed against the verdict.
func TestScanIntegrationServiceForms(t *testing.T) {
	base := func() collection {
		return collection{
			"HV01/SOFTWARE":    host2019Hive(t),
			"HV01/System.evtx": evtxOf(t, scm(e2eHostA, mar)),
			"VM1/SOFTWARE":     guestHive(t, shapeNamed(t, "2012"), ic2012Upd, e2eVM1, e2eHostA, mar),
		}
	}
	without := vmNamed(t, scanCollection(t, base(), nil), e2eVM1.name)
	require.NotNil(t, without.Remediation)
	require.False(t, without.Remediation.FallbackApplies)

	for _, tt := range []struct {
		name     string
		disabled string // servicesDisabled
		mismatch string // serviceStatusServices
		ja       bool
	}{
		{"vmis-table.txt", "Guest Service Interface,Key-Value Pair Exchange", "Heartbeat", false},
		{"vmis-list.txt", "Guest Service Interface,Key-Value Pair Exchange", "Heartbeat", false},
		{"vmis.csv", "Guest Service Interface,Key-Value Pair Exchange", "Heartbeat", false},
		{"vmis.json", "Guest Service Interface,Key-Value Pair Exchange", "Heartbeat", false},
		{"vmis-table-ja.txt", "ゲスト サービス インターフェイス,キー値ペアの交換", "ハートビート", true},
	} {
		for _, enc := range []string{"utf-8", "utf-16le"} {
			t.Run(tt.name+"/"+enc, func(t *testing.T) {
				b := fixture(t, formsData, tt.name)
				if enc == "utf-16le" {
					b = utf16LEBOM(b)
				}
				c := base()
				file := "HV01/" + tt.name
				c[file] = b
				res := scanCollection(t, c, nil)
				vm := vmNamed(t, res, e2eVM1.name)
				assert.Equal(t, without.RuleID, vm.RuleID, "the verdict stands")
				require.NotNil(t, vm.Remediation)
				assert.Equal(t, "REM-2016-DATAEXCHANGE", vm.Remediation.ID)
				assert.True(t, vm.Remediation.FallbackApplies, "the cab from the download centre")
				f := primaryOf(t, res, vm)
				assert.Equal(t, tt.disabled, f.Params["servicesDisabled"])
				assert.Equal(t, kb.ServiceStatusProtocolMismatch, f.Params["serviceStatus"])
				assert.Equal(t, tt.mismatch, f.Params["serviceStatusServices"])
				if tt.ja {
					assert.Equal(t, "true", f.Params["serviceNamesUnverified"])
				} else {
					assert.Empty(t, f.Params["serviceNamesUnverified"])
				}
				notes := map[string]*kb.Ref{}
				for _, x := range vm.Explanation {
					if x.Kind == kb.ExplainNote {
						notes[x.Params["note"]] = x.Ref
					}
				}
				require.Contains(t, notes, "data-exchange-disabled-host")
				require.NotNil(t, notes["data-exchange-disabled-host"])
				assert.Equal(t, file, notes["data-exchange-disabled-host"].File, "the note cites the row")
				assert.Contains(t, notes, "service-off-by-default", "Guest Service Interface: information only")
				assert.NotContains(t, notes, "service-disabled")
				assert.Len(t, res.Evidence.ICServices, 6)
				text := textOf(t, res)
				assert.Contains(t, text, "vmickvpexchange) is disabled")
				assert.Contains(t, text, "as disabled for this VM, its default (information only)")
				assert.Contains(t, text, "the host lists Data Exchange (Key-Value Pair Exchange) as disabled for this VM")
			})
		}
	}
}
