package result

import "fmt"

// ProblemCode is the stable identifier of a Problem's kind. Its text form
// (String, MarshalText) is the kebab-case code of the JSON report, listed
// in report/schema.md.
type ProblemCode uint8

// Problem codes. Refusals come from the collection walk, evtx-* from event
// logs, hive-* and log-* from hives and their transaction logs.
const (
	CodeUnknown ProblemCode = iota // the zero value: no code

	// Archive entries and files refused or unreadable as such.
	CodeUnsafePath       // an archive entry's path escapes the archive
	CodeCompressionBomb  // an archive entry's compression ratio is over MaxRatio
	CodeOverlappingEntry // an archive entry shares its data with another
	CodeLimit            // an archive or walk limit was reached
	CodeNestingDepth     // an archive nested deeper than MaxArchiveDepth
	CodeTooLarge         // a file over MaxFileSize (or a reader's own limit)
	CodeUnreadable       // an I/O or format error before any reading
	CodeDamagedArchive   // an archive read from its local headers only
	CodeOutsideInput     // a symbolic link leading outside the input, not followed
	CodeInternal         // a recovered panic lost a file's contribution

	// Event logs.
	CodeEVTXUnreadable     // the event log could not be opened
	CodeEVTXDamage         // damaged record regions in chunks holding no IC events
	CodeEVTXHeaderCRC      // file header checksum mismatch (nothing lost)
	CodeEVTXHeader         // file header fields implausible (nothing lost)
	CodeEVTXChunkHeaderCRC // chunk header checksum mismatch (nothing lost)
	CodeEVTXChunkDataCRC   // chunk records checksum mismatch (nothing lost)
	CodeEVTXChunkSkipped   // a non-empty chunk was not parsed
	CodeEVTXChunkTruncated // the file ends inside a chunk
	CodeEVTXRecordFailed   // a record could not be decoded
	CodeEVTXRecordLimit    // records over the per-chunk limit were not decoded
	CodeEVTXDataLimit      // event data fields over the limits were dropped
	CodeEVTXRecordPartial  // a record's damaged end was dropped
	CodeEVTXChunkBudget    // records past a chunk's work budget were not decoded
	CodeEventsLimit        // IC events over MaxEvents were not kept

	// Registry: hives, transaction logs and text exports.
	CodeHiveUnreadable   // the hive could not be opened
	CodeHiveStale        // a dirty hive read without its transaction logs
	CodeHiveDamage       // part of the hive was lost to damage
	CodeLogUnreadable    // a transaction log could not be read
	CodeLogRefused       // a transaction log was refused by the replay
	CodeExportUnreadable // a text export (.reg, reg query, Get-VM, events) could not be parsed
	CodeRegistryProblem  // a part of a hive or export was skipped

	// Correlation.
	CodeHostUnnamed        // a host hive tied to no computer name
	CodeHostGuessed        // a host hive tied to a computer by a guess
	CodeICVersionMalformed // an IC version that is not four numeric parts
	CodeLogUnattributed    // a log naming no computer, under no known host
	CodeMoreProblems       // a file's problems over MaxProblemsPerFile, counted

	// Text forms of other evidence (appended to keep the numbers stable).
	CodeFormProblem       // a row of Get-VM output or an event export that could not be read
	CodeVMGuessed         // a guest export naming no VM, tied to one by its file or folder name
	CodeGuestUnattributed // a guest export naming no VM, tied to none

	codeEnd
)

var codeNames = [codeEnd]string{
	CodeUnknown:            "unknown",
	CodeUnsafePath:         "unsafe-path",
	CodeCompressionBomb:    "compression-bomb",
	CodeOverlappingEntry:   "overlapping-entry",
	CodeLimit:              "limit",
	CodeNestingDepth:       "nesting-depth",
	CodeTooLarge:           "too-large",
	CodeUnreadable:         "unreadable",
	CodeDamagedArchive:     "damaged-archive",
	CodeOutsideInput:       "outside-input",
	CodeInternal:           "internal",
	CodeEVTXUnreadable:     "evtx-unreadable",
	CodeEVTXDamage:         "evtx-damage",
	CodeEVTXHeaderCRC:      "evtx-header-crc",
	CodeEVTXHeader:         "evtx-header",
	CodeEVTXChunkHeaderCRC: "evtx-chunk-header-crc",
	CodeEVTXChunkDataCRC:   "evtx-chunk-data-crc",
	CodeEVTXChunkSkipped:   "evtx-chunk-skipped",
	CodeEVTXChunkTruncated: "evtx-chunk-truncated",
	CodeEVTXRecordFailed:   "evtx-record-failed",
	CodeEVTXRecordLimit:    "evtx-record-limit",
	CodeEVTXDataLimit:      "evtx-data-limit",
	CodeEVTXRecordPartial:  "evtx-record-partial",
	CodeEVTXChunkBudget:    "evtx-chunk-budget",
	CodeEventsLimit:        "events-limit",
	CodeHiveUnreadable:     "hive-unreadable",
	CodeHiveStale:          "hive-stale",
	CodeHiveDamage:         "hive-damage",
	CodeLogUnreadable:      "log-unreadable",
	CodeLogRefused:         "log-refused",
	CodeExportUnreadable:   "export-unreadable",
	CodeRegistryProblem:    "registry-problem",
	CodeHostUnnamed:        "host-unnamed",
	CodeHostGuessed:        "host-guessed",
	CodeICVersionMalformed: "ic-version-malformed",
	CodeLogUnattributed:    "log-unattributed",
	CodeMoreProblems:       "more-problems",
	CodeFormProblem:        "form-problem",
	CodeVMGuessed:          "vm-guessed",
	CodeGuestUnattributed:  "guest-unattributed",
}

// ProblemCodes lists every code but CodeUnknown, in declaration order.
func ProblemCodes() []ProblemCode {
	out := make([]ProblemCode, 0, codeEnd-1)
	for c := CodeUnknown + 1; c < codeEnd; c++ {
		out = append(out, c)
	}
	return out
}

// String returns the code's kebab-case name ("unsafe-path").
func (c ProblemCode) String() string {
	if c < codeEnd {
		return codeNames[c]
	}
	return fmt.Sprintf("code(%d)", uint8(c))
}

// MarshalText implements encoding.TextMarshaler with String.
func (c ProblemCode) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler for the names String
// returns.
func (c *ProblemCode) UnmarshalText(b []byte) error {
	p, ok := ParseProblemCode(string(b))
	if !ok {
		return fmt.Errorf("result: unknown problem code %q", b)
	}
	*c = p
	return nil
}

// ParseProblemCode returns the code named s, and false for an unknown name.
func ParseProblemCode(s string) (ProblemCode, bool) {
	for c, n := range codeNames {
		if n == s {
			return ProblemCode(c), true
		}
	}
	return CodeUnknown, false
}

// Guess reports whether a problem of this code says that the scan filled a
// gap by a guess rather than that something was damaged: a host or a VM
// told from a file's name or folder (host-guessed, vm-guessed). Renderers
// show guesses apart from damage.
func (c ProblemCode) Guess() bool {
	return c == CodeHostGuessed || c == CodeVMGuessed
}
