package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report"
	"github.com/hvic/hvic/report/result"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const goldenDir = "../testdata/report"

var extension = map[report.Format]string{
	report.FormatText: "txt", report.FormatJSON: "json", report.FormatMarkdown: "md",
	report.FormatCSV: "csv", report.FormatSARIF: "sarif", report.FormatHTML: "html",
	report.FormatTimelineCSV: "csv",
}

// fixture reads a scan's Result from its JSON fixture
// (testdata/report/NAME.result.json, written by the root package's
// TestResultFixtures): the renderers are tested on fixed data, without a
// scan.
func fixture(t testing.TB, name string) *result.Result {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(goldenDir, name+".result.json"))
	require.NoError(t, err)
	var res result.Result
	require.NoError(t, json.Unmarshal(data, &res))
	return &res
}

// scanSample is the bundled sample as the CLI scans it (with the Linux
// hint).
func scanSample(t testing.TB) *result.Result { return fixture(t, "sample") }

func TestGolden(t *testing.T) {
	res := scanSample(t)
	for _, f := range report.Formats() {
		for _, lang := range report.Languages() {
			name := string(f) + "." + lang + "." + extension[f]
			t.Run(name, func(t *testing.T) {
				var buf bytes.Buffer
				require.NoError(t, report.Render(&buf, f, res, &report.Options{Lang: lang}))
				path := filepath.Join(goldenDir, name)
				if *update {
					require.NoError(t, os.MkdirAll(goldenDir, 0o755))
					require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
				}
				want, err := os.ReadFile(path)
				require.NoError(t, err)
				assert.Equal(t, string(want), buf.String(), "run go test ./report -update to regenerate")
			})
		}
	}
}

// The JSON report is the Result's own encoding, worded in the report's
// language: it decodes into a result.Result that carries the language, the
// schema version, the summary and the texts, and renders as the original.
func TestJSONIsTheResult(t *testing.T) {
	res := scanSample(t)
	for _, lang := range report.Languages() {
		var buf bytes.Buffer
		require.NoError(t, report.JSON(&buf, res, &report.Options{Lang: lang, ToolVersion: "9.9"}))
		var back result.Result
		require.NoError(t, json.Unmarshal(buf.Bytes(), &back))
		assert.Equal(t, report.SchemaVersion, back.SchemaVersion)
		assert.Equal(t, lang, back.Language)
		assert.Equal(t, "9.9", back.Run.ToolVersion)
		assert.Equal(t, res.Run.Tool, back.Run.Tool)
		assert.Equal(t, len(res.VMs), back.Summary.VMs)
		require.Len(t, back.VMs, len(res.VMs))
		for i, a := range back.VMs {
			require.NotNil(t, a.Text, a.VMName)
			assert.NotEmpty(t, a.Text.Case, a.VMName)
			assert.NotEmpty(t, a.Text.Title, a.VMName)
			assert.Equal(t, res.VMs[i].Case, a.Case)
		}
		for _, f := range back.Findings {
			assert.NotEmpty(t, f.Title, f.RuleID)
		}
		// The decoded Result holds the overriding tool version in its Run.
		var want, got bytes.Buffer
		require.NoError(t, report.Text(&want, res, &report.Options{Lang: lang, ToolVersion: "9.9"}))
		require.NoError(t, report.Text(&got, &back, &report.Options{Lang: lang}))
		assert.Equal(t, want.String(), got.String(), lang)
	}
	var en, ja bytes.Buffer
	require.NoError(t, report.JSON(&en, res, nil))
	require.NoError(t, report.JSON(&ja, res, &report.Options{Lang: "ja"}))
	assert.NotEqual(t, en.String(), ja.String(), "the texts follow the language")
}

func TestCSVOneRowPerVM(t *testing.T) {
	res := scanSample(t)
	var buf bytes.Buffer
	require.NoError(t, report.CSV(&buf, res, &report.Options{Lang: "ja"}))
	rows, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, len(res.VMs)+1)
	assert.Equal(t, "vm_name", rows[0][1])
	for i, a := range res.VMs {
		assert.Contains(t, []string{rows[i+1][1]}, a.VMName)
	}
}

