package kb

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const v2012R2Kb3063283 = "6.3.9600.17831"

func view(host, name, id, ic string, st HostICState) VMView {
	return VMView{Host: host, VMName: name, VMID: id, State: "Running", ICVersion: ic, ICState: st,
		Ref: Ref{File: host + "-vms.csv", What: "Get-VM line 2"}}
}

func noteIDs(a Assessment) []string {
	var out []string
	for _, x := range explainOf(a, ExplainNote) {
		out = append(out, x.Params["note"])
	}
	return out
}

// TestVMViews: the host's IntegrationServicesState agrees or disagrees with
// the decision, and its IntegrationServicesVersion stands in for a guest
// hive that was not read.
func TestVMViews(t *testing.T) {
	host := []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)}
	logs := []LogCoverage{sysLog("HV01"), intLog("HV01")}
	// A host with only the Win6x package: a guest of unknown OS compares
	// with it, no package guess.
	win6xOnly := []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)}
	delete(win6xOnly[0].GuestInstaller, valueWin5x)
	tests := []struct {
		name     string
		ev       Evidence
		rule     string
		params   map[string]string
		notes    []string
		noNotes  []string
		missing  []Missing
		guestRaw string
	}{
		{"update required agrees with a mismatch",
			Evidence{Hosts: host, Coverage: logs,
				Guests:  []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, mar)},
				VMViews: []VMView{view("HV01", "web01", idA, v2012R2RTM, HostICUpdateRequired)}},
			RuleCase2, map[string]string{"hostView": "agrees", "hostViewState": "update-required"}, nil,
			[]string{"host-view-disagrees", "guest-version-from-host-view"}, nil, v2012R2RTM},
		{"up to date disagrees with a mismatch",
			Evidence{Hosts: host, Coverage: logs,
				Guests:  []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, mar)},
				VMViews: []VMView{view("HV01", "web01", idA, v2012R2RTM, HostICUpToDate)}},
			RuleCase2, map[string]string{"hostView": "disagrees", "hostViewState": "up-to-date"},
			[]string{"host-view-disagrees"}, nil, nil, v2012R2RTM},
		{"up to date agrees with a match",
			Evidence{Hosts: host, Coverage: logs,
				Guests:  []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2Jul, os2012R2, mar)},
				VMViews: []VMView{view("HV01", "web01", idA, v2012R2Jul, HostICUpToDate)}},
			RuleCase1, map[string]string{"hostView": "agrees"}, nil, []string{"host-view-disagrees"}, nil, v2012R2Jul},
		{"update required disagrees with a match",
			Evidence{Hosts: host, Coverage: logs,
				Guests:  []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2Jul, os2012R2, mar)},
				VMViews: []VMView{view("HV01", "web01", idA, v2012R2Jul, HostICUpdateRequired)}},
			RuleCase1, map[string]string{"hostView": "disagrees"}, []string{"host-view-disagrees"}, nil, nil, v2012R2Jul},
		{"no guest hive: the view's version is the guest's",
			Evidence{Hosts: win6xOnly, Coverage: logs,
				VMViews: []VMView{view("HV01", "web01", idA, v2012R2Kb3063283, HostICUpdateRequired)}},
			RuleCase2, map[string]string{"hostView": "agrees", "guestVersionSource": "host-view"},
			[]string{"guest-version-from-host-view"}, nil, []Missing{MissingGuestOS}, v2012R2Kb3063283},
		{"no guest hive, attributed by name, view's version equal",
			Evidence{Hosts: host, Coverage: logs,
				Events:  []Event{event(pInt, 4010, idA, "web01", "HV01", jan, 1)},
				VMViews: []VMView{view("HV01", "web01", "", v2012R2Jul, HostICUpToDate)}},
			RuleCase1, map[string]string{"hostView": "agrees", "guestVersionSource": "host-view"},
			[]string{"guest-version-from-host-view"}, nil, []Missing{MissingGuestOS}, v2012R2Jul},
		{"a 0.0.0.0 view version is not a guest version",
			Evidence{Hosts: host, Coverage: logs,
				VMViews: []VMView{view("HV01", "lnx01", idA, "0.0.0.0", HostICUpdateRequired)}},
			RuleUndetermined, map[string]string{"hostView": "only-evidence"},
			[]string{"host-view-state"}, []string{"guest-version-from-host-view"}, []Missing{MissingGuestRegistry}, ""},
		{"no host hive: the view's state is noted",
			Evidence{Coverage: logs,
				VMViews: []VMView{view("HV01", "web01", idA, v2012R2RTM, HostICUpdateRequired)}},
			RuleUndetermined, map[string]string{"hostView": "only-evidence", "hostViewState": "update-required"},
			[]string{"host-view-state", "guest-version-from-host-view"}, nil, nil, v2012R2RTM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Default().Evaluate(tt.ev)
			require.Len(t, res.VMs, 1)
			a := res.VMs[0]
			assert.Equal(t, tt.rule, a.RuleID)
			assert.Equal(t, "HV01", a.Host)
			f := primaryFinding(t, res, a)
			for k, v := range tt.params {
				assert.Equal(t, v, f.Params[k], "param %s", k)
			}
			notes := noteIDs(a)
			for _, n := range tt.notes {
				assert.Contains(t, notes, n)
			}
			for _, n := range tt.noNotes {
				assert.NotContains(t, notes, n)
			}
			if tt.missing != nil {
				assert.Equal(t, tt.missing, a.Missing)
			}
			assert.Equal(t, tt.guestRaw, a.GuestIC.Raw)
			if f.Params["guestVersionSource"] == "host-view" {
				require.NotNil(t, a.GuestIC.Ref)
				assert.Equal(t, "HV01-vms.csv", a.GuestIC.Ref.File)
				assert.Equal(t, tt.guestRaw, a.GuestIC.Ref.Data, "the value read is in the evidence")
			}
		})
	}
}

// TestVMViewsNameConflict: a name-only view of a name two VM IDs carry is
// not guessed onto either.
func TestVMViewsNameConflict(t *testing.T) {
	ev := Evidence{
		Guests: []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, mar),
			guestEv("6b5c3a1e-0f2d-4c1b-9a8e-0000000000bb", "web01", "HV02", v2012R2RTM, os2012R2, mar)},
		VMViews: []VMView{view("HV03", "web01", "", v2012R2RTM, HostICUpToDate)},
	}
	res := Default().Evaluate(ev)
	require.Len(t, res.VMs, 2)
	for _, f := range res.Findings {
		assert.NotContains(t, f.Params, "hostViewState", f.RuleID)
	}
	require.NotEmpty(t, res.Conflicts)
	var refs []Ref
	for _, c := range res.Conflicts {
		refs = append(refs, c.Refs...)
	}
	assert.Contains(t, refs, ev.VMViews[0].Ref, "the view is cited in the conflict")
}

func TestHostICStateText(t *testing.T) {
	for _, s := range []HostICState{HostICUnknown, HostICUpToDate, HostICUpdateRequired} {
		b, err := s.MarshalText()
		require.NoError(t, err)
		var back HostICState
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, s, back)
	}
	var bad HostICState
	require.Error(t, bad.UnmarshalText([]byte("maybe")))
}
