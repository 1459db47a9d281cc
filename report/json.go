package report

import (
	"encoding/json"
	"io"
	"time"

	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

// SchemaVersion is the version of the JSON report layout (schema.md). It
// changes only when a field is removed or changes meaning; new fields may
// appear within a version.
const SchemaVersion = "1.0"

type jsonReport struct {
	SchemaVersion string           `json:"schema_version"`
	Tool          jsonTool         `json:"tool"`
	Language      string           `json:"language"`
	Status        string           `json:"status"`
	Summary       jsonSummary      `json:"summary"`
	Hosts         []jsonHost       `json:"hosts"`
	VMs           []jsonVM         `json:"vms"`
	Findings      []jsonFinding    `json:"findings"`
	Conflicts     []jsonConflict   `json:"conflicts"`
	Events        []jsonEvent      `json:"events"`
	Problems      []jsonProblem    `json:"problems"`
	Files         []jsonFile       `json:"files"`
	Skipped       []result.Skipped `json:"skipped"`
	Archives      []string         `json:"archives"`
	// NoHyperV is result.NoHyperV: set when no VM could be assessed.
	NoHyperV *result.NoHyperV `json:"no_hyperv,omitempty"`
	// Filter is set when Options.Filter restricted the report.
	Filter *jsonFilter `json:"filter,omitempty"`
}

// jsonFilter is the filter applied and what it hid (filter.go).
type jsonFilter struct {
	VMs            []string `json:"vms"`
	Hosts          []string `json:"hosts"`
	MinAction      string   `json:"min_action"`
	VMsTotal       int      `json:"vms_total"`
	VMsShown       int      `json:"vms_shown"`
	ProblemsHidden int      `json:"problems_hidden"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type jsonSummary struct {
	Hosts       int            `json:"hosts"`
	VMs         int            `json:"vms"`
	NeedsAction int            `json:"needs_action"`
	ByCase      map[string]int `json:"by_case"`
	ByAction    map[string]int `json:"by_action"`
	Problems    int            `json:"problems"`
	FilesRead   int            `json:"files_read"`
	Skipped     int            `json:"files_skipped"`
}

type jsonLog struct {
	Channel string     `json:"channel"`
	File    string     `json:"file"`
	First   *time.Time `json:"first"`
	Last    *time.Time `json:"last"`
	Records int        `json:"records"`
	Damaged bool       `json:"damaged"`
}

type jsonHost struct {
	Name           string            `json:"name"`
	OS             string            `json:"os"`
	GuestInstaller map[string]string `json:"guest_installer"`
	Files          []string          `json:"files"`
	Logs           []jsonLog         `json:"logs"`
}

type jsonRef struct {
	File     string     `json:"file"`
	RecordID uint64     `json:"record_id,omitempty"`
	KeyPath  string     `json:"key_path,omitempty"`
	Value    string     `json:"value,omitempty"`
	Data     string     `json:"data,omitempty"`
	Time     *time.Time `json:"time,omitempty"`
	What     string     `json:"what,omitempty"`
}

type jsonVM struct {
	Name           string    `json:"name"`
	ID             string    `json:"id"`
	Host           string    `json:"host"`
	Case           string    `json:"case"`
	CaseLabel      string    `json:"case_label"`
	Action         string    `json:"action"`
	ActionLabel    string    `json:"action_label"`
	Severity       string    `json:"severity"`
	HostICVersion  string    `json:"host_ic_version"`
	GuestICVersion string    `json:"guest_ic_version"`
	Package        string    `json:"package"`
	Linux          bool      `json:"linux"`
	GuestOS        string    `json:"guest_os"`
	GuestReplayed  bool      `json:"guest_replayed"`
	RuleIDs        []string  `json:"rule_ids"`
	Title          string    `json:"title"`
	Description    string    `json:"description"`
	Remediation    string    `json:"remediation"`
	HowToUpdate    string    `json:"how_to_update"`
	Missing        []string  `json:"missing"`
	GuestFiles     []string  `json:"guest_files"`
	EventCount     int       `json:"event_count"`
	Evidence       []jsonRef `json:"evidence"`
	// Explanation is kb's ordered "why", each line worded in the report's
	// language and kept as data.
	Explanation []jsonExplanation `json:"explanation"`
}

type jsonExplanation struct {
	Kind     string            `json:"kind"`
	Text     string            `json:"text"`
	Time     *time.Time        `json:"time,omitempty"`
	From     *time.Time        `json:"from,omitempty"`
	To       *time.Time        `json:"to,omitempty"`
	Evidence *jsonRef          `json:"evidence,omitempty"`
	Params   map[string]string `json:"params"`
}

type jsonFinding struct {
	RuleID   string            `json:"rule_id"`
	Title    string            `json:"title"`
	Case     string            `json:"case"`
	Action   string            `json:"action"`
	Severity string            `json:"severity"`
	VMName   string            `json:"vm_name"`
	VMID     string            `json:"vm_id"`
	Host     string            `json:"host"`
	Params   map[string]string `json:"params"`
	Evidence []jsonRef         `json:"evidence"`
}

type jsonConflict struct {
	RuleID string   `json:"rule_id"`
	VMName string   `json:"vm_name"`
	VMIDs  []string `json:"vm_ids"`
	Hosts  []string `json:"hosts"`
	Values []string `json:"values"`
}

type jsonEvent struct {
	Time             time.Time `json:"time"`
	Host             string    `json:"host"`
	Provider         string    `json:"provider"`
	EventID          uint32    `json:"event_id"`
	Kind             string    `json:"kind"`
	Component        string    `json:"component"`
	VMName           string    `json:"vm_name"`
	VMID             string    `json:"vm_id"`
	ServerVersion    string    `json:"server_version,omitempty"`
	ClientVersion    string    `json:"client_version,omitempty"`
	FrameworkVersion string    `json:"framework_version,omitempty"`
	MessageVersion   string    `json:"message_version,omitempty"`
	File             string    `json:"file"`
	RecordID         uint64    `json:"record_id"`
	Ambiguous        bool      `json:"ambiguous,omitempty"`
	Note             string    `json:"note,omitempty"`
}

type jsonProblem struct {
	File     string `json:"file"`
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
}

type jsonFile struct {
	Path     string   `json:"path"`
	Kind     string   `json:"kind"`
	Role     string   `json:"role"`
	Size     int64    `json:"size"`
	Host     string   `json:"host"`
	Logs     []string `json:"logs"`
	Dirty    bool     `json:"dirty"`
	Replayed bool     `json:"replayed"`
	Records  int      `json:"records"`
	Events   int      `json:"events"`
	Problems int      `json:"problems"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func jsonRefs(refs []kb.Ref) []jsonRef {
	out := []jsonRef{}
	for _, r := range refs {
		out = append(out, jsonRef{File: r.File, RecordID: r.RecordID, KeyPath: r.KeyPath, Value: r.Value, Data: r.Data, Time: timePtr(r.Time), What: r.What})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// JSON writes the report in the documented, versioned layout of
// schema.md (schema_version "1.0"): stable identifiers (case, action and
// severity names, rule IDs), localised labels and rule text beside them.
func JSON(w io.Writer, res *result.Result, opts *Options) error {
	v, err := newView(res, opts, false)
	if err != nil {
		return err
	}
	out := v.jsonReport()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func (v *view) jsonReport() *jsonReport {
	res := v.res
	out := &jsonReport{
		SchemaVersion: SchemaVersion,
		Tool:          jsonTool{Name: "hvic", Version: v.version},
		Language:      v.lang,
		Status:        res.Status.String(),
		Summary: jsonSummary{Hosts: len(res.Inventory.Hosts), VMs: len(v.vms), NeedsAction: v.action,
			ByCase: map[string]int{}, ByAction: map[string]int{}, Problems: len(res.Problems),
			FilesRead: len(res.Inventory.Files), Skipped: len(res.Inventory.Skipped)},
		Hosts: []jsonHost{}, VMs: []jsonVM{}, Findings: []jsonFinding{}, Conflicts: []jsonConflict{},
		Events: []jsonEvent{}, Problems: []jsonProblem{}, Files: []jsonFile{},
		Skipped: append([]result.Skipped{}, res.Inventory.Skipped...), Archives: nonNil(res.Inventory.Archives),
		NoHyperV: res.NoHyperV,
	}
	out.Filter = v.jsonFilter()
	for _, h := range res.Inventory.Hosts {
		jh := jsonHost{Name: h.Name, OS: h.OS, GuestInstaller: h.GuestInstaller, Files: nonNil(h.Files), Logs: []jsonLog{}}
		if jh.GuestInstaller == nil {
			jh.GuestInstaller = map[string]string{}
		}
		for _, c := range h.Logs {
			jh.Logs = append(jh.Logs, jsonLog{Channel: c.Channel, File: c.File, First: timePtr(c.First), Last: timePtr(c.Last), Records: c.Records, Damaged: c.Damaged})
		}
		out.Hosts = append(out.Hosts, jh)
	}
	for _, vm := range v.vms {
		a := vm.a
		out.Summary.ByCase[a.Case.String()]++
		out.Summary.ByAction[a.Action.String()]++
		jv := jsonVM{Name: vm.name, ID: vm.id, Host: vm.host, Case: a.Case.String(), CaseLabel: vm.caseLabel,
			Action: a.Action.String(), ActionLabel: vm.actionLabel, Severity: a.Severity.String(),
			HostICVersion: vm.hostIC, GuestICVersion: vm.guestIC, Package: a.Package.String(), Linux: a.Linux,
			GuestOS: a.GuestOS.Name, GuestReplayed: vm.replayed, RuleIDs: nonNil(a.RuleIDs), Title: vm.title, Description: vm.description,
			Remediation: vm.todo, HowToUpdate: vm.howTo, Missing: []string{}, GuestFiles: []string{},
			EventCount: len(vm.events), Evidence: jsonRefs(vm.refs()), Explanation: v.jsonExplanation(vm)}
		for _, m := range a.Missing {
			jv.Missing = append(jv.Missing, m.String())
		}
		for _, iv := range res.Inventory.VMs {
			if iv.ID == vm.id && iv.Name == vm.name {
				jv.GuestFiles = nonNil(iv.Guests)
			}
		}
		out.VMs = append(out.VMs, jv)
	}
	for _, f := range res.Findings {
		params := f.Params
		if params == nil {
			params = map[string]string{}
		}
		out.Findings = append(out.Findings, jsonFinding{RuleID: f.RuleID, Title: v.ruleText(f.RuleID).Title,
			Case: enumText(f.Case), Action: enumText(f.Action), Severity: enumText(f.Severity),
			VMName: f.VMName, VMID: f.VMID, Host: f.Host, Params: params, Evidence: jsonRefs(f.Refs)})
	}
	for _, c := range res.Conflicts {
		out.Conflicts = append(out.Conflicts, jsonConflict{RuleID: c.RuleID, VMName: c.VMName, VMIDs: nonNil(c.VMIDs), Hosts: nonNil(c.Hosts), Values: nonNil(c.Values)})
	}
	for _, e := range res.Events {
		kind := e.Kind
		if kind == kb.EventUnknown {
			if r, ok := v.t.ClassifyEvent(e.Provider, e.EventID); ok {
				kind = r.Kind
			}
		}
		out.Events = append(out.Events, jsonEvent{Time: e.Time.UTC(), Host: e.Host, Provider: e.Provider, EventID: e.EventID,
			Kind: kind.String(), Component: e.Component, VMName: e.VMName, VMID: kb.NormalizeVMID(e.VMID),
			ServerVersion: e.ServerVersion, ClientVersion: e.ClientVersion, FrameworkVersion: e.FrameworkVersion,
			MessageVersion: e.MessageVersion, File: e.Ref.File, RecordID: e.Ref.RecordID, Ambiguous: e.Ambiguous, Note: e.Note})
	}
	for _, p := range res.Problems {
		out.Problems = append(out.Problems, jsonProblem{File: p.File, Severity: p.Severity.String(), Code: p.Code.String(), Message: p.Message})
	}
	for _, f := range res.Inventory.Files {
		out.Files = append(out.Files, jsonFile{Path: f.Path, Kind: f.Kind, Role: string(f.Role), Size: f.Size, Host: f.Host,
			Logs: nonNil(f.Logs), Dirty: f.Dirty, Replayed: f.Replayed, Records: f.Records, Events: f.Events, Problems: f.Problems})
	}
	return out
}

func (v *view) jsonExplanation(vm *vmView) []jsonExplanation {
	out := []jsonExplanation{}
	for _, e := range vm.a.Explanation {
		je := jsonExplanation{Kind: e.Kind.String(), Text: v.explainLine(vm, e), Time: timePtr(e.Time),
			From: timePtr(e.From), To: timePtr(e.To), Params: e.Params}
		if je.Params == nil {
			je.Params = map[string]string{}
		}
		if e.Ref != nil {
			r := jsonRefs([]kb.Ref{*e.Ref})
			je.Evidence = &r[0]
		}
		out = append(out, je)
	}
	return out
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
