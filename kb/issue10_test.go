package kb

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The rows of issue 10's table ("Verdicts that hold on real collections"),
// as plain Evidence values. The Auto key's last-write time is "guest KVP
// last refreshed", about the guest's last boot: no row may hang on it.

var (
	jan     = time.Date(2024, 1, 10, 8, 0, 0, 0, time.UTC) // a VM start that logged a negotiation
	feb     = time.Date(2024, 2, 10, 8, 0, 0, 0, time.UTC)
	mar     = time.Date(2024, 3, 10, 8, 0, 0, 0, time.UTC) // the guest's last boot (Auto rewritten)
	logFrom = time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC)
	logTo   = time.Date(2024, 2, 20, 0, 0, 0, 0, time.UTC) // ends before the hive was copied off
)

// intLog is a host's Integration-Admin log read from logFrom to logTo.
func intLog(host string) LogCoverage {
	return LogCoverage{Host: host, Channel: chInt, File: host + "/Integration-Admin.evtx", First: logFrom, Last: logTo, Records: 120}
}

func sysLog(host string) LogCoverage {
	return LogCoverage{Host: host, Channel: chSys, File: host + "/System.evtx", First: logFrom, Last: logTo, Records: 5000}
}

// older2012R2 is a host offering the July 2016 rollup and a guest with
// RTM integration services: versions differ, guest older.
func older2012R2(auto time.Time, events ...Event) Evidence {
	return Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
		Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, auto)},
		Events:   events,
		Coverage: []LogCoverage{sysLog("HV01"), intLog("HV01")}}
}

type rowWant struct {
	cse      Case
	action   Action
	rule     string
	rules    []string          // when set, every rule ID of the VM
	decisive []uint32          // event IDs of the decisive lines, in order; nil: none from events
	params   map[string]string // on the primary finding
	notes    []string          // ExplainNote IDs that must be there
	missing  []Missing
}

type row struct {
	name string
	ev   Evidence
	want rowWant
}

