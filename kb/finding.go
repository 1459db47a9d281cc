package kb

import "time"

// Result is the outcome of Evaluate: one Assessment per virtual machine,
// every Finding (per VM and per host), and the conflicts found while
// correlating evidence. All slices are in a deterministic order (host, VM
// name, VM ID, rule ID).
type Result struct {
	VMs       []Assessment `json:"vms"`
	Findings  []Finding    `json:"findings"`
	Conflicts []Conflict   `json:"conflicts,omitempty"`
	// Events are the evidence's events, oldest first, each with VM set
	// to the assessment it was attributed to: a renderer need not match
	// events to VMs again.
	Events []Event `json:"events,omitempty"`
}

// Assessment is the verdict for one virtual machine.
type Assessment struct {
	VMID   string `json:"vmId,omitempty"` // normalised: lower case, no braces
	VMName string `json:"vmName,omitempty"`
	Host   string `json:"host,omitempty"`

	HostFamily HostFamily `json:"hostFamily"` // the host's Windows release family
	GuestOS    OSInfo     `json:"guestOs"`
	Linux      bool       `json:"linux,omitempty"`

	// Package is the host IC package compared (Win6x for guests of Server
	// 2008 / Vista and later, Win5x before); PackageValue the GuestInstaller
	// value name actually used; PackageBasis why it was chosen.
	Package      Package      `json:"package"`
	PackageValue string       `json:"packageValue,omitempty"`
	PackageBasis PackageBasis `json:"packageBasis"`

	HostIC  ICVersion `json:"hostIc"`
	GuestIC ICVersion `json:"guestIc"`

	Case     Case     `json:"case"`
	Action   Action   `json:"action"`
	Severity Severity `json:"severity"`
	// Resolved is true when the versions match now and mismatch events
	// were logged for the VM earlier (resolved since); ResolvedAt is the
	// time of the latest of those events: the mismatch ended after it.
	Resolved   bool      `json:"resolved,omitempty"`
	ResolvedAt time.Time `json:"resolvedAt,omitempty"`
	// GuestReplayed is true when the guest's facts were read from a hive
	// whose transaction logs were replayed.
	GuestReplayed bool `json:"guestReplayed,omitempty"`

	RuleID      string       `json:"ruleId"`                // the rule that decided Case, Action and Severity
	RuleIDs     []string     `json:"ruleIds"`               // every rule that fired for this VM (RuleID included), sorted
	Remediation *Remediation `json:"remediation,omitempty"` // how to update ICs on this host/guest pair, nil when none applies or unknown
	Missing     []Missing    `json:"missing,omitempty"`     // evidence that would have sharpened the verdict
	Refs        []Ref        `json:"refs,omitempty"`        // the evidence that decided the case
	// Explanation says why, in order: decisive evidence, versions, log
	// periods and guest KVP refresh, what was missing, notes.
	Explanation []Explanation `json:"explanation,omitempty"`
}

// ICVersion is one side of the comparison: the string as read, its parsed
// form, and the known release it corresponds to.
type ICVersion struct {
	Raw     string  `json:"raw,omitempty"`
	Version Version `json:"version"`
	// Release is the known release with exactly this version, nil when the
	// version is not in the table.
	Release *Release `json:"release,omitempty"`
	Ref     *Ref     `json:"ref,omitempty"`
}

// Finding is one rule firing for one VM or one host: plain data, no text.
// The rule's title, description and remediation are in the Table
// (Table.Rule(RuleID).Text(lang)); Params carries the instance values.
type Finding struct {
	// VM is the 1-based index in Result.VMs of the VM this finding is
	// about; 0 for a host-level finding or one about no assessed VM.
	VM       int               `json:"vm,omitempty"`
	RuleID   string            `json:"ruleId"`
	Case     Case              `json:"case,omitempty"`
	Action   Action            `json:"action"`
	Severity Severity          `json:"severity"`
	VMID     string            `json:"vmId,omitempty"`
	VMName   string            `json:"vmName,omitempty"`
	Host     string            `json:"host,omitempty"`
	Refs     []Ref             `json:"refs,omitempty"`
	Params   map[string]string `json:"params,omitempty"` // e.g. "hostVersion", "guestVersion", "package", "missing"
}

// Conflict is evidence that cannot be reconciled without guessing: one VM
// name with two IDs, two guest hives for one VM that disagree, a VM that
// two hosts claim. Evaluate reports it (with a HVIC-CONFLICT-* finding)
// instead of choosing.
type Conflict struct {
	RuleID string   `json:"ruleId"`
	VMName string   `json:"vmName,omitempty"`
	VMIDs  []string `json:"vmIds,omitempty"`
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
	Time time.Time `json:"time,omitempty"`
	From time.Time `json:"from,omitempty"`
	To   time.Time `json:"to,omitempty"`
	// Ref is the evidence the line is about: an event record, a registry
	// value, a log file. Nil when none.
	Ref *Ref `json:"ref,omitempty"`
	// Params carries the values the sentence needs; the keys each Kind
	// uses are listed with the Kind.
	Params map[string]string `json:"params,omitempty"`
}
