package kb

import (
	"encoding/json"
	"math/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func findVM(t *testing.T, res Result, id string) Assessment {
	t.Helper()
	for _, a := range res.VMs {
		if a.VMID == id {
			return a
		}
	}
	require.Failf(t, "no assessment", "VM %s", id)
	return Assessment{}
}

func findingsOf(res Result, rule string) []Finding {
	var out []Finding
	for _, f := range res.Findings {
		if f.RuleID == rule {
			out = append(out, f)
		}
	}
	return out
}

func TestCorrelateByIDThenName(t *testing.T) {
	tests := []struct {
		name    string
		ev      Evidence
		vms     int
		checkID string
		want    Case
	}{
		{
			name: "event ID with braces and upper case joins the guest",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, tChange)},
				Events:   []Event{event(pInt, 4000, "{6B5C3A1E-0F2D-4C1B-9A8E-1234567890AB}", "", "HV01", tLate, 1)},
				Coverage: bothLogs("HV01")},
			vms: 1, checkID: idA, want: CaseIncompatibleMismatch,
		},
		{
			name: "event with a name only joins the VM of that name",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, tChange)},
				Events:   []Event{event(pSwitch, 26, "", "WEB01", "HV01", tLate, 2)},
				Coverage: bothLogs("HV01")},
			vms: 1, checkID: idA, want: CaseIncompatibleMismatch,
		},
		{
			name: "guest with a name only joins the events' VM",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv("", "web01", "HV01", v2012R2Jul, os2012R2, tChange)},
				Events:   []Event{event(pInt, 4000, idA, "web01", "HV01", t0, 3)},
				Coverage: bothLogs("HV01")},
			vms: 1, checkID: idA, want: CaseMatch,
		},
		{
			name: "a rename keeps one VM (same ID, two names)",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01-new", "HV01", v2012R2RTM, os2012R2, tChange)},
				Events:   []Event{event(pInt, 4000, idA, "web01-old", "HV01", tLate, 4)},
				Coverage: bothLogs("HV01")},
			vms: 1, checkID: idA, want: CaseIncompatibleMismatch,
		},
		{
			name: "two VMs on one host stay apart",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests: []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, tChange),
					guestEv(idB, "web02", "HV01", v2012R2Jul, os2012R2, tChange)},
				Events:   []Event{event(pInt, 4000, idA, "web01", "HV01", tLate, 5)},
				Coverage: bothLogs("HV01")},
			vms: 2, checkID: idB, want: CaseMatch,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Default().Evaluate(tt.ev)
			require.Len(t, res.VMs, tt.vms)
			assert.Equal(t, tt.want, findVM(t, res, tt.checkID).Case)
			assert.Empty(t, res.Conflicts)
		})
	}
}

