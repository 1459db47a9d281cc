package kb

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func svc(host, vm, id, name string, enabled bool, primary, secondary string) ICServiceView {
	return ICServiceView{Host: host, VMName: vm, VMID: id, Name: name, Enabled: &enabled,
		PrimaryStatus: primary, SecondaryStatus: secondary,
		Ref: Ref{File: host + "-vmis.txt", What: "Get-VMIntegrationService " + name}}
}

const protocolText = "The protocol version of the component installed in the virtual machine does not match the version expected by the hosting system."

// TestICServices: the host's Get-VMIntegrationService rows as evidence.
// A disabled Key-Value Pair Exchange takes the remediation's fallback
// (the cab, seed 002) as a guest's disabled vmickvpexchange does; a
// disabled Guest Service Interface is information only (seed 003); a
// protocol-mismatch status agrees with a mismatch, disagrees with case 1
// and is noted on an open verdict; No Contact is noted.
func TestICServices(t *testing.T) {
	host16 := []HostEvidence{hostEv("HV16", os2016, "")}
	logs16 := []LogCoverage{cov("HV16", chSys), cov("HV16", chWorker)}
	case3on16 := func(svcs ...ICServiceView) Evidence {
		return Evidence{Hosts: host16, Coverage: logs16,
			Guests:     []GuestEvidence{guestEv(idA, "app01", "HV16", v2012R2RTM, os2012, tChange)},
			Events:     []Event{event("Microsoft-Windows-Hyper-V-Integration-VSS", 4000, idA, "app01", "HV16", tLate, 50)},
			ICServices: svcs}
	}
	host := []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)}
	withGuest := func(ic string, svcs ...ICServiceView) Evidence {
		return Evidence{Hosts: host, Coverage: bothLogs("HV01"),
			Guests:     []GuestEvidence{guestEv(idA, "web01", "HV01", ic, os2012R2, tChange)},
			ICServices: svcs}
	}
	tests := []struct {
		name      string
		ev        Evidence
		rule      string
		fallback  bool
		params    map[string]string
		notes     []string
		noNotes   []string
		noParams  []string
		notesRefd string // a note whose Ref is the service row
	}{
		{"kvp enabled: Windows Update", case3on16(svc("HV16", "app01", "", "Key-Value Pair Exchange", true, "OK", "")),
			RuleCase3, false, nil, nil, []string{"data-exchange-disabled", "data-exchange-disabled-host"}, []string{"servicesDisabled"}, ""},
		{"kvp disabled: the cab", case3on16(svc("HV16", "app01", "", "Key-Value Pair Exchange", false, "OK", "")),
			RuleCase3, true, map[string]string{"remediationFallback": "cab", "servicesDisabled": "Key-Value Pair Exchange"},
			[]string{"data-exchange-disabled-host"}, []string{"data-exchange-disabled"}, nil, "data-exchange-disabled-host"},
		{"Data Exchange by ID, unverified name", case3on16(svc("HV16", "", idA, "Data Exchange", false, "OK", "")),
			RuleCase3, true, map[string]string{"serviceNamesUnverified": "true"}, []string{"data-exchange-disabled-host"}, nil, nil, ""},
		{"guest service interface off: information only", case3on16(svc("HV16", "app01", "", "Guest Service Interface", false, "OK", "")),
			RuleCase3, false, map[string]string{"servicesDisabled": "Guest Service Interface"},
			[]string{"service-off-by-default"}, []string{"data-exchange-disabled-host", "service-disabled"}, nil, "service-off-by-default"},
		{"kvp off where no fallback applies: noted", withGuest(v2012R2RTM, svc("HV01", "web01", "", "Key-Value Pair Exchange", false, "OK", "")),
			RuleCase2, false, map[string]string{"servicesDisabled": "Key-Value Pair Exchange"}, []string{"service-disabled"},
			[]string{"data-exchange-disabled-host"}, nil, "service-disabled"},
		{"heartbeat off is noted", case3on16(svc("HV16", "app01", "", "Heartbeat", false, "OK", "")),
			RuleCase3, false, nil, []string{"service-disabled"}, nil, nil, "service-disabled"},
		{"protocol mismatch agrees with case 2", withGuest(v2012R2RTM, svc("HV01", "web01", "", "Heartbeat", true, "OK", protocolText)),
			RuleCase2, false, map[string]string{"serviceStatus": "protocol-mismatch", "serviceStatusView": "agrees", "serviceStatusServices": "Heartbeat"},
			nil, []string{"service-status-disagrees"}, nil, ""},
		{"protocol mismatch disagrees with case 1", withGuest(v2012R2Jul, svc("HV01", "web01", "", "VSS", true, "Protocol version mismatch", "")),
			RuleCase1, false, map[string]string{"serviceStatusView": "disagrees"}, []string{"service-status-disagrees"}, nil, nil, "service-status-disagrees"},
		{"all OK: nothing said", withGuest(v2012R2Jul, svc("HV01", "web01", "", "VSS", true, "OK", ""), svc("HV01", "web01", "", "Heartbeat", true, "OK", "OK")),
			RuleCase1, false, nil, nil, []string{"service-status-disagrees", "service-no-contact", "service-disabled"},
			[]string{"serviceStatus", "servicesDisabled"}, ""},
		{"no contact is noted", withGuest(v2012R2Jul, svc("HV01", "web01", "", "Heartbeat", true, "No Contact", "")),
			RuleCase1, false, nil, []string{"service-no-contact"}, nil, []string{"serviceStatus"}, "service-no-contact"},
		{"the only word: noted on an undetermined VM",
			Evidence{Hosts: host, Coverage: bothLogs("HV01"),
				ICServices: []ICServiceView{svc("HV01", "web01", idA, "Heartbeat", true, "OK", protocolText)}},
			RuleUndetermined, false, map[string]string{"serviceStatusView": "only-evidence"}, []string{"service-protocol-mismatch"}, nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Default().Evaluate(tt.ev)
			require.Len(t, res.VMs, 1)
			a := res.VMs[0]
			assert.Equal(t, tt.rule, a.RuleID)
			if tt.fallback {
				require.NotNil(t, a.Remediation)
			}
			if a.Remediation != nil {
				assert.Equal(t, tt.fallback, a.Remediation.FallbackApplies)
			}
			f := primaryFinding(t, res, a)
			for k, v := range tt.params {
				assert.Equal(t, v, f.Params[k], "param %s", k)
			}
			for _, k := range tt.noParams {
				assert.NotContains(t, f.Params, k)
			}
			notes := noteIDs(a)
			for _, n := range tt.notes {
				assert.Contains(t, notes, n)
			}
			for _, n := range tt.noNotes {
				assert.NotContains(t, notes, n)
			}
			if tt.notesRefd != "" {
				for _, x := range explainOf(a, ExplainNote) {
					if x.Params["note"] == tt.notesRefd {
						require.NotNil(t, x.Ref, tt.notesRefd)
						assert.Equal(t, tt.ev.ICServices[0].Ref, *x.Ref)
					}
				}
			}
		})
	}
}

