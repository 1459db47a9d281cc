package report

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

// Format names an output format.
type Format string

// Output formats.
const (
	FormatText     Format = "text"
	FormatJSON     Format = "json"
	FormatMarkdown Format = "markdown"
	FormatCSV      Format = "csv"
	FormatSARIF    Format = "sarif"
	FormatHTML     Format = "html"
	// FormatTimelineCSV is the IC events, one CSV row each (TimelineCSV).
	FormatTimelineCSV Format = "timeline-csv"
)

// Formats lists every format, in the order the CLI documents them.
func Formats() []Format {
	return []Format{FormatText, FormatJSON, FormatMarkdown, FormatCSV, FormatSARIF, FormatHTML, FormatTimelineCSV}
}

// ErrFormat: an unknown format name.
var ErrFormat = errors.New("report: unknown format")

// ErrLang: Options.Lang names a language the renderers do not speak.
var ErrLang = errors.New("report: unknown language")

// ErrNoResult: Render was given a nil Result.
var ErrNoResult = errors.New("report: no result")

// ParseFormat maps a name ("text", "json", "md"...) to a Format.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "text", "txt":
		return FormatText, nil
	case "json":
		return FormatJSON, nil
	case "markdown", "md":
		return FormatMarkdown, nil
	case "csv":
		return FormatCSV, nil
	case "sarif":
		return FormatSARIF, nil
	case "html", "htm":
		return FormatHTML, nil
	case "timeline-csv", "timeline":
		return FormatTimelineCSV, nil
	}
	return "", fmt.Errorf("%w: %q", ErrFormat, s)
}

// Options tunes a renderer. The zero value (or nil) means English, the
// Result's own rule table (else kb.Default()), the Result's Run for the
// header, and no filter.
type Options struct {
	// Lang is "en" (default) or "ja" ("ja-JP" counts as "ja"); another
	// language is ErrLang.
	Lang string
	// Table supplies the rule text; default the Result's Table.
	Table *kb.Table
	// ToolVersion, when set, replaces the Result's Run.ToolVersion in the
	// report (header, footer, JSON, SARIF).
	ToolVersion string
	// Filter restricts what the report shows (see Filter); the report
	// says it was applied.
	Filter Filter
	// BOM starts CSV output with a UTF-8 byte-order mark, which Excel
	// needs to read UTF-8 (Japanese) text correctly.
	BOM bool
	// WorkDir is the directory relative inputs (Result.Run.Inputs) were
	// given from, as an absolute path: SARIF then locates their files by
	// file: URIs. Empty leaves that base for the SARIF consumer to set.
	WorkDir string
}

// Render writes res to w in format f.
func Render(w io.Writer, f Format, res *result.Result, opts *Options) error {
	switch f {
	case FormatText:
		return Text(w, res, opts)
	case FormatJSON:
		return JSON(w, res, opts)
	case FormatMarkdown:
		return Markdown(w, res, opts)
	case FormatCSV:
		return CSV(w, res, opts)
	case FormatSARIF:
		return SARIF(w, res, opts)
	case FormatHTML:
		return HTML(w, res, opts)
	case FormatTimelineCSV:
		return TimelineCSV(w, res, opts)
	}
	return fmt.Errorf("%w: %q", ErrFormat, string(f))
}

// view is what every renderer shows, prepared once: localised labels,
// VMs grouped by host, rule text.
type view struct {
	bom     bool
	lang    string
	version string // the tool's version: Options.ToolVersion, else Run's, else "dev"
	t       *kb.Table
	res     *result.Result
	filter  *filterStats // nil: no filter
	// toolVersion is Options.ToolVersion ("" : the Run's).
	toolVersion string
	events      map[refKey]kb.Event // by file and record ID, built on first use
	hosts       []*hostView
	vms         []*vmView // host, then name order
	other       []*kb.Finding
	action      int
	// Host keys, computed on the unescaped Result: per inventory host (by
	// index) and per VM.
	invKey []string
	vmKey  map[*kb.Assessment]string
}

type hostView struct {
	name  string // "" when unknown
	label string
	inv   *result.Host
	vms   []*vmView
}

type vmView struct {
	a                         *kb.Assessment
	name, id, host, hostLabel string
	caseLabel, actionLabel    string
	sevLabel                  string
	hostIC, guestIC           string
	rule                      string // the deciding rule
	title, description, todo  string
	howTo                     string
	findings                  []*kb.Finding
	events                    []kb.Event
	needsAction               bool
	replayed                  bool   // the guest hive's transaction logs were replayed
	label                     string // name, else ID, else "(guest file)"
}