func TestConflicts(t *testing.T) {
	t.Run("same name, two IDs: no guessing", func(t *testing.T) {
		ev := Evidence{
			Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul), hostEv("HV02", os2012R2, v2012R2Jul)},
			Guests: []GuestEvidence{guestEv(idA, "dc01", "HV01", v2012R2RTM, os2012R2, tChange),
				guestEv(idB, "dc01", "HV02", v2012R2RTM, os2012R2, tChange)},
			Events: []Event{
				event(pInt, 4000, "", "dc01", "HV01", tLate, 1), // host singles out idA
				event(pInt, 4000, "", "dc01", "", tLate, 2),     // no host: unattributable
			},
			Coverage: append(bothLogs("HV01"), bothLogs("HV02")...),
		}
		res := Default().Evaluate(ev)
		require.Len(t, res.VMs, 2)
		assert.Equal(t, CaseIncompatibleMismatch, findVM(t, res, idA).Case)
		assert.Equal(t, CaseCompatibleMismatch, findVM(t, res, idB).Case)
		require.Len(t, res.Conflicts, 1)
		c := res.Conflicts[0]
		assert.Equal(t, RuleConflictName, c.RuleID)
		assert.Equal(t, "dc01", c.VMName)
		assert.Equal(t, []string{idB, idA}, c.VMIDs)
		assert.Equal(t, []string{"HV01", "HV02"}, c.Hosts)
		require.Len(t, c.Refs, 1)
		assert.Equal(t, uint64(2), c.Refs[0].RecordID)
		fs := findingsOf(res, RuleConflictName)
		require.Len(t, fs, 1)
		assert.Equal(t, "1", fs[0].Params["unattributed"])
	})
	t.Run("guest hives of one VM disagree", func(t *testing.T) {
		ev := Evidence{
			Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
			Guests: []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, tChange),
				guestEv("{"+idA+"}", "web01", "HV01", v2012R2Jul, os2012R2, tLate)},
			Coverage: bothLogs("HV01"),
		}
		res := Default().Evaluate(ev)
		require.Len(t, res.VMs, 1)
		a := res.VMs[0]
		assert.Equal(t, CaseUndetermined, a.Case)
		assert.Equal(t, ActionInvestigate, a.Action)
		assert.Equal(t, []string{RuleConflictGuest}, a.RuleIDs)
		require.Len(t, res.Conflicts, 1)
		assert.Equal(t, []string{v2012R2RTM, v2012R2Jul}, res.Conflicts[0].Values)
	})
	t.Run("guest hives of one VM agree: no conflict", func(t *testing.T) {
		ev := Evidence{
			Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
			Guests: []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2Jul, os2012R2, tChange),
				guestEv(idA, "web01", "HV01", v2012R2Jul+"\x00", os2012R2, tLate)},
			Coverage: bothLogs("HV01"),
		}
		res := Default().Evaluate(ev)
		require.Len(t, res.VMs, 1)
		assert.Equal(t, CaseMatch, res.VMs[0].Case)
		assert.Empty(t, res.Conflicts)
	})
	t.Run("a host known from its logs too is no conflict", func(t *testing.T) {
		ev := Evidence{
			Hosts:    []HostEvidence{{Name: "hv01.contoso.local"}, hostEv("HV01", os2012R2, v2012R2Jul), {Name: "HV01"}},
			Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2Jul, os2012R2, tChange)},
			Coverage: bothLogs("HV01"),
		}
		res := Default().Evaluate(ev)
		require.Len(t, res.VMs, 1)
		assert.Equal(t, CaseMatch, res.VMs[0].Case)
		assert.Equal(t, "HV01", res.VMs[0].Host, "the registry's spelling")
		assert.Empty(t, res.Conflicts)
	})
	t.Run("records of one host disagree", func(t *testing.T) {
		ev := Evidence{
			Hosts:    []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul), hostEv("hv01.contoso.local", os2012R2, v2012R2RTM)},
			Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, tChange)},
			Coverage: bothLogs("HV01"),
		}
		res := Default().Evaluate(ev)
		require.Len(t, res.VMs, 1)
		assert.Equal(t, CaseUndetermined, res.VMs[0].Case)
		assert.Contains(t, res.VMs[0].Missing, MissingHostICVersion)
		require.Len(t, res.Conflicts, 1)
		assert.Equal(t, RuleConflictHost, res.Conflicts[0].RuleID)
		assert.Len(t, findingsOf(res, RuleConflictHost), 1)
	})
}

type hostScenario struct {
	name   string
	ev     Evidence
	rule   string
	count  int
	params map[string]string
}

func hostScenarios() []hostScenario {
	return []hostScenario{
		{
			name: "2008 R2 host below KB975354",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV08", os2008R2, v2008R2RTM)},
				Guests: []GuestEvidence{guestEv(idA, "sql01", "HV08", v2008R2RTM, os2008R2, tChange)}, Coverage: bothLogs("HV08")},
			rule: RuleKB975354Host, count: 1, params: map[string]string{"hostVersion": v2008R2RTM, "required": "6.1.7600.20542"},
		},
		{
			name: "2008 R2 host at the hotfix level",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV08", os2008R2, "6.1.7600.20542")},
				Guests: []GuestEvidence{guestEv(idA, "sql01", "HV08", "6.1.7600.20542", os2008R2, tChange)}, Coverage: bothLogs("HV08")},
			rule: RuleKB975354Host, count: 0,
		},
		{
			name: "2012 R2 host with an old-looking version is not KB975354's business",
			ev:   Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2008R2RTM)}, Coverage: bothLogs("HV01")},
			rule: RuleKB975354Host, count: 0,
		},
		{
			name: "pre-2016 host hive without GuestInstaller",
			ev:   Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, "")}},
			rule: RuleMissingHostIC, count: 1, params: map[string]string{"hostFamily": "2012r2"},
		},
		{
			name: "2016 host without GuestInstaller is normal",
			ev:   Evidence{Hosts: []HostEvidence{hostEv("HV16", os2016, "")}},
			rule: RuleMissingHostIC, count: 0,
		},
		{
			name: "host with VMs and no Integration-Admin log",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2Jul, os2012R2, tChange)},
				Coverage: []LogCoverage{cov("HV01", chSys)}},
			rule: RuleMissingIntLog, count: 1, params: map[string]string{"vms": "1"},
		},
		{
			name: "host with its Integration-Admin log",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests: []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2Jul, os2012R2, tChange)}, Coverage: bothLogs("HV01")},
			rule: RuleMissingIntLog, count: 0,
		},
		{
			name: "events naming no VM",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Events:   []Event{event(pInt, 4000, "", "", "HV01", tLate, 1), event(pSwitch, 27, " ", "\x00", "HV01", tLate, 2)},
				Coverage: bothLogs("HV01")},
			rule: RuleUnattributed, count: 1, params: map[string]string{"events": "2"},
		},
	}
}