func issue10Rows() []row {
	return []row{
		{"1: 4000 at VM start, Auto written 15 s later; versions differ",
			older2012R2(jan.Add(15*time.Second), event(pInt, 4000, idA, "web01", "HV01", jan, 1)),
			rowWant{cse: CaseIncompatibleMismatch, action: ActionUpgradeRequired, rule: RuleCase3, decisive: []uint32{4000}}},
		{"2a: 4000 one second before the Auto write",
			older2012R2(jan, event(pInt, 4000, idA, "web01", "HV01", jan.Add(-time.Second), 1)),
			rowWant{cse: CaseIncompatibleMismatch, action: ActionUpgradeRequired, rule: RuleCase3, decisive: []uint32{4000}}},
		{"2b: 4000 one second after the Auto write",
			older2012R2(jan, event(pInt, 4000, idA, "web01", "HV01", jan.Add(time.Second), 1)),
			rowWant{cse: CaseIncompatibleMismatch, action: ActionUpgradeRequired, rule: RuleCase3, decisive: []uint32{4000}}},
		{"3: 4000 in January, Auto in March, the log ends before the hive was copied",
			older2012R2(mar, event(pInt, 4000, idA, "web01", "HV01", jan, 1)),
			rowWant{cse: CaseIncompatibleMismatch, action: ActionUpgradeRequired, rule: RuleCase3, decisive: []uint32{4000}}},
		{"4: 4010 only, the log ends before the hive was copied",
			older2012R2(mar, event(pInt, 4010, idA, "web01", "HV01", jan, 1)),
			rowWant{cse: CaseCompatibleMismatch, action: ActionUpgradeRecommended, rule: RuleCase2, decisive: []uint32{4010}}},
		{"5: log read, quiet for this VM, ends before the hive was copied",
			older2012R2(mar),
			rowWant{cse: CaseCompatibleMismatch, action: ActionUpgradeRecommended, rule: RuleCase2}},
		{"6: log read and empty",
			func() Evidence {
				ev := older2012R2(mar)
				ev.Coverage[1] = LogCoverage{Host: "HV01", Channel: chInt, File: "HV01/Integration-Admin.evtx"}
				return ev
			}(),
			rowWant{cse: CaseCompatibleMismatch, action: ActionUpgradeRecommended, rule: RuleCase2}},
		{"7: no Integration-Admin log collected",
			func() Evidence {
				ev := older2012R2(mar)
				ev.Coverage = ev.Coverage[:1]
				return ev
			}(),
			rowWant{cse: CaseMismatchUnclassified, action: ActionUpgradeRecommended, rule: RuleUnclassified, missing: []Missing{MissingIntegrationLog}}},
		{"8: 4000 in January, only 4010 at later starts",
			older2012R2(mar, event(pInt, 4000, idA, "web01", "HV01", jan, 1),
				event(pInt, 4010, idA, "web01", "HV01", feb, 2), event(pInt, 4010, idA, "web01", "HV01", mar, 3)),
			rowWant{cse: CaseCompatibleMismatch, action: ActionUpgradeRecommended, rule: RuleCase2, decisive: []uint32{4010}}},
		{"9a: old 4000, versions equal now (guest hive)",
			func() Evidence {
				ev := older2012R2(mar, event(pInt, 4000, idA, "web01", "HV01", jan, 1))
				ev.Guests[0].ICVersion = v2012R2Jul
				return ev
			}(),
			rowWant{cse: CaseMatch, action: ActionNone, rule: RuleCase1, rules: []string{RuleCase1, RuleResolved}}},
		{"9b: old 4000, versions equal now (reg query, no key time)",
			func() Evidence {
				ev := older2012R2(time.Time{}, event(pInt, 4000, idA, "web01", "HV01", jan, 1))
				ev.Guests[0].ICVersion = v2012R2Jul
				return ev
			}(),
			rowWant{cse: CaseMatch, action: ActionNone, rule: RuleCase1, rules: []string{RuleCase1, RuleResolved}}},
		{"10: 2012 R2 guest with 6.3.9600.16384 on a 2012 host offering 6.2.9200.16384",
			Evidence{Hosts: []HostEvidence{hostEv("HV12", os2012, "6.2.9200.16384")},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV12", v2012R2RTM, os2012R2, mar)},
				Coverage: []LogCoverage{sysLog("HV12"), intLog("HV12")}},
			rowWant{cse: CaseGuestNewer, action: ActionNone, rule: RuleGuestNewer, rules: []string{RuleGuestNewer},
				params: map[string]string{"comparison": "guest-newer"}}},
		{"11: 2008 R2 RTM host (Win60, Win5x 6.1.7600.16385), guest equal",
			Evidence{Hosts: []HostEvidence{{Name: "HV08", OS: os2008R2, Registry: true,
				GuestInstaller: map[string]string{valueWin60: v2008R2RTM, valueWin5x: v2008R2RTM}}},
				Guests: []GuestEvidence{func() GuestEvidence {
					g := guestEv(idA, "sql01", "HV08", v2008R2RTM, os2008R2, mar)
					one := uint32(1)
					g.BackupType = &one
					return g
				}()},
				Coverage: []LogCoverage{sysLog("HV08"), intLog("HV08")}},
			rowWant{cse: CaseMatch, action: ActionNone, rule: RuleCase1, rules: []string{RuleCase1, RuleKB975354Guest}}},
		{"12: 2019 host hive (no GuestInstaller), 2012 R2 guest with RTM ICs",
			Evidence{Hosts: []HostEvidence{{Name: "HV19", Registry: true,
				OS: OSInfo{Name: "Windows Server 2019 Datacenter", Version: "6.3", Major: 10, Build: 17763, ProductType: 3}}},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV19", v2012R2RTM, os2012R2, mar)},
				Coverage: []LogCoverage{sysLog("HV19"), {Host: "HV19", Channel: chWorker, First: logFrom, Last: logTo, Records: 40}}},
			rowWant{cse: CaseHostUnversioned, action: ActionNone, rule: RuleHostUnversioned,
				params: map[string]string{"guestRelease": "Windows Server 2012 R2 RTM", "remediation": "REM-2016-CURRENT"}}},
		{"13: VM known only from 4010 and VmSwitch 27 events, no hint",
			Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Events: []Event{event(pInt, 4010, idA, "lnx01", "HV01", jan, 1),
					{Provider: pSwitch, Channel: chSys, EventID: 27, VMID: idA, VMName: "lnx01", Host: "HV01", Time: jan, Ref: Ref{File: "HV01/System.evtx", RecordID: 2}}},
				Coverage: []LogCoverage{sysLog("HV01"), intLog("HV01")}},
			rowWant{cse: CaseUndetermined, action: ActionInvestigate, rule: RuleInvestigate, decisive: []uint32{27, 4010}, missing: []Missing{MissingGuestRegistry},
				params: map[string]string{"ifWindows": "compatible-mismatch", "ifLinux": "linux-guest", "confirm": "linux-hint,guest-hive,guest-reg-query"}}},
		{"14: Worker 23014 plus 4000, no guest hive, no hint",
			Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Events: []Event{event(pInt, 4000, idA, "lnx01", "HV01", jan, 1),
					event("Microsoft-Windows-Hyper-V-Worker", 23014, idA, "lnx01", "HV01", jan.Add(time.Second), 2)},
				Coverage: []LogCoverage{sysLog("HV01"), intLog("HV01")}},
			rowWant{cse: CaseUndetermined, action: ActionInvestigate, rule: RuleInvestigate, decisive: []uint32{4000, 23014}, missing: []Missing{MissingGuestRegistry},
				params: map[string]string{"ifWindows": "incompatible-mismatch", "linuxHint": "worker-23014"}, notes: []string{"linux-hint"}}},
		{"15: guest version 6.3.9600",
			func() Evidence {
				ev := older2012R2(mar)
				ev.Guests[0].ICVersion = "6.3.9600"
				return ev
			}(),
			rowWant{cse: CaseUndetermined, action: ActionInvestigate, rule: RuleUndetermined, missing: []Missing{MissingGuestICVersion},
				params: map[string]string{"guestVersion": "6.3.9600", "guestVersionProblem": "fewer-than-four-parts"}, notes: []string{"guest-version-short"}}},
		{"16: guest OS unknown, host Win5x != Win6x, guest equals Win5x",
			Evidence{Hosts: []HostEvidence{{Name: "HV01", OS: os2012R2, Registry: true,
				GuestInstaller: map[string]string{valueWin6x: v2012R2Jul, valueWin5x: v2012R2RTM}}},
				Guests:   []GuestEvidence{guestEv(idA, "old01", "HV01", v2012R2RTM, OSInfo{}, mar)},
				Coverage: []LogCoverage{sysLog("HV01"), intLog("HV01")}},
			rowWant{cse: CaseMatch, action: ActionNone, rule: RuleCase1, missing: []Missing{MissingGuestOS},
				params: map[string]string{"package": "win5x", "packageNote": "guessed-win5x"}, notes: []string{"package-guessed"}}},
		{"17: StorageVSP 6 in the System log",
			func() Evidence {
				ev := older2012R2(mar)
				ev.Guests[0].ICVersion = v2012R2Jul
				ev.Events = []Event{{Provider: "Microsoft-Windows-Hyper-V-StorageVSP", Channel: chSys, EventID: 6, VMID: idA, VMName: "web01",
					Host: "HV01", Time: feb, Ref: Ref{File: "HV01/System.evtx", RecordID: 9}}}
				return ev
			}(),
			rowWant{cse: CaseMatch, action: ActionNone, rule: RuleCase1, rules: []string{RuleStorageIO, RuleCase1}}},
		{"18: live migration, 4000 on arrival at host B, Auto written 30 s later",
			Evidence{Hosts: []HostEvidence{hostEv("HVA", os2012R2, v2012R2Jul), hostEv("HVB", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HVB", v2012R2RTM, os2012R2, feb.Add(30*time.Second))},
				Events:   []Event{event(pInt, 4010, idA, "web01", "HVA", jan, 1), event(pInt, 4000, idA, "web01", "HVB", feb, 1)},
				Coverage: []LogCoverage{sysLog("HVA"), intLog("HVA"), sysLog("HVB"), intLog("HVB")}},
			rowWant{cse: CaseIncompatibleMismatch, action: ActionUpgradeRequired, rule: RuleCase3, decisive: []uint32{4000},
				params: map[string]string{"otherHostEvents": "1"}, notes: []string{"other-host-events"}}},
	}
}

