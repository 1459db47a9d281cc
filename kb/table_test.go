package kb

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestDefaultTableLoads(t *testing.T) {
	require.NoError(t, defaultErr())
	tb := Default()
	require.NotEmpty(t, tb.Rules())
	require.Same(t, tb, Default(), "parsed once")
	for _, id := range requiredRules {
		_, ok := tb.Rule(id)
		assert.True(t, ok, id)
	}
}

func TestEveryTextInBothLanguages(t *testing.T) {
	tb := Default()
	check := func(what string, en, ja Text, needRemediation bool) {
		for lang, x := range map[string]Text{"en": en, "ja": ja} {
			assert.NotEmpty(t, strings.TrimSpace(x.Title), "%s %s title", what, lang)
			assert.NotEmpty(t, strings.TrimSpace(x.Description), "%s %s description", what, lang)
			if needRemediation {
				assert.NotEmpty(t, strings.TrimSpace(x.Remediation), "%s %s remediation", what, lang)
			}
		}
		if needRemediation {
			assert.NotEqual(t, en.Title, ja.Title, "%s: the Japanese title is a translation", what)
		}
	}
	for _, r := range tb.Rules() {
		check(r.ID, r.Text("en"), r.Text("ja"), true)
		assert.Equal(t, []string{"en", "ja"}, r.Languages(), r.ID)
		assert.NotEmpty(t, r.Source, r.ID)
		if r.Unverified {
			assert.Contains(t, strings.ToLower(r.Text("en").Description), "unverified", r.ID)
			assert.Contains(t, r.Text("ja").Description, "未確認", r.ID)
		}
	}
	for _, e := range tb.Events() {
		check(e.ID, e.Text("en"), e.Text("ja"), false)
		if e.Rule != "" {
			_, ok := tb.Rule(e.Rule)
			assert.True(t, ok, "%s refers to %s", e.ID, e.Rule)
		}
	}
	for _, r := range tb.Remediations() {
		assert.NotEmpty(t, r.Text("en").Description, r.ID)
		assert.NotEmpty(t, r.Text("ja").Description, r.ID)
		assert.NotEqual(t, r.Text("en").Description, r.Text("ja").Description, r.ID)
	}
	for _, s := range tb.Services() {
		check(s.ID, s.Text("en"), s.Text("ja"), false)
	}
}

func TestTextLanguageFallback(t *testing.T) {
	r, ok := Default().Rule(RuleCase3)
	require.True(t, ok)
	tests := []struct {
		lang string
		want string
	}{
		{"en", r.Text("en").Title},
		{"ja", r.Text("ja").Title},
		{"ja-JP", r.Text("ja").Title},
		{"JA", r.Text("ja").Title},
		{"fr", r.Text("en").Title},
		{"", r.Text("en").Title},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			assert.Equal(t, tt.want, r.Text(tt.lang).Title)
		})
	}
	assert.Contains(t, r.Text("ja").Title, "互換性のない")
}

