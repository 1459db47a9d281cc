// Package result holds what a scan found, as data: the Result, its VM
// assessments, findings, events, problems and inventory. Its JSON encoding
// is the JSON report, documented field by field in report/schema.md
// (snake_case fields, kebab-case enum names), and it round-trips
// (json.Marshal then json.Unmarshal gives an equal Result, but for the
// error values, the evidence and the rule table, which are not data), so
// that a Result can be stored and rendered later by package report, which
// needs nothing else: report depends on result and kb, never on the
// scanner.
package result

import (
	"fmt"
	"time"

	"github.com/hvic/hvic/kb"
)

// Status says how complete a Result is.
type Status uint8

// Statuses.
const (
	// StatusComplete: every file taken was read without loss and nothing was
	// refused.
	StatusComplete Status = iota + 1
	// StatusPartial: the verdicts stand on what could be read, but some
	// files were damaged, refused or unreadable (see Result.Problems).
	StatusPartial
	// StatusFailed: nothing analysable could be read.
	StatusFailed
)

var statusNames = map[Status]string{0: "unknown", StatusComplete: "complete", StatusPartial: "partial", StatusFailed: "failed"}

// String returns "complete", "partial" or "failed"; "unknown" for the zero
// Status (a Result that no scan filled).
func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// MarshalText implements encoding.TextMarshaler with String.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler for the names String
// returns.
func (s *Status) UnmarshalText(b []byte) error {
	for k, n := range statusNames {
		if n == string(b) {
			*s = k
			return nil
		}
	}
	return fmt.Errorf("result: unknown status %q", b)
}

// Severity is a Problem's level. It is kb.Severity, the one scale of the
// module: findings use all its levels, problems three of them:
//
//   - SeverityInfo ("info"): damage in a file that cannot hold IC evidence
//     (a SAM, SECURITY or NTUSER hive, a Security or Sysmon log): nothing
//     the verdicts need was lost, and the status stays complete;
//   - SeverityWarning, kb.SeverityMedium ("medium"): nothing was lost (a
//     checksum mismatch, a refused but unneeded transaction log), or the
//     scan filled a gap by a guess (ProblemCode.Guess) or could not tie a
//     file to a host;
//   - SeverityError, kb.SeverityHigh ("high"): data that may hold IC
//     evidence was lost or refused; the status is partial.
//
// Renderers word the levels for people ("info", "warning", "error", and
// "guess" for a guess); JSON carries the kb names.
type Severity = kb.Severity

// Problem severities (see Severity).
const (
	SeverityInfo    = kb.SeverityInfo
	SeverityWarning = kb.SeverityMedium
	SeverityError   = kb.SeverityHigh
)

// Problem is one thing that went wrong with one file. Code is its stable
// kind (CodeUnsafePath, CodeEVTXDamage, ...; "unsafe-path" in JSON).
type Problem struct {
	File     string      `json:"file"`
	Severity Severity    `json:"severity"`
	Code     ProblemCode `json:"code"`
	Message  string      `json:"message"`
	Err      error       `json:"-"` // a *hvic.FileError; not data, so not in JSON
}

// Role is what a file turned out to be, by content. For a registry file it
// is the registry source's side (hive.Side: host, guest, both, none) as one
// of the four *-registry roles; the other roles name logs and text forms.
type Role string

// File roles.
const (
	RoleHostRegistry      Role = "host-registry"       // a Hyper-V host's SOFTWARE hive or export
	RoleGuestRegistry     Role = "guest-registry"      // a guest's SOFTWARE hive or export
	RoleHostGuestRegistry Role = "host-guest-registry" // both (nested virtualisation)
	RoleOtherRegistry     Role = "other-registry"      // a hive or export with no IC facts
	RoleIntegrationLog    Role = "integration-log"     // Hyper-V Integration-Admin (or Worker-Admin) log
	RoleSystemLog         Role = "system-log"          // System log
	RoleOtherLog          Role = "other-log"           // another event log
	RoleTransactionLog    Role = "transaction-log"     // a hive's .LOG/.LOG1/.LOG2
	RoleUnreadable        Role = "unreadable"          // could not be read
	RoleHostVMList        Role = "host-vm-list"        // a host's Get-VM (or Get-VMIntegrationService) output
)