func TestSARIFShape(t *testing.T) {
	res := scanSample(t)
	var buf bytes.Buffer
	require.NoError(t, report.SARIF(&buf, res, nil))
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Kind      string `json:"kind"`
			} `json:"results"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &log))
	assert.Equal(t, "2.1.0", log.Version)
	require.Len(t, log.Runs, 1)
	run := log.Runs[0]
	require.Len(t, run.Results, len(res.Findings))
	for _, r := range run.Results {
		require.GreaterOrEqual(t, r.RuleIndex, 0)
		assert.Equal(t, r.RuleID, run.Tool.Driver.Rules[r.RuleIndex].ID)
		assert.Contains(t, []string{"pass", "fail"}, r.Kind)
		assert.Contains(t, []string{"none", "note", "warning", "error"}, r.Level)
	}
}

func TestHTMLSelfContained(t *testing.T) {
	res := scanSample(t)
	for _, lang := range report.Languages() {
		var buf bytes.Buffer
		require.NoError(t, report.HTML(&buf, res, &report.Options{Lang: lang}))
		page := buf.String()
		assert.Contains(t, page, "<svg")
		assert.Contains(t, page, "<table>")
		for _, bad := range []string{"<script", "<link", "src=", "@import", "url("} {
			assert.NotContains(t, page, bad)
		}
		// The only absolute URL is the SVG namespace.
		assert.Equal(t, strings.Count(page, "http"), strings.Count(page, `xmlns="http://www.w3.org/2000/svg"`))
	}
}

// hostile is a Result whose strings try to break out of each format.
func hostile() *result.Result {
	name := `<script>alert(1)</script>|*x*` + "\n# h"
	return &result.Result{
		Status: result.StatusPartial,
		VMs: []kb.Assessment{{VMName: name, VMID: "id", Host: `H"OST`, Case: kb.CaseCompatibleMismatch,
			Action: kb.ActionUpgradeRecommended, Severity: kb.SeverityLow, RuleIDs: []string{kb.RuleCase2},
			HostIC: kb.ICVersion{Raw: "=cmd|' /C calc'!A0"}, GuestIC: kb.ICVersion{Raw: "6.2.9200.16433"}}},
		Findings: []kb.Finding{{VM: 1, RuleID: kb.RuleCase2, VMName: name, VMID: "id", Host: `H"OST`, Case: kb.CaseCompatibleMismatch,
			Action: kb.ActionUpgradeRecommended, Severity: kb.SeverityLow, Refs: []kb.Ref{{File: "a b/%4<x>.evtx", RecordID: 3}}},
			{RuleID: kb.RuleMissingIntLog, Host: "<i>HV9</i>"}},
		Conflicts: nil,
		Problems:  []result.Problem{{File: "<b>.zip", Severity: result.SeverityError, Code: result.CodeUnsafePath, Message: "hvic: <b>.zip!/../x: refused"}},
	}
}

func TestEscaping(t *testing.T) {
	res := hostile()
	var buf bytes.Buffer
	require.NoError(t, report.HTML(&buf, res, nil))
	assert.NotContains(t, buf.String(), "<script>")
	assert.NotContains(t, buf.String(), "<b>.zip")
	assert.NotContains(t, buf.String(), "<i>HV9")
	assert.Contains(t, buf.String(), "Other findings")

	buf.Reset()
	require.NoError(t, report.Markdown(&buf, res, nil))
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| VM") {
			assert.Equal(t, 6, strings.Count(line, "|")-strings.Count(line, `\|`), line)
		}
	}
	assert.NotContains(t, buf.String(), "<script>")

	buf.Reset()
	require.NoError(t, report.CSV(&buf, res, nil))
	rows, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, "'=cmd|' /C calc'!A0", rows[1][8])

	for _, f := range []report.Format{report.FormatJSON, report.FormatSARIF} {
		buf.Reset()
		require.NoError(t, report.Render(&buf, f, res, nil))
		assert.True(t, json.Valid(buf.Bytes()), f)
	}
}

func TestParseFormatAndErrors(t *testing.T) {
	tests := []struct {
		in   string
		want report.Format
		err  bool
	}{
		{"text", report.FormatText, false}, {"MD", report.FormatMarkdown, false}, {"sarif", report.FormatSARIF, false},
		{"html", report.FormatHTML, false}, {"csv", report.FormatCSV, false}, {"json", report.FormatJSON, false},
		{"pdf", "", true},
	}
	for _, tt := range tests {
		got, err := report.ParseFormat(tt.in)
		if tt.err {
			assert.ErrorIs(t, err, report.ErrFormat)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tt.want, got)
	}
	var buf bytes.Buffer
	assert.ErrorIs(t, report.Render(&buf, "pdf", &result.Result{}, nil), report.ErrFormat)
	assert.ErrorIs(t, report.Text(&buf, nil, nil), report.ErrNoResult)
}

func TestEmptyResult(t *testing.T) {
	for _, f := range report.Formats() {
		var buf bytes.Buffer
		require.NoError(t, report.Render(&buf, f, &result.Result{Status: result.StatusFailed}, &report.Options{Lang: "ja"}), f)
		assert.NotEmpty(t, buf.String(), f)
	}
}

