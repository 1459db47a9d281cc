// Package report renders a scan's Result (package report/result, which
// hvic.Scan returns) for people and pipelines. It depends on the result
// types and kb only, never on the scanner: a Result read back from JSON
// renders exactly as the scanned one. Every renderer writes to an io.Writer, in English or Japanese
// (Options.Lang), taking the rules' text from the kb rule table:
//
//   - Text: a summary table per host (VM, case, action, host IC, guest IC),
//     aligned for East Asian wide characters, then each VM's details and
//     evidence, problems and skipped files;
//   - JSON: the Result's own JSON encoding, worded in Options.Lang by
//     Localize, documented in schema.md (schema_version "2.0"): stable
//     identifiers (case, action, severity names, rule IDs, problem codes)
//     with their words beside them (each VM's text, each finding's title,
//     each explanation line's text);
//   - Markdown: for a support ticket;
//   - CSV: one row per VM (RFC 4180), formula-injection safe;
//   - TimelineCSV: one row per IC event, in time order, for a spreadsheet
//     or a timeline viewer;
//   - SARIF 2.1.0: one result per finding, the rule table as the driver's
//     rules, the scan's problems as tool execution notifications, files
//     relative to a base URI per input (Options.WorkDir makes relative
//     inputs absolute);
//   - HTML: one self-contained page (inline CSS and SVG, no script, no
//     external asset) with the summary table, a timeline (the period of
//     each host log read, the IC events per VM grouped below the drawing's
//     resolution, the guest-side times the verdicts use, on UTC calendar
//     ticks), the details and the files read.
//
// Text, Markdown and HTML open with a header and close with a footer from
// the Result's Run: generation time (UTC, RFC 3339), inputs, tool and
// version, rule table revision, and the filter applied. Options.Filter
// (VMs, hosts, least action) restricts what every format reports, once,
// before rendering; Filter.Apply gives the filtered Result itself.
//
// Output is deterministic for a given Result: the renderers are golden
// tested on fixed Results stored as JSON (testdata/report/*.result.json,
// written by the root package's end-to-end test), regenerated with
// go test ./report -update.
//
// # Guarantees
//
// Renderers only read the Result. Every string from the scanned files is
// escaped for its format (html/template for HTML, Markdown escaping,
// encoding/csv with formula defusing, encoding/json). A nil Result gives
// ErrNoResult; an unknown format ErrFormat. The package prints nothing: it
// writes only to the io.Writer given.
package report
