package kb_test

import (
	"fmt"
	"time"

	"github.com/hvic/hvic/kb"
)

func ExampleParseVersion() {
	host, _ := kb.ParseVersion("6.3.9600.18398 (winblue_ltsb.160701-0600)")
	guest, _ := kb.ParseVersion("6.3.9600.17831\x00")
	fmt.Println(host, guest, guest.Compare(host))
	_, err := kb.ParseVersion("6.3.x")
	fmt.Println(err != nil)
	// Output:
	// 6.3.9600.18398 6.3.9600.17831 -1
	// true
}

func ExampleTable_Evaluate() {
	changed := time.Date(2016, 8, 1, 0, 0, 0, 0, time.UTC)
	ev := kb.Evidence{
		Hosts: []kb.HostEvidence{{
			Name: "HV01", Registry: true,
			OS: kb.OSInfo{Name: "Windows Server 2012 R2 Datacenter", Version: "6.3", Build: 9600},
			GuestInstaller: map[string]string{
				"Microsoft-Hyper-V-Guest-Installer-Win6x-Package": "6.3.9600.18398",
			},
		}},
		Guests: []kb.GuestEvidence{{
			VMID: "6b5c3a1e-0f2d-4c1b-9a8e-1234567890ab", VMName: "web01", HostNames: []string{"HV01"},
			ICVersion: "6.1.7601.17514", OS: kb.OSInfo{Major: 6, Minor: 1, Build: 7601}, AutoWritten: changed,
		}},
		Events: []kb.Event{{
			Provider: "Microsoft-Windows-Hyper-V-Integration-Heartbeat", EventID: 4000,
			VMID: "{6B5C3A1E-0F2D-4C1B-9A8E-1234567890AB}", Host: "HV01", Time: changed.Add(48 * time.Hour),
			Ref: kb.Ref{File: "HV01/Integration-Admin.evtx", RecordID: 42},
		}},
		Coverage: []kb.LogCoverage{
			{Host: "HV01", Channel: "System"},
			{Host: "HV01", Channel: "Microsoft-Windows-Hyper-V-Integration-Admin"},
		},
	}
	t := kb.Default()
	res := t.Evaluate(ev)
	for _, a := range res.VMs {
		fmt.Println(a.VMName, a.Case, a.Action, a.Severity)
		fmt.Println("host", a.HostIC.Version, a.HostIC.Release.Name)
		fmt.Println("guest", a.GuestIC.Version, a.GuestIC.Release.Name)
		fmt.Println("remediation", a.Remediation.ID, a.Remediation.Method)
		for _, id := range a.RuleIDs {
			r, _ := t.Rule(id)
			fmt.Println(id, "|", r.Text("ja").Title)
		}
	}
	// Output:
	// web01 incompatible-mismatch upgrade-required high
	// host 6.3.9600.18398 Windows Server 2012 R2 July 2016 rollup
	// guest 6.1.7601.17514 Windows Server 2008 R2 SP1
	// remediation REM-2012R2-DISK setup-disk
	// KB2894285-CASE3 | 互換性のない統合サービスのバージョンミスマッチです
}

func ExampleTable_Rule() {
	r, ok := kb.Default().Rule(kb.RuleCase2)
	fmt.Println(ok, r.Source, r.Case, r.Action)
	fmt.Println(r.Text("en").Title)
	fmt.Println(r.Text("ja").Title)
	// Output:
	// true KB2894285 compatible-mismatch upgrade-recommended
	// Compatible integration services version mismatch
	// 互換性のある統合サービスのバージョンミスマッチです
}

func ExampleTable_ClassifyEvent() {
	t := kb.Default()
	for _, e := range []struct {
		provider string
		id       uint32
	}{{"storvsp", 6}, {"Microsoft-Windows-Hyper-V-StorageVSP", 6}, {"Hyper-V-VmSwitch", 27}} {
		r, ok := t.ClassifyEvent(e.provider, e.id)
		fmt.Println(e.provider, e.id, ok, r.Kind, r.HarmlessForLinux)
	}
	// Output:
	// storvsp 6 true storage-mismatch true
	// Microsoft-Windows-Hyper-V-StorageVSP 6 true storage-io false
	// Hyper-V-VmSwitch 27 true net-mismatch true
}

