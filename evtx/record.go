package evtx

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Field is one item of a record's event data, in document order. Name is the
// Name attribute of a <Data> element (or the element name inside UserData);
// it is empty for unnamed <Data> elements and for the items of a classic
// string array (insertion strings %1, %2, ...).
type Field struct {
	Name  string
	Value string
}

// Record is one decoded event record (Windows EVENT_RECORD, "**\0\0"), with
// the System part typed and the event data kept as an ordered list.
//
// Normalisations (the raw golang-evtx map differs on each point):
//   - ProviderGUID is upper-case with braces, "{XXXXXXXX-XXXX-...}"; "" when
//     the record has no Guid attribute (classic sources such as storvsp).
//   - EventID and Qualifiers are kept apart: "<EventID Qualifiers="49152">6"
//     gives EventID 6, Qualifiers 49152, HasQualifiers true.
//   - Keywords is the 64-bit mask (golang-evtx prints it as hex text).
//   - TimeCreated is UTC and exact to the 100 ns tick of the FILETIME.
//   - RecordID is the record header's identifier (EventRecordID).
type Record struct {
	File string // Options.Name (or the path given to Open); "" when unknown

	Provider        string // Provider Name, recovered from the classic name-only shape too
	ProviderGUID    string // "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" or ""
	EventSourceName string // Provider EventSourceName attribute, when present
	EventID         uint16
	Qualifiers      uint16
	HasQualifiers   bool
	Version         uint8
	Level           uint8
	Task            uint16
	Opcode          uint8
	Keywords        uint64
	Channel         string
	Computer        string
	TimeCreated     time.Time // UTC, 100 ns precision
	RecordID        uint64
	UserID          string // Security UserID SID ("S-1-5-18"), "" when absent
	ProcessID       uint32 // Execution ProcessID, 0 when absent
	ThreadID        uint32 // Execution ThreadID, 0 when absent

	// Data is the event data in document order: named and unnamed <Data>
	// of EventData, classic string arrays expanded to one Field per string,
	// and the leaf elements of UserData (Name = element name).
	Data []Field
	// Binary is the raw data of EventData's <Binary> element (classic
	// events' data section, such as a driver's status dump), as upper-case
	// hexadecimal like Event Viewer shows it; "" when absent. It counts
	// against Options.MaxDataSize.
	Binary string
	// DataMayBeShifted is true when a classic unnamed string array could
	// not be re-read from its raw bytes and golang-evtx's list was used:
	// that list drops empty strings, so the positions of later items may be
	// shifted left. False when empty strings were recovered exactly.
	DataMayBeShifted bool

	// Recovered is true when a sequential reader would not reach the
	// record: it was found by resynchronising on a later record header
	// after damage in its chunk, beyond the chunk's free space offset (a
	// chunk header lagging behind its records), or in a chunk cut short by
	// the end of the file. python-evtx and libevtx stop before such
	// records; this package reads them and counts them in
	// Stats.RecordsRecovered instead of RecordsDecoded.
	Recovered bool
	// Partial is true when the record's end is damaged (its trailing size
	// copy is wrong) and its fields were decoded from what is left: the
	// System part is normally whole, the event data may be cut short or
	// missing. A ProblemRecordPartial is listed for it.
	Partial bool

	Chunk  int   // chunk slot index (0 = the chunk at file offset 4096)
	Offset int64 // file offset of the record header
}

