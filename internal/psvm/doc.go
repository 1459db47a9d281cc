// Package psvm reads the text PowerShell's Hyper-V cmdlets Get-VM and
// Get-VMIntegrationService write, the most direct evidence a customer
// pastes: the host's own view of each guest's integration services (IC)
// version (IntegrationServicesVersion) and of whether it needs an update
// (IntegrationServicesState "Up to date" / "Update required"), and the
// state of each integration service.
//
// The package lives under internal/ because it is an input reader of the
// collection scan (like internal/collect's sniffing), not registry (hive)
// or event log (evtx) data, and kb knows no file format; phase 2 of issue
// 12 wires Sniff and Parse into the scan.
//
// # Forms read, by content (never by file name)
//
//   - Format-List text ("Property : value" lines, objects separated by
//     blank lines, long values wrapped onto indented lines);
//   - Format-Table text, default or -AutoSize: a header, a line of dashes
//     under each column, one row per object; columns are cut at the
//     dashes' display cells (East Asian wide characters take two cells);
//     a header or value the table cut short ("IntegrationServicesVe...",
//     "…" in PowerShell 7) is matched by prefix (headers) or kept with
//     VM.Truncated set and a Problem (values: not evidence);
//   - Export-Csv / ConvertTo-Csv, with or without the "#TYPE" line,
//     delimited by comma, semicolon or tab;
//   - ConvertTo-Json, one object or an array: enum values written as
//     numbers (State, and IntegrationServicesState should it be one) are
//     mapped back to their names, a System.Version object
//     ({"Major":6,"Minor":3,"Build":9600,"Revision":16384,...}) to its
//     dotted text, a GUID object to its "Guid" or "value" member.
//
// Pasted shell prompt lines ("PS C:\> Get-VM", "C:\>...") are ignored.
//
// Encodings: UTF-16LE with BOM (Windows PowerShell 5.1's ">" and
// Out-File), UTF-16BE with BOM, UTF-8 with or without BOM, and UTF-16LE
// without BOM recognised by its zero bytes.
//
// Property names are English on every locale and are matched
// case-insensitively: Name, VMId (or Id), State,
// IntegrationServicesVersion, IntegrationServicesState, ComputerName;
// VMName, Name, Enabled, PrimaryStatusDescription,
// SecondaryStatusDescription. Value strings are kept as written; the only
// localised values interpreted are Japanese IntegrationServicesState
// strings, which are [unverified] guesses (see parseICState).
//
// # Guarantees and limits
//
// Parse and Sniff never panic (a fault is recovered into ErrNotPSVM) and
// print nothing. Input is capped by Options.MaxSize (default 16 MiB) and
// objects by Options.MaxRows (default 100000; the rest are dropped with a
// Problem). Work is linear in the input: table rows are cut in one pass,
// wrapped list values stop growing at 64 KiB. FuzzParse is seeded from
// testdata.
package psvm