func explainOf(a Assessment, k ExplainKind) []Explanation {
	var out []Explanation
	for _, x := range a.Explanation {
		if x.Kind == k {
			out = append(out, x)
		}
	}
	return out
}

func primaryFinding(t *testing.T, res Result, a Assessment) Finding {
	t.Helper()
	for _, f := range res.Findings {
		if f.RuleID == a.RuleID && f.VMID == a.VMID {
			return f
		}
	}
	require.FailNow(t, "no primary finding", a.RuleID)
	return Finding{}
}

func TestIssue10Rows(t *testing.T) {
	for _, tt := range issue10Rows() {
		t.Run(tt.name, func(t *testing.T) {
			res := Default().Evaluate(tt.ev)
			require.Len(t, res.VMs, 1)
			a := res.VMs[0]
			assert.Equal(t, tt.want.cse, a.Case, "case")
			assert.Equal(t, tt.want.action, a.Action, "action")
			assert.Equal(t, tt.want.rule, a.RuleID, "rule")
			if tt.want.rules != nil {
				assert.Equal(t, tt.want.rules, a.RuleIDs, "rules")
			}
			assert.Equal(t, tt.want.missing, a.Missing, "missing")
			f := primaryFinding(t, res, a)
			for k, v := range tt.want.params {
				assert.Equal(t, v, f.Params[k], "param %s", k)
			}
			assertExplanation(t, tt.ev, a, tt.want)
		})
	}
}