func TestHostFindings(t *testing.T) {
	for _, tt := range hostScenarios() {
		t.Run(tt.name, func(t *testing.T) {
			res := Default().Evaluate(tt.ev)
			fs := findingsOf(res, tt.rule)
			require.Len(t, fs, tt.count)
			for _, f := range fs {
				assert.NotEmpty(t, f.Host)
				assert.Empty(t, f.VMID)
				for k, v := range tt.params {
					assert.Equal(t, v, f.Params[k], k)
				}
			}
		})
	}
}

func TestEvaluateDeterministic(t *testing.T) {
	ev := Evidence{
		Hosts: []HostEvidence{hostEv("HV02", os2012R2, v2012R2Jul), hostEv("HV01", os2012R2, v2012R2Jul)},
		Guests: []GuestEvidence{
			guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, tChange),
			guestEv(idB, "app01", "HV01", v2012R2Jul, os2012R2, tChange),
			guestEv("11111111-2222-3333-4444-555555555555", "zed", "HV02", v2012R2Jul, os2012R2, tChange),
			guestEv("aaaaaaaa-2222-3333-4444-555555555555", "alpha", "HV02", v2012R2RTM, os2012R2, tChange),
			// A second copy of web01's hive, same time: agrees, so merged.
			func() GuestEvidence {
				g := guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, tChange)
				g.Refs[0].File = "copy2/SOFTWARE"
				return g
			}(),
		},
		Events: []Event{
			event(pInt, 4000, idA, "web01", "HV01", tLate, 1),
			event(pSwitch, 27, idB, "app01", "HV01", t0, 2),
			event(pInt, 4010, "aaaaaaaa-2222-3333-4444-555555555555", "alpha", "HV02", tLate, 3),
			// A VM renamed: known to the logs by two names, at one time.
			event(pSwitch, 27, "cccccccc-2222-3333-4444-555555555555", "old-name", "HV02", tLate, 4),
			event(pSwitch, 27, "cccccccc-2222-3333-4444-555555555555", "new-name", "HV02", tLate, 5),
		},
		Coverage: append(bothLogs("HV01"), bothLogs("HV02")...),
	}
	// Conflicting copies too: their values and references keep one order.
	ev.Guests = append(ev.Guests, guestEv("dddddddd-2222-3333-4444-555555555555", "dup", "HV02", v2012R2RTM, os2012R2, tChange),
		guestEv("dddddddd-2222-3333-4444-555555555555", "dup", "HV02", v2012R2Jul, os2012R2, tChange))
	ev.Hosts = append(ev.Hosts, hostEv("HV03", os2012R2, v2012R2Jul), hostEv("hv03", os2012R2, v2012R2RTM))
	want := Default().Evaluate(ev)
	require.Len(t, want.Conflicts, 2)
	wantJSON, err := json.Marshal(want)
	require.NoError(t, err)
	var names []string
	for _, a := range want.VMs {
		names = append(names, a.Host+"/"+a.VMName)
	}
	assert.Equal(t, []string{"HV01/app01", "HV01/web01", "HV02/alpha", "HV02/dup", "HV02/new-name", "HV02/zed"}, names)

	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 20; i++ {
		shuffled := ev
		shuffled.Hosts = append([]HostEvidence(nil), ev.Hosts...)
		shuffled.Guests = append([]GuestEvidence(nil), ev.Guests...)
		shuffled.Events = append([]Event(nil), ev.Events...)
		rng.Shuffle(len(shuffled.Hosts), func(a, b int) { shuffled.Hosts[a], shuffled.Hosts[b] = shuffled.Hosts[b], shuffled.Hosts[a] })
		rng.Shuffle(len(shuffled.Guests), func(a, b int) { shuffled.Guests[a], shuffled.Guests[b] = shuffled.Guests[b], shuffled.Guests[a] })
		rng.Shuffle(len(shuffled.Events), func(a, b int) { shuffled.Events[a], shuffled.Events[b] = shuffled.Events[b], shuffled.Events[a] })
		got, err := json.Marshal(Default().Evaluate(shuffled))
		require.NoError(t, err)
		require.JSONEq(t, string(wantJSON), string(got), "shuffle %d", i)
	}
}