// FileInfo is one file the scan read.
type FileInfo struct {
	Path string `json:"path"`
	// Kind is the content type, decided from the first bytes: "evtx",
	// "hive", "hive-log", "reg-export", "reg-query" (the registry forms
	// spelled as hive.Kind spells them), "get-vm", "event-export".
	Kind string `json:"kind"`
	Role Role   `json:"role"`
	Size int64  `json:"size"`
	// Host is the computer the file belongs to, when known.
	Host string `json:"host,omitempty"`
	// Logs are the transaction logs paired with a hive.
	Logs []string `json:"logs,omitempty"`
	// Replayed is true for a dirty hive whose logs were applied.
	Replayed bool `json:"replayed,omitempty"`
	// Dirty is true for a hive whose base block says it was not flushed.
	Dirty bool `json:"dirty,omitempty"`
	// Records counts the event records decoded (EVTX), Events the IC
	// events among them.
	Records int `json:"records,omitempty"`
	Events  int `json:"events,omitempty"`
	// Problems counts this file's entries in Result.Problems.
	Problems int `json:"problems,omitempty"`
}

// Skipped is a file that was not analysed because it is of no kind hvic
// reads (or an orphan transaction log). Refused files are in Problems.
type Skipped struct {
	Path string `json:"path"`
	Size int64  `json:"size"`
	// Reason is a stable code: "unrecognised", "empty", "unsupported",
	// "orphan-log".
	Reason string `json:"reason"`
	// Detail says more, in English ("unsupported archive format (7z)").
	Detail string `json:"detail,omitempty"`
}

// Host is one Hyper-V host seen in the collection.
type Host struct {
	Name string `json:"name"`
	// OS is the host's product name, when its SOFTWARE hive was read.
	OS string `json:"os,omitempty"`
	// GuestInstaller maps the GuestInstaller\Version value names to the
	// IC versions the host offers.
	GuestInstaller map[string]string `json:"guest_installer,omitempty"`
	// Files are the files that belong to this host (hives and logs).
	Files []string `json:"files,omitempty"`
	// Logs says which logs were read and which period each covers.
	Logs []kb.LogCoverage `json:"logs,omitempty"`
}

// Guest is one guest registry source (hive, .reg export, reg query text).
type Guest struct {
	File      string `json:"file"`
	Kind      string `json:"kind"`
	VMName    string `json:"vm_name,omitempty"`
	VMID      string `json:"vm_id,omitempty"`
	Host      string `json:"host,omitempty"`
	ICVersion string `json:"ic_version,omitempty"`
	OS        string `json:"os,omitempty"`
	Replayed  bool   `json:"replayed,omitempty"`
}

// VM is one virtual machine as correlated by kb (ID first, then name), with
// where it was seen.
type VM struct {
	Name   string   `json:"name,omitempty"`
	ID     string   `json:"id,omitempty"`
	Host   string   `json:"host,omitempty"`
	Guests []string `json:"guests,omitempty"` // guest registry files
	Events int      `json:"events"`           // IC events naming it
}

// Archive is an archive the scan walked into.
type Archive struct {
	// Path names it as Files do ("a.zip!/b.zip" for one inside another).
	Path string `json:"path"`
	// Size is its size in bytes: an archive inside another is the size
	// of its entry, uncompressed.
	Size int64 `json:"size"`
}