// DataValue returns the value of the first field named name (case-sensitive)
// and whether it exists.
func (r *Record) DataValue(name string) (string, bool) {
	for _, f := range r.Data {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// Options limits what a File reads. The zero value (or a nil *Options) means
// the documented defaults.
type Options struct {
	// Name labels records and problems (Record.File, FormatError.File).
	// Open sets it to the path when empty.
	Name string
	// MaxFileSize is the largest input accepted, in bytes; larger inputs fail
	// with ErrTooLarge. Default DefaultMaxFileSize, in effect no limit: the
	// input is read in place (io.ReaderAt), one chunk at a time, so memory
	// does not grow with the file size (see the package documentation,
	// Guarantees and limits).
	MaxFileSize int64
	// MaxRecordsPerChunk caps the records decoded in one chunk; the rest are
	// reported as a problem. Default 8192 (a 64 KiB chunk cannot hold more
	// than about 2700 well-formed records).
	MaxRecordsPerChunk int
	// MaxDataFields caps the Fields kept per record; the rest are dropped and
	// reported. Default 1024.
	MaxDataFields int
	// MaxDataSize caps the total bytes of Field names and values kept per
	// record. Default 1 MiB.
	MaxDataSize int
	// MaxChunkWork caps the decoding work spent on one chunk, shared by its
	// records, so that the time a chunk costs is bounded whatever its
	// records hold. Work is counted in units: bytes golang-evtx reads, 16
	// per seek it makes and 16 per element converted. Each record may
	// also spend at most 256 Ki units plus 16 per byte of the record. A
	// record over either budget fails (ProblemRecordFailed, ErrDecode); a
	// template instance whose expansion (definitions reached through
	// nested instances, counted as often as they are instantiated) cannot
	// fit in what is left fails at once, charged its whole allowance (the
	// whole chunk's budget when it exceeds the record's own budget: a
	// fan-out chain). A failed record costs at least 32 Ki units, so a
	// chunk reports at most 64 failed records one by one. Once the
	// chunk's budget is spent, its remaining records are counted, not
	// decoded, and reported in one ProblemChunkBudget (one per run between
	// damaged regions, which are still reported in order); the next chunk
	// gets a new budget. Default DefaultMaxChunkWork.
	MaxChunkWork int64
	// MaxProblems caps the problems kept by one pass (Records,
	// ParallelRecords, ScanIC, Survey), file-header problems included:
	// the first ones in file order are kept, the rest are counted
	// (Stats.ProblemsDropped) and, when any were dropped, the list ends
	// with one more, ProblemsDropped, saying how many. Every count of
	// Stats and ScanStats still covers the whole pass. Default
	// DefaultMaxProblems.
	MaxProblems int

	// unchecked hands golang-evtx each record without the validator: set
	// only by the tests that compare the two (mirror_test.go).
	unchecked bool
}

// Defaults of Options.
const (
	DefaultMaxFileSize        = 1 << 50 // 1 PiB: no limit in practice (the reader works in place)
	DefaultMaxRecordsPerChunk = 8192
	DefaultMaxDataFields      = 1024
	DefaultMaxDataSize        = 1 << 20
	// DefaultMaxChunkWork is 2 Mi units: 2.5 times the heaviest chunk of
	// 34 real logs (0.8 Mi, a classic System log), 4 times a chunk of
	// generated Hyper-V events, and a chunk that spends all of it decodes
	// in 20-60 ms (under 1 s per MiB of crafted log).
	DefaultMaxChunkWork = 2 << 20
	// DefaultMaxProblems is 1,000 problems per pass: a crafted chunk can
	// report a few thousand damaged regions, so a large log could
	// otherwise hold millions.
	DefaultMaxProblems = 1000
)

func (o *Options) withDefaults() Options {
	var v Options
	if o != nil {
		v = *o
	}
	if v.MaxFileSize <= 0 {
		v.MaxFileSize = DefaultMaxFileSize
	}
	if v.MaxRecordsPerChunk <= 0 {
		v.MaxRecordsPerChunk = DefaultMaxRecordsPerChunk
	}
	if v.MaxDataFields <= 0 {
		v.MaxDataFields = DefaultMaxDataFields
	}
	if v.MaxDataSize <= 0 {
		v.MaxDataSize = DefaultMaxDataSize
	}
	if v.MaxChunkWork <= 0 {
		v.MaxChunkWork = DefaultMaxChunkWork
	}
	if v.MaxProblems <= 0 {
		v.MaxProblems = DefaultMaxProblems
	}
	return v
}

// Header is the EVTX file header (ELFFILE_HEADER, "ElfFile\0").
type Header struct {
	FirstChunk    uint64 // oldest chunk number
	LastChunk     uint64 // current chunk number
	NextRecordID  uint64
	HeaderSize    uint32 // 128
	MinorVersion  uint16 // 1 or 2
	MajorVersion  uint16 // 3
	HeaderBlock   uint16 // 4096
	ChunkCount    uint16 // not trusted: chunks are found by slot and magic
	Flags         uint32 // 0x1 dirty, 0x2 full
	Checksum      uint32 // CRC32 of the first 120 bytes
	ChecksumValid bool   // the stored Checksum matches
}

// Dirty reports the ELF_LOGFILE_HEADER_DIRTY flag: the log was not closed
// cleanly and the header counts are stale.
func (h Header) Dirty() bool { return h.Flags&1 != 0 }

// Full reports the ELF_LOGFILE_HEADER_FULL flag.
func (h Header) Full() bool { return h.Flags&2 != 0 }

// Stats counts what one pass of Records read.
type Stats struct {
	ChunkSlots    int // 64 KiB slots after the file header (a partial last slot counts)
	ChunksPresent int // slots that start with the "ElfChnk\0" magic
	ChunksParsed  int // chunks whose records were walked
	ChunksEmpty   int // slots that are all zero bytes (never used: not a problem)
	ChunksSkipped int // slots neither parsed nor empty (bad magic, truncated, bad header)

	// RecordsAttempted counts the record headers found (well-formed, or
	// whole but for a damaged end) plus the damaged regions between them:
	// RecordsDecoded + RecordsRecovered + RecordsFailed.
	RecordsAttempted int
	// RecordsDecoded counts the records yielded that a sequential reader
	// (one that follows the record sizes from the chunk's first record and
	// stops at the first bad header, as python-evtx and libevtx do) also
	// reaches; Partial records among them.
	RecordsDecoded int
	// RecordsRecovered counts the further records yielded that only
	// resynchronisation reaches (Record.Recovered): after damage inside a
	// chunk, beyond a lagging free space offset, or in a truncated chunk.
	RecordsRecovered int
	// RecordsFailed counts records not decoded, plus damaged regions (each
	// counted once; see Problem.Lost).
	RecordsFailed int

	// Problems are the file-header problems first, then in file order, at
	// most Options.MaxProblems of them, then one ProblemsDropped when
	// ProblemsDropped is not zero.
	Problems []Problem
	// ProblemsDropped counts the problems over Options.MaxProblems, not
	// kept.
	ProblemsDropped int

	loss lossCounts // what the problems lost, kept or not (for Survey)
}

// ProblemKind classifies a Problem.
type ProblemKind int

// Problem kinds. Warnings (checksums, dirty header) lose no data; the others
// lose records or chunks.
const (
	ProblemUnknown        ProblemKind = iota
	ProblemHeaderCRC                  // file header checksum mismatch (warning)
	ProblemHeader                     // file header fields implausible (warning)
	ProblemChunkHeaderCRC             // chunk header checksum mismatch (warning)
	ProblemChunkDataCRC               // chunk event-records checksum mismatch (warning)
	ProblemChunkSkipped               // a non-empty slot was not parsed
	ProblemChunkTruncated             // the file ends inside a chunk; the records present were read
	ProblemRecordFailed               // a record was found but could not be decoded
	ProblemRecordLimit                // records beyond MaxRecordsPerChunk were not decoded
	ProblemDataLimit                  // fields beyond MaxDataFields / MaxDataSize were dropped
	_                                 // formerly ProblemDataShifted: never reported
	ProblemRecordPartial              // a record's end is damaged; it was yielded with what could be decoded (Record.Partial)
	ProblemChunkBudget                // records left in a chunk once its MaxChunkWork was spent were not decoded
	ProblemDamagedRegions             // Survey: damaged regions between records in chunks it did not decode (Lost counts them)
	ProblemsDropped                   // problems over Options.MaxProblems were not kept (Lost counts them; warning)
)

var problemNames = [...]string{
	ProblemUnknown:        "unknown",
	ProblemHeaderCRC:      "header-crc",
	ProblemHeader:         "header",
	ProblemChunkHeaderCRC: "chunk-header-crc",
	ProblemChunkDataCRC:   "chunk-data-crc",
	ProblemChunkSkipped:   "chunk-skipped",
	ProblemChunkTruncated: "chunk-truncated",
	ProblemRecordFailed:   "record-failed",
	ProblemRecordLimit:    "record-limit",
	ProblemDataLimit:      "data-limit",
	ProblemRecordPartial:  "record-partial",
	ProblemChunkBudget:    "chunk-budget",
	ProblemDamagedRegions: "damaged-regions",
	ProblemsDropped:       "problems-dropped",
}

// String returns the stable kebab-case name of k ("chunk-skipped"), the
// spelling of every enum of the module.
func (k ProblemKind) String() string {
	if k >= 0 && int(k) < len(problemNames) {
		return problemNames[k]
	}
	return fmt.Sprintf("problem(%d)", int(k))
}

// MarshalText implements encoding.TextMarshaler with String.
func (k ProblemKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Warning reports whether a problem of this kind loses no data.
func (k ProblemKind) Warning() bool {
	switch k {
	case ProblemHeaderCRC, ProblemHeader, ProblemChunkHeaderCRC, ProblemChunkDataCRC, ProblemsDropped:
		return true
	}
	return false
}

// Problem is one piece of damage met while reading, with where it is and
// what it cost. Err is always a *FormatError.
type Problem struct {
	Kind     ProblemKind
	Chunk    int    // chunk slot index, -1 for the file header
	Offset   int64  // file offset of the damaged structure
	RecordID uint64 // record identifier when known, else 0
	Lost     int    // records lost: 1 per failed record, the identifier gap for a damaged region, the record headers seen in a skipped chunk; 0 for warnings and partial records
	Err      error
}

// Sentinel errors. Every error of this package wraps one of them.
var (
	// ErrNotEVTX: the input does not start with the "ElfFile\0" signature
	// and holds no chunk either.
	ErrNotEVTX = errors.New("evtx: not an evtx file")
	// ErrCorrupt: a structure is damaged (bad magic, impossible size).
	ErrCorrupt = errors.New("evtx: corrupt")
	// ErrTruncated: the input ends inside a structure.
	ErrTruncated = errors.New("evtx: truncated")
	// ErrChecksum: a stored CRC32 does not match the data.
	ErrChecksum = errors.New("evtx: checksum mismatch")
	// ErrTooLarge: the input or a structure exceeds a limit in Options.
	ErrTooLarge = errors.New("evtx: exceeds limit")
	// ErrDecode: golang-evtx failed (or panicked) decoding a record's BinXML.
	ErrDecode = errors.New("evtx: cannot decode record")
)

// FormatError is the positional error: damage at a file offset, in a chunk,
// possibly in a known record. Err is one of the sentinels, possibly wrapping
// the underlying cause.
type FormatError struct {
	File     string // Options.Name, when known
	Chunk    int    // chunk slot index, -1 for the file header or the file as a whole
	Offset   int64  // file offset, -1 when not applicable
	RecordID uint64 // 0 when unknown
	What     string // what was being read ("chunk header", "record")
	Err      error
}

// Error formats the position and the cause, the package and the file
// named once: "evtx: FILE: chunk N offset 0x.. record ID WHAT: cause".
func (e *FormatError) Error() string {
	if e.File != "" {
		return "evtx: " + e.File + ": " + e.Detail()
	}
	return "evtx: " + e.Detail()
}

// Detail is Error without the package and file names: the position, what
// was being read and the cause ("chunk 3 offset 0x31000 chunk header:
// corrupt: bad chunk signature"), for a caller that names the file itself.
func (e *FormatError) Detail() string {
	var parts []string
	if e.Chunk >= 0 {
		parts = append(parts, fmt.Sprintf("chunk %d", e.Chunk))
	}
	if e.Offset >= 0 {
		parts = append(parts, fmt.Sprintf("offset 0x%x", e.Offset))
	}
	if e.RecordID != 0 {
		parts = append(parts, fmt.Sprintf("record %d", e.RecordID))
	}
	// "record 3 record" says record twice: the record number already
	// names what was read.
	if e.What != "" && (e.What != "record" || e.RecordID == 0) {
		parts = append(parts, e.What)
	}
	// The sentinels say "evtx: ..." for a caller that meets them alone;
	// inside a FormatError the package is already named.
	cause := strings.TrimPrefix(errString(e.Err), "evtx: ")
	if len(parts) == 0 {
		return cause
	}
	return strings.Join(parts, " ") + ": " + cause
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// Unwrap returns the sentinel (or cause) the error wraps.
func (e *FormatError) Unwrap() error { return e.Err }
