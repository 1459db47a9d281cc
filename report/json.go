package report

import (
	"encoding/json"
	"io"

	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

// SchemaVersion is the version of the JSON report layout (schema.md),
// result.SchemaVersion: the JSON report is a Result's own JSON encoding.
const SchemaVersion = result.SchemaVersion

// JSON writes the report in the documented, versioned layout of schema.md:
// the JSON encoding of res localised to opts.Lang (see Localize), indented
// by two spaces, with <, > and & written as themselves. For a Result from
// Scan and nil opts, it is json.Marshal(res) with those encoder settings.
func JSON(w io.Writer, res *result.Result, opts *Options) error {
	out, err := Localize(res, opts)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// Localize returns a copy of res, restricted by opts.Filter (see Filter;
// the copy's Filter says what it hid), whose human text is in opts.Lang
// (English for nil opts): each assessment's Text, each finding's Title and
// each explanation line's Text, worded from the rule table (opts.Table,
// else res.Table, else kb.Default()) as the other renderers word them. It
// also sets the copy's SchemaVersion, Language and Summary, the kind of
// each event left unclassified (from the table's event catalogue), and
// Run.ToolVersion to opts.ToolVersion when that is set. res is not
// modified; slices Localize writes into are copied, the rest is shared.
func Localize(res *result.Result, opts *Options) (*result.Result, error) {
	v, err := newView(res, opts, false)
	if err != nil {
		return nil, err
	}
	res = v.res // filtered by Options.Filter, not escaped
	out := *res
	out.SchemaVersion = result.SchemaVersion
	out.Language = v.lang
	out.Summary = result.NewSummary(res)
	if f := v.jsonFilter(); f != nil {
		out.Filter = f // else the Result's own, if it was filtered before
	}
	if opts != nil && opts.ToolVersion != "" {
		out.Run.ToolVersion = opts.ToolVersion
	}
	index := make(map[*kb.Assessment]int, len(res.VMs))
	for i := range res.VMs {
		index[&res.VMs[i]] = i
	}
	out.VMs = make([]kb.Assessment, len(res.VMs))
	copy(out.VMs, res.VMs)
	for _, vm := range v.vms {
		a := &out.VMs[index[vm.a]]
		a.Text = &kb.Wording{Case: vm.caseLabel, Action: vm.actionLabel, Severity: vm.sevLabel,
			Title: vm.title, Description: vm.description, Remediation: vm.todo, HowToUpdate: vm.howTo}
		a.Explanation = make([]kb.Explanation, len(vm.a.Explanation))
		for j, e := range vm.a.Explanation {
			e.Text = v.explainLine(vm, e)
			a.Explanation[j] = e
		}
	}
	out.Findings = make([]kb.Finding, len(res.Findings))
	for i, f := range res.Findings {
		f.Title = v.ruleText(f.RuleID).Title
		out.Findings[i] = f
	}
	out.Events = make([]kb.Event, len(res.Events))
	for i, e := range res.Events {
		if e.Kind == kb.EventUnknown {
			if r, ok := v.t.ClassifyEvent(e.Provider, e.EventID); ok {
				e.Kind = r.Kind
			}
		}
		out.Events[i] = e
	}
	return &out, nil
}

// filteredStats is the filter a Result says was applied to it (a filtered
// JSON report, read back), as the header shows it; nil for none.
func filteredStats(f *result.Filtered) *filterStats {
	if f == nil {
		return nil
	}
	level, err := ParseActionLevel(f.MinAction)
	if err != nil {
		level = LevelNone
	}
	return &filterStats{Filter: Filter{VMs: f.VMs, Hosts: f.Hosts, MinAction: level},
		vmsTotal: f.VMsTotal, vmsShown: f.VMsShown, problemsHidden: f.ProblemsHidden}
}

// enumText writes a kb enum's name, "" for an unset (zero) one.
func enumText(e interface{ MarshalText() ([]byte, error) }) string {
	b, err := e.MarshalText()
	if err != nil {
		return ""
	}
	s := string(b)
	if s == "unset" {
		return ""
	}
	return s
}