func TestEvaluateEdges(t *testing.T) {
	t.Run("empty evidence", func(t *testing.T) {
		res := Default().Evaluate(Evidence{})
		assert.Empty(t, res.VMs)
		assert.Empty(t, res.Findings)
		assert.NotNil(t, res.VMs, "empty, not null, in JSON")
	})
	t.Run("nil or zero table uses the default", func(t *testing.T) {
		for _, tb := range []*Table{nil, {}} {
			res := tb.Evaluate(Evidence{Guests: []GuestEvidence{{VMID: idA}}})
			require.Len(t, res.VMs, 1)
			assert.Equal(t, CaseUndetermined, res.VMs[0].Case)
			assert.Equal(t, RuleUndetermined, res.VMs[0].RuleID)
		}
	})
	t.Run("a guest that names no VM is still assessed", func(t *testing.T) {
		res := Default().Evaluate(Evidence{Guests: []GuestEvidence{{ICVersion: v2012R2Jul}, {ICVersion: v2012R2RTM}}})
		require.Len(t, res.VMs, 2)
		for _, a := range res.VMs {
			assert.Contains(t, a.Missing, MissingVMID)
		}
	})
	t.Run("input not modified", func(t *testing.T) {
		ev := Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
			Guests: []GuestEvidence{guestEv("{"+idA+"}", "web01", "HV01", v2012R2RTM, os2012R2, tChange)},
			Events: []Event{event(pInt, 4000, idA, "web01", "HV01", tLate, 1)}}
		before, err := json.Marshal(ev)
		require.NoError(t, err)
		Default().Evaluate(ev)
		after, err := json.Marshal(ev)
		require.NoError(t, err)
		assert.JSONEq(t, string(before), string(after))
	})
	t.Run("refs are capped", func(t *testing.T) {
		ev := Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
			Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, tChange)},
			Coverage: bothLogs("HV01")}
		for i := 0; i < 100; i++ {
			ev.Events = append(ev.Events, event(pInt, 4000, idA, "web01", "HV01", tLate.Add(time.Duration(i)*time.Minute), uint64(i)))
		}
		res := Default().EvaluateWith(ev, &Options{MaxRefs: 5})
		require.Len(t, res.VMs, 1)
		assert.Len(t, res.VMs[0].Refs, 5)
		fs := findingsOf(res, RuleCase3)
		require.Len(t, fs, 1)
		assert.Equal(t, "100", fs[0].Params["events"])
		def := Default().Evaluate(ev)
		assert.Len(t, def.VMs[0].Refs, defaultMaxRefs)
	})
}

func TestRemediationFor(t *testing.T) {
	tests := []struct {
		host     HostFamily
		guest    OSInfo
		linux    bool
		want     string
		method   Method
		fallback Method
	}{
		{Family2016Plus, OSInfo{Major: 10, Build: 17763}, false, "REM-2016-CURRENT", MethodWindowsUpdate, MethodUnknown},
		{Family2016Plus, os2012R2, false, "REM-2016-CURRENT", MethodWindowsUpdate, MethodUnknown},
		{Family2016Plus, os2012, false, "REM-2016-DATAEXCHANGE", MethodWindowsUpdate, MethodCab},
		{Family2016Plus, os2008R2, false, "REM-2016-DATAEXCHANGE", MethodWindowsUpdate, MethodCab},
		{Family2016Plus, OSInfo{Major: 6, Minor: 0}, false, "REM-2016-VISTA2008", MethodWindowsUpdate, MethodCab},
		{Family2016Plus, os2003, false, "REM-2016-LEGACY", MethodUnsupported, MethodUnknown},
		{Family2016Plus, OSInfo{}, true, "REM-2016-LINUX", MethodPackageManager, MethodUnknown},
		{Family2012R2, OSInfo{Major: 10}, false, "REM-2012R2-CURRENT", MethodWindowsUpdate, MethodUnknown},
		{Family2012R2, os2012, false, "REM-2012R2-DISK", MethodSetupDisk, MethodUnknown},
		{Family2012R2, os2003, false, "REM-2012R2-DISK", MethodSetupDisk, MethodUnknown},
		{Family2012, os2012R2, false, "REM-2012-CURRENT", MethodWindowsUpdate, MethodUnknown},
		{Family2012, os2008R2, false, "REM-2012-DISK", MethodSetupDisk, MethodUnknown},
		{Family2012, OSInfo{Major: 10}, false, "", MethodUnknown, MethodUnknown},
		{Family2008R2, os2008R2, false, "REM-2008R2-DISK", MethodSetupDisk, MethodUnknown},
		{Family2008, OSInfo{Major: 6, Minor: 0}, false, "REM-2008-DISK", MethodSetupDisk, MethodUnknown},
		{FamilyUnknown, os2012, false, "", MethodUnknown, MethodUnknown},
		{Family2012R2, OSInfo{}, false, "", MethodUnknown, MethodUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.host.String()+"/"+tt.guest.Name+"/"+tt.want, func(t *testing.T) {
			r, ok := Default().RemediationFor(tt.host, tt.guest, tt.linux)
			assert.Equal(t, tt.want != "", ok)
			assert.Equal(t, tt.want, r.ID)
			assert.Equal(t, tt.method, r.Method)
			assert.Equal(t, tt.fallback, r.Fallback)
			if ok {
				assert.NotEmpty(t, r.Text("ja").Description)
			}
		})
	}
}