func TestEmbeddedTableFacts(t *testing.T) {
	tb := Default()
	// Unique IDs across rules, events and remediations.
	seen := map[string]bool{}
	for _, r := range tb.Rules() {
		assert.False(t, seen[r.ID], r.ID)
		seen[r.ID] = true
	}
	for _, e := range tb.Events() {
		assert.False(t, seen[e.ID], e.ID)
		seen[e.ID] = true
	}
	for _, r := range tb.Remediations() {
		assert.False(t, seen[r.ID], r.ID)
		seen[r.ID] = true
	}
	// Releases ascend and parse.
	rel := tb.Releases()
	require.NotEmpty(t, rel)
	for i := 1; i < len(rel); i++ {
		assert.Equal(t, -1, rel[i-1].Version.Compare(rel[i].Version), rel[i].Version.String())
	}
	// The catalogue keys on (provider, ID): StorageVSP 6 is not storvsp 6.
	classify := []struct {
		provider string
		id       uint32
		want     EventKind
	}{
		{"Microsoft-Windows-Hyper-V-Integration-KvpExchange", 4000, EventIncompatible},
		{"Microsoft-Windows-Hyper-V-Integration-Heartbeat", 4010, EventCompatible},
		{"Microsoft-Windows-Hyper-V-Integration-KvpExchange", 4096, EventKvpNotRunning},
		{"Microsoft-Windows-Hyper-V-VmSwitch", 26, EventNetIncompatible},
		{"Microsoft-Windows-Hyper-V-VmSwitch", 27, EventNetMismatch},
		{"Hyper-V-VmSwitch", 27, EventNetMismatch},
		{"vmsmp", 26, EventNetIncompatible},
		{"storvsp", 5, EventStorageIncompatible},
		{"storvsp", 6, EventStorageMismatch},
		{"Microsoft-Windows-Hyper-V-StorageVSP", 6, EventStorageIO},
		{"Microsoft-Windows-Hyper-V-Worker", 23014, EventDegraded},
		{"Microsoft-Windows-Hyper-V-Integration-Heartbeat", 4096, EventUnknown},
		{"Microsoft-Windows-Hyper-V-VmSwitch", 6, EventUnknown},
		{"Service Control Manager", 4000, EventUnknown},
	}
	for _, c := range classify {
		e, ok := tb.ClassifyEvent(c.provider, c.id)
		assert.Equal(t, c.want != EventUnknown, ok, "%s %d", c.provider, c.id)
		assert.Equal(t, c.want, e.Kind, "%s %d", c.provider, c.id)
	}
	r, ok := tb.Release(mustParseVersion("6.3.9600.18398"))
	require.True(t, ok)
	assert.Equal(t, "KB3172614", r.KB)
	_, ok = tb.Release(mustParseVersion("6.3.9600.1"))
	assert.False(t, ok)
}

func TestAccessorsReturnCopies(t *testing.T) {
	tb := Default()
	r, ok := tb.Rule(RuleCase2)
	require.True(t, ok)
	require.NotEmpty(t, r.Needs)
	r.Needs[0] = MissingVMID
	again, ok := tb.Rule(RuleCase2)
	require.True(t, ok)
	assert.NotEqual(t, MissingVMID, again.Needs[0])
	ev := tb.Events()
	ev[0].ID = "changed"
	assert.NotEqual(t, "changed", tb.Events()[0].ID)
}