// newView prepares raw for rendering; with escape, from a copy whose
// input-derived strings are escaped (see escaped). Host names are keyed
// (kb.HostKey) on the raw data, before escaping makes a NUL visible.
func newView(raw *result.Result, opts *Options, escape bool) (*view, error) {
	if raw == nil {
		return nil, ErrNoResult
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	lang, err := normLang(o.Lang)
	if err != nil {
		return nil, err
	}
	raw, stats := o.Filter.apply(raw) // once, for every format
	if stats == nil {
		stats = filteredStats(raw.Filter) // a Result a filtered report was read from
	}
	res := raw
	if escape {
		res = escaped(raw) // input-derived text shown, not acted on
	}
	v := &view{lang: lang, version: o.ToolVersion, toolVersion: o.ToolVersion, t: o.Table, res: res, bom: o.BOM, filter: stats,
		invKey: make([]string, len(raw.Inventory.Hosts)), vmKey: make(map[*kb.Assessment]string, len(raw.VMs))}
	for i, h := range raw.Inventory.Hosts {
		v.invKey[i] = kb.HostKey(h.Name)
	}
	for i, a := range raw.VMs {
		v.vmKey[&res.VMs[i]] = kb.HostKey(a.Host)
	}
	if v.version == "" {
		v.version = raw.Run.ToolVersion
	}
	if v.version == "" {
		v.version = "dev"
	}
	if v.t == nil {
		v.t = res.Table
	}
	if v.t == nil {
		v.t = kb.Default()
	}
	v.group()
	return v, nil
}

// group puts the VMs under their hosts (by kb.HostKey, on the raw names),
// sorts both, and hands each VM its findings and events by the index kb
// gave them.
func (v *view) group() {
	res := v.res
	hosts := map[string]*hostView{}
	for i := range res.Inventory.Hosts {
		h := &res.Inventory.Hosts[i]
		hv := &hostView{name: h.Name, label: h.Name, inv: h}
		hosts[v.invKey[i]] = hv
		v.hosts = append(v.hosts, hv)
	}
	byIndex := make(map[int]*vmView, len(res.VMs)) // by 1-based index in res.VMs
	for i := range res.VMs {
		a := &res.VMs[i]
		vm := v.vmView(a)
		byIndex[i+1] = vm
		k := v.vmKey[a]
		hv, ok := hosts[k]
		if !ok {
			hv = &hostView{name: a.Host, label: a.Host}
			if a.Host == "" {
				hv.label = tr(v.lang, "host.unknown")
			}
			hosts[k] = hv
			v.hosts = append(v.hosts, hv)
		}
		vm.hostLabel = hv.label
		hv.vms = append(hv.vms, vm)
		if vm.needsAction {
			v.action++
		}
	}
	sort.SliceStable(v.hosts, func(i, j int) bool {
		if (v.hosts[i].name == "") != (v.hosts[j].name == "") {
			return v.hosts[j].name == ""
		}
		return strings.ToLower(v.hosts[i].name) < strings.ToLower(v.hosts[j].name)
	})
	for _, h := range v.hosts {
		sort.SliceStable(h.vms, func(i, j int) bool {
			a, b := h.vms[i], h.vms[j]
			if !strings.EqualFold(a.name, b.name) {
				return strings.ToLower(a.name) < strings.ToLower(b.name)
			}
			return a.id < b.id
		})
		v.vms = append(v.vms, h.vms...)
	}
	// Findings and events name their VM by its index in res.VMs (kb set
	// it): per VM, or "other" (host-level and unattributed).
	for i := range res.Findings {
		f := &res.Findings[i]
		if vm := byIndex[f.VM]; vm != nil {
			vm.findings = append(vm.findings, f)
			continue
		}
		v.other = append(v.other, f)
	}
	for _, e := range res.Events {
		if vm := byIndex[e.VM]; vm != nil {
			vm.events = append(vm.events, e)
		}
	}
}

func (v *view) vmView(a *kb.Assessment) *vmView {
	vm := &vmView{a: a, name: a.VMName, id: a.VMID, host: a.Host, label: vmLabel(a),
		caseLabel: caseLabel(v.lang, a.Case), actionLabel: actionLabel(v.lang, a.Action), sevLabel: severityLabel(v.lang, a.Severity),
		hostIC: a.HostIC.Raw, guestIC: a.GuestIC.Raw}
	if vm.hostIC == "" && !a.HostIC.Version.IsZero() {
		vm.hostIC = a.HostIC.Version.String()
	}
	if vm.guestIC == "" && !a.GuestIC.Version.IsZero() {
		vm.guestIC = a.GuestIC.Version.String()
	}
	vm.replayed = a.GuestReplayed
	vm.hostIC = strings.Trim(vm.hostIC, " \x00")
	vm.guestIC = strings.Trim(vm.guestIC, " \x00")
	switch a.Action {
	case kb.ActionUpgradeRecommended, kb.ActionUpgradeRequired, kb.ActionInvestigate:
		vm.needsAction = true
	}
	// The deciding rule: the one whose case is the VM's, else the first.
	for _, id := range a.RuleIDs {
		if r, ok := v.t.Rule(id); ok && r.Case == a.Case {
			vm.rule = id
			break
		}
	}
	if vm.rule == "" && len(a.RuleIDs) > 0 {
		vm.rule = a.RuleIDs[0]
	}
	if r, ok := v.t.Rule(vm.rule); ok {
		txt := r.Text(v.lang)
		vm.title, vm.description, vm.todo = txt.Title, txt.Description, txt.Remediation
	}
	if a.Remediation != nil {
		row := *a.Remediation
		if r, ok := v.t.Remediation(row.ID); ok {
			row = r // the text lives in the table, not in the JSON
		}
		vm.howTo = row.Text(v.lang).Description
		if rt := row.Text(v.lang); rt.Remediation != "" {
			vm.howTo = strings.TrimSpace(rt.Description + " " + rt.Remediation)
		}
		if rt := row.Text(v.lang); a.Remediation.FallbackApplies && rt.Fallback != "" {
			vm.howTo = rt.Fallback
		}
	}
	return vm
}

func (v *view) ruleText(id string) kb.Text {
	if r, ok := v.t.Rule(id); ok {
		return r.Text(v.lang)
	}
	return kb.Text{Title: id}
}

func (v *view) statusLabel() string {
	return tr(v.lang, "status."+v.res.Status.String())
}

func (v *view) summary() string {
	return fmt.Sprintf(tr(v.lang, "summary"), len(v.vms), len(v.res.Inventory.Hosts), v.action)
}

// missing words what evidence was missing, for the line of its own; nil
// when the explanation already says it.
func (v *view) missing(a *kb.Assessment) []string {
	for _, e := range a.Explanation {
		if e.Kind == kb.ExplainMissing {
			return nil
		}
	}
	var out []string
	for _, m := range a.Missing {
		out = append(out, v.missingText(a, m))
	}
	return out
}

// fmtTime writes a time in UTC to the second; "" for the zero time.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// guestICText is the guest IC version, with a note when it was read from
// a replayed hive.
func (v *view) guestICText(vm *vmView) string {
	s := orDash(vm.guestIC)
	if vm.replayed {
		s += " (" + tr(v.lang, "replayed") + ")"
	}
	return s
}

// vmRefText is refText with the value read, for the two IC versions of
// a Result whose references do not carry their data.
func (v *view) vmRefText(vm *vmView, r kb.Ref) string {
	if r.Data == "" {
		switch {
		case vm.a.HostIC.Ref != nil && r == *vm.a.HostIC.Ref:
			r.Data = vm.hostIC
		case vm.a.GuestIC.Ref != nil && r == *vm.a.GuestIC.Ref:
			r.Data = vm.guestIC
		}
	}
	return v.refText(r)
}

// refs gathers a VM's evidence: the assessment's, then its findings',
// without duplicates.
func (vm *vmView) refs() []kb.Ref {
	var out []kb.Ref
	seen := map[kb.Ref]bool{}
	add := func(r kb.Ref) {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	if vm.a.HostIC.Ref != nil {
		add(*vm.a.HostIC.Ref)
	}
	if vm.a.GuestIC.Ref != nil {
		add(*vm.a.GuestIC.Ref)
	}
	for _, r := range vm.a.Refs {
		add(r)
	}
	for _, f := range vm.findings {
		for _, r := range f.Refs {
			add(r)
		}
	}
	return out
}

func (v *view) logLine(c kb.LogCoverage) string {
	s := fmt.Sprintf("%s: %s – %s (%d %s)", c.Channel, fmtTime(c.First), fmtTime(c.Last), c.Records, tr(v.lang, "records"))
	if c.Records == 0 {
		s = fmt.Sprintf("%s: 0 %s", c.Channel, tr(v.lang, "records"))
	}
	if c.Damaged {
		s += ", " + tr(v.lang, "damaged")
	}
	return s
}

func (v *view) offers(h *hostView) string {
	if h.inv == nil || len(h.inv.GuestInstaller) == 0 {
		return ""
	}
	keys := make([]string, 0, len(h.inv.GuestInstaller))
	for k := range h.inv.GuestInstaller {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		short := strings.TrimPrefix(k, "Microsoft-Hyper-V-Guest-Installer")
		short = strings.TrimSuffix(strings.TrimPrefix(short, "-"), "-Package")
		if short == "" {
			short = "-"
		}
		parts = append(parts, short+" "+h.inv.GuestInstaller[k])
	}
	return strings.Join(parts, ", ")
}

func eventLabel(e kb.Event) string {
	p := strings.TrimPrefix(e.Provider, "Microsoft-Windows-")
	return fmt.Sprintf("%s %d", p, e.EventID)
}

func skipReason(s result.Skipped) string {
	if s.Detail != "" {
		return s.Detail
	}
	return s.Reason
}

// vmLabel names a VM for people: its name, else its ID, else the guest
// file its facts came from.
func vmLabel(a *kb.Assessment) string {
	switch {
	case a.VMName != "":
		return a.VMName
	case a.VMID != "":
		return a.VMID
	case a.GuestIC.Ref != nil && a.GuestIC.Ref.File != "":
		f := a.GuestIC.Ref.File
		if i := strings.LastIndexAny(f, "/\\"); i >= 0 {
			f = f[i+1:]
		}
		return "(" + f + ")"
	}
	return "-"
}
