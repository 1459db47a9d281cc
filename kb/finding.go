package kb

import "time"

// Result is the outcome of Evaluate: one Assessment per virtual machine,
// every Finding (per VM and per host), and the conflicts found while
// correlating evidence. All slices are in a deterministic order (host, VM
// name, VM ID, rule ID).
type Result struct {
	VMs       []Assessment `json:"vms,omitempty"`
	Findings  []Finding    `json:"findings,omitempty"`
	Conflicts []Conflict   `json:"conflicts,omitempty"`
	// Events are the evidence's events, oldest first, each with VM set
	// to the assessment it was attributed to: a renderer need not match
	// events to VMs again.
	Events []Event `json:"events,omitempty"`
}

// Assessment is the verdict for one virtual machine.
type Assessment struct {
	VMID   string `json:"vm_id,omitempty"` // normalised: lower case, no braces
	VMName string `json:"vm_name,omitempty"`
	Host   string `json:"host,omitempty"`

	HostFamily HostFamily `json:"host_family"` // the host's Windows release family
	GuestOS    OSInfo     `json:"guest_os,omitzero"`
	Linux      bool       `json:"linux,omitempty"`

	// Package is the host IC package compared (Win6x for guests of Server
	// 2008 / Vista and later, Win5x before); PackageValue the GuestInstaller
	// value name actually used; PackageBasis why it was chosen.
	Package      Package      `json:"package"`
	PackageValue string       `json:"package_value,omitempty"`
	PackageBasis PackageBasis `json:"package_basis"`

	HostIC  ICVersion `json:"host_ic,omitzero"`
	GuestIC ICVersion `json:"guest_ic,omitzero"`

	Case     Case     `json:"case"`
	Action   Action   `json:"action"`
	Severity Severity `json:"severity"`
	// Resolved is true when the versions match now and mismatch events
	// were logged for the VM earlier (resolved since); ResolvedAt is the
	// time of the latest of those events: the mismatch ended after it.
	Resolved   bool      `json:"resolved,omitempty"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
	// GuestReplayed is true when the guest's facts were read from a hive
	// whose transaction logs were replayed.
	GuestReplayed bool `json:"guest_replayed,omitempty"`

	RuleID      string       `json:"rule_id"`               // the rule that decided Case, Action and Severity
	RuleIDs     []string     `json:"rule_ids,omitempty"`    // every rule that fired for this VM (RuleID included), sorted
	Remediation *Remediation `json:"remediation,omitempty"` // how to update ICs on this host/guest pair, nil when none applies or unknown
	Missing     []Missing    `json:"missing,omitempty"`     // evidence that would have sharpened the verdict
	Refs        []Ref        `json:"refs,omitempty"`        // the evidence that decided the case
	// Explanation says why, in order: decisive evidence, versions, log
	// periods and guest KVP refresh, what was missing, notes.
	Explanation []Explanation `json:"explanation,omitempty"`
	// Text is the assessment in words, in the language of the result that
	// holds it; nil from Evaluate, which words nothing (report.Localize
	// fills it from the table and the renderers' labels).
	Text *Wording `json:"text,omitempty"`
}

// Wording is an Assessment in words, in one language: the labels of its
// identifiers and the text of its deciding rule and remediation row.
type Wording struct {
	Case     string `json:"case"`     // the case's label
	Action   string `json:"action"`   // the action's label
	Severity string `json:"severity"` // the severity's label
	// Title, Description and Remediation are the deciding rule's text
	// (Table.Rule(RuleID).Text).
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Remediation string `json:"remediation,omitempty"`
	// HowToUpdate is the remediation row's instruction (its fallback when
	// the fallback applies).
	HowToUpdate string `json:"how_to_update,omitempty"`
}

// ICVersion is one side of the comparison: the string as read, its parsed
// form, and the known release it corresponds to.
type ICVersion struct {
	Raw     string  `json:"raw,omitempty"`
	Version Version `json:"version,omitzero"`
	// Release is the known release with exactly this version, nil when the
	// version is not in the table.
	Release *Release `json:"release,omitempty"`
	Ref     *Ref     `json:"ref,omitempty"`
}

// Finding is one rule firing for one VM or one host: plain data (Title
// aside, which Evaluate leaves empty). The rule's title, description and remediation are in the Table
// (Table.Rule(RuleID).Text(lang)); Params carries the instance values.
type Finding struct {
	// VM is the 1-based index in Result.VMs of the VM this finding is
	// about; 0 for a host-level finding or one about no assessed VM.
	VM       int               `json:"vm,omitempty"`
	RuleID   string            `json:"rule_id"`
	Case     Case              `json:"case,omitempty"`
	Action   Action            `json:"action"`
	Severity Severity          `json:"severity"`
	VMID     string            `json:"vm_id,omitempty"`
	VMName   string            `json:"vm_name,omitempty"`
	Host     string            `json:"host,omitempty"`
	Refs     []Ref             `json:"refs,omitempty"`
	Params   map[string]string `json:"params,omitempty"` // e.g. "hostVersion", "guestVersion", "package", "missing"
	// Title is the rule's title in the language of the result that holds
	// the finding; "" from Evaluate (see Assessment.Text).
	Title string `json:"title,omitempty"`
}

// Conflict is evidence that cannot be reconciled without guessing: one VM
// name with two IDs, two guest hives for one VM that disagree, a VM that
// two hosts claim. Evaluate reports it (with a HVIC-CONFLICT-* finding)
// instead of choosing.
type Conflict struct {
	RuleID string   `json:"rule_id"`
	VMName string   `json:"vm_name,omitempty"`
	VMIDs  []string `json:"vm_ids,omitempty"`
	Hosts  []string `json:"hosts,omitempty"`
	Values []string `json:"values,omitempty"` // the disagreeing values
	Refs   []Ref    `json:"refs,omitempty"`
}

// Explanation is one line of why an Assessment came out as it did. An
// Assessment's Explanation lists them in order: the decisive evidence
// first, then the two versions, the period of each host log read and the
// guest's KVP refresh time, then what was missing and any notes. It is
// plain data; renderers word it (Kind selects the sentence, Params fill it).
type Explanation struct {
	Kind ExplainKind `json:"kind"`
	// Time is the moment the line is about (event time, guest KVP refresh);
	// From and To bound a period (a host log read). Zero when not known.
	Time time.Time `json:"time,omitzero"`
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
	// Ref is the evidence the line is about: an event record, a registry
	// value, a log file. Nil when none.
	Ref *Ref `json:"ref,omitempty"`
	// Params carries the values the sentence needs; the keys each Kind
	// uses are listed with the Kind.
	Params map[string]string `json:"params,omitempty"`
	// Text is the line in words, in the language of the result that holds
	// it; "" from Evaluate (see Assessment.Text).
	Text string `json:"text,omitempty"`
}