func TestRuleIDGolden(t *testing.T) {
	var b strings.Builder
	for _, r := range Default().Rules() {
		b.WriteString(r.ID + "\t" + r.Source + "\t" + r.Case.String() + "\t" + r.Action.String() + "\t" + r.Severity.String() + "\t" + r.Text("en").Title + "\n")
	}
	golden := filepath.Join("testdata", "rule-ids.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), b.String())
}

// mutate loads the embedded table as generic JSON, applies f and re-encodes.
func mutate(t *testing.T, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(embedded, &m))
	f(m)
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

func TestLoadRejects(t *testing.T) {
	rules := func(m map[string]any) []any { return m["rules"].([]any) }
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"not json", []byte("{"), ErrSyntax},
		{"trailing data", append(append([]byte(nil), embedded...), []byte("{}")...), ErrSyntax},
		{"unknown field", mutate(t, func(m map[string]any) { m["extra"] = 1 }), ErrSyntax},
		{"bad enum", mutate(t, func(m map[string]any) { rules(m)[0].(map[string]any)["action"] = "panic" }), ErrSyntax},
		{"schema", mutate(t, func(m map[string]any) { m["schema"] = 2 }), ErrInvalid},
		{"duplicate id", mutate(t, func(m map[string]any) { m["rules"] = append(rules(m), rules(m)[0]) }), ErrInvalid},
		{"no japanese", mutate(t, func(m map[string]any) {
			delete(rules(m)[0].(map[string]any)["text"].(map[string]any), "ja")
		}), ErrInvalid},
		{"empty title", mutate(t, func(m map[string]any) {
			rules(m)[0].(map[string]any)["text"].(map[string]any)["en"].(map[string]any)["title"] = " "
		}), ErrInvalid},
		{"dangling event rule", mutate(t, func(m map[string]any) {
			m["events"].([]any)[0].(map[string]any)["rule"] = "NOPE"
		}), ErrInvalid},
		{"bad release version", mutate(t, func(m map[string]any) {
			m["releases"].([]any)[0].(map[string]any)["version"] = "6.x"
		}), ErrVersion},
		{"required rule missing", mutate(t, func(m map[string]any) {
			var keep []any
			for _, r := range rules(m) {
				if r.(map[string]any)["id"] != RuleCase3 {
					keep = append(keep, r)
				}
			}
			m["rules"] = keep
			for _, e := range m["events"].([]any) {
				if e.(map[string]any)["rule"] == RuleCase3 {
					delete(e.(map[string]any), "rule")
				}
			}
		}), ErrInvalid},
		{"unverified rule not saying so", mutate(t, func(m map[string]any) {
			r := rules(m)[0].(map[string]any)
			r["unverified"] = true
		}), ErrInvalid},
		{"overlapping remediation rows", mutate(t, func(m map[string]any) {
			rows := m["remediations"].([]any)
			dup := map[string]any{}
			for k, v := range rows[0].(map[string]any) {
				dup[k] = v
			}
			dup["id"] = "REM-DUP"
			m["remediations"] = append(rows, dup)
		}), ErrInvalid},
		{"remediation range reversed", mutate(t, func(m map[string]any) {
			r := m["remediations"].([]any)[0].(map[string]any)
			r["guestMin"], r["guestMax"] = "6.3", "6.1"
		}), ErrInvalid},
		{"too large", bytes.Repeat([]byte(" "), MaxTableSize+1), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, err := Load(bytes.NewReader(tt.data))
			require.Error(t, err)
			assert.Nil(t, tb)
			assert.ErrorIs(t, err, tt.want)
			var te *TableError
			assert.True(t, errors.As(err, &te), "positional error type")
			assert.True(t, strings.HasPrefix(err.Error(), "kb: "), err.Error())
		})
	}
}

func TestLoadRoundTrip(t *testing.T) {
	tb, err := Load(bytes.NewReader(embedded))
	require.NoError(t, err)
	assert.Equal(t, len(Default().Rules()), len(tb.Rules()))
	assert.Equal(t, len(Default().Events()), len(tb.Events()))
	assert.Equal(t, len(Default().Services()), len(tb.Services()))
}

func TestServiceFor(t *testing.T) {
	tests := []struct {
		component string
		want      string
		daemon    string
	}{
		{"KvpExchange", "vmickvpexchange", "hv_kvp_daemon"},
		{"Microsoft-Windows-Hyper-V-Integration-VSS", "vmicvss", "hv_vss_daemon"},
		{"heartbeat", "vmicheartbeat", ""},
		{"Shutdown", "vmicshutdown", ""},
		{"TimeSync", "vmictimesync", ""},
		{"Network", "", ""},
		{"", "", ""},
		{"Microsoft-Windows-Hyper-V-Integration-", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.component, func(t *testing.T) {
			s, ok := Default().ServiceFor(tt.component)
			assert.Equal(t, tt.want != "", ok)
			assert.Equal(t, tt.want, s.ServiceName)
			assert.Equal(t, tt.daemon, s.LinuxDaemon)
		})
	}
	guest, ok := Default().ServiceFor("")
	assert.False(t, ok)
	assert.Empty(t, guest.ID)
	for _, s := range Default().Services() {
		if s.ID == "guestservice" {
			assert.Equal(t, "disabled", s.DefaultEnabled)
		}
	}
}

func TestOverlaps(t *testing.T) {
	v := mustParseVersion
	var open Version
	tests := []struct {
		a1, a2, b1, b2 Version
		want           bool
	}{
		{v("6.1"), v("6.2"), v("6.3"), open, false},
		{v("6.3"), open, v("6.1"), v("6.2"), false},
		{v("6.1"), v("6.2"), v("6.2"), v("6.3"), true},
		{open, open, v("5.0"), v("5.2"), true},
		{v("5.0"), v("6.2"), v("6.0"), v("6.0"), true},
		{v("6.0"), v("6.0"), v("6.1"), v("6.2"), false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, overlaps(tt.a1, tt.a2, tt.b1, tt.b2), "%s-%s vs %s-%s", tt.a1, tt.a2, tt.b1, tt.b2)
		assert.Equal(t, tt.want, overlaps(tt.b1, tt.b2, tt.a1, tt.a2), "symmetric")
	}
}