// A partial scan (refused, damaged and skipped files) renders in every
// format and language.
func TestRenderPartialScan(t *testing.T) {
	res := fixture(t, "partial")
	require.Equal(t, result.StatusPartial, res.Status)
	for _, f := range report.Formats() {
		for _, lang := range report.Languages() {
			var buf bytes.Buffer
			require.NoError(t, report.Render(&buf, f, res, &report.Options{Lang: lang}), f)
			if f != report.FormatCSV && f != report.FormatTimelineCSV { // CSVs have VM or event rows only
				assert.Contains(t, buf.String(), "x.evtx", f)
			}
			if f == report.FormatJSON || f == report.FormatSARIF {
				assert.True(t, json.Valid(buf.Bytes()), f)
			}
		}
	}
}

func TestCSVBOM(t *testing.T) {
	res := scanSample(t)
	for _, bom := range []bool{false, true} {
		var buf bytes.Buffer
		require.NoError(t, report.CSV(&buf, res, &report.Options{Lang: "ja", BOM: bom}))
		assert.Equal(t, bom, bytes.HasPrefix(buf.Bytes(), []byte("\xef\xbb\xbf")))
	}
}

// explained is a Result whose VM carries every kind of explanation, and a
// host whose Integration-Admin log was read.
func explained() *result.Result {
	at := time.Date(2024, 3, 15, 8, 0, 0, 0, time.UTC)
	logRef := kb.Ref{File: "HV01/Integration.evtx", RecordID: 7, Time: at}
	cov := kb.LogCoverage{Host: "HV01", Channel: "Microsoft-Windows-Hyper-V-Integration-Admin", File: "HV01/Integration.evtx",
		First: at.Add(-48 * time.Hour), Last: at.Add(time.Hour), Records: 12}
	return &result.Result{
		Status:    result.StatusComplete,
		Inventory: result.Inventory{Hosts: []result.Host{{Name: "HV01", Files: []string{}, Logs: []kb.LogCoverage{cov}}}},
		VMs: []kb.Assessment{{VMName: "VM1", VMID: "id1", Host: "HV01", Case: kb.CaseIncompatibleMismatch,
			Action: kb.ActionUpgradeRequired, Severity: kb.SeverityHigh, RuleID: kb.RuleCase3, RuleIDs: []string{kb.RuleCase3},
			Missing: []kb.Missing{kb.MissingIntegrationLog},
			Explanation: []kb.Explanation{
				{Kind: kb.ExplainDecisive, Time: at, Ref: &logRef, Params: map[string]string{"provider": "Microsoft-Windows-Hyper-V-Integration-Heartbeat", "eventId": "4000", "component": "Heartbeat"}},
				{Kind: kb.ExplainVersions, Params: map[string]string{"hostVersion": "6.3.9600.18692", "hostRelease": "Windows Server 2012 R2 June 2017 rollup",
					"guestVersion": "6.2.9200.16433", "guestRelease": "Windows Server 2012 IC update", "package": "win6x", "comparison": "guest-older"}},
				{Kind: kb.ExplainLogPeriod, From: cov.First, To: cov.Last, Params: map[string]string{"channel": cov.Channel, "records": "12", "host": "HV01"}},
				{Kind: kb.ExplainLogPeriod, Params: map[string]string{"channel": "System", "records": "0", "host": "HV01"}},
				{Kind: kb.ExplainGuestRefresh, Time: at.Add(15 * time.Second)},
				{Kind: kb.ExplainMissing, Params: map[string]string{"missing": "integration-log"}},
				{Kind: kb.ExplainNote, Params: map[string]string{"note": "x", "detail": "evil\x1b[2J"}},
			}},
			{VMName: "VM2", VMID: "id2", Host: "HV01", Case: kb.CaseUndetermined, Action: kb.ActionInvestigate, RuleIDs: []string{kb.RuleUndetermined},
				Explanation: []kb.Explanation{
					{Kind: kb.ExplainDecisive, Params: map[string]string{"what": "IntegrationServicesVersion", "value": "6.2.9200.16433", "basis": "no-event-in-log-read"}},
					{Kind: kb.ExplainVersions, Params: map[string]string{"hostVersion": "not-recorded", "guestVersion": "6.3.9600"}},
					{Kind: kb.ExplainNote, Params: map[string]string{"note": "guest-version-short", "detail": "6.3.9600"}},
					{Kind: kb.ExplainNote, Params: map[string]string{"note": "package-guessed", "detail": "win5x"}},
				}}},
		Events: []kb.Event{{Provider: "Microsoft-Windows-Hyper-V-Integration-Heartbeat", EventID: 4000, VMName: "VM1", VMID: "id1", Host: "HV01", Time: at, Ref: logRef, VM: 1}},
	}
}

