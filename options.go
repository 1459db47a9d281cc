package hvic

import (
	"github.com/hvic/hvic/evtx"
	"github.com/hvic/hvic/hive"
	"github.com/hvic/hvic/kb"
	"runtime/debug"
	"strings"
)

// Defaults of Options.
const (
	DefaultMaxFileSize        = 512 << 20 // bytes read into memory for one file
	DefaultMaxArchiveBytes    = 4 << 30   // uncompressed bytes taken from archives, in total
	DefaultMaxArchiveEntries  = 100_000   // archive entries looked at, in total
	DefaultMaxRatio           = 200       // compression ratio of an entry of 1 MiB or more
	DefaultMaxArchiveDepth    = 4         // archive nesting
	DefaultMaxFiles           = 1_000_000 // files walked
	DefaultMaxProblemsPerFile = 20        // problems kept per file; one more says how many were dropped
	DefaultMaxEvents          = 1_000_000 // IC events kept in total
	DefaultMemoryBudget       = 512 << 20 // memory shared by the workers for files held whole
	DefaultMaxOpenFiles       = 64        // files and archives open at once
	DefaultMaxEventLogSize    = 64 << 30  // event log size, read in place (evtx.Options.MaxFileSize)
)

// Options tunes a scan. The zero value (or a nil *Options) means the
// documented defaults.
type Options struct {
	// Workers bounds the CPUs the scan keeps busy (default GOMAXPROCS):
	// that many files are read in parallel, and the goroutines decoding
	// an event log share the same bound (with fewer files than Workers,
	// the spare ones go to the event logs). Whatever their number, the
	// files they hold whole share MemoryBudget.
	Workers int
	// Progress, when set, is called after each file is read, from one
	// goroutine at a time, with counts of files and bytes done and total.
	Progress func(Progress)
	// LinuxVMs names VMs (by name or ID) known to run Linux.
	LinuxVMs []string
	// Table is the rule table to evaluate with (default kb.Default()).
	Table *kb.Table
	// Tool and ToolVersion name the program in Result.Run (default "hvic"
	// and this module's version from the build information, "0.0.0-devel" when
	// there is none). A command built on hvic names itself here.
	Tool, ToolVersion string
	// Inputs name the collection in Result.Run when Scan is given an
	// fs.FS (ScanPaths records the paths it was given).
	Inputs []string

	// MaxFileSize caps a file (or archive entry) read whole into memory:
	// a hive, each of its transaction logs, a .reg export, reg query text.
	// Larger ones are refused with a problem. Event logs are not read into
	// memory and are not bound by it (see DefaultMaxEventLogSize). Default
	// 512 MiB.
	MaxFileSize int64
	// MemoryBudget is the memory shared by all workers for the files they
	// hold whole. Before reading one, a worker charges its weight: a
	// hive's size (its image; twice when it has logs, which may grow it)
	// plus the logs that cannot be read in place (compressed in an
	// archive), three times a text export's size (its parsed keys); it
	// waits until the charge fits. A file weighing more than the
	// whole budget waits until nothing else is held and is then read
	// alone, so the data held at once stays below MemoryBudget or the
	// largest single file, whichever is larger. Event logs are read in
	// place, chunk by chunk, in memory bounded by the evtx reader's own
	// limits (EVTX), at any size. Nested archives and compressed event
	// logs in archives are copied to temporary files (TempDir), not held
	// in memory. With the defaults, peak memory stays below about 1 GiB
	// plus the largest hive accepted. Default 512 MiB.
	MemoryBudget int64
	// MaxOpenFiles caps the files and archives held open at once by the
	// walk and the workers together: archives are reopened when read, and
	// idle ones closed first when a slot is needed. Default 64 (at least
	// 2).
	MaxOpenFiles int
	// FollowSymlinks lets ScanPaths follow symbolic links wherever they
	// lead, into linked folders too. By default a link is followed only
	// when its target lies inside the path given to ScanPaths; others are
	// refused with a problem (Scan, which cannot tell, follows none).
	// Devices, named pipes and sockets are always skipped, never opened.
	FollowSymlinks bool
	// TempDir is where nested archives and compressed event logs found in
	// archives are copied to be read (default os.TempDir()); the copies
	// are removed when the scan ends. Nested archives' copies are bounded
	// by MaxArchiveBytes, an event log's by its declared size.
	TempDir string
	// MaxArchiveBytes caps the total declared uncompressed size taken from
	// archives (a nested archive counts through its entries), and
	// separately the temporary copies of nested archives. Default 4 GiB.
	MaxArchiveBytes int64
	// MaxArchiveEntries caps the archive entries looked at, refused ones
	// included. Refused entries are reported one by one up to
	// MaxProblemsPerFile per archive, then counted in one problem per
	// reason. Default 100,000.
	MaxArchiveEntries int
	// MaxRatio caps an archive entry's compression ratio (entries of 1 MiB
	// or more) and the ratio of all entries taken, in total, past their
	// first MiB. Entries whose data overlap another's (a zip bomb's
	// construction) are refused whatever their ratio. Default 200.
	MaxRatio int64
	// MaxArchiveDepth caps archive nesting. Default 4.
	MaxArchiveDepth int
	// MaxFiles caps the files walked. Default 1,000,000.
	MaxFiles int
	// MaxProblemsPerFile caps the problems kept per file. Default 20. The
	// rest, and those a reader did not keep (evtx.Options.MaxProblems),
	// are counted in one last problem, "more-problems".
	MaxProblemsPerFile int
	// MaxEvents caps the IC events kept over the whole scan. Default
	// 1,000,000.
	MaxEvents int

	// EVTX, Hive and Export pass limits to the readers (nil: their
	// defaults). Their MaxFileSize-like limits apply on top of MaxFileSize:
	// a text export is refused above Export.MaxSize (default 64 MiB)
	// before it is read; a hive is read once and its transaction logs in
	// place, as far as replay needs (see package hive).
	EVTX   *evtx.Options
	Hive   *hive.Options
	Export *hive.ExportOptions

	// evtxWorkers is how many goroutines decode one event log: set by the
	// scan from Workers (innerWorkers).
	evtxWorkers int

	// events is the (provider, event ID) selection taken from Table's
	// event catalogue by withDefaults: the only list of what counts.
	events []evtx.EventKey
	// counts are kb's hint providers (kb.HintProviders), every event ID:
	// evtx counts their records (Survey.Counted) for Result.NoHyperV.
	counts []evtx.EventKey
}