func TestEvaluateFaultKeepsPartialResult(t *testing.T) {
	ev := Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
		Guests: []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, tChange),
			guestEv(idB, "web02", "HV01", v2012R2Jul, os2012R2, tChange)},
		Coverage: bothLogs("HV01")}
	full := Default().Evaluate(ev)
	require.Len(t, full.VMs, 2)
	assert.Empty(t, findingsOf(full, RuleInternal))

	out := (&evaluator{t: Default(), o: Options{MaxRefs: defaultMaxRefs, faultAfter: 1}, ev: &ev}).evaluate()
	require.Len(t, out.VMs, 1, "the VM assessed before the fault is kept")
	fs := findingsOf(out, RuleInternal)
	require.Len(t, fs, 1)
	assert.Contains(t, fs[0].Params["error"], "injected fault")
	assert.Equal(t, SeverityHigh, fs[0].Severity)
	assert.Equal(t, ActionInvestigate, fs[0].Action)
}

func TestConcurrentUse(t *testing.T) {
	ev := largeEvidence(2, 10, 2)
	want, err := json.Marshal(Default().Evaluate(ev))
	require.NoError(t, err)
	got := make(chan []byte, 8)
	for i := 0; i < 8; i++ {
		go func() {
			b, err := json.Marshal(Default().Evaluate(ev))
			if err != nil {
				b = nil
			}
			got <- b
		}()
	}
	for i := 0; i < 8; i++ {
		assert.JSONEq(t, string(want), string(<-got))
	}
}

// TestEveryRuleFires runs every scenario of the case and host tables, the
// conflicts and an injected fault, and checks that each rule of the table
// fires in at least one of them: no rule is dead text.
func TestEveryRuleFires(t *testing.T) {
	fired := map[string]bool{}
	note := func(res Result) {
		for _, f := range res.Findings {
			fired[f.RuleID] = true
		}
	}
	for _, sc := range caseScenarios() {
		note(Default().Evaluate(sc.ev))
	}
	for _, sc := range hostScenarios() {
		note(Default().Evaluate(sc.ev))
	}
	conflicts := Evidence{
		Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul), hostEv("hv01.x", os2012R2, v2012R2RTM)},
		Guests: []GuestEvidence{guestEv(idA, "dc01", "HV01", v2012R2RTM, os2012R2, tChange),
			guestEv(idA, "dc01", "HV01", v2012R2Jul, os2012R2, tLate), guestEv(idB, "dc01", "HV02", v2012R2Jul, os2012R2, tChange)},
	}
	note(Default().Evaluate(conflicts))
	note((&evaluator{t: Default(), o: Options{MaxRefs: 1, faultAfter: 1}, ev: &conflicts}).evaluate())
	for _, r := range Default().Rules() {
		assert.True(t, fired[r.ID], "rule %s never fires", r.ID)
	}
}

func TestLookupValue(t *testing.T) {
	m := map[string]string{"microsoft-hyper-v-guest-installer-win6x-package": "b", "MICROSOFT-HYPER-V-GUEST-INSTALLER-WIN6X-PACKAGE": "a", " x ": "c"}
	for i := 0; i < 20; i++ {
		v, ok := lookupValue(m, valueWin6x)
		require.True(t, ok)
		assert.Equal(t, "a", v, "smallest spelling")
	}
	m[valueWin6x] = "exact"
	v, ok := lookupValue(m, valueWin6x)
	require.True(t, ok)
	assert.Equal(t, "exact", v)
	v, ok = lookupValue(m, "x")
	require.True(t, ok)
	assert.Equal(t, "c", v)
	_, ok = lookupValue(m, "y")
	assert.False(t, ok)
	_, ok = lookupValue(nil, "y")
	assert.False(t, ok)
}