// Inventory is what the collection held.
type Inventory struct {
	Hosts    []Host     `json:"hosts,omitempty"`
	VMs      []VM       `json:"vms,omitempty"`
	Guests   []Guest    `json:"guests,omitempty"`
	Files    []FileInfo `json:"files,omitempty"`
	Skipped  []Skipped  `json:"skipped,omitempty"`
	Archives []Archive  `json:"archives,omitempty"`
	// Bytes is the total size of the files read.
	Bytes int64 `json:"bytes"`
}

// SchemaVersion is the version of the JSON layout of a Result
// (report/schema.md). It changes only when a field is removed or changes
// meaning; new fields may appear within a version.
const SchemaVersion = "2.0"

// Result is the outcome of a scan. Its JSON encoding is the JSON report
// (report/schema.md): json.Marshal of a Result from Scan gives the bytes
// report.JSON writes for it, and json.Unmarshal gives a Result that
// renders as the original did.
type Result struct {
	// SchemaVersion is SchemaVersion when the Result was filled by a scan
	// or by report.Localize.
	SchemaVersion string `json:"schema_version"`
	// Language is the language of the Result's human text (the labels and
	// titles in each assessment's Text, each finding's Title, each
	// explanation line's Text): "en" from a scan, the report's language
	// from report.Localize; "" when the Result holds no text.
	Language string `json:"language,omitempty"`
	// Run says when, from what and by what the Result was produced: the
	// header every report shows.
	Run    Run    `json:"run"`
	Status Status `json:"status"`
	// Summary counts what the rest holds (see NewSummary).
	Summary Summary `json:"summary"`
	// VMs holds one assessment per virtual machine: case, action, both IC
	// versions and the evidence (see kb.Assessment).
	VMs       []kb.Assessment `json:"vms,omitempty"`
	Findings  []kb.Finding    `json:"findings,omitempty"`
	Conflicts []kb.Conflict   `json:"conflicts,omitempty"`
	// Events are the IC-related events read from the hosts' logs, in time
	// order: the timeline behind the findings.
	Events    []kb.Event  `json:"events,omitempty"`
	Inventory Inventory   `json:"inventory"`
	Problems  []Problem   `json:"problems,omitempty"`
	Evidence  kb.Evidence `json:"-"`
	// NoHyperV is set when the collection held no Hyper-V IC evidence (no
	// VM could be assessed): it lists the Hyper-V traces seen and what to
	// collect.
	NoHyperV *NoHyperV `json:"no_hyperv,omitempty"`
	// Filter is set when a report shows part of the Result (report.Filter):
	// the rest of this Result is then what the filter kept.
	Filter *Filtered `json:"filter,omitempty"`
	// Table is the rule table the findings refer to (for their text).
	Table *kb.Table `json:"-"`
}

// Filtered says which filter a report applied to a Result, and what it
// hid (report.Filter).
type Filtered struct {
	// VMs and Hosts are the VM names or IDs and the host names asked for;
	// empty: every one.
	VMs   []string `json:"vms,omitempty"`
	Hosts []string `json:"hosts,omitempty"`
	// MinAction is the least action a VM had to need: "none",
	// "investigate", "recommended" or "required".
	MinAction string `json:"min_action"`
	// VMsTotal and VMsShown count the VMs before and after the filter;
	// ProblemsHidden the problems of the files of hosts it excluded.
	VMsTotal       int `json:"vms_total"`
	VMsShown       int `json:"vms_shown"`
	ProblemsHidden int `json:"problems_hidden"`
}

// Summary counts what a Result holds, for a reader of the JSON who wants
// the totals without counting.
type Summary struct {
	Hosts int `json:"hosts"`
	VMs   int `json:"vms"`
	// NeedsAction counts the VMs whose action is upgrade-recommended,
	// upgrade-required or investigate.
	NeedsAction int `json:"needs_action"`
	// ByCase and ByAction count the VMs by case and by action name.
	ByCase   map[string]int `json:"by_case,omitempty"`
	ByAction map[string]int `json:"by_action,omitempty"`
	// Problems counts the problems proper: damage, refusals and gaps in
	// files that may hold IC evidence. Guesses counts the guesses (host or
	// VM told from a file or folder name, ProblemCode.Guess) and
	// OtherFiles the damage in files that cannot hold IC evidence
	// (SeverityInfo); the three add up to len(Result.Problems).
	Problems   int `json:"problems"`
	Guesses    int `json:"guesses"`
	OtherFiles int `json:"other_file_problems"`
	// FilesRead and FilesSkipped count Inventory.Files and
	// Inventory.Skipped.
	FilesRead    int `json:"files_read"`
	FilesSkipped int `json:"files_skipped"`
}

