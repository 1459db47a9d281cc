package report

import (
	"html/template"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hvic/hvic/kb"
)

// The HTML report's timeline: one SVG, drawn on the server (no script),
// with per host a heading row, one band per host log read (the period it
// covers) and one lane per VM holding its IC events and the guest-side
// times its verdict uses. Events closer than the resolution share one
// marker that counts them and lists them in its title. Ticks fall on UTC
// calendar boundaries. Each kind has its own shape as well as its own
// colour (Okabe-Ito, checked under a deuteranopia simulation in the
// tests), so that the chart reads without colour.

// Timeline geometry, in SVG user units (px at 100 %).
const (
	tlWidth    = 1200.0
	tlLeft     = 190.0 // the label column ends here
	tlRight    = 1170.0
	tlTop      = 8.0
	tlHeadingH = 22.0
	tlBandH    = 18.0
	tlLaneH    = 40.0
	tlMaxTicks = 8
	// tlResolution is the distance, in px, under which marks of one lane
	// are grouped: the width of a marker and its count.
	tlResolution = 22.0
	// tlMaxTitle caps the events a group's title lists.
	tlMaxTitle = 20
	// tlLabelWidth is the room for a lane's label, in px: from its x (20)
	// to the plot's left, less a margin.
	tlLabelWidth = tlLeft - 20 - 6
)

// tlColour is one colour of the timeline's palette: Okabe-Ito's
// vermillion, yellow, blue and grey, black, and a light tint of its sky
// blue for the bands.
type tlColour struct{ Class, Hex string }

// timelinePalette is every colour the timeline and its legend use, by CSS
// class. Every pair stays apart under deuteranopia (see the tests).
var timelinePalette = []tlColour{
	{"ev-bad", "#D55E00"},
	{"ev-warn", "#F0E442"},
	{"ev-dev", "#0072B2"},
	{"ev-other", "#999999"},
	{"tl-guest", "#000000"},
	{"tl-band", "#BBE1F6"},
}

// timelineCSS is the timeline's style sheet, from the palette.
func timelineCSS() template.CSS {
	var b strings.Builder
	for _, c := range timelinePalette {
		switch c.Class {
		case "tl-guest":
			// The resolved bar shares the guest times' black: its shape
			// tells it apart.
			b.WriteString(".tl-guest{fill:none;stroke:" + c.Hex + ";stroke-width:2}.tl-resolved{fill:" + c.Hex + "}")
		case "tl-band":
			b.WriteString(".tl-band{fill:" + c.Hex + ";stroke:#0072B2;stroke-width:1}.tl-band.damaged{stroke-dasharray:4 2}")
		default:
			b.WriteString("." + c.Class + "{fill:" + c.Hex + ";stroke:#1b1f24;stroke-width:1}")
		}
	}
	b.WriteString("svg.tl{max-width:100%;height:auto}svg .grid{stroke:#d0d7de;stroke-width:1;stroke-dasharray:2 3}" +
		"svg .tl-host{font-weight:700}svg .tl-count{font-size:11px;font-weight:700}svg .tl-sub{fill:#57606a}svg .tl-shade{fill:#f6f8fa}")
	return template.CSS(b.String())
}

type htmlMark struct {
	Class, D, Title string
	Count           int     // events in the group; 1 for a single mark
	CX, CY          float64 // where the count goes
}

type htmlBand struct {
	X, Y, W, H float64
	Damaged    bool
	Title      string
}

type htmlTLRow struct {
	Heading     bool // a host's name, across the chart
	Label, Full string
	Y, TextY    float64
	// Shade, from BgY for BgH, is a light background behind every other
	// VM lane, so that its guest-side marks read as its own.
	Shade    bool
	BgY, BgH float64
	Bands    []htmlBand
	Marks    []htmlMark
}

type htmlTick struct {
	X          float64
	Label, Sub string
}

type htmlLegend struct{ Class, D, Text string }