// assertExplanation checks the key lines: decisive evidence first, the
// versions, one log period per log of the VM's host, the guest's KVP
// refresh, the notes.
func assertExplanation(t *testing.T, ev Evidence, a Assessment, want rowWant) {
	t.Helper()
	require.NotEmpty(t, a.Explanation)
	dec := explainOf(a, ExplainDecisive)
	var ids []uint32
	for _, d := range dec {
		if d.Params["eventId"] != "" {
			ids = append(ids, parseU32(t, d.Params["eventId"]))
			require.NotNil(t, d.Ref, "decisive event has its record")
			assert.NotZero(t, d.Ref.RecordID)
			assert.False(t, d.Time.IsZero(), "decisive event has its time")
		}
	}
	assert.Equal(t, want.decisive, ids, "decisive events")
	if len(dec) > 0 {
		assert.Equal(t, ExplainDecisive, a.Explanation[0].Kind, "decisive evidence first")
	}
	var periods []string
	for _, p := range explainOf(a, ExplainLogPeriod) {
		periods = append(periods, p.Params["host"]+"|"+p.Params["channel"])
		for _, c := range ev.Coverage {
			if c.Host == p.Params["host"] && c.Channel == p.Params["channel"] {
				assert.Equal(t, c.First, p.From)
				assert.Equal(t, c.Last, p.To)
			}
		}
	}
	var wantPeriods []string
	for _, c := range ev.Coverage {
		if HostKey(c.Host) == HostKey(a.Host) {
			wantPeriods = append(wantPeriods, c.Host+"|"+c.Channel)
		}
	}
	assert.ElementsMatch(t, wantPeriods, periods, "one log period per log of the VM's host")
	refresh := explainOf(a, ExplainGuestRefresh)
	if len(ev.Guests) > 0 && !ev.Guests[0].AutoWritten.IsZero() {
		require.Len(t, refresh, 1)
		assert.Equal(t, ev.Guests[0].AutoWritten, refresh[0].Time)
	} else {
		assert.Empty(t, refresh)
	}
	var notes []string
	for _, n := range explainOf(a, ExplainNote) {
		notes = append(notes, n.Params["note"])
	}
	for _, n := range want.notes {
		assert.Contains(t, notes, n)
	}
	assert.Len(t, explainOf(a, ExplainMissing), len(want.missing))
}

func parseU32(t *testing.T, s string) uint32 {
	t.Helper()
	v, err := ParseVersion(s + ".0")
	require.NoError(t, err)
	return v.Major
}

