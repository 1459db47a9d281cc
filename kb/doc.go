// Package kb holds the knowledge behind hvic: the rule table of Microsoft
// KB2894285 ("Hyper-V integration services version mismatch") and its
// sister articles (KB975354, "Manage Hyper-V Integration Services", the
// Windows Server 2012 / 2012 R2 integration services overview), a Windows
// version type, and the evaluation of plain evidence into typed findings.
//
// # The rule
//
// Integration services (ICs) exist twice: the version a Hyper-V host offers
// (SOFTWARE\Microsoft\Windows NT\CurrentVersion\Virtualization\GuestInstaller\Version,
// value Microsoft-Hyper-V-Guest-Installer-Win6x-Package for guests of
// Server 2008 / Vista and later, ...-Win5x-Package before) and the version
// installed in the guest (SOFTWARE\Microsoft\Virtual Machine\Auto,
// IntegrationServicesVersion). KB2894285 distinguishes case 1 (equal:
// nothing to do), case 2 (different, no event 4000: upgrade recommended),
// case 3 (event 4000 logged: upgrade required) and Linux guests (mismatch
// messages harmless). Events are keyed on (provider, event ID), never on
// the ID alone: Microsoft-Windows-Hyper-V-StorageVSP 6 is an I/O error,
// storvsp 6 a version warning.
//
// # Inputs and outputs
//
// The input is an Evidence value: host facts, guest facts, events, which
// logs were read (LogCoverage) and caller hints. kb knows no file format;
// the collection scan fills Evidence from hives and logs. The output is a
// Result: one Assessment per VM, Findings and Conflicts, plain data
// carrying rule IDs (the Rule* constants); the rule's text, in English and
// Japanese, lives in the Table (Table.Rule(id).Text(lang)). Rendering
// belongs to package report.
//
// # Evaluation
//
// Table.Evaluate correlates evidence by VM ID (braces and case ignored)
// first and VM name second, and reports a name carried by several IDs as a
// conflict instead of guessing. Per VM it picks the host package (Win6x or
// Win5x from the guest's OS version; with the OS unknown, Win6x, or the
// package the guest's version equals when the host's two differ),
// compares the versions numerically (a version of fewer than four parts is
// malformed, never padded), and decides the Case from the versions and the
// events of the VM's current host: per component the latest negotiation
// counts; an incompatibility (4000, VmSwitch/VMSMP 26, storvsp 5) as the
// latest of any component is case 3, however old, while the versions
// differ; otherwise a compatible mismatch (4010, 27, storvsp 6) is case 2.
// Equal versions are case 1, earlier events listed as resolved since. A
// host log that was read covers the VM from its first record on (empty or
// quiet alike); only without the host's Integration-Admin log (Worker-Admin
// on 2016+ hosts), or with a damaged one, is a mismatch with no deciding
// event mismatch-unclassified. The guest's Auto key last-write time is
// "guest KVP last refreshed", about its last boot: it never orders events.
// Other outcomes: guest-newer (guest ICs newer than the host's: nothing to
// upgrade in the guest), host-unversioned (a 2016+ host records no version
// and no event decides: the Windows Update row), and investigate for a VM
// known only from the host's events, which may run Linux (the case its
// events would mean for Windows is given). KB975354 findings are
// advisories with action none. Each Assessment carries the versions with
// their known release names, the remediation row for the host/guest pair,
// the deciding evidence, the missing evidence and an ordered Explanation.
// Output order is deterministic (host, VM name, VM ID, rule ID).
//
// A host's own view of its VMs (Evidence.VMViews, from Get-VM) joins the
// VM by ID, else by name as events do. Its IntegrationServicesState is
// checked against the verdict ("Update required" agrees with cases 2, 3
// and an unclassified mismatch, "Up to date" with case 1; a disagreement
// is a note and a finding parameter), and its IntegrationServicesVersion
// is the guest version when no guest hive or export gave one (a note says
// so). The host's Get-VMIntegrationService rows (Evidence.ICServices)
// join the same way: a disabled Data Exchange applies the remediation's
// fallback as the guest's SYSTEM hive does, a disabled Guest Service
// Interface is information only, and a protocol-mismatch status is
// checked against the verdict like IntegrationServicesState. Table.Collect gives, per kind of missing evidence, the exact
// commands whose output hvic reads (the table's "collect" section).
//
// Results are plain data whose JSON (snake_case fields, enums by name) is
// part of the report's schema (report/schema.md). Evaluate words nothing:
// Assessment.Text, Finding.Title and Explanation.Text stay empty until
// report.Localize fills them in a language.
//
// # The table format
//
// The rule table is embedded JSON (rules.json), parsed once by Default and
// immutable; Load reads a caller's own table in the same layout:
//
//	{"schema": 1, "languages": ["en", "ja"],
//	 "rules":        [{"id", "source", "case", "action", "severity", "needs", "unverified",
//	                   "text": {"en": {"title", "description", "remediation"}, "ja": {...}}}],
//	 "events":       [{"id", "provider", "prefix", "eventId", "kind", "severity",
//	                   "harmlessForLinux", "confidence", "rule", "text"}],
//	 "releases":     [{"version", "name", "kb", "confidence"}],
//	 "remediations": [{"id", "hostFamily", "guestMin", "guestMax", "linux", "method",
//	                   "fallback", "confidence", "text"}],   (text also "fallback": the
//	                   instruction when the fallback method applies)
//	 "services":     [{"id", "serviceName", "component", "linuxDaemon", "defaultEnabled", "text"}],
//	 "collect":      [{"id", "side", "shell", "reads", "missing", "command", "text"}]}
//
// Enums are written by name (Case.String and friends). Load validates the
// table: known fields only, unique IDs, parseable versions, every event's
// rule defined, every rule the evaluator emits defined, every text in both
// languages, and every rule marked unverified saying so in both texts.
//
// # Guarantees and limits
//
// No exported function panics on any input; Evaluate recovers from an
// internal fault and reports it as an HVIC-INTERNAL finding with what it
// had. Load reads at most MaxTableSize
// bytes. Evaluate allocates in proportion to its input and attaches at most
// Options.MaxRefs (default 32) evidence references to one assessment or
// finding, counting the rest in the "events" parameter. A Table is safe for
// concurrent use; there is no package-level mutable state beyond the
// sync.Once that parses the embedded table. Versions have 2 to 4 decimal
// parts of at most 32 bits each.
package kb