type htmlTimeline struct {
	Width, Height, Left, Right, Top, AxisY, TickY float64
	Rows                                          []htmlTLRow
	Ticks                                         []htmlTick
	Legend                                        []htmlLegend
	NoEvents                                      bool // bands or guest times, but no IC event
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

// markRank orders the classes of a group, the worst drawn; guest-side
// marks are grouped apart from events.
var markRank = map[string]int{"ev-other": 0, "ev-dev": 1, "ev-warn": 2, "ev-bad": 3, "tl-guest": 0, "tl-resolved": 1}

// shape is the SVG path of a class's marker centred on (x, y): a triangle
// for incompatible, a square for compatible mismatch, a circle for a
// device version, a plus sign for other events, a hollow diamond for a
// guest-side time, a bar for the end of a resolved mismatch.
func shape(class string, x, y float64) string {
	p := func(pts ...float64) string {
		var b strings.Builder
		for i := 0; i+1 < len(pts); i += 2 {
			if i == 0 {
				b.WriteString("M")
			} else {
				b.WriteString("L")
			}
			b.WriteString(fnum(x+pts[i]) + " " + fnum(y+pts[i+1]))
		}
		b.WriteString("Z")
		return b.String()
	}
	circle := func(r float64) string {
		return "M" + fnum(x-r) + " " + fnum(y) + "a" + fnum(r) + " " + fnum(r) + " 0 1 0 " + fnum(2*r) + " 0a" + fnum(r) + " " + fnum(r) + " 0 1 0 " + fnum(-2*r) + " 0Z"
	}
	switch class {
	case "ev-bad":
		return p(0, -7, 7, 5, -7, 5)
	case "ev-warn":
		return p(-5.5, -5.5, 5.5, -5.5, 5.5, 5.5, -5.5, 5.5)
	case "ev-dev":
		return circle(6)
	case "tl-guest":
		return p(0, -6.5, 6.5, 0, 0, 6.5, -6.5, 0)
	case "tl-resolved":
		return p(-1.5, -7, 1.5, -7, 1.5, 7, -1.5, 7)
	}
	// A plus sign.
	const a, w = 5.5, 2.0
	return p(-w, -a, w, -a, w, -w, a, -w, a, w, w, w, w, a, -w, a, -w, w, -a, w, -a, -w, -w, -w)
}

// tlText is the timeline's own wording, [en, ja].
var tlText = map[string][2]string{
	"bad":             {"incompatible (4000, VmSwitch 26, storvsp 5)", "互換性なし (4000、VmSwitch 26、storvsp 5)"},
	"warn":            {"compatible mismatch (4010)", "互換性のある不一致 (4010)"},
	"dev":             {"device version differs (VmSwitch 27, storvsp 6)", "デバイスのバージョン相違 (VmSwitch 27、storvsp 6)"},
	"other":           {"other IC event (4096, 23014...)", "その他の IC イベント (4096、23014 など)"},
	"guest":           {"guest-side time the verdict uses (KVP refresh, IC version key written)", "判定に使うゲスト側の時刻 (KVP 更新、IC バージョンのキー書き込み)"},
	"band":            {"period a host log covers (dashed: records lost)", "ホストのログが記録している期間 (破線: レコード欠損あり)"},
	"count":           {"×N: N events closer than the resolution (listed on hover)", "×N: 表示の解像度より近い N 件のイベント (マウスを重ねると一覧)"},
	"events":          {"%d events", "%d 件のイベント"},
	"more":            {"… and %d more", "… ほか %d 件"},
	"log":             {"%s log", "%s ログ"},
	"records":         {"%d records", "%d レコード"},
	"damaged":         {"records lost to damage", "破損によるレコード欠損あり"},
	"resolved":        {"the versions match now: the mismatch ended after this, its latest event", "現在はバージョンが一致: 不一致はこの時刻 (最後の不一致イベント) の後に解消"},
	"resolved-legend": {"end of a resolved mismatch (its latest event)", "解消した不一致の終わり (最後の不一致イベント)"},
	"key":             {"guest IC version key written", "ゲストの IC バージョンのキー書き込み"},
	"no-period":       {"period unknown", "期間不明"},
}

func tlTr(lang, key string, n ...int) string {
	s := tlText[key][0]
	if lang == "ja" {
		s = tlText[key][1]
	}
	if len(n) > 0 {
		s = strings.Replace(s, "%d", strconv.Itoa(n[0]), 1)
	}
	return s
}

// tlItem is one thing at one time on a VM's lane.
type tlItem struct {
	t     time.Time
	class string
	text  string
}

// tlLaneItems are a VM's events and its guest-side times, each in time
// order.
func (v *view) tlLaneItems(vm *vmView) (events, guest []tlItem) {
	for _, e := range vm.events {
		if e.Time.IsZero() {
			continue
		}
		kind := e.Kind
		if kind == kb.EventUnknown {
			if r, ok := v.t.ClassifyEvent(e.Provider, e.EventID); ok {
				kind = r.Kind
			}
		}
		events = append(events, tlItem{e.Time, eventClass(kind), strings.TrimSpace(fmtTime(e.Time) + " " + eventLabel(e) + " " + e.Component)})
	}
	seen := map[string]bool{}
	add := func(t time.Time, text string) {
		if t.IsZero() || seen[fmtTime(t)+text] {
			return
		}
		seen[fmtTime(t)+text] = true
		guest = append(guest, tlItem{t, "tl-guest", fmtTime(t) + " " + text})
	}
	for _, x := range vm.a.Explanation {
		switch {
		case x.Kind == kb.ExplainGuestRefresh:
			add(x.Time, tr(v.lang, "timeline.refresh"))
		case x.Kind == kb.ExplainDecisive && x.Ref != nil && x.Ref.RecordID == 0:
			add(x.Ref.Time, tlTr(v.lang, "key"))
		}
	}
	if r := vm.a.GuestIC.Ref; r != nil {
		add(r.Time, tlTr(v.lang, "key"))
	}
	if vm.a.Resolved && !vm.a.ResolvedAt.IsZero() {
		guest = append(guest, tlItem{vm.a.ResolvedAt, "tl-resolved", fmtTime(vm.a.ResolvedAt) + " " + tlTr(v.lang, "resolved")})
	}
	byTime := func(s []tlItem) {
		sort.SliceStable(s, func(i, j int) bool { return s[i].t.Before(s[j].t) })
	}
	byTime(events)
	byTime(guest)
	return events, guest
}

// tlScale maps times to x between left and right over [from, to].
type tlScale struct {
	from, to    float64 // seconds
	left, right float64
}

func secs(t time.Time) float64 { return float64(t.Unix()) + float64(t.Nanosecond())/1e9 }

func (s tlScale) x(t time.Time) float64 {
	if s.to <= s.from {
		return (s.left + s.right) / 2
	}
	f := (secs(t) - s.from) / (s.to - s.from)
	f = min(max(f, 0), 1)
	return s.left + (s.right-s.left)*f
}

// groupMarks puts items (in time order) whose x lie within res of the
// first of their group into one mark: the group's worst class, its count,
// and a title listing its items.
func groupMarks(lang string, items []tlItem, s tlScale, y, res float64) []htmlMark {
	var out []htmlMark
	for i := 0; i < len(items); {
		x0 := s.x(items[i].t)
		j := i + 1
		for j < len(items) && s.x(items[j].t)-x0 < res {
			j++
		}
		g := items[i:j]
		class := g[0].class
		for _, it := range g {
			if markRank[it.class] > markRank[class] {
				class = it.class
			}
		}
		x := (x0 + s.x(g[len(g)-1].t)) / 2
		var lines []string
		if len(g) > 1 {
			lines = append(lines, tlTr(lang, "events", len(g))+", "+fmtTime(g[0].t)+" – "+fmtTime(g[len(g)-1].t))
		}
		for k, it := range g {
			if k == tlMaxTitle {
				lines = append(lines, tlTr(lang, "more", len(g)-k))
				break
			}
			lines = append(lines, it.text)
		}
		out = append(out, htmlMark{Class: class, D: shape(class, x, y), Title: strings.Join(lines, "\n"),
			Count: len(g), CX: x + 10, CY: y - 6})
		i = j
	}
	// Draw the worst groups last, so that they stay on top.
	sort.SliceStable(out, func(i, j int) bool { return markRank[out[i].Class] < markRank[out[j].Class] })
	return out
}

// tlLabel shortens a label to width px of 12 px text (an estimate per
// character class: the page's fonts are the reader's), and gives the full
// text when it had to.
func tlLabel(s string, width float64) (label, full string) {
	total := 0.0
	for _, r := range s {
		total += charWidth(r)
	}
	if total <= width {
		return s, ""
	}
	w := charWidth('…')
	for i, r := range s {
		if w+charWidth(r) > width {
			return s[:i] + "…", s
		}
		w += charWidth(r)
	}
	return s, ""
}

// charWidth estimates a character's width in 12 px sans-serif.
func charWidth(r rune) float64 {
	switch {
	case r >= 0x1100:
		return 12
	case r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == 'm', r == 'w':
		return 7.6
	case r >= 'a' && r <= 'z':
		return 6.4
	}
	return 4
}

// channelLabel drops the Hyper-V prefix of a channel name.
func channelLabel(c string) string {
	return strings.TrimPrefix(c, "Microsoft-Windows-Hyper-V-")
}

// tlHost is one host's part of the timeline, before layout.
type tlHost struct {
	h     *hostView
	lanes []tlVM
	logs  []kb.LogCoverage
}

type tlVM struct {
	vm            *vmView
	events, guest []tlItem
}

// timeline lays the hosts' logs and their VMs' events out on a shared
// time axis; nil when there is nothing dated to draw.
func (v *view) timeline() *htmlTimeline {
	var hosts []tlHost
	var ts []time.Time
	events, resolved := 0, false
	for _, h := range v.hosts {
		th := tlHost{h: h}
		if h.inv != nil {
			for _, c := range h.inv.Logs {
				if !c.First.IsZero() && !c.Last.IsZero() {
					th.logs = append(th.logs, c)
					ts = append(ts, c.First, c.Last)
				}
			}
		}
		for _, vm := range h.vms {
			ev, g := v.tlLaneItems(vm)
			if len(ev)+len(g) == 0 {
				continue
			}
			events += len(ev)
			resolved = resolved || vm.a.Resolved && !vm.a.ResolvedAt.IsZero()
			for _, it := range append(ev, g...) {
				ts = append(ts, it.t)
			}
			th.lanes = append(th.lanes, tlVM{vm, ev, g})
		}
		if len(th.lanes)+len(th.logs) > 0 {
			hosts = append(hosts, th)
		}
	}
	if len(ts) == 0 {
		return nil
	}
	tmin, tmax := ts[0], ts[0]
	for _, t := range ts {
		if t.Before(tmin) {
			tmin = t
		}
		if t.After(tmax) {
			tmax = t
		}
	}
	ticks, st := calendarTicks(tmin, tmax, tlMaxTicks)
	s := tlScale{from: secs(ticks[0]), to: secs(ticks[len(ticks)-1]), left: tlLeft, right: tlRight}
	tl := &htmlTimeline{Width: tlWidth, Left: tlLeft, Right: tlRight, Top: tlTop, NoEvents: events == 0}
	y := tlTop
	for _, th := range hosts {
		y = v.tlHostRows(tl, th, s, y)
	}
	tl.AxisY = y + 4
	tl.TickY = tl.AxisY + 5
	tl.Height = tl.AxisY + 40
	for i, t := range ticks {
		label, sub := st.label(t, i == 0 || st.newDay(ticks[i-1], t))
		tl.Ticks = append(tl.Ticks, htmlTick{X: s.x(t), Label: label, Sub: sub})
	}
	tl.Legend = v.tlLegend(resolved)
	return tl
}

// tlHostRows appends a host's heading, bands and lanes from y, and returns
// the y below them.
func (v *view) tlHostRows(tl *htmlTimeline, th tlHost, s tlScale, y float64) float64 {
	// The heading starts at 8, not 20, and is bold (about 8 % wider).
	label, full := tlLabel(tr(v.lang, "host")+" "+th.h.label, (tlLeft-8-6)/1.08)
	tl.Rows = append(tl.Rows, htmlTLRow{Heading: true, Label: label, Full: full, Y: y, TextY: y + 15})
	y += tlHeadingH
	for _, c := range th.logs {
		x0, x1 := s.x(c.First), s.x(c.Last)
		title := strings.Replace(tlTr(v.lang, "log"), "%s", c.Channel, 1) + " (" + c.File + "): " + fmtTime(c.First) + " – " + fmtTime(c.Last) +
			", " + tlTr(v.lang, "records", c.Records)
		if c.Damaged {
			title += "; " + tlTr(v.lang, "damaged")
		}
		label, full := tlLabel(strings.Replace(tlTr(v.lang, "log"), "%s", channelLabel(c.Channel), 1), tlLabelWidth)
		tl.Rows = append(tl.Rows, htmlTLRow{Label: label, Full: full, Y: y + tlBandH/2, TextY: y + tlBandH/2 + 4,
			Bands: []htmlBand{{X: x0, Y: y + 3, W: max(x1-x0, 2), H: tlBandH - 6, Damaged: c.Damaged, Title: title}}})
		y += tlBandH
	}
	for i, l := range th.lanes {
		// Events on the lane's line, guest-side times just under it, so
		// that neither hides the other.
		cy := y + 14
		label, full := tlLabel(l.vm.label, tlLabelWidth)
		row := htmlTLRow{Label: label, Full: full, Y: cy, TextY: cy + 4, Shade: i%2 == 0, BgY: y + 2, BgH: tlLaneH - 2}
		row.Marks = append(groupMarks(v.lang, l.events, s, cy, tlResolution), groupMarks(v.lang, l.guest, s, cy+16, tlResolution)...)
		tl.Rows = append(tl.Rows, row)
		y += tlLaneH
	}
	return y
}

// tlLegend: a shape and a text per kind; the resolved bar only when a
// lane has one.
func (v *view) tlLegend(resolved bool) []htmlLegend {
	var out []htmlLegend
	kinds := []struct{ class, text string }{
		{"ev-bad", "bad"}, {"ev-warn", "warn"}, {"ev-dev", "dev"}, {"ev-other", "other"}, {"tl-guest", "guest"}, {"tl-band", "band"},
	}
	if resolved {
		kinds = append(kinds, struct{ class, text string }{"tl-resolved", "resolved-legend"})
	}
	for _, k := range kinds {
		d := shape(k.class, 9, 9)
		if k.class == "tl-band" {
			d = "M1 4H17V14H1Z"
		}
		out = append(out, htmlLegend{Class: k.class, D: d, Text: tlTr(v.lang, k.text)})
	}
	return append(out, htmlLegend{Text: tlTr(v.lang, "count")})
}

// tlTemplate is the timeline's part of the page, called as
// {{template "timeline" .}} with the page's data.
const tlTemplate = `{{define "timeline"}}{{with .Timeline}}
<svg class="tl" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{{$.L.timeline}}" width="{{f .Width}}" height="{{f .Height}}" viewBox="0 0 {{f .Width}} {{f .Height}}">
{{range .Rows}}{{if .Shade}}<rect class="tl-shade" x="4" y="{{f .BgY}}" width="{{f $.Timeline.Right}}" height="{{f .BgH}}"/>
{{end}}{{end}}{{range .Ticks}}<line class="grid" x1="{{f .X}}" y1="{{f $.Timeline.Top}}" x2="{{f .X}}" y2="{{f $.Timeline.AxisY}}"/>
{{end}}{{range .Rows}}{{if .Heading}}<text class="tl-host" x="8" y="{{f .TextY}}">{{if .Full}}<title>{{.Full}}</title>{{end}}{{.Label}}</text>
{{else}}<line class="lane" x1="{{f $.Timeline.Left}}" y1="{{f .Y}}" x2="{{f $.Timeline.Right}}" y2="{{f .Y}}"/>
<text x="20" y="{{f .TextY}}">{{if .Full}}<title>{{.Full}}</title>{{end}}{{.Label}}</text>
{{range .Bands}}<rect class="tl-band{{if .Damaged}} damaged{{end}}" x="{{f .X}}" y="{{f .Y}}" width="{{f .W}}" height="{{f .H}}"><title>{{.Title}}</title></rect>
{{end}}{{range .Marks}}<g><title>{{.Title}}</title><path class="{{.Class}}" d="{{.D}}"/>{{if gt .Count 1}}<text class="tl-count" x="{{f .CX}}" y="{{f .CY}}">×{{.Count}}</text>{{end}}</g>
{{end}}{{end}}{{end}}<line class="axis" x1="{{f .Left}}" y1="{{f .AxisY}}" x2="{{f .Right}}" y2="{{f .AxisY}}"/>
<text class="tl-sub" x="8" y="{{f .AxisY}}" dy="16">UTC</text>
{{range .Ticks}}<line class="axis" x1="{{f .X}}" y1="{{f $.Timeline.AxisY}}" x2="{{f .X}}" y2="{{f $.Timeline.TickY}}"/><text x="{{f .X}}" y="{{f $.Timeline.AxisY}}" dy="16" text-anchor="middle">{{.Label}}</text>{{if .Sub}}<text class="tl-sub" x="{{f .X}}" y="{{f $.Timeline.AxisY}}" dy="31" text-anchor="middle">{{.Sub}}</text>{{end}}
{{end}}</svg>
<p class="legend">{{range .Legend}}<span>{{if .D}}<svg width="18" height="18" viewBox="0 0 18 18"><path class="{{.Class}}" d="{{.D}}"/></svg>{{end}}{{.Text}}</span>{{end}}</p>
{{if .NoEvents}}<p>{{$.L.timeline_none}}</p>{{end}}
{{else}}<p>{{.L.timeline_none}}</p>{{end}}{{end}}`
