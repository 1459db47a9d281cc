// Package kb holds the knowledge behind hvic: the rule table of Microsoft
// KB2894285 ("Hyper-V integration services version mismatch") and its
// sister articles (KB975354, the "manage integration services" article),
// a Windows version type, and the evaluation of plain evidence into typed
// findings.
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
// the ID alone.
//
// # Inputs and outputs
//
// The input is an Evidence value: host facts, guest facts, events, which
// logs were read (LogCoverage) and caller hints. kb knows no file format;
// the collection scan fills Evidence from hives and logs. The output is a
// Result: one Assessment per VM and a list of Findings, plain data carrying
// a rule ID; the rule's text, in English and Japanese, lives in the Table
// (Table.Rule(id).Text(lang)). Rendering belongs to package report.
//
// # The table
//
// The rule table is embedded JSON (rules.json), parsed once by Default and
// immutable; Load reads a caller's own table in the same layout. A table
// holds the rules, the event catalogue, the known IC releases, the
// remediation table and the services table. Load validates it: unique IDs,
// parseable versions, every reference resolves, every text in both
// languages, every rule resting on an unverified fact saying so.
//
// # Guarantees and limits
//
// No function panics on any input (MustParseVersion excepted, which is for
// constants). Load reads at most MaxTableSize bytes; Evaluate allocates in
// proportion to its input. A Table is safe for concurrent use. Versions
// have 2 to 4 parts of at most 32 bits each.
package kb
