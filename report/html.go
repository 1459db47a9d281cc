package report

import (
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
	"time"

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

type htmlMark struct {
	X, Y         float64
	Class, Title string
	// Refresh draws the mark as a hollow diamond, over the event marks
	// without hiding them: the guest's KVP refresh time, not an event.
	Refresh bool
}

type htmlLane struct {
	Label string
	Y     float64
	TextY float64
	Marks []htmlMark
}

type htmlTick struct {
	X     float64
	Label string
}

type htmlTimeline struct {
	Width, Height, Left, Right, AxisY float64
	Lanes                             []htmlLane
	Ticks                             []htmlTick
	refresh                           bool // a lane shows a guest KVP refresh time
}

type htmlProblem struct{ Severity, Class, Message string }

type htmlData struct {
	Lang, Title, StatusLabel, StatusClass, Summary string
	L                                              map[string]string
	Hosts                                          []htmlHost
	Details                                        []htmlDetail
	Timeline                                       *htmlTimeline
	Legend                                         []htmlMark
	Other                                          []string
	Problems                                       []htmlProblem
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

func eventClass(k kb.EventKind) string {
	switch k {
	case kb.EventIncompatible, kb.EventNetIncompatible, kb.EventStorageIncompatible:
		return "ev-bad"
	case kb.EventCompatible:
		return "ev-warn"
	case kb.EventNetMismatch, kb.EventStorageMismatch:
		return "ev-dev"
	}
	return "ev-other"
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
	for _, k := range []struct {
		class string
		kind  kb.EventKind
	}{{"ev-bad", kb.EventIncompatible}, {"ev-warn", kb.EventCompatible}, {"ev-dev", kb.EventNetMismatch}, {"ev-other", kb.EventKvpNotRunning}} {
		d.Legend = append(d.Legend, htmlMark{Class: k.class, Title: legendText(l, k.kind)})
	}
	if d.Timeline != nil && d.Timeline.refresh {
		d.Legend = append(d.Legend, htmlMark{Class: "refresh", Title: tr(l, "timeline.refresh"), Refresh: true})
	}
	for _, p := range res.Problems {
		d.Problems = append(d.Problems, htmlProblem{Severity: v.problemSeverity(p.Severity) + " · " + codeLabel(l, p.Code.String()), Class: p.Severity.String(), Message: p.Message})
	}
	for _, s := range res.Inventory.Skipped {
		d.Skipped = append(d.Skipped, s.Path+": "+skipReason(s))
	}
	d.NoHyperVHints, d.NoHyperVCollect, d.NoHyperV = v.noHyperV()
	for _, f := range res.Inventory.Files {
		d.Files = append(d.Files, []string{f.Path, f.Kind, string(f.Role), itoa(int(f.Size)), f.Host})
	}
	return htmlTemplate.Execute(w, d)
}

func legendText(lang string, k kb.EventKind) string {
	en := map[kb.EventKind][2]string{
		kb.EventIncompatible:  {"incompatible (4000, VmSwitch 26, storvsp 5)", "互換性なし (4000、VmSwitch 26、storvsp 5)"},
		kb.EventCompatible:    {"compatible mismatch (4010)", "互換性のある不一致 (4010)"},
		kb.EventNetMismatch:   {"device version differs (VmSwitch 27, storvsp 6)", "デバイスのバージョン相違 (VmSwitch 27、storvsp 6)"},
		kb.EventKvpNotRunning: {"other IC event (4096, 23014...)", "その他の IC イベント (4096、23014 など)"},
	}[k]
	if lang == "ja" {
		return en[1]
	}
	return en[0]
}

var markRank = map[string]int{"ev-other": 0, "ev-dev": 1, "ev-warn": 2, "ev-bad": 3}

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

// guestRefresh is the guest's KVP refresh time kb reports for a VM (the
// Auto key's last write), zero when none.
func guestRefresh(vm *vmView) time.Time {
	for _, e := range vm.a.Explanation {
		if e.Kind == kb.ExplainGuestRefresh && !e.Time.IsZero() {
			return e.Time
		}
	}
	return time.Time{}
}

// timeline lays the IC events out as one lane per VM on a shared time
// axis, with the guest's KVP refresh time as a diamond.
func (v *view) timeline() *htmlTimeline {
	var lanes []*vmView
	var tmin, tmax time.Time
	widen := func(t time.Time) {
		if tmin.IsZero() || t.Before(tmin) {
			tmin = t
		}
		if t.After(tmax) {
			tmax = t
		}
	}
	for _, vm := range v.vms {
		if len(vm.events) == 0 {
			continue
		}
		lanes = append(lanes, vm)
		for _, e := range vm.events {
			widen(e.Time)
		}
		if t := guestRefresh(vm); !t.IsZero() {
			widen(t)
		}
	}
	if len(lanes) == 0 {
		return nil
	}
	const laneH, top = 28.0, 10.0
	tl := &htmlTimeline{Width: 960, Left: 110, Right: 880}
	tl.AxisY = top + laneH*float64(len(lanes)) + 4
	tl.Height = tl.AxisY + 30
	span := tmax.Sub(tmin)
	x := func(t time.Time) float64 {
		if span <= 0 {
			return (tl.Left + tl.Right) / 2
		}
		return tl.Left + (tl.Right-tl.Left)*float64(t.Sub(tmin))/float64(span)
	}
	for i, vm := range lanes {
		y := top + laneH*float64(i) + laneH/2
		lane := htmlLane{Label: vm.label, Y: y, TextY: y + 4}
		for _, e := range vm.events {
			kind := e.Kind
			if kind == kb.EventUnknown {
				if r, ok := v.t.ClassifyEvent(e.Provider, e.EventID); ok {
					kind = r.Kind
				}
			}
			lane.Marks = append(lane.Marks, htmlMark{X: x(e.Time), Y: y, Class: eventClass(kind),
				Title: fmtTime(e.Time) + " " + eventLabel(e) + " " + e.Component})
		}
		// Draw the worst events last, so that they stay visible where marks
		// overlap.
		sort.SliceStable(lane.Marks, func(i, j int) bool { return markRank[lane.Marks[i].Class] < markRank[lane.Marks[j].Class] })
		if t := guestRefresh(vm); !t.IsZero() {
			lane.Marks = append(lane.Marks, htmlMark{X: x(t), Y: y, Class: "refresh", Refresh: true,
				Title: fmtTime(t) + " " + tr(v.lang, "timeline.refresh")})
			tl.refresh = true
		}
		tl.Lanes = append(tl.Lanes, lane)
	}
	n := 4
	if span <= 0 {
		n = 0
	}
	for i := 0; i <= n; i++ {
		t := tmin
		if n > 0 {
			t = tmin.Add(time.Duration(float64(span) * float64(i) / float64(n)))
		}
		tl.Ticks = append(tl.Ticks, htmlTick{X: x(t), Label: t.UTC().Format("2006-01-02 15:04")})
	}
	return tl
}

func fnum(f float64) string { return fmt.Sprintf("%.1f", f) }

// diamond is the SVG points of a diamond of half-width 6 around (x, y).
func diamond(x, y float64) string {
	return fnum(x) + "," + fnum(y-6) + " " + fnum(x+6) + "," + fnum(y) + " " + fnum(x) + "," + fnum(y+6) + " " + fnum(x-6) + "," + fnum(y)
}

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{"f": fnum, "diamond": diamond}).Parse(`<!DOCTYPE html>
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
.ev-bad{fill:#cf222e}.ev-warn{fill:#e16f24}.ev-dev{fill:#bf8700}.ev-other{fill:#8c959f}.refresh{fill:none;stroke:#0969da;stroke-width:2}
.legend span{display:inline-block;margin-right:16px;font-size:.9em}.legend svg{vertical-align:middle;margin-right:4px}
.problem.error{color:#cf222e}.problem.warning{color:#9a6700}
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
{{with .Timeline}}
<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{{$.L.timeline}}" width="{{f .Width}}" height="{{f .Height}}" viewBox="0 0 {{f .Width}} {{f .Height}}">
{{range .Lanes}}<line class="lane" x1="{{f $.Timeline.Left}}" y1="{{f .Y}}" x2="{{f $.Timeline.Right}}" y2="{{f .Y}}"/>
<text x="8" y="{{f .TextY}}">{{.Label}}</text>
{{range .Marks}}{{if .Refresh}}<polygon class="refresh" points="{{diamond .X .Y}}"><title>{{.Title}}</title></polygon>{{else}}<circle class="{{.Class}}" cx="{{f .X}}" cy="{{f .Y}}" r="6"><title>{{.Title}}</title></circle>{{end}}
{{end}}{{end}}<line class="axis" x1="{{f .Left}}" y1="{{f .AxisY}}" x2="{{f .Right}}" y2="{{f .AxisY}}"/>
{{range .Ticks}}<line class="axis" x1="{{f .X}}" y1="{{f $.Timeline.AxisY}}" x2="{{f .X}}" y2="{{f $.Timeline.AxisY}}"/><text x="{{f .X}}" y="{{f $.Timeline.AxisY}}" dy="16" text-anchor="middle">{{.Label}}</text>
{{end}}</svg>
<p class="legend">{{range $.Legend}}<span><svg width="12" height="12" viewBox="0 0 12 12">{{if .Refresh}}<polygon class="refresh" points="6,1 11,6 6,11 1,6"/>{{else}}<circle class="{{.Class}}" cx="6" cy="6" r="5"/>{{end}}</svg>{{.Title}}</span>{{end}}</p>
{{else}}<p>{{.L.timeline_none}}</p>{{end}}
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
{{if .NoHyperV}}<h2>{{.L.nohyperv_title}}</h2><p>{{.L.nohyperv_hints}}:</p><ul>{{range .NoHyperVHints}}<li>{{.}}</li>{{end}}</ul><p>{{.L.nohyperv_collect}}:</p><ul>{{range .NoHyperVCollect}}<li class="mono">{{.}}</li>{{end}}</ul>{{end}}<h2>{{.L.problems}} ({{len .Problems}})</h2>
{{if .Problems}}<ul>{{range .Problems}}<li class="problem {{.Class}}">[{{.Severity}}] <span class="mono">{{.Message}}</span></li>{{end}}</ul>{{else}}<p>{{.L.problems_none}}</p>{{end}}
{{if .Skipped}}<h2>{{.L.skipped}} ({{len .Skipped}})</h2><ul>{{range .Skipped}}<li class="mono">{{.}}</li>{{end}}</ul>{{end}}
<h2>{{.L.files}} ({{len .Files}})</h2>
<table><thead><tr><th>{{.L.col_file}}</th><th>{{.L.col_kind}}</th><th>{{.L.col_role}}</th><th>{{.L.col_size}}</th><th>{{.L.col_host}}</th></tr></thead>
<tbody>{{range .Files}}<tr>{{range .}}<td class="mono">{{.}}</td>{{end}}</tr>
{{end}}</tbody></table>
<footer>{{.Footer}}</footer>
</body>
</html>
`))
