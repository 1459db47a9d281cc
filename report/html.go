package report

import (
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

type htmlRow struct {
	Name, ID, Case, CaseClass, Action, HostIC, GuestIC, Anchor string
	NeedsAction                                                bool
}

type htmlHost struct {
	Label, OS, Offers string
	Logs              []string
	NoLogs            bool
	Rows              []htmlRow
}

type htmlDetail struct {
	Anchor, Name, ID, Host, Case, CaseClass, Action, Severity, Rule, Title string
	HostIC, GuestIC, Description, Todo, HowTo, GuestOS                     string
	Other, Missing, Evidence, Why                                          []string
}

type htmlData struct {
	Lang, Title, StatusLabel, StatusClass, Summary string
	L                                              map[string]string
	Hosts                                          []htmlHost
	Details                                        []htmlDetail
	Timeline                                       *htmlTimeline
	Other                                          []string
	Problems                                       []problemPart
	Skipped                                        []string
	NoHyperV                                       bool
	NoHyperVHints, NoHyperVCollect                 []string
	Files                                          [][]string
	Header                                         []htmlHeader
	Footer                                         string
}

// htmlHeader is one line of the header (label: value).
type htmlHeader struct{ Label, Value string }

func caseClass(c kb.Case) string {
	switch c {
	case kb.CaseMatch:
		return "ok"
	case kb.CaseCompatibleMismatch:
		return "warn"
	case kb.CaseIncompatibleMismatch:
		return "bad"
	case kb.CaseLinuxGuest, kb.CaseGuestNewer, kb.CaseHostUnversioned:
		return "info"
	}
	return "unk"
}

// HTML writes a self-contained page (inline CSS and SVG, no script, no
// external asset): the summary table per host, a timeline of the IC
// events per VM, the details with evidence, problems and files.
func HTML(w io.Writer, res *result.Result, opts *Options) error {
	v, err := newView(res, opts, true)
	if err != nil {
		return err
	}
	res = v.res // the escaped copy
	l := v.lang
	d := htmlData{Lang: l, Title: tr(l, "title"), StatusLabel: v.statusLabel(), StatusClass: res.Status.String(), Summary: v.summary(), L: map[string]string{}}
	for k := range msg {
		d.L[strings.ReplaceAll(k, ".", "_")] = tr(l, k)
	}
	for _, h := range v.header() {
		d.Header = append(d.Header, htmlHeader{Label: h.label, Value: h.value})
	}
	d.Footer = v.footer()
	for _, h := range v.hosts {
		hh := htmlHost{Label: h.label, Offers: v.offers(h)}
		if h.inv != nil {
			hh.OS = h.inv.OS
			for _, c := range h.inv.Logs {
				hh.Logs = append(hh.Logs, v.logLine(c))
			}
		}
		hh.NoLogs = len(hh.Logs) == 0 && h.name != ""
		for _, vm := range h.vms {
			hh.Rows = append(hh.Rows, htmlRow{Name: vm.label, ID: vm.id, Case: vm.caseLabel, CaseClass: caseClass(vm.a.Case),
				Action: vm.actionLabel, HostIC: orDash(vm.hostIC), GuestIC: orDash(vm.guestIC), Anchor: anchor(vm), NeedsAction: vm.needsAction})
		}
		d.Hosts = append(d.Hosts, hh)
	}
	for _, vm := range v.vms {
		dd := htmlDetail{Anchor: anchor(vm), Name: vm.label, ID: vm.id, Host: vm.hostLabel, Case: vm.caseLabel,
			CaseClass: caseClass(vm.a.Case), Action: vm.actionLabel, Severity: vm.sevLabel, Rule: vm.rule, Title: vm.title,
			HostIC: orDash(vm.hostIC), GuestIC: v.guestICText(vm), GuestOS: vm.a.GuestOS.Name, Description: vm.description, Todo: vm.todo, HowTo: vm.howTo,
			Missing: v.missing(vm.a), Why: v.explanation(vm)}
		for _, f := range vm.findings {
			if f.RuleID != vm.rule {
				dd.Other = append(dd.Other, f.RuleID+": "+v.ruleText(f.RuleID).Title)
			}
		}
		for _, r := range vm.refs() {
			dd.Evidence = append(dd.Evidence, v.vmRefText(vm, r))
		}
		d.Details = append(d.Details, dd)
	}
	for _, f := range v.other {
		line := f.RuleID + ": " + v.ruleText(f.RuleID).Title
		if f.Host != "" {
			line = f.Host + " — " + line
		}
		d.Other = append(d.Other, line)
	}
	d.Timeline = v.timeline()
	d.Problems = v.problemParts()
	for _, s := range res.Inventory.Skipped {
		d.Skipped = append(d.Skipped, s.Path+": "+skipReason(s))
	}
	d.NoHyperVHints, d.NoHyperVCollect, d.NoHyperV = v.noHyperV()
	for _, f := range res.Inventory.Files {
		d.Files = append(d.Files, []string{f.Path, f.Kind, string(f.Role), itoa(int(f.Size)), f.Host})
	}
	return htmlTemplate.Execute(w, d)
}

func anchor(vm *vmView) string {
	var b strings.Builder
	b.WriteString("vm-")
	for _, r := range strings.ToLower(vm.label + "-" + vm.id) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func fnum(f float64) string { return fmt.Sprintf("%.1f", f) }

var htmlTemplate = template.Must(template.Must(template.New("report").Funcs(template.FuncMap{"f": fnum, "timelineCSS": timelineCSS}).
	Parse(tlTemplate)).Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:"Segoe UI","Noto Sans JP","Hiragino Sans",Meiryo,Arial,sans-serif;margin:24px;color:#1b1f24;background:#fff;line-height:1.45}
h1{font-size:1.5em;margin:0 0 8px}h2{font-size:1.2em;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}h3{font-size:1.05em;margin:18px 0 6px}
table{border-collapse:collapse;margin:8px 0 12px;font-size:.92em}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f6f8fa}
code,.mono{font-family:Consolas,"Courier New",monospace;font-size:.95em}
.status{display:inline-block;padding:2px 8px;border-radius:10px;font-weight:600}.status.complete{background:#dafbe1}.status.partial{background:#fff8c5}.status.failed{background:#ffebe9}
.case{display:inline-block;padding:1px 6px;border-radius:4px;white-space:nowrap}.case.ok{background:#dafbe1}.case.warn{background:#fff1c2}.case.bad{background:#ffcecb}.case.info{background:#ddf4ff}.case.unk{background:#eaeef2}
.act{font-weight:700}.meta{color:#57606a;font-size:.9em;margin:2px 0}
.detail{border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;margin:10px 0}.detail p{margin:4px 0}
{{timelineCSS}}
.legend span{display:inline-block;margin-right:16px;font-size:.9em}.legend svg{vertical-align:middle;margin-right:4px}
.problem.error{color:#cf222e}.problem.warning{color:#9a6700}.problem.guess{color:#0969da}.problem.info{color:#57606a}
details.problems>summary{cursor:pointer}details.problems>summary h2{display:inline-block;border:none}
svg text{font-family:inherit;font-size:12px;fill:#1b1f24}svg .axis{stroke:#8c959f;stroke-width:1}svg .lane{stroke:#eaeef2;stroke-width:1}
footer{margin-top:32px;color:#57606a;font-size:.85em}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<table class="run">{{range .Header}}<tr><th>{{.Label}}</th><td class="mono">{{.Value}}</td></tr>{{end}}</table>
<p><span class="status {{.StatusClass}}">{{.L.status}}: {{.StatusLabel}}</span></p>
<p>{{.Summary}}</p>
{{range .Hosts}}
<h2>{{$.L.host}} {{.Label}}</h2>
{{if .OS}}<p class="meta">{{$.L.host_os}}: {{.OS}}</p>{{end}}
{{if .Offers}}<p class="meta">{{$.L.host_offers}}: <span class="mono">{{.Offers}}</span></p>{{end}}
{{range .Logs}}<p class="meta">{{$.L.logs}}: {{.}}</p>{{end}}
{{if .NoLogs}}<p class="meta">{{$.L.logs_none}}</p>{{end}}
{{if .Rows}}<table>
<thead><tr><th>{{$.L.col_vm}}</th><th>{{$.L.col_case}}</th><th>{{$.L.col_action}}</th><th>{{$.L.col_hostic}}</th><th>{{$.L.col_guestic}}</th></tr></thead>
<tbody>
{{range .Rows}}<tr><td><a href="#{{.Anchor}}">{{.Name}}</a></td><td><span class="case {{.CaseClass}}">{{.Case}}</span></td><td{{if .NeedsAction}} class="act"{{end}}>{{.Action}}</td><td class="mono">{{.HostIC}}</td><td class="mono">{{.GuestIC}}</td></tr>
{{end}}</tbody>
</table>{{end}}
{{end}}
<h2>{{.L.timeline}}</h2>
{{template "timeline" .}}
<h2>{{.L.details}}</h2>
{{range .Details}}<div class="detail" id="{{.Anchor}}">
<h3>{{.Name}} <span class="case {{.CaseClass}}">{{.Case}}</span></h3>
{{if .ID}}<p class="meta">{{$.L.col_id}}: <span class="mono">{{.ID}}</span> · {{$.L.col_host}}: {{.Host}}</p>{{else}}<p class="meta">{{$.L.col_host}}: {{.Host}}</p>{{end}}
<p><b>{{$.L.col_action}}:</b> {{.Action}} ({{.Severity}}) · <span class="mono">{{.Rule}}</span> {{.Title}}</p>
<p>{{$.L.col_hostic}}: <span class="mono">{{.HostIC}}</span> · {{$.L.col_guestic}}: <span class="mono">{{.GuestIC}}</span></p>
{{if .GuestOS}}<p>{{$.L.guest_os}}: {{.GuestOS}}</p>{{end}}
{{if .Why}}<p><b>{{$.L.why}}:</b></p><ol class="why">{{range .Why}}<li>{{.}}</li>{{end}}</ol>{{end}}
{{if .Description}}<p><b>{{$.L.what}}:</b> {{.Description}}</p>{{end}}
{{if .Todo}}<p><b>{{$.L.todo}}:</b> {{.Todo}}</p>{{end}}
{{if .HowTo}}<p><b>{{$.L.howto}}:</b> {{.HowTo}}</p>{{end}}
{{range .Other}}<p class="meta">+ {{.}}</p>{{end}}
{{if .Missing}}<p><b>{{$.L.missing}}:</b> {{range $i, $m := .Missing}}{{if $i}}; {{end}}{{$m}}{{end}}</p>{{end}}
{{if .Evidence}}<p><b>{{$.L.evidence}}:</b></p><ul>{{range .Evidence}}<li class="mono">{{.}}</li>{{end}}</ul>{{end}}
</div>
{{end}}
{{if .Other}}<h2>{{.L.findings_other}}</h2><ul>{{range .Other}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .NoHyperV}}<h2>{{.L.nohyperv_title}}</h2><p>{{.L.nohyperv_hints}}:</p><ul>{{range .NoHyperVHints}}<li>{{.}}</li>{{end}}</ul><p>{{.L.nohyperv_collect}}:</p><ul>{{range .NoHyperVCollect}}<li class="mono">{{.}}</li>{{end}}</ul>{{end}}{{template "problems" .}}{{if .Skipped}}<h2>{{.L.skipped}} ({{len .Skipped}})</h2><ul>{{range .Skipped}}<li class="mono">{{.}}</li>{{end}}</ul>{{end}}
<h2>{{.L.files}} ({{len .Files}})</h2>
<table><thead><tr><th>{{.L.col_file}}</th><th>{{.L.col_kind}}</th><th>{{.L.col_role}}</th><th>{{.L.col_size}}</th><th>{{.L.col_host}}</th></tr></thead>
<tbody>{{range .Files}}<tr>{{range .}}<td class="mono">{{.}}</td>{{end}}</tr>
{{end}}</tbody></table>
<footer>{{.Footer}}</footer>
</body>
</html>
{{define "problems"}}{{range .Problems}}{{if .Secondary}}<details class="problems"><summary><h2>{{.Title}} ({{.Count}})</h2></summary><p class="meta">{{.Note}}</p>{{else}}<h2>{{.Title}} ({{.Count}})</h2>{{if .Note}}<p class="meta">{{.Note}}</p>{{end}}{{end}}
{{if .Files}}<ul>{{range .Files}}<li><span class="mono">{{.File}}</span><ul>{{range .Items}}<li class="problem {{.Class}}">[{{.Level}}] {{.Label}}: <span class="mono">{{.Message}}</span></li>{{end}}</ul></li>{{end}}</ul>{{else}}<p>{{$.L.problems_none}}</p>{{end}}{{if .Secondary}}</details>{{end}}
{{end}}{{end}}`))