// NewSummary counts r's hosts, VMs (by case and action), problems and
// files.
func NewSummary(r *Result) Summary {
	s := Summary{Hosts: len(r.Inventory.Hosts), VMs: len(r.VMs),
		FilesRead: len(r.Inventory.Files), FilesSkipped: len(r.Inventory.Skipped)}
	for _, p := range r.Problems {
		switch {
		case p.Severity == SeverityInfo:
			s.OtherFiles++
		case p.Code.Guess():
			s.Guesses++
		default:
			s.Problems++
		}
	}
	for _, a := range r.VMs {
		if s.ByCase == nil {
			s.ByCase, s.ByAction = map[string]int{}, map[string]int{}
		}
		s.ByCase[a.Case.String()]++
		s.ByAction[a.Action.String()]++
		if needsAction(a.Action) {
			s.NeedsAction++
		}
	}
	return s
}

// Run says when a Result was produced, from which inputs, by which tool
// and with which rule table.
type Run struct {
	// GeneratedAt is when the scan ended, in UTC.
	GeneratedAt time.Time `json:"generated_at,omitzero"`
	// Inputs are the collection's inputs as the caller gave them: the
	// paths given to ScanPaths, or Options.Inputs for Scan.
	Inputs []string `json:"inputs,omitempty"`
	// Tool and ToolVersion name the program that produced the Result
	// ("hvic" and the module's version by default; iccheck names itself).
	Tool        string `json:"tool"`
	ToolVersion string `json:"tool_version"`
	// Rules is the rule table's revision (kb.Table.Revision).
	Rules string `json:"rules"`
}

// NoHyperV says that a collection held no Hyper-V integration services
// evidence, which traces of Hyper-V it did hold, and the commands whose
// output hvic reads (kb's collection checklist).
type NoHyperV struct {
	Hints   []Hint        `json:"hints,omitempty"`
	Collect []CollectStep `json:"collect,omitempty"`
}

// Hint is one trace of Hyper-V in a collection without IC evidence, and
// the side of Hyper-V it points to.
type Hint struct {
	File string `json:"file"`
	// What is "guest-drivers-log" (a guest's Hyper-V-Guest-Drivers log),
	// "guest-driver-events" (a log holding Hyper-V guest driver events:
	// netvsc, storvsc, vmbus), "hyper-v-log" (a host's Hyper-V log) or
	// "host-hive-without-vms" (a Hyper-V host's SOFTWARE hive, with no VM
	// known).
	What string `json:"what"`
	Side string `json:"side"` // "host" or "guest"
}

// CollectStep is one command of kb's checklist (kb.Command): where to run
// it, in which shell, and the line, with <host> and <vm> placeholders.
type CollectStep struct {
	ID    string `json:"id"`
	Side  string `json:"side"`
	Shell string `json:"shell"`
	Line  string `json:"line"`
}

// NeedsAction reports whether some VM needs an IC upgrade or a look by
// hand (any action other than none and ignore).
func (r *Result) NeedsAction() bool {
	for _, a := range r.VMs {
		if needsAction(a.Action) {
			return true
		}
	}
	return false
}

func needsAction(a kb.Action) bool {
	switch a {
	case kb.ActionUpgradeRecommended, kb.ActionUpgradeRequired, kb.ActionInvestigate:
		return true
	}
	return false
}