// Progress reports how far a scan is.
type Progress struct {
	FilesDone, FilesTotal int
	BytesDone, BytesTotal int64
	// File is the file just finished.
	File string
}

func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	if r.MaxFileSize <= 0 {
		r.MaxFileSize = DefaultMaxFileSize
	}
	if r.MaxArchiveBytes <= 0 {
		r.MaxArchiveBytes = DefaultMaxArchiveBytes
	}
	if r.MaxArchiveEntries <= 0 {
		r.MaxArchiveEntries = DefaultMaxArchiveEntries
	}
	if r.MaxRatio <= 0 {
		r.MaxRatio = DefaultMaxRatio
	}
	if r.MaxArchiveDepth <= 0 {
		r.MaxArchiveDepth = DefaultMaxArchiveDepth
	}
	if r.MaxFiles <= 0 {
		r.MaxFiles = DefaultMaxFiles
	}
	if r.MaxProblemsPerFile <= 0 {
		r.MaxProblemsPerFile = DefaultMaxProblemsPerFile
	}
	if r.MaxEvents <= 0 {
		r.MaxEvents = DefaultMaxEvents
	}
	if r.Tool == "" {
		r.Tool = "hvic"
	}
	if r.ToolVersion == "" {
		r.ToolVersion = moduleVersion()
	}
	if r.Table == nil {
		r.Table = kb.Default()
	}
	r.events = eventKeys(r.Table)
	for _, h := range kb.HintProviders() {
		r.counts = append(r.counts, evtx.EventKey{Provider: h.Provider, AnyID: true})
	}
	return r
}

// eventKeys turns the table's event catalogue (Table.EventKeys) into the
// selection evtx reads: every catalogued (provider, event ID) pair, and
// nothing else. Records carry full provider names, so the table's
// tolerance of names written without "Microsoft-Windows-" is not needed.
func eventKeys(t *kb.Table) []evtx.EventKey {
	keys := []evtx.EventKey{}
	for _, e := range t.EventKeys() {
		if e.EventID > 0xffff || e.Provider == "" {
			continue // no EVTX record carries it
		}
		keys = append(keys, evtx.EventKey{Provider: e.Provider, Prefix: e.Prefix, ID: uint16(e.EventID)})
	}
	return keys
}

// modulePath is this module's path, looked up in the build information.
const modulePath = "github.com/hvic/hvic"

// moduleVersion is this module's version as the running binary records it:
// the main module's when hvic is the main module, the dependency's
// otherwise, without Go's leading "v" (as SARIF wants a version that
// starts with a number); "0.0.0-devel" for a source build with none.
func moduleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "0.0.0-devel"
	}
	m := &bi.Main
	if m.Path != modulePath {
		m = nil
		for _, d := range bi.Deps {
			if d.Path == modulePath {
				m = d
				break
			}
		}
	}
	if m == nil || m.Version == "" || m.Version == "(devel)" {
		return "0.0.0-devel"
	}
	return strings.TrimPrefix(m.Version, "v")
}
