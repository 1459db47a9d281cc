package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"html"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report"
	"github.com/hvic/hvic/report/result"
)

// humanFormats are the formats with a header and a footer.
var humanFormats = []report.Format{report.FormatText, report.FormatMarkdown, report.FormatHTML}

// TestHeaderAndFooter: every human format says, from the Result's Run,
// when (RFC 3339, UTC), from what, by which tool version and with which
// rule table it was made, at the top and again at the bottom; a zero Run
// says "unknown", never a zero time; Options.ToolVersion overrides the
// Run's version.
func TestHeaderAndFooter(t *testing.T) {
	res := fixture(t, "sample")
	require.NotEmpty(t, res.Run.Rules)
	for _, f := range humanFormats {
		for _, lang := range report.Languages() {
			t.Run(string(f)+"."+lang, func(t *testing.T) {
				var buf bytes.Buffer
				require.NoError(t, report.Render(&buf, f, res, &report.Options{Lang: lang}))
				out := html.UnescapeString(buf.String())
				status := strings.Index(out, map[string]string{"en": "Status", "ja": "状態"}[lang])
				require.Positive(t, status)
				for _, want := range []string{"2026-12-05T09:30:00Z", "testdata/sample", "iccheck 0.0.0-devel", res.Run.Rules} {
					first := strings.Index(out, want)
					require.GreaterOrEqual(t, first, 0, want)
					assert.Less(t, first, status, "%q is in the header", want)
					if want != "testdata/sample" {
						assert.Greater(t, strings.LastIndex(out, want), len(out)*9/10, "%q is in the footer too", want)
					}
				}

				buf.Reset()
				require.NoError(t, report.Render(&buf, f, res, &report.Options{Lang: lang, ToolVersion: "9.9.9"}))
				assert.Contains(t, buf.String(), "iccheck 9.9.9")
				assert.NotContains(t, buf.String(), "devel")

				buf.Reset()
				require.NoError(t, report.Render(&buf, f, &result.Result{Status: result.StatusComplete}, &report.Options{Lang: lang}))
				assert.NotContains(t, buf.String(), "0001")
				assert.Contains(t, buf.String(), map[string]string{"en": "unknown", "ja": "不明"}[lang])
			})
		}
	}
}

// spaced is a Result whose evidence paths hold spaces, commas, quotes and
// a newline, and whose values hold spaces: each evidence line must still
// read as one file, one key, one value name and one data.
func spaced() *result.Result {
	at := time.Date(2024, 5, 13, 10, 0, 0, 0, time.UTC)
	file := "case 7/HV01, \"new\"\nSOFTWARE"
	hostRef := kb.Ref{File: file, KeyPath: `Microsoft\Windows NT\CurrentVersion\Virtualization\GuestInstaller\Version`,
		Value: "Microsoft-Hyper-V-Guest-Installer-Win6x-Package", Data: "6.3.9600.18692", What: "Microsoft-Hyper-V-Guest-Installer-Win6x-Package"}
	guestRef := kb.Ref{File: "guests/my vm/SOFTWARE", KeyPath: `Microsoft\Virtual Machine\Auto`, Value: "Integration Services\x1b[2JVersion",
		Data: "6.2.9200.16433 \"x\"", What: "IntegrationServicesVersion"}
	evRef := kb.Ref{File: "Logs, 2024/Integration Admin.evtx", RecordID: 42, Time: at, What: "x 4000"}
	return &result.Result{
		Status: result.StatusComplete,
		Run:    result.Run{GeneratedAt: at, Inputs: []string{`C:\Cases\case 7`, "b\x07.zip"}, Tool: "iccheck", ToolVersion: "v1", Rules: "r1"},
		VMs: []kb.Assessment{{VMName: "WEB01", VMID: "id1", Host: "HV01", Case: kb.CaseIncompatibleMismatch,
			Action: kb.ActionUpgradeRequired, Severity: kb.SeverityHigh, RuleID: kb.RuleCase3, RuleIDs: []string{kb.RuleCase3},
			HostIC: kb.ICVersion{Raw: "6.3.9600.18692", Ref: &hostRef}, GuestIC: kb.ICVersion{Raw: "6.2.9200.16433", Ref: &guestRef},
			Refs: []kb.Ref{evRef}}},
		Events: []kb.Event{{Provider: "Microsoft-Windows-Hyper-V-Integration-Heartbeat", EventID: 4000, VMName: "WEB01", Host: "HV01",
			Time: at, Ref: evRef, VM: 1}},
	}
}