// TestIssue10RowDetails asserts what the table's "Expected" column says
// beyond case and action.
func TestIssue10RowDetails(t *testing.T) {
	rows := map[string]Evidence{}
	for _, r := range issue10Rows() {
		rows[r.name[:strings.IndexByte(r.name, ':')]] = r.ev
	}
	tbl := Default()
	t.Run("5 and 6: the log period stated, the same verdict", func(t *testing.T) {
		a5 := tbl.Evaluate(rows["5"]).VMs[0]
		a6 := tbl.Evaluate(rows["6"]).VMs[0]
		assert.Equal(t, a5.RuleIDs, a6.RuleIDs)
		for _, a := range []Assessment{a5, a6} {
			d := explainOf(a, ExplainDecisive)
			require.Len(t, d, 1)
			assert.Equal(t, "no-event-in-log-read", d[0].Params["basis"])
		}
		p := explainOf(a5, ExplainLogPeriod)
		require.Len(t, p, 2)
		assert.Equal(t, chInt, p[0].Params["channel"])
		assert.Equal(t, logFrom, p[0].From)
		assert.Equal(t, logTo, p[0].To)
		assert.Equal(t, "120", p[0].Params["records"])
	})
	t.Run("7: says what to collect", func(t *testing.T) {
		res := tbl.Evaluate(rows["7"])
		require.Len(t, findingsOf(res, RuleMissingIntLog), 1)
		r, _ := tbl.Rule(RuleUnclassified)
		assert.Contains(t, r.Text("en").Remediation, "Integration-Admin")
		assert.Contains(t, r.Text("ja").Remediation, "採取")
	})
	t.Run("9: earlier events noted as resolved, not investigate", func(t *testing.T) {
		for _, k := range []string{"9a", "9b"} {
			a := tbl.Evaluate(rows[k]).VMs[0]
			assert.True(t, a.Resolved)
			assert.Equal(t, jan, a.ResolvedAt)
			r := explainOf(a, ExplainResolved)
			require.Len(t, r, 1)
			assert.Equal(t, "4000", r[0].Params["eventId"])
			assert.NotContains(t, a.RuleIDs, RuleInvestigate)
		}
	})
	t.Run("10: no guest upgrade, no KB975354, no remediation", func(t *testing.T) {
		res := tbl.Evaluate(rows["10"])
		assert.Nil(t, res.VMs[0].Remediation)
		for _, f := range res.Findings {
			assert.NotContains(t, f.RuleID, "KB975354")
		}
	})
	t.Run("11: KB975354 advisories with action none", func(t *testing.T) {
		res := tbl.Evaluate(rows["11"])
		host := findingsOf(res, RuleKB975354Host)
		guest := findingsOf(res, RuleKB975354Guest)
		require.Len(t, host, 1)
		require.Len(t, guest, 1)
		assert.Equal(t, ActionNone, host[0].Action)
		assert.Equal(t, ActionNone, guest[0].Action)
		assert.Empty(t, findingsOf(res, RuleKB975354Backup), "BackupType 1 set")
		r, _ := tbl.Rule(RuleKB975354Host)
		assert.Contains(t, r.Text("en").Description, "only on systems that have these problems")
	})
	t.Run("12: Windows Update row, guest release, never versions match", func(t *testing.T) {
		a := tbl.Evaluate(rows["12"]).VMs[0]
		require.NotNil(t, a.Remediation)
		assert.Equal(t, MethodWindowsUpdate, a.Remediation.Method)
		require.NotNil(t, a.GuestIC.Release)
		assert.NotEqual(t, CaseMatch, a.Case)
		v := explainOf(a, ExplainVersions)
		require.Len(t, v, 1)
		assert.Equal(t, "not-recorded", v[0].Params["hostVersion"])
	})
	t.Run("13: both branches in the text", func(t *testing.T) {
		r, _ := tbl.Rule(RuleInvestigate)
		for _, lang := range []string{"en", "ja"} {
			d := r.Text(lang).Description
			assert.Contains(t, d, "Windows")
			assert.Contains(t, d, "Linux")
			assert.Contains(t, r.Text(lang).Remediation, "-linux")
		}
	})
	t.Run("14: the 23014 record is named as evidence", func(t *testing.T) {
		res := tbl.Evaluate(rows["14"])
		a := res.VMs[0]
		assert.NotEqual(t, ActionUpgradeRequired, a.Action)
		f := primaryFinding(t, res, a)
		var recs []uint64
		for _, r := range f.Refs {
			recs = append(recs, r.RecordID)
		}
		assert.Contains(t, recs, uint64(2))
	})
	t.Run("15: not padded", func(t *testing.T) {
		a := tbl.Evaluate(rows["15"]).VMs[0]
		assert.Equal(t, "6.3.9600", a.GuestIC.Raw)
		assert.Nil(t, a.GuestIC.Release)
		v := explainOf(a, ExplainVersions)
		require.Len(t, v, 1)
		assert.Equal(t, "6.3.9600", v[0].Params["guestVersion"])
	})
	t.Run("17: the StorageVSP finding carries the record", func(t *testing.T) {
		fs := findingsOf(tbl.Evaluate(rows["17"]), RuleStorageIO)
		require.Len(t, fs, 1)
		require.Len(t, fs[0].Refs, 1)
		assert.Equal(t, uint64(9), fs[0].Refs[0].RecordID)
		assert.Equal(t, EventStorageIO, tbl.Classify("Microsoft-Windows-Hyper-V-StorageVSP", 6))
	})
	t.Run("18: against host B", func(t *testing.T) {
		a := tbl.Evaluate(rows["18"]).VMs[0]
		assert.Equal(t, "HVB", a.Host)
		d := explainOf(a, ExplainDecisive)
		require.Len(t, d, 1)
		assert.Equal(t, "HVB", d[0].Params["host"])
	})
}

