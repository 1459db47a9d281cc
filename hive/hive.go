package hive

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"www.velocidex.com/golang/regparser"
)

// Default limits used when the matching Options field is zero.
const (
	DefaultMaxHiveSize  = 1 << 30 // 1 GiB: the largest SOFTWARE hives seen are a few hundred MiB
	DefaultMaxLogSize   = 1 << 30 // 1 GiB per transaction log
	DefaultMaxDepth     = 512     // key nesting depth (Windows allows 512) and index nesting
	DefaultMaxSubkeys   = 1 << 20 // subkeys of one key
	DefaultMaxValues    = 1 << 16 // values of one key
	DefaultMaxValueSize = 1 << 26 // 64 MiB of data for one value (big data included)

	// MaxDepthLimit is the largest Options.MaxDepth honoured.
	MaxDepthLimit = 1 << 16
)

// Options bounds what a hive may make the reader do. The zero value (or a
// nil *Options) means the documented defaults.
type Options struct {
	// MaxHiveSize caps the primary file's size in bytes (default
	// DefaultMaxHiveSize). A larger file fails with ErrTooLarge.
	MaxHiveSize int64
	// MaxLogSize caps each transaction log's size (default
	// DefaultMaxLogSize). A larger log is refused, not read.
	MaxLogSize int64
	// MaxDepth caps the key nesting depth walked and looked up (default
	// DefaultMaxDepth; values above MaxDepthLimit count as MaxDepthLimit, so
	// Walk's recursion stays far from Go's stack limit). Index lists (ri)
	// nest at most 8 deep whatever this says (Windows writes one level).
	MaxDepth int
	// MaxSubkeys caps the subkeys listed for one key (default
	// DefaultMaxSubkeys); a longer list is cut and reported.
	MaxSubkeys int
	// MaxValues caps the values read for one key (default DefaultMaxValues).
	MaxValues int
	// MaxValueSize caps one value's data in bytes (default
	// DefaultMaxValueSize); a larger value fails with ErrTooLarge.
	MaxValueSize int64
	// NoReplay skips transaction-log replay even when the hive is dirty:
	// the base file is read as it is (Recovery still says it was dirty).
	NoReplay bool
}

func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	if r.MaxHiveSize <= 0 {
		r.MaxHiveSize = DefaultMaxHiveSize
	}
	if r.MaxLogSize <= 0 {
		r.MaxLogSize = DefaultMaxLogSize
	}
	if r.MaxDepth <= 0 {
		r.MaxDepth = DefaultMaxDepth
	}
	if r.MaxDepth > MaxDepthLimit {
		r.MaxDepth = MaxDepthLimit
	}
	if r.MaxSubkeys <= 0 {
		r.MaxSubkeys = DefaultMaxSubkeys
	}
	if r.MaxValues <= 0 {
		r.MaxValues = DefaultMaxValues
	}
	if r.MaxValueSize <= 0 {
		r.MaxValueSize = DefaultMaxValueSize
	}
	return r
}

// LogFile is one transaction log given to FromBytes: its file name (used
// in Recovery and errors only) and its whole content.
type LogFile struct {
	Name string
	Data []byte
}

// LogFormat tells the two transaction-log formats apart.
type LogFormat int

// Transaction-log formats.
const (
	LogUnknown LogFormat = iota // not recognised (refused)
	LogOld                      // Vista to Windows 8 / 2012: base block + DIRT bitmap + pages
	LogNew                      // Windows 8.1 / 2012 R2 and later: base block + HvLE entries
)

// String returns "old", "new" or "unknown".
func (f LogFormat) String() string {
	switch f {
	case LogOld:
		return "old"
	case LogNew:
		return "new"
	}
	return "unknown"
}