// TestEvidenceLinesUnambiguous: a path with spaces, commas, quotes and a
// newline is one quoted item (quotes doubled), registry evidence shows
// file, key, value name and data, event evidence file, record, provider,
// event ID and time, and no control character of the input reaches the
// text output.
func TestEvidenceLinesUnambiguous(t *testing.T) {
	res := spaced()
	var buf bytes.Buffer
	require.NoError(t, report.Text(&buf, res, nil))
	out := buf.String()
	for _, want := range []string{
		`- "case 7/HV01, ""new""\x0aSOFTWARE", key "Microsoft\Windows NT\CurrentVersion\Virtualization\GuestInstaller\Version", value Microsoft-Hyper-V-Guest-Installer-Win6x-Package = 6.3.9600.18692` + "\n",
		`- "guests/my vm/SOFTWARE", key "Microsoft\Virtual Machine\Auto", value "Integration Services\x1b[2JVersion" = "6.2.9200.16433 ""x""" (IntegrationServicesVersion)` + "\n",
		`- "Logs, 2024/Integration Admin.evtx", record 42, Microsoft-Windows-Hyper-V-Integration-Heartbeat event 4000, 2024-05-13 10:00:00Z` + "\n",
		`Inputs: "C:\Cases\case 7", b\x07.zip` + "\n",
	} {
		assert.Contains(t, out, want)
	}
	noControl(t, out)
	buf.Reset()
	require.NoError(t, report.Text(&buf, res, &report.Options{ToolVersion: "v\x1b[2J", Filter: report.Filter{VMs: []string{"WEB01", "\x1b]0;x\x07"}}}))
	noControl(t, buf.String())
	assert.Contains(t, buf.String(), `Filter: VM WEB01, "\x1b]0;x\x07" — 1 of 1 VMs shown`)
	for _, name := range []string{"sample", "partial", "hostile"} {
		for _, lang := range report.Languages() {
			buf.Reset()
			require.NoError(t, report.Text(&buf, fixture(t, name), &report.Options{Lang: lang, Filter: report.Filter{VMs: []string{"x"}}}))
			noControl(t, buf.String())
			buf.Reset()
			require.NoError(t, report.Text(&buf, fixture(t, name), &report.Options{Lang: lang}))
			noControl(t, buf.String())
		}
	}
	for _, f := range []report.Format{report.FormatMarkdown, report.FormatHTML} {
		buf.Reset()
		require.NoError(t, report.Render(&buf, f, res, nil))
		assert.NotContains(t, buf.String(), "\x1b", f)
		assert.NotContains(t, buf.String(), "\x07", f)
		assert.Contains(t, buf.String(), "6.2.9200.16433", f)
		assert.Contains(t, buf.String(), "record 42", f)
	}
}

