package hive

import (
	"bytes"
	"context"
	"fmt"
	"io"
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

	// maxDepthLimit is the largest Options.MaxDepth honoured.
	maxDepthLimit = 1 << 16
)

// Options bounds what a hive may make the reader do. The zero value (or a
// nil *Options) means the documented defaults.
type Options struct {
	// MaxHiveSize caps the primary file's size in bytes (default
	// DefaultMaxHiveSize). A larger file fails with ErrTooLarge.
	MaxHiveSize int64
	// MaxLogSize caps the bytes read of each transaction log (default
	// DefaultMaxLogSize); MaxLogBytes also bounds them relative to the
	// hive. Entries past the cap are not applied, and that is reported
	// (ErrTooLarge).
	MaxLogSize int64
	// MaxDepth caps the key nesting depth walked and looked up (default
	// DefaultMaxDepth; values above maxDepthLimit count as maxDepthLimit, so
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
	if r.MaxDepth > maxDepthLimit {
		r.MaxDepth = maxDepthLimit
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

// LogFile is one transaction log given to FromBytes or FromReader: its
// file name (used in Recovery and errors only) and its content, either in
// Data or, when Data is nil, read in place through Reader. Size is the
// log's size: required with Reader; with Data, set it when Data holds only
// the start of a larger log (0 means len(Data)), so that entries cut by
// the end of Data are reported as not read rather than taken for the end
// of the log. Only the log header and the entries replay applies are
// read, up to MaxLogBytes of the hive.
type LogFile struct {
	Name   string
	Data   []byte
	Reader io.ReaderAt
	Size   int64
}

// source returns the log's content as a ReaderAt and its size.
func (l LogFile) source() (io.ReaderAt, int64) {
	if l.Data != nil || l.Reader == nil {
		return bytes.NewReader(l.Data), max(int64(len(l.Data)), l.Size)
	}
	return l.Reader, max(l.Size, 0)
}

// MaxLogBytes is how many bytes of one transaction log are read for a
// hive of hiveSize bytes: four times the hive plus 16 MiB, and at most
// Options.MaxLogSize. Entries past it are not applied and reported. The
// image replay builds never grows past the base file plus the bytes the
// applied entries carry (and never past MaxHiveSize).
func MaxLogBytes(hiveSize int64, opts *Options) int64 {
	o := opts.withDefaults()
	return min(o.MaxLogSize, 4*max(hiveSize, 0)+16<<20)
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
	private  bool   // img is the Hive's own (replay may write it in place)
	limit    int64  // replay never grows img past this many bytes
	logLimit int64  // bytes of each log read (MaxLogBytes)
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
// and replays them when the hive is dirty. The hive is read whole (once,
// bounded by MaxHiveSize); the logs are read in place, only as far as
// replay needs. A missing or bad log never fails Open: it is reported in
// Recovery and Problems. A done ctx stops reading and replay within a
// chunk and fails Open with ctx's error.
func Open(ctx context.Context, path string, opts *Options) (*Hive, error) {
	dir, file := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	var names []string
	if entries, err := os.ReadDir(dir); err == nil {
		names = siblingLogs(entries, file)
	}
	return openWith(ctx, func(p string) (fs.File, error) { return os.Open(filepath.Join(dir, p)) }, file, names, opts)
}

// OpenFS is Open on a file of fsys; name uses fs.FS slash-separated paths.
func OpenFS(ctx context.Context, fsys fs.FS, name string, opts *Options) (*Hive, error) {
	dir, file := path.Split(name)
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		dir = "."
	}
	var names []string
	if entries, err := fs.ReadDir(fsys, dir); err == nil {
		names = siblingLogs(entries, file)
	}
	return openWith(ctx, func(p string) (fs.File, error) { return fsys.Open(path.Join(dir, p)) }, file, names, opts)
}

// openWith opens file and its logs (names) through open, relative to the
// hive's folder.
func openWith(ctx context.Context, open func(string) (fs.File, error), file string, names []string, opts *Options) (*Hive, error) {
	o := opts.withDefaults()
	f, err := open(file)
	if err != nil {
		return nil, fmt.Errorf("hive: %w", err)
	}
	defer f.Close()
	size := int64(-1)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	var logs []LogFile
	var problems []error
	for _, n := range names {
		l, closer, err := openLog(open, n, MaxLogBytes(max(size, 0), &o))
		if err != nil {
			problems = append(problems, err)
			continue
		}
		defer closer()
		logs = append(logs, l)
	}
	var h *Hive
	if size >= 0 {
		h, err = FromReader(ctx, file, f, size, logs, &o)
	} else {
		var base []byte
		if base, err = readFileLimited(func(string) (fs.File, error) { return f, nil }, file, o.MaxHiveSize); err == nil {
			h, err = fromBytes(ctx, file, base, true, logs, o)
		}
	}
	if err != nil {
		return nil, err
	}
	h.problems = append(problems, h.problems...)
	return h, nil
}

// openLog opens one log: in place when its file offers io.ReaderAt, else
// read whole up to limit bytes.
func openLog(open func(string) (fs.File, error), name string, limit int64) (LogFile, func(), error) {
	f, err := open(name)
	if err != nil {
		return LogFile{}, nil, fmt.Errorf("hive: %w", err)
	}
	if ra, ok := f.(io.ReaderAt); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			return LogFile{Name: name, Reader: ra, Size: fi.Size()}, func() { f.Close() }, nil
		}
	}
	defer f.Close()
	// Read what replay may use; entries past it are reported.
	data, err := io.ReadAll(io.LimitReader(f, limit))
	if err != nil {
		return LogFile{}, nil, fmt.Errorf("hive: %s: %w", name, err)
	}
	l := LogFile{Name: name, Data: data}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		l.Size = fi.Size()
	}
	return l, func() {}, nil
}

// FromBytes reads a hive from its bytes and replays the given logs when it
// is dirty. base is never modified: replay works on one copy. When no log
// is applied the Hive, and the Data of the values it returns, refer to
// base, which the caller must then leave unchanged. A done ctx stops
// replay and fails with ctx's error.
func FromBytes(ctx context.Context, base []byte, logs []LogFile, opts *Options) (*Hive, error) {
	return fromBytes(ctx, "", base, false, logs, opts.withDefaults())
}

// FromReader reads a hive of size bytes from r (name is used in errors
// and Problems), then replays the given logs when it is dirty. The hive is
// read once into a buffer that replay then updates in place, sized for the
// growth the logs allow, so no copy is made; runs of zero bytes (a sparse
// file) are not copied, so they usually cost no resident memory (not
// always: when the Go runtime hands back memory freed earlier in the
// process, it zeroes the whole buffer, which makes it resident; the cost
// is then the hive's size, as MemoryBudget-style limits assume). A size over
// MaxHiveSize fails with ErrTooLarge without reading; fewer bytes than size
// is a truncated hive. ctx is checked between 1 MiB chunks.
func FromReader(ctx context.Context, name string, r io.Reader, size int64, logs []LogFile, opts *Options) (*Hive, error) {
	o := opts.withDefaults()
	if size > o.MaxHiveSize {
		return nil, &FormatError{File: name, Offset: o.MaxHiveSize, What: "file size", Err: fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, size, o.MaxHiveSize)}
	}
	base, err := readImage(ctx, r, max(size, 0), growth(max(size, 0), logs, o))
	if err != nil {
		return nil, withName(name, err)
	}
	return fromBytes(ctx, name, base, true, logs, o)
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