// LogResult says what replay did with one transaction log.
type LogResult struct {
	Name   string    // file name as given
	Format LogFormat // format found in its header
	// Sequence is the log header's primary sequence number (the first HvLE
	// entry sequence expected in the new format).
	Sequence uint32
	// Entries counts the HvLE entries applied (new format; 0 for old).
	Entries int
	// Pages counts what was written, as regipy counts it: dirty page
	// references (runs of 4 KiB pages) for the new format, 512-byte dirty
	// sectors for the old one.
	Pages int
	// Bytes is the number of bytes written into the image.
	Bytes int64
	// LastSequence is the sequence number of the last entry applied.
	LastSequence uint32
	// Stop says why the entry loop of an applied new-format log ended
	// before the end of the file: usually stale entries or padding after
	// the last valid one, which is normal; nil when the file ended there.
	Stop error
	// Err is why the log was refused (Refused only). It wraps ErrBadLog.
	Err error
}

// Recovery describes the base block and the transaction-log replay.
type Recovery struct {
	// Dirty is true when the base block's primary and secondary sequence
	// numbers differ: the file alone is stale.
	Dirty bool
	// PrimarySequence and SecondarySequence are the base file's own.
	PrimarySequence, SecondarySequence uint32
	// BaseBlockRestored is true when the base block failed its checksum and
	// was taken from a log's header (a BadBaseBlockHive case).
	BaseBlockRestored bool
	// Applied lists, in the order applied, the logs that changed the image.
	Applied []LogResult
	// Refused lists logs that were read and not applied, each with Err.
	Refused []LogResult
	// Recovered is true when the image read is the replayed one.
	Recovered bool
}

// PagesApplied is the total of Pages over Applied.
func (r Recovery) PagesApplied() int {
	n := 0
	for _, l := range r.Applied {
		n += l.Pages
	}
	return n
}

// Hive is a registry hive (regf) read into memory, with its transaction
// logs replayed. It is safe for concurrent readers: nothing changes after
// Open returns.
type Hive struct {
	name     string
	opts     Options
	img      []byte // base block + hive bins, logs applied
	fromLog  []bool // per 4 KiB page of the bins: restored by replay
	root     uint32 // root cell offset (relative to the first hbin)
	binsSize int64  // hive bins data size in effect (base block or last log entry)
	minor    uint32 // format minor version in effect
	info     Info
	recovery Recovery
	problems []error
	profile  *regparser.RegistryProfile // field offsets of nk and vk cells (see regparser.go)
}

// Info holds base-block fields a caller may want to show.
type Info struct {
	// FileName is the name stored in the base block (the last 31 UTF-16
	// characters of the hive's path on the machine that wrote it).
	FileName string
	// LastWritten is the base block's timestamp.
	LastWritten time.Time
	// Major and Minor are the format version (1.3 to 1.6).
	Major, Minor uint32
	// Size is the hive-bins data size the base block declares.
	Size uint32
}

// Open reads the hive file at path, and the sibling transaction logs whose
// names are the hive's name plus ".LOG", ".LOG1" or ".LOG2" in any case,
// and replays them when the hive is dirty. A missing or bad log never
// fails Open: it is reported in Recovery and Problems.
func Open(path string, opts *Options) (*Hive, error) {
	o := opts.withDefaults()
	base, err := readFileLimited(os.Open, path, o.MaxHiveSize)
	if err != nil {
		return nil, err
	}
	dir, file := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	var logs []LogFile
	var problems []error
	if entries, err := os.ReadDir(dir); err == nil {
		for _, name := range siblingLogs(entries, file) {
			p := filepath.Join(dir, name)
			data, err := readFileLimited(os.Open, p, o.MaxLogSize)
			if err != nil {
				problems = append(problems, err)
				continue
			}
			logs = append(logs, LogFile{Name: name, Data: data})
		}
	}
	h, err := fromBytes(file, base, logs, o)
	if err != nil {
		return nil, err
	}
	h.problems = append(problems, h.problems...)
	return h, nil
}