// TestEvidenceSemanticsEdges covers the issue's rules beyond its table.
func TestEvidenceSemanticsEdges(t *testing.T) {
	tbl := Default()
	t.Run("an ambiguous decisive event says so in the finding and the explanation", func(t *testing.T) {
		e := event(pInt, 4000, idA, "web01", "HV01", jan, 7)
		e.Ambiguous, e.Note = true, "fields taken by position"
		res := tbl.Evaluate(older2012R2(mar, e))
		a := res.VMs[0]
		assert.Equal(t, CaseIncompatibleMismatch, a.Case)
		f := primaryFinding(t, res, a)
		assert.Equal(t, "true", f.Params["ambiguous"])
		assert.Equal(t, "fields taken by position", f.Params["ambiguousNote"])
		d := explainOf(a, ExplainDecisive)
		require.Len(t, d, 1)
		assert.Equal(t, "true", d[0].Params["ambiguous"])
		var notes []string
		for _, n := range explainOf(a, ExplainNote) {
			notes = append(notes, n.Params["note"]+"|"+n.Params["detail"])
		}
		assert.Contains(t, notes, "ambiguous-event|fields taken by position")
	})
	pkgEv := func(guestIC string, events ...Event) Evidence {
		return Evidence{Hosts: []HostEvidence{{Name: "HV01", OS: os2012R2, Registry: true,
			GuestInstaller: map[string]string{valueWin6x: v2012R2Jul, valueWin5x: v2012R2RTM}}},
			Guests:   []GuestEvidence{guestEv(idA, "old01", "HV01", guestIC, OSInfo{}, mar)},
			Events:   events,
			Coverage: []LogCoverage{sysLog("HV01"), intLog("HV01")}}
	}
	t.Run("guest OS unknown, equals Win6x: match, with a note", func(t *testing.T) {
		a := tbl.Evaluate(pkgEv(v2012R2Jul)).VMs[0]
		assert.Equal(t, CaseMatch, a.Case)
		assert.Equal(t, PackageWin6x, a.Package)
	})
	t.Run("guest OS unknown, equals neither package: undetermined", func(t *testing.T) {
		res := tbl.Evaluate(pkgEv("6.3.9600.17831"))
		a := res.VMs[0]
		assert.Equal(t, RuleUndetermined, a.RuleID)
		assert.Equal(t, "package-ambiguous", primaryFinding(t, res, a).Params["reason"])
	})
	t.Run("guest OS unknown, equals neither package, a 4000 decides", func(t *testing.T) {
		a := tbl.Evaluate(pkgEv("6.3.9600.17831", event(pInt, 4000, idA, "old01", "HV01", jan, 1))).VMs[0]
		assert.Equal(t, CaseIncompatibleMismatch, a.Case)
	})
	t.Run("guest newer with a 4000: guest-newer, investigate", func(t *testing.T) {
		ev := Evidence{Hosts: []HostEvidence{hostEv("HV12", os2012, "6.2.9200.16384")},
			Guests:   []GuestEvidence{guestEv(idA, "web01", "HV12", v2012R2RTM, os2012R2, mar)},
			Events:   []Event{event(pInt, 4000, idA, "web01", "HV12", jan, 1)},
			Coverage: []LogCoverage{sysLog("HV12"), intLog("HV12")}}
		a := tbl.Evaluate(ev).VMs[0]
		assert.Equal(t, CaseGuestNewer, a.Case)
		assert.Equal(t, ActionInvestigate, a.Action)
		assert.Nil(t, a.Remediation, "no guest upgrade")
	})
	t.Run("a damaged Integration-Admin log: unclassified, the period still stated", func(t *testing.T) {
		ev := older2012R2(mar)
		ev.Coverage[1].Damaged = true
		a := tbl.Evaluate(ev).VMs[0]
		assert.Equal(t, CaseMismatchUnclassified, a.Case)
		d := explainOf(a, ExplainDecisive)
		require.Len(t, d, 1)
		assert.Equal(t, "integration-log-damaged", d[0].Params["basis"])
		var damaged []string
		for _, p := range explainOf(a, ExplainLogPeriod) {
			damaged = append(damaged, p.Params["channel"]+"|"+p.Params["damaged"])
		}
		assert.Contains(t, damaged, chInt+"|true")
		assert.Empty(t, a.Missing, "a log read is never missing")
		var notes []string
		for _, n := range explainOf(a, ExplainNote) {
			notes = append(notes, n.Params["note"])
		}
		assert.Contains(t, notes, "integration-log-damaged")
	})
	t.Run("VmSwitch 27 only, Integration-Admin absent: 4000 may hide, unclassified", func(t *testing.T) {
		ev := older2012R2(mar, event(pSwitch, 27, idA, "web01", "HV01", jan, 1))
		ev.Coverage = ev.Coverage[:1]
		a := tbl.Evaluate(ev).VMs[0]
		assert.Equal(t, CaseMismatchUnclassified, a.Case)
	})
	t.Run("a 4000 of another component keeps case 3 after a later 4010", func(t *testing.T) {
		a := tbl.Evaluate(older2012R2(mar, event("Microsoft-Windows-Hyper-V-Integration-VSS", 4000, idA, "web01", "HV01", jan, 1),
			event(pInt, 4010, idA, "web01", "HV01", feb, 2))).VMs[0]
		assert.Equal(t, CaseIncompatibleMismatch, a.Case)
		d := explainOf(a, ExplainDecisive)
		require.Len(t, d, 1)
		assert.Equal(t, "VSS", d[0].Params["component"])
	})
	t.Run("KB975354 BackupType only for 6.1-family guests", func(t *testing.T) {
		ev := Evidence{Hosts: []HostEvidence{hostEv("HV08", os2008R2, "6.1.7601.17514")},
			Guests:   []GuestEvidence{guestEv(idA, "web01", "HV08", "6.0.6002.18005", OSInfo{Major: 6, Minor: 0, Build: 6002}, mar)},
			Coverage: []LogCoverage{sysLog("HV08"), intLog("HV08")}}
		a := tbl.Evaluate(ev).VMs[0]
		assert.NotContains(t, a.RuleIDs, RuleKB975354Backup)
		assert.NotContains(t, a.RuleIDs, RuleKB975354Guest)
	})
}

