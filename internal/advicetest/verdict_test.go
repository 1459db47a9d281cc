package advicetest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/evtx"
	"github.com/hvic/hvic/evtx/export"
	"github.com/hvic/hvic/hive"
	"github.com/hvic/hvic/internal/psvm"
	"github.com/hvic/hvic/kb"
)

// The exports of evtx/export's testdata are renderings of its two
// generated logs (host HV01.contoso.local). This test stands in for the
// phase-2 wiring: it turns each reader's output into kb.Evidence the way
// the collection scan will, and checks that every form gives the verdicts
// of the binary logs.
const exportData = "../../evtx/export/testdata"

func readFile(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	return b
}

func kbEvent(ev evtx.ICEvent) kb.Event {
	return kb.Event{Provider: ev.Provider, EventID: uint32(ev.EventID), Component: ev.Component,
		VMName: ev.VMName, VMID: ev.VMID, ServerVersion: ev.ServerVersion, ClientVersion: ev.ClientVersion,
		FrameworkVersion: ev.FrameworkVersion.Raw, MessageVersion: ev.MessageVersion.Raw, Time: ev.Time,
		Host: ev.Computer, Ref: kb.Ref{File: ev.File, RecordID: ev.RecordID}, Ambiguous: ev.Ambiguous, Note: ev.Note}
}

// fromBinary reads an .evtx as the scan does today.
func fromBinary(t *testing.T, name string) ([]kb.Event, kb.LogCoverage) {
	f, err := evtx.FromBytes(readFile(t, exportData, name), &evtx.Options{Name: name})
	require.NoError(t, err)
	var out []kb.Event
	c := kb.LogCoverage{File: name}
	for r, err := range f.Records(context.Background()) {
		require.NoError(t, err)
		c.Host, c.Channel, c.Records = r.Computer, r.Channel, c.Records+1
		if c.First.IsZero() || r.TimeCreated.Before(c.First) {
			c.First = r.TimeCreated
		}
		if r.TimeCreated.After(c.Last) {
			c.Last = r.TimeCreated
		}
		if ev, ok := evtx.ExtractIC(r); ok {
			out = append(out, kbEvent(ev))
		}
	}
	return out, c
}

// fromExport reads an export; a form without a computer gets the host the
// scan will know from the folder (issue 12 item 5).
func fromExport(t *testing.T, name, host string) ([]kb.Event, kb.LogCoverage) {
	res, err := export.Parse(readFile(t, exportData, name), &export.Options{Name: name})
	require.NoError(t, err)
	require.Len(t, res.Coverage, 1)
	var out []kb.Event
	for _, ev := range res.Events {
		e := kbEvent(ev)
		if e.Host == "" {
			e.Host = host
		}
		out = append(out, e)
	}
	c := res.Coverage[0]
	if c.Computer == "" {
		c.Computer = host
	}
	return out, kb.LogCoverage{Host: c.Computer, Channel: c.Channel, File: name, First: c.First, Last: c.Last, Records: c.Records}
}

func guestFromRegQuery(t *testing.T) kb.GuestEvidence {
	src, err := hive.ParseRegQuery(context.Background(), readFile(t, "testdata", "guest-reg-query.txt"), &hive.ExportOptions{File: "web01-vm.txt"})
	require.NoError(t, err)
	g := hive.ExtractFacts(src, "web01-vm.txt").Guest
	require.NotNil(t, g)
	return kb.GuestEvidence{VMID: g.VirtualMachineID.Value, VMName: g.VirtualMachineName.Value,
		HostNames: []string{g.HostName.Value}, ICVersion: g.IntegrationServicesVersion.Value,
		Refs: []kb.Ref{{File: "web01-vm.txt", KeyPath: `Microsoft\Virtual Machine\Auto`, Value: "IntegrationServicesVersion"}}}
}

func viewsFromGetVM(t *testing.T) []kb.VMView {
	res, err := psvm.Parse(readFile(t, "testdata", "host-get-vm.csv"), nil)
	require.NoError(t, err)
	var out []kb.VMView
	for _, v := range res.VMs {
		st := map[psvm.ICState]kb.HostICState{psvm.ICStateUpToDate: kb.HostICUpToDate, psvm.ICStateUpdateRequired: kb.HostICUpdateRequired}[v.ICState]
		out = append(out, kb.VMView{Host: "HV01.contoso.local", VMName: v.Name, VMID: v.VMID, State: v.State,
			ICVersion: v.ICVersion, ICState: st, Ref: kb.Ref{File: "HV01-vms.csv"}})
	}
	return out
}

type verdict struct {
	name string
	rule string
}

func verdicts(t *testing.T, ev kb.Evidence) []verdict {
	res := kb.Default().Evaluate(ev)
	var out []verdict
	for _, a := range res.VMs {
		out = append(out, verdict{a.VMName, a.RuleID})
	}
	return out
}

// TestFormsGiveTheBinaryVerdicts: host hive facts (plain values), the
// guest's reg query text, the host's Get-VM CSV, and the two logs in each
// export form give the verdicts of the same collection with .evtx files.
func TestFormsGiveTheBinaryVerdicts(t *testing.T) {
	base := func() kb.Evidence {
		return kb.Evidence{
			Hosts: []kb.HostEvidence{{Name: "HV01.contoso.local", Registry: true, OS: kb.OSInfo{Version: "6.3", Build: 9600, ProductType: 3},
				GuestInstaller: map[string]string{"Microsoft-Hyper-V-Guest-Installer-Win6x-Package": "6.3.9600.18398"}}},
			Guests:  []kb.GuestEvidence{guestFromRegQuery(t)},
			VMViews: viewsFromGetVM(t),
		}
	}
	binary := base()
	for _, n := range []string{"hv01-integration-admin.evtx", "hv01-system.evtx"} {
		evs, c := fromBinary(t, n)
		binary.Events = append(binary.Events, evs...)
		binary.Coverage = append(binary.Coverage, c)
	}
	want := verdicts(t, binary)
	require.Contains(t, want, verdict{"web01", kb.RuleCase2}, "web01: guest older, 4010 latest")
	// db01's version comes from Get-VM (no guest hive): equal to the host's,
	// so its old 4000 is resolved.
	require.Contains(t, want, verdict{"db01", kb.RuleCase1}, "db01: version from Get-VM equals the host's")

	pairs := [][2]string{
		{"integration-viewer.xml", "system-viewer-utf8.xml"},
		{"integration-wevtutil.xml", "system-wevtutil-rd.xml"},
		{"integration-viewer.csv", "system-viewer.csv"},
		{"integration-viewer-ja.txt", "system-viewer.txt"},
		{"integration-winevent.csv", "system-winevent.csv"},
	}
	for _, p := range pairs {
		t.Run(p[0], func(t *testing.T) {
			ev := base()
			for _, n := range p {
				evs, c := fromExport(t, n, "HV01.contoso.local")
				ev.Events = append(ev.Events, evs...)
				ev.Coverage = append(ev.Coverage, c)
			}
			assert.Equal(t, want, verdicts(t, ev))
			res := kb.Default().Evaluate(ev)
			for _, f := range res.Findings {
				if f.VMName != "web01" || f.RuleID != kb.RuleCase2 {
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
