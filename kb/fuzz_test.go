package kb

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"6.3.9600.18398", "6.2.9200.16433\x00", " 6.1 ", "6.3.9600.18398 (winblue_ltsb.160701-0600)",
		"10.0", "4294967295.1", "4294967296.1", "6..1", "", "1.2.3.4.5", "６.３"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if err != nil {
			require.ErrorIs(t, err, ErrVersion)
			require.True(t, v.IsZero())
			return
		}
		require.GreaterOrEqual(t, v.Parts, uint8(2))
		require.LessOrEqual(t, v.Parts, uint8(4))
		back, err := ParseVersion(v.String())
		require.NoError(t, err)
		require.Equal(t, v, back, "String round-trips")
		require.Equal(t, 0, v.Compare(back))
	})
}

func FuzzLoad(f *testing.F) {
	f.Add(embedded)
	f.Add([]byte(`{"schema":1}`))
	f.Add([]byte(`{"schema":1,"rules":[{"id":"X","source":"s","action":"none","severity":"info","text":{"en":{"title":"t","description":"d","remediation":"r"}}}]}`))
	f.Add([]byte("{"))
	f.Add([]byte("null"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := Load(bytes.NewReader(data))
		if err != nil {
			require.Nil(t, tb)
			return
		}
		// Whatever loads must evaluate without panicking, and produce
		// no internal-error finding.
		res := tb.Evaluate(sampleEvidence())
		for _, f := range res.Findings {
			require.NotEqual(t, RuleInternal, f.RuleID)
		}
		for _, r := range tb.Rules() {
			require.NotEmpty(t, r.Text("en").Title)
			require.NotEmpty(t, r.Text("ja").Title)
		}
	})
}

// FuzzEvaluate drives Evaluate with evidence decoded from fuzzed JSON: it
// must never report an internal error, whatever the strings and times.
func FuzzEvaluate(f *testing.F) {
	seed, err := json.Marshal(sampleEvidence())
	require.NoError(f, err)
	f.Add(seed)
	f.Add([]byte(`{"guests":[{"vm_id":"{X}","ic_version":"6.3"}],"events":[{"provider":"storvsp","event_id":5,"vm_name":"a"}]}`))
	for _, r := range issue10Rows() {
		b, err := json.Marshal(r.ev)
		require.NoError(f, err)
		f.Add(b)
	}
	// Get-VM views: by ID, by name only, standing in for a guest, a
	// 0.0.0.0 version.
	withViews := sampleEvidence()
	withViews.VMViews = []VMView{
		{Host: "HV01", VMID: "6b5c3a1e-0f2d-4c1b-9a8e-1234567890ab", ICVersion: "6.3.9600.16384", ICState: HostICUpToDate},
		{Host: "HV01", VMName: "db01", ICVersion: "6.3.9600.18398", ICState: HostICUpdateRequired},
		{Host: "HV02", VMName: "lnx01", ICVersion: "0.0.0.0", ICState: HostICUpdateRequired},
	}
	b, err := json.Marshal(withViews)
	require.NoError(f, err)
	f.Add(b)
	// Get-VMIntegrationService rows: Data Exchange off by ID, a protocol
	// mismatch by name, a service kb does not know.
	off, on := false, true
	withViews.ICServices = []ICServiceView{
		{Host: "HV01", VMID: "6b5c3a1e-0f2d-4c1b-9a8e-1234567890ab", Name: "Key-Value Pair Exchange", Enabled: &off},
		{Host: "HV01", VMName: "db01", Name: "Heartbeat", Enabled: &on, PrimaryStatus: "OK", SecondaryStatus: "Protocol version mismatch"},
		{Host: "HV02", VMName: "new01", Name: "Flux", Enabled: &on, PrimaryStatus: "No Contact"},
	}
	b, err = json.Marshal(withViews)
	require.NoError(f, err)
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		var ev Evidence
		if json.Unmarshal(data, &ev) != nil {
			return
		}
		res := Default().Evaluate(ev)
		for _, f := range res.Findings {
			require.NotEqual(t, RuleInternal, f.RuleID, f.Params["error"])
		}
		for _, a := range res.VMs {
			require.NotEmpty(t, a.RuleID)
			// The explanation keeps its documented order.
			for i := 1; i < len(a.Explanation); i++ {
				require.LessOrEqual(t, a.Explanation[i-1].Kind, a.Explanation[i].Kind)
			}
		}
	})
}

func sampleEvidence() Evidence {
	at := time.Date(2016, 9, 1, 0, 0, 0, 0, time.UTC)
	return Evidence{
		Hosts: []HostEvidence{{Name: "HV01", OS: OSInfo{Version: "6.3", Build: 9600}, Registry: true,
			GuestInstaller: map[string]string{"Microsoft-Hyper-V-Guest-Installer-Win6x-Package": "6.3.9600.18398"}}},
		Guests: []GuestEvidence{{VMID: "6b5c3a1e-0f2d-4c1b-9a8e-1234567890ab", VMName: "web01", HostNames: []string{"HV01"},
			ICVersion: "6.3.9600.16384", OS: OSInfo{Major: 6, Minor: 1}, AutoWritten: at.Add(-time.Hour)}},
		Events: []Event{{Provider: "Microsoft-Windows-Hyper-V-Integration-Heartbeat", EventID: 4000,
			VMID: "{6B5C3A1E-0F2D-4C1B-9A8E-1234567890AB}", Host: "HV01", Time: at}},
		Coverage: []LogCoverage{{Host: "HV01", Channel: "Microsoft-Windows-Hyper-V-Integration-Admin"}},
		Hints:    Hints{LinuxVMs: []string{"lnx01"}},
	}
}