// TestEventCatalogue: the rule table is the one list of the events that
// matter, and a log reader can filter and classify with it.
func TestEventCatalogue(t *testing.T) {
	tbl := Default()
	keys := tbl.EventKeys()
	require.Len(t, keys, len(tbl.Events()))
	for _, tt := range []struct {
		provider string
		id       uint32
		kind     EventKind
	}{
		{"Microsoft-Windows-Hyper-V-StorageVSP", 6, EventStorageIO},
		{"storvsp", 5, EventStorageIncompatible},
		{"storvsp", 6, EventStorageMismatch},
		{"Microsoft-Windows-Hyper-V-VmSwitch", 26, EventNetIncompatible},
		{"Microsoft-Windows-Hyper-V-VmSwitch", 27, EventNetMismatch},
		{"VMSMP", 26, EventNetIncompatible},
		{"VMSMP", 27, EventNetMismatch},
		{"Microsoft-Windows-Hyper-V-Integration-Heartbeat", 4000, EventIncompatible},
		{"Microsoft-Windows-Hyper-V-Integration-VSS", 4010, EventCompatible},
		{"Microsoft-Windows-Hyper-V-Integration-KvpExchange", 4096, EventKvpNotRunning},
		{"Microsoft-Windows-Hyper-V-Worker", 23014, EventDegraded},
		{"Service Control Manager", 4000, EventUnknown},
		{"Microsoft-Windows-Hyper-V-StorageVSP", 5, EventUnknown},
	} {
		assert.Equal(t, tt.kind, tbl.Classify(tt.provider, tt.id), "%s %d", tt.provider, tt.id)
		if tt.kind == EventUnknown {
			continue
		}
		matched := false
		for _, k := range keys {
			if k.EventID == tt.id && k.Kind == tt.kind && (EventRule{Provider: k.Provider, Prefix: k.Prefix, EventID: k.EventID}).Matches(tt.provider, tt.id) {
				matched = true
			}
		}
		assert.True(t, matched, "EventKeys lists %s %d", tt.provider, tt.id)
	}
}
