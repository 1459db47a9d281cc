// Package export reads Windows event log exports, the form customers send
// when they cannot copy .evtx files, into the same evtx.Record and
// evtx.ICEvent values as the binary reader.
//
// # Forms, recognised by content
//
//   - Event Viewer "Save as XML": an <Events> root holding <Event>
//     elements of the public event schema
//     (http://schemas.microsoft.com/win/2004/08/events/event), usually
//     UTF-16LE with a BOM; python-evtx's evtx_dump.py output has the same
//     shape (XML 1.1 declaration, times to the microsecond, classic string
//     arrays as one "<string>..</string>" text).
//   - wevtutil qe LOG /f:xml: concatenated <Event> elements without a root,
//     with /rd:true a RenderingInfo element (ignored).
//   - Event Viewer "Save as CSV" and "Save as Text" (tab-separated): the
//     columns Level, Date and Time, Source, Event ID, Task Category and an
//     unheaded message; English and Japanese headers (the Japanese ones
//     are [unverified]).
//   - Get-WinEvent | Export-Csv (with or without #TYPE): Message, Id,
//     Qualifiers, RecordId, ProviderName, LogName, MachineName,
//     TimeCreated.
//
// Pasted shell prompt lines ("C:\>wevtutil qe ...", "PS C:\> ...") are
// ignored.
//
// The XML forms keep EventData names and values, so each <Event> becomes
// an evtx.Record (provider, GUID, event ID and qualifiers apart, level,
// task, opcode, keywords, UTC time, record ID, channel, computer, user,
// process and thread, ordered Data, Binary; UserData leaves as fields) and
// evtx.ExtractICFor (with Options.Events) makes the ICEvent: extraction is
// exactly the binary path's. The rendered forms hold only the message:
// evtx.ExtractICFor selects by (provider, event ID) and the provider's
// layout says which versions to look for; Event Viewer's Source gets back
// its "Microsoft-Windows-" prefix, and VM name, VM ID and versions are
// recovered from the message by pattern (message.go); every such event is
// Ambiguous with a Note starting NoteRendered, and its time is the
// exporting machine's local time read as UTC.
//
// Coverage: each export yields, per computer and channel, the span of all
// its records (IC or not) and their count. Event Viewer's CSV and text
// carry neither computer nor channel: the channel is inferred when the
// known providers seen agree on one (Integration-* gives
// Microsoft-Windows-Hyper-V-Integration-Admin; VmSwitch, VMSMP, storvsp,
// Service Control Manager give System), and the computer is left to the
// caller.
//
// Counts: the records Options.Count selects that are no IC event are
// counted per provider in Result.Counted, in every form, as
// evtx.File.Survey counts them in Survey.Counted (package hvic counts kb's
// Hyper-V guest driver providers, netvsc and the like, as hints that a log
// comes from a guest).
//
// # Guarantees and limits
//
// Parse and Sniff never panic (a fault is recovered into ErrNotExport)
// and print nothing. The input is capped by Options.MaxSize (default 256
// MiB), records by Options.MaxRecords and fields per record by
// Options.MaxDataFields; what is dropped is a Problem. A malformed
// <Event> is a Problem and reading resumes at the next "<Event"; the work
// stays linear in the input. FuzzParse is seeded from testdata, whose
// fixtures are rendered from internal/evtxwriter logs (gen_test.go);
// scripts/crosscheck-export.sh checks python-evtx's XML of the same logs
// against the binary reader.
package export