func TestParseActionLevel(t *testing.T) {
	tests := []struct {
		in   string
		want report.ActionLevel
		err  bool
	}{
		{"none", report.LevelNone, false}, {"Investigate", report.LevelInvestigate, false},
		{"recommended", report.LevelRecommended, false}, {"upgrade-recommended", report.LevelRecommended, false},
		{"REQUIRED", report.LevelRequired, false}, {"upgrade-required", report.LevelRequired, false},
		{"high", 0, true}, {"requried", 0, true},
	}
	for _, tt := range tests {
		got, err := report.ParseActionLevel(tt.in)
		if tt.err {
			assert.ErrorIs(t, err, report.ErrActionLevel, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		assert.Equal(t, strings.TrimPrefix(strings.ToLower(tt.in), "upgrade-"), got.String())
	}
}

// TestFilterApply: which VMs a filter keeps on the sample (7 VMs on
// HV01.contoso.local), and that what is kept stays consistent: every
// finding and event points at a VM kept, by the new index.
func TestFilterApply(t *testing.T) {
	res := fixture(t, "sample")
	tests := []struct {
		name string
		f    report.Filter
		want []string
	}{
		{"zero", report.Filter{}, []string{"APP01", "DB01", "DC01", "FS01", "LNX01", "SQL01", "WEB01"}},
		{"names, any case", report.Filter{VMs: []string{"web01", " Db01 "}}, []string{"DB01", "WEB01"}},
		{"ID with braces", report.Filter{VMs: []string{"{3F2504E0-4F89-41D3-9A0C-0305E82C3303}"}}, []string{"FS01"}},
		{"short host name", report.Filter{Hosts: []string{"hv01"}}, []string{"APP01", "DB01", "DC01", "FS01", "LNX01", "SQL01", "WEB01"}},
		{"other host", report.Filter{Hosts: []string{"HV02"}}, nil},
		{"required", report.Filter{MinAction: report.LevelRequired}, []string{"DB01"}},
		{"recommended", report.Filter{MinAction: report.LevelRecommended}, []string{"DB01", "DC01", "SQL01", "WEB01"}},
		{"name and level", report.Filter{VMs: []string{"WEB01", "APP01"}, MinAction: report.LevelRecommended}, []string{"WEB01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.f.Apply(res)
			var names []string
			for _, a := range got.VMs {
				names = append(names, a.VMName)
			}
			assert.ElementsMatch(t, tt.want, names)
			for _, f := range got.Findings {
				if f.VM > 0 {
					require.LessOrEqual(t, f.VM, len(got.VMs))
					assert.Equal(t, got.VMs[f.VM-1].VMName, f.VMName)
				}
			}
			for _, e := range got.Events {
				require.Positive(t, e.VM, "the sample's events are all attributed")
				require.LessOrEqual(t, e.VM, len(got.VMs))
				assert.Equal(t, got.VMs[e.VM-1].VMName, e.VMName)
			}
			assert.Equal(t, res.Inventory.Files, got.Inventory.Files, "what was read is not filtered")
			assert.Equal(t, res.Status, got.Status)
			if len(tt.want) == 0 {
				assert.Empty(t, got.Inventory.Hosts, "a host with no VM shown is not shown")
			}
		})
	}
	assert.Len(t, res.VMs, 7, "Apply does not change its argument")
}

// TestFilterEveryFormat: with a filter, every format shows only the VMs
// kept and says a filter was applied (header, JSON filter object); without
// one, no format mentions a filter.
func TestFilterEveryFormat(t *testing.T) {
	res := fixture(t, "sample")
	f := report.Filter{VMs: []string{"web01"}, MinAction: report.LevelRecommended}
	for _, format := range report.Formats() {
		for _, lang := range report.Languages() {
			t.Run(string(format)+"."+lang, func(t *testing.T) {
				var plain, filtered bytes.Buffer
				require.NoError(t, report.Render(&plain, format, res, &report.Options{Lang: lang}))
				require.NoError(t, report.Render(&filtered, format, res, &report.Options{Lang: lang, Filter: f}))
				if format == report.FormatTimelineCSV {
					// Events carry no IC versions: their VM column says whose.
					vms := func(b []byte) map[string]bool {
						rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
						require.NoError(t, err)
						seen := map[string]bool{}
						for _, row := range rows[1:] {
							seen[row[2]] = true
						}
						return seen
					}
					assert.Equal(t, map[string]bool{"WEB01": true}, vms(filtered.Bytes()))
					assert.Greater(t, len(vms(plain.Bytes())), 1)
					return
				}
				// The guest IC versions of WEB01, DB01 and SQL01: VM data, not
				// file names (the files read stay listed).
				for _, out := range []string{plain.String(), filtered.String()} {
					assert.Contains(t, out, "6.2.9200.16433")
				}
				for _, other := range []string{"6.1.7601.17514", "6.3.9600.17831"} {
					assert.Contains(t, plain.String(), other)
					assert.NotContains(t, filtered.String(), other)
				}
				switch format {
				case report.FormatJSON:
					var doc struct {
						Filter *struct {
							VMs                []string `json:"vms"`
							MinAction          string   `json:"min_action"`
							VMsTotal, VMsShown int
						} `json:"filter"`
					}
					require.NoError(t, json.Unmarshal(filtered.Bytes(), &doc))
					require.NotNil(t, doc.Filter)
					assert.Equal(t, []string{"web01"}, doc.Filter.VMs)
					assert.Equal(t, "recommended", doc.Filter.MinAction)
					require.NoError(t, json.Unmarshal(plain.Bytes(), &doc))
				case report.FormatCSV:
					rows, err := csv.NewReader(&filtered).ReadAll()
					require.NoError(t, err)
					require.Len(t, rows, 2, "the header row and WEB01")
				case report.FormatSARIF:
					var log struct {
						Runs []struct {
							Properties map[string]any `json:"properties"`
						} `json:"runs"`
					}
					require.NoError(t, json.Unmarshal(filtered.Bytes(), &log))
					require.Len(t, log.Runs, 1)
					assert.Contains(t, log.Runs[0].Properties, "filter")
				default:
					word := map[string]string{"en": "Filter", "ja": "フィルター"}[lang]
					assert.Contains(t, filtered.String(), word)
					assert.Contains(t, filtered.String(), map[string]string{"en": "1 of 7 VMs shown", "ja": "VM 1 / 7 台を表示"}[lang])
					assert.NotContains(t, plain.String(), word+":")
				}
			})
		}
	}
}

// TestFilterHidesOtherHostsProblems: a host filter hides the problems of
// the other hosts' files, and says how many; problems of files of no
// known host stay.
func TestFilterHidesOtherHostsProblems(t *testing.T) {
	res := &result.Result{
		Status: result.StatusPartial,
		VMs:    []kb.Assessment{{VMName: "A", Host: "HV01", Action: kb.ActionNone}, {VMName: "B", Host: "HV02.contoso.local", Action: kb.ActionNone}},
		Inventory: result.Inventory{
			Hosts: []result.Host{{Name: "HV01", Files: []string{"HV01/System.evtx"}}, {Name: "HV02.contoso.local", Files: []string{"HV02/System.evtx"}}},
			Files: []result.FileInfo{{Path: "HV01/System.evtx", Host: "HV01"}, {Path: "HV02/System.evtx", Host: "HV02.contoso.local"}, {Path: "x.zip"}},
		},
		Problems: []result.Problem{{File: "HV01/System.evtx", Severity: result.SeverityError, Code: result.CodeEVTXDamage, Message: "one"},
			{File: "HV02/System.evtx", Severity: result.SeverityError, Code: result.CodeEVTXDamage, Message: "two"},
			{File: "x.zip", Severity: result.SeverityError, Code: result.CodeDamagedArchive, Message: "three"}},
	}
	got := report.Filter{Hosts: []string{`\\hv02`}}.Apply(res)
	require.Len(t, got.VMs, 1)
	assert.Equal(t, "B", got.VMs[0].VMName)
	require.Len(t, got.Problems, 2)
	assert.Equal(t, "two", got.Problems[0].Message)
	assert.Equal(t, "three", got.Problems[1].Message)
	var buf bytes.Buffer
	require.NoError(t, report.Text(&buf, res, &report.Options{Filter: report.Filter{Hosts: []string{"hv02"}}}))
	assert.Contains(t, buf.String(), `Filter: host hv02 — 1 of 2 VMs shown; 1 problems of other hosts hidden`)
}

// noControl fails on a control character other than a newline (C0, DEL,
// C1): the text report shows the input's as escapes.
func noControl(t *testing.T, out string) {
	t.Helper()
	for _, r := range out {
		if r < 0x20 && r != '\n' || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			t.Fatalf("control character %U in the text report", r)
		}
	}
}