func TestServiceStatus(t *testing.T) {
	for _, tt := range []struct{ primary, secondary, want string }{
		{"OK", "", ""},
		{"OK", "OK", ""},
		{"", "", ""},
		{"OK", protocolText, ServiceStatusProtocolMismatch},
		{"OK", "Protocol version mismatch", ServiceStatusProtocolMismatch},
		{"No Contact", "", ServiceStatusNoContact},
		{"Lost Communication", "", ServiceStatusNoContact},
		{"No Contact", "Protocol version mismatch", ServiceStatusProtocolMismatch},
		{"OK", "プロトコル バージョンが一致しません", ServiceStatusProtocolMismatch},
	} {
		assert.Equal(t, tt.want, ServiceStatus(tt.primary, tt.secondary), "%q %q", tt.primary, tt.secondary)
	}
}

func TestServiceNamed(t *testing.T) {
	tab := Default()
	for _, tt := range []struct {
		name, id   string
		unverified bool
	}{
		{"Key-Value Pair Exchange", "kvp", false},
		{"key-value pair exchange", "kvp", false},
		{"Guest Service Interface", "guestservice", false},
		{"Time Synchronization", "timesync", false},
		{"Data Exchange", "kvp", true},
		{"ハートビート", "heartbeat", true},
		{"Data exchange (KVP)", "kvp", true},
	} {
		s, unv, ok := tab.ServiceNamed(tt.name)
		require.True(t, ok, tt.name)
		assert.Equal(t, tt.id, s.ID, tt.name)
		assert.Equal(t, tt.unverified, unv, tt.name)
	}
	_, _, ok := tab.ServiceNamed("Flux Capacitor")
	assert.False(t, ok)
	_, _, ok = tab.ServiceNamed(" ")
	assert.False(t, ok)
}

// TestICServicesNameConflict: a name-only row of a name two VM IDs carry
// is not guessed onto either; the conflict cites it.
func TestICServicesNameConflict(t *testing.T) {
	ev := Evidence{
		Guests: []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, mar),
			guestEv("6b5c3a1e-0f2d-4c1b-9a8e-0000000000bb", "web01", "HV02", v2012R2RTM, os2012R2, mar)},
		ICServices: []ICServiceView{svc("HV03", "web01", "", "Key-Value Pair Exchange", false, "OK", protocolText)},
	}
	res := Default().Evaluate(ev)
	require.Len(t, res.VMs, 2)
	for _, f := range res.Findings {
		assert.NotContains(t, f.Params, "servicesDisabled", f.RuleID)
		assert.NotContains(t, f.Params, "serviceStatus", f.RuleID)
	}
	var refs []Ref
	for _, c := range res.Conflicts {
		refs = append(refs, c.Refs...)
	}
	assert.Contains(t, refs, ev.ICServices[0].Ref, "the row is cited in the conflict")
}