// OpenFS is Open on a file of fsys; name uses fs.FS slash-separated paths.
func OpenFS(fsys fs.FS, name string, opts *Options) (*Hive, error) {
	o := opts.withDefaults()
	open := func(p string) (fs.File, error) { return fsys.Open(p) }
	base, err := readFileLimited(open, name, o.MaxHiveSize)
	if err != nil {
		return nil, err
	}
	dir, file := path.Split(name)
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		dir = "."
	}
	var logs []LogFile
	var problems []error
	if entries, err := fs.ReadDir(fsys, dir); err == nil {
		for _, n := range siblingLogs(entries, file) {
			data, err := readFileLimited(open, path.Join(dir, n), o.MaxLogSize)
			if err != nil {
				problems = append(problems, err)
				continue
			}
			logs = append(logs, LogFile{Name: n, Data: data})
		}
	}
	h, err := fromBytes(file, base, logs, o)
	if err != nil {
		return nil, err
	}
	h.problems = append(problems, h.problems...)
	return h, nil
}

// FromBytes reads a hive from its bytes and replays the given logs when it
// is dirty. base is never modified: replay works on a copy. When no log is
// applied the Hive, and the Data of the values it returns, refer to base,
// which the caller must then leave unchanged.
func FromBytes(base []byte, logs []LogFile, opts *Options) (*Hive, error) {
	return fromBytes("", base, logs, opts.withDefaults())
}

// Name returns the file name given to Open or OpenFS ("" for FromBytes).
func (h *Hive) Name() string { return h.name }

// Info returns base-block fields.
func (h *Hive) Info() Info { return h.info }

// Recovery tells whether the base was dirty and what replay did.
func (h *Hive) Recovery() Recovery { return h.recovery }

// Problems lists damage met while opening: unreadable or refused logs, a
// bad base block, a truncated file, a bad hive bin header. Damage met later
// while reading one key is in that Key's Problems. Each wraps one of the
// package's sentinels; most are *FormatError.
func (h *Hive) Problems() []error {
	out := make([]error, len(h.problems))
	copy(out, h.problems)
	return out
}

// RootName returns the root key's stored name (such as "ROOT",
// "CMI-CreateHive{...}" or "CsiTool-CreateHive-{...}").
func (h *Hive) RootName() (string, error) {
	k, err := h.Key("")
	if err != nil {
		return "", err
	}
	return k.Name, nil
}

// Key returns the key at path, relative to the hive root ("" is the root),
// components separated by `\` and compared case-insensitively. Key.Path is
// spelled as stored. It implements KeyReader. Value data (except big
// data) share the hive's memory: copy them before modifying them. Damage
// inside the key (a bad value, a looping subkey list) is in Key.Problems;
// an error is returned only when the key itself cannot be reached or read.
func (h *Hive) Key(path string) (*Key, error) {
	off, names, err := h.lookup(path)
	if err != nil {
		return nil, err
	}
	return h.readKey(off, strings.Join(names, `\`))
}

// Walk visits the key at path and all its descendants depth first, in
// stored subkey order, calling fn for each. A key that cannot be read is
// passed to fn with a nil *Key and its error; fn returning a non-nil error
// stops the walk and Walk returns it. fs.SkipDir skips the key's subtree.
// Depth is capped by Options.MaxDepth and a key met twice is not entered
// again (both reported as ErrCorrupt errors to fn).
func (h *Hive) Walk(path string, fn func(k *Key, err error) error) error {
	off, names, err := h.lookup(path)
	if err != nil {
		return err
	}
	return h.walk(off, strings.Join(names, `\`), fn)
}

var _ KeyReader = (*Hive)(nil)

// siblingLogs returns the names among entries that are file's transaction
// logs: file + ".LOG", ".LOG1", ".LOG2" compared case-insensitively, in
// that order.
func siblingLogs(entries []fs.DirEntry, file string) []string {
	var out []string
	for _, suffix := range []string{".LOG", ".LOG1", ".LOG2"} {
		for _, e := range entries {
			if !e.IsDir() && strings.EqualFold(e.Name(), file+suffix) {
				out = append(out, e.Name())
				break
			}
		}
	}
	return out
}