// TestExplanationInEveryFormat: text, Markdown and HTML show the why
// (decisive event, versions with release names, log periods, guest KVP
// refresh, what was missing), never say a read log was not read, and show
// control bytes visibly; JSON carries it as data and text.
func TestExplanationInEveryFormat(t *testing.T) {
	res := explained()
	for _, lang := range report.Languages() {
		for _, f := range []report.Format{report.FormatText, report.FormatMarkdown, report.FormatHTML} {
			t.Run(string(f)+"."+lang, func(t *testing.T) {
				var buf bytes.Buffer
				require.NoError(t, report.Render(&buf, f, res, &report.Options{Lang: lang}))
				out := buf.String()
				for _, want := range []string{"2024-03-15 08:00:00Z", "Heartbeat", "HV01/Integration.evtx", "Windows Server 2012 R2 June 2017 rollup",
					"Windows Server 2012 IC update", "2024-03-13 08:00:00Z", "2024-03-15 09:00:00Z", "2024-03-15 08:00:15Z"} {
					assert.Contains(t, out, want)
				}
				shown := map[report.Format]string{report.FormatText: `\x1b[2J`, report.FormatMarkdown: `\\x1b\[2J`, report.FormatHTML: `\x1b[2J`}[f]
				assert.Contains(t, out, shown, "the control byte is shown, not sent")
				assert.NotContains(t, out, "\x1b")
				assert.NotContains(t, out, "%!", "every sentence is formatted")
				assert.Contains(t, out, "6.2.9200.16433")
				assert.Contains(t, out, "win5x")
				assert.NotContains(t, out, "log was not read")
				assert.NotContains(t, out, "ログが未読込")
				if lang == "en" {
					assert.Contains(t, out, "the host log read holds no event 4000 for this VM")
					assert.Contains(t, out, "not recorded (2016")
					assert.Contains(t, out, "fewer than four parts")
					assert.Contains(t, out, "Guest KVP last refreshed")
					assert.Contains(t, out, "Incompatible integration services version (event 4000)")
				}
				if f == report.FormatHTML {
					assert.Contains(t, out, `<path class="tl-guest"`, "the refresh time on the timeline")
				}
			})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, report.JSON(&buf, res, nil))
	var doc struct {
		VMs []struct {
			Explanation []struct {
				Kind, Text string
				Time       *time.Time
				Params     map[string]string
			} `json:"explanation"`
		} `json:"vms"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	require.Len(t, doc.VMs, 2)
	ex := doc.VMs[0].Explanation
	require.Len(t, ex, 7)
	assert.Equal(t, "decisive", ex[0].Kind)
	assert.Contains(t, ex[0].Text, "Incompatible")
	assert.Equal(t, "guest-refresh", ex[4].Kind)
	require.NotNil(t, ex[4].Time)
	assert.Equal(t, "guest-older", ex[1].Params["comparison"])
}

// A VM whose host name was read with a leading \\ and a trailing NUL (as a
// guest's Parameters may hold it) sits under the inventory's host of that
// name, not under a second host of its own: report compares host names
// through kb.HostKey, the one key.
func TestHostNameSpellingsGroupTogether(t *testing.T) {
	res := &result.Result{
		Status:    result.StatusComplete,
		Inventory: result.Inventory{Hosts: []result.Host{{Name: "HV01.contoso.local", Files: []string{}}}},
		VMs: []kb.Assessment{{VMName: "VM1", VMID: "id1", Host: "\\\\HV01\x00", Case: kb.CaseMatch,
			Action: kb.ActionNone, Severity: kb.SeverityInfo, RuleID: kb.RuleCase1, RuleIDs: []string{kb.RuleCase1}}},
	}
	var buf bytes.Buffer
	require.NoError(t, report.HTML(&buf, res, nil))
	assert.Equal(t, 1, strings.Count(buf.String(), "<h2>Host "), "one host section")
	assert.Contains(t, buf.String(), "<h2>Host HV01.contoso.local</h2>")
}

// A zero Result (no scan filled it) renders in every format and language
// without a raw enum value ("status(0)" before) and with the unknown status
// worded; an unknown language is an error, not English.
func TestZeroResultAndUnknownLang(t *testing.T) {
	for _, f := range report.Formats() {
		for _, lang := range report.Languages() {
			var buf bytes.Buffer
			require.NoError(t, report.Render(&buf, f, &result.Result{}, &report.Options{Lang: lang}), "%s %s", f, lang)
			for _, raw := range []string{"status(", "severity(", "code(", "case(", "action("} {
				assert.NotContains(t, buf.String(), raw, "%s %s", f, lang)
			}
		}
		var buf bytes.Buffer
		assert.ErrorIs(t, report.Render(&buf, f, &result.Result{}, &report.Options{Lang: "fr"}), report.ErrLang, f)
		assert.Empty(t, buf.String(), f)
	}
	var buf bytes.Buffer
	require.NoError(t, report.Text(&buf, &result.Result{}, nil))
	assert.Contains(t, buf.String(), "unknown")
}