// An Assessment's Explanation says why: the decisive event first, the two
// versions with their release names, the period of each host log read,
// the guest's KVP refresh (the Auto key's last write, which never orders
// events).
func ExampleAssessment_explanation() {
	start := time.Date(2024, 1, 10, 8, 0, 0, 0, time.UTC)
	ev := kb.Evidence{
		Hosts: []kb.HostEvidence{{Name: "HV01", Registry: true,
			OS:             kb.OSInfo{Name: "Windows Server 2012 R2 Datacenter", Version: "6.3", Build: 9600},
			GuestInstaller: map[string]string{"Microsoft-Hyper-V-Guest-Installer-Win6x-Package": "6.3.9600.18398"}}},
		Guests: []kb.GuestEvidence{{VMID: "6b5c3a1e-0f2d-4c1b-9a8e-1234567890ab", VMName: "web01", HostNames: []string{"HV01"},
			ICVersion: "6.3.9600.16384", OS: kb.OSInfo{Major: 6, Minor: 3, Build: 9600}, AutoWritten: start.Add(15 * time.Second)}},
		Events: []kb.Event{{Provider: "Microsoft-Windows-Hyper-V-Integration-Heartbeat", EventID: 4000,
			VMID: "6b5c3a1e-0f2d-4c1b-9a8e-1234567890ab", Host: "HV01", Time: start,
			Ref: kb.Ref{File: "HV01/Integration-Admin.evtx", RecordID: 42}}},
		Coverage: []kb.LogCoverage{{Host: "HV01", Channel: "Microsoft-Windows-Hyper-V-Integration-Admin",
			First: start.AddDate(0, -1, 0), Last: start.AddDate(0, 1, 0), Records: 120}},
	}
	a := kb.Default().Evaluate(ev).VMs[0]
	fmt.Println(a.VMName, a.Case, a.Action)
	for _, x := range a.Explanation {
		switch x.Kind {
		case kb.ExplainDecisive:
			fmt.Println(x.Kind, x.Params["eventId"], x.Params["component"], x.Time.Format(time.RFC3339), x.Ref.RecordID)
		case kb.ExplainVersions:
			fmt.Println(x.Kind, x.Params["hostRelease"], "/", x.Params["guestRelease"])
		case kb.ExplainLogPeriod:
			fmt.Println(x.Kind, x.Params["channel"], x.From.Format("2006-01-02"), x.To.Format("2006-01-02"), x.Params["records"])
		case kb.ExplainGuestRefresh:
			fmt.Println(x.Kind, x.Time.Format(time.RFC3339))
		default:
			fmt.Println(x.Kind, x.Params)
		}
	}
	// Output:
	// web01 incompatible-mismatch upgrade-required
	// decisive 4000 Heartbeat 2024-01-10T08:00:00Z 42
	// versions Windows Server 2012 R2 July 2016 rollup / Windows Server 2012 R2 RTM
	// log-period Microsoft-Windows-Hyper-V-Integration-Admin 2023-12-10 2024-02-10 120
	// guest-refresh 2024-01-10T08:00:15Z
	// missing map[missing:system-log]
}

// The commands to send a customer whose Integration-Admin log is missing:
// their output is what hvic reads.
func ExampleTable_Collect() {
	for _, c := range kb.Default().Collect(kb.MissingIntegrationLog) {
		fmt.Println(c.Side, c.Shell+":", c.For("HV01", ""))
		fmt.Println(c.Text("en").Title)
	}
	// Output:
	// host cmd: wevtutil epl Microsoft-Windows-Hyper-V-Integration-Admin HV01-integration-admin.evtx
	// Host: the Hyper-V Integration-Admin event log
}