func TestResultJSONShape(t *testing.T) {
	ev := Evidence{Hosts: []HostEvidence{{Name: "HV01", Registry: true, OS: OSInfo{Version: "6.3", Build: 9600},
		GuestInstaller: map[string]string{valueWin6x: "6.3.9600.18398"}}},
		Guests:   []GuestEvidence{{VMID: "{ABC}", VMName: "web01", HostNames: []string{"HV01"}, ICVersion: "6.3.9600.16384", OS: OSInfo{Major: 6, Minor: 3}}},
		Coverage: []LogCoverage{{Host: "HV01", Channel: "Microsoft-Windows-Hyper-V-Integration-Admin"}, {Host: "HV01", Channel: "System"}}}
	b, err := json.Marshal(Default().Evaluate(ev))
	require.NoError(t, err)
	var m struct {
		VMs []struct {
			VMID     string `json:"vm_id"`
			Case     string `json:"case"`
			Action   string `json:"action"`
			Severity string `json:"severity"`
			Package  string `json:"package"`
			RuleID   string `json:"rule_id"`
			HostIC   struct {
				Version string `json:"version"`
				Release struct {
					Name       string `json:"name"`
					Confidence string `json:"confidence"`
				} `json:"release"`
			} `json:"host_ic"`
			Remediation struct {
				ID     string `json:"id"`
				Method string `json:"method"`
			} `json:"remediation"`
		} `json:"vms"`
		Findings []map[string]any `json:"findings"`
	}
	require.NoError(t, json.Unmarshal(b, &m))
	require.Len(t, m.VMs, 1)
	a := m.VMs[0]
	assert.Equal(t, "abc", a.VMID)
	assert.Equal(t, "compatible-mismatch", a.Case)
	assert.Equal(t, "upgrade-recommended", a.Action)
	assert.Equal(t, "low", a.Severity)
	assert.Equal(t, "win6x", a.Package)
	assert.Equal(t, RuleCase2, a.RuleID)
	assert.Equal(t, "6.3.9600.18398", a.HostIC.Version)
	assert.Equal(t, "verified", a.HostIC.Release.Confidence)
	assert.Equal(t, "REM-2012R2-CURRENT", a.Remediation.ID)
	assert.Equal(t, "windows-update", a.Remediation.Method)
	for _, f := range m.Findings {
		if c, ok := f["case"]; ok {
			assert.NotEqual(t, "unset", c, "host-level findings omit the case")
		}
	}
}

// Table.Remediation finds every row by its ID, text included, and nothing
// for an unknown ID.
func TestRemediationByID(t *testing.T) {
	tb := Default()
	rows := tb.Remediations()
	require.NotEmpty(t, rows)
	for _, want := range rows {
		got, ok := tb.Remediation(want.ID)
		require.True(t, ok, want.ID)
		assert.Equal(t, want.Text("en"), got.Text("en"), want.ID)
		assert.Equal(t, want.Method, got.Method, want.ID)
	}
	_, ok := tb.Remediation("no-such-row")
	assert.False(t, ok)
}

// TestRevision: the revision is the declared date plus a content hash, so
// that two tables differing in any byte have different revisions.
func TestRevision(t *testing.T) {
	def := Default().Revision()
	require.Regexp(t, `^\d{4}-\d{2}-\d{2}\+[0-9a-f]{12}$`, def)
	changed := bytes.Replace(embedded, []byte(`"schema": 1,`), []byte(`"schema": 1, `), 1)
	tb, err := Load(bytes.NewReader(changed))
	require.NoError(t, err)
	require.NotEqual(t, def, tb.Revision())
	require.Equal(t, def[:11], tb.Revision()[:11])
}
