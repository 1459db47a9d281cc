package collect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Default limits (see Options).
const (
	DefaultMaxFileSize       = 512 << 20
	DefaultMaxArchiveBytes   = 4 << 30
	DefaultMaxArchiveEntries = 100_000
	DefaultMaxRatio          = 200
	DefaultRatioFloor        = 1 << 20
	DefaultMaxDepth          = 4
	DefaultMaxFiles          = 1_000_000
	DefaultMemoryBudget      = 512 << 20
	DefaultMaxOpenFiles      = 64
	DefaultMaxRefusedListed  = 20
)

// Options bounds the walk. The zero value means the defaults above.
type Options struct {
	// MaxFileSize is the largest file (or archive entry) read whole into
	// memory for analysis (hives, their logs, text exports); larger ones
	// are skipped. Event logs are read in place and have no such limit.
	// Default 512 MiB.
	MaxFileSize int64
	// MaxArchiveBytes caps the sum of the declared uncompressed sizes of
	// all archive entries taken, over every archive and nesting level (a
	// nested archive counts through its entries), and separately the
	// temporary copies of compressed nested archives. Default 4 GiB.
	MaxArchiveBytes int64
	// MaxArchiveEntries caps the number of archive entries looked at, over
	// all archives, refused ones included. Default 100,000.
	MaxArchiveEntries int
	// MaxRatio is the largest uncompressed:compressed ratio accepted for an
	// archive entry whose uncompressed size is at least RatioFloor, and
	// for the running total of all entries taken (small entries included)
	// beyond RatioFloor. Default 200 (deflate's own maximum is about 1032).
	MaxRatio int64
	// RatioFloor: entries smaller than this are not ratio-checked one by
	// one (a mostly empty 64 KiB log chunk compresses very well), only in
	// the total. Default 1 MiB.
	RatioFloor int64
	// MaxDepth caps archive nesting (a zip in a zip is depth 2). Default 4.
	MaxDepth int
	// MaxFiles caps the number of folder entries and archive entries walked
	// in total. Default 1,000,000.
	MaxFiles int
	// MemoryBudget is the memory shared by the readers for the files they
	// hold whole (see File.Weight and File.Reserve). Default 512 MiB.
	MemoryBudget int64
	// MaxOpenFiles caps the files and archives held open at once by the
	// walk and the readers together (at least 2). Default 64.
	MaxOpenFiles int
	// MaxRefusedListed caps the refused entries listed one by one per
	// archive; the others are counted in one Skipped entry per reason.
	// Default 20.
	MaxRefusedListed int
	// FollowSymlinks lets the walk follow symbolic links wherever they
	// lead, into linked folders too. By default a link is followed only
	// when WalkPaths finds its target inside the path it was given;
	// Walk, which cannot tell, follows none.
	FollowSymlinks bool
	// TempDir is where nested archives and compressed event logs are
	// spilled (default os.TempDir()). The files are removed by Set.Close.
	TempDir string
}

func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	def := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&r.MaxFileSize, DefaultMaxFileSize)
	def(&r.MaxArchiveBytes, DefaultMaxArchiveBytes)
	def(&r.MaxRatio, DefaultMaxRatio)
	def(&r.RatioFloor, DefaultRatioFloor)
	def(&r.MemoryBudget, DefaultMemoryBudget)
	defInt(&r.MaxArchiveEntries, DefaultMaxArchiveEntries)
	defInt(&r.MaxDepth, DefaultMaxDepth)
	defInt(&r.MaxFiles, DefaultMaxFiles)
	defInt(&r.MaxOpenFiles, DefaultMaxOpenFiles)
	defInt(&r.MaxRefusedListed, DefaultMaxRefusedListed)
	r.MaxOpenFiles = max(r.MaxOpenFiles, minOpenFiles)
	return r
}

// Reason says why a file was skipped or refused.
type Reason string

// Reasons for skipping a file.
const (
	ReasonUnrecognised = Reason("unrecognised")      // content is none of the known kinds
	ReasonEmpty        = Reason("empty")             // zero bytes
	ReasonTooLarge     = Reason("too-large")         // over MaxFileSize
	ReasonUnsafePath   = Reason("unsafe-path")       // archive entry escapes the archive
	ReasonBomb         = Reason("compression-bomb")  // ratio over MaxRatio
	ReasonOverlap      = Reason("overlapping-entry") // archive entry sharing its data with another
	ReasonLimit        = Reason("limit")             // an archive or walk limit was reached
	ReasonDepth        = Reason("nesting-depth")     // archive nested deeper than MaxDepth
	ReasonUnreadable   = Reason("unreadable")        // I/O or format error
	ReasonDamaged      = Reason("damaged-archive")   // archive read from its local headers only
	ReasonOutside      = Reason("outside-input")     // symbolic link not followed (see FollowSymlinks)
	ReasonOrphanLog    = Reason("orphan-log")        // transaction log with no hive beside it
	ReasonUnsupported  = Reason("unsupported")       // archive format not supported, or not a regular file
)

// Skipped is a file (or archive entry) that is not analysed, and why.
// Refused is true for the reasons that point at hostile or damaged input
// (unsafe path, bomb, overlap, limit, depth, unreadable, damaged archive,
// link leading out of the input): callers report those as problems, the
// others as a plain list.
type Skipped struct {
	Path    string
	Size    int64
	Reason  Reason
	Detail  string
	Refused bool
}

// File is one analysable file found by the walk.
type File struct {
	// Path is the display path: relative to the walk root, with archive
	// entries as "outer.zip!/inner/path".
	Path string
	Kind Kind
	// Size is the file size, or the declared uncompressed size of an
	// archive entry.
	Size int64
	// Logs are the transaction logs found beside a hive (same folder, name
	// + ".LOG", ".LOG1", ".LOG2" in any case), ordered by name. Only for
	// KindHive.
	Logs []*File

	set  *Set
	dir  string // pairing key: display directory
	base string
	open func() (io.ReadCloser, error)
	// direct is true when open returns a file that also offers
	// io.ReaderAt (a folder's file, not an archive entry).
	direct bool
	// stored, for an archive entry kept uncompressed, is its data in the
	// archive (read in place, no copy).
	stored io.ReaderAt
}

// ReaderAtCloser is what OpenReaderAt returns.
type ReaderAtCloser interface {
	io.ReaderAt
	io.Closer
}

// OpenReaderAt opens the file for random access without reading it into
// memory: a folder's file, or an archive entry stored uncompressed (read
// in place in the archive). ok is false for compressed archive entries
// (and file systems whose files offer no io.ReaderAt): use Open or
// ReadAll for those. It holds one of Options.MaxOpenFiles slots until
// closed. Close the result.
func (f *File) OpenReaderAt() (r ReaderAtCloser, ok bool, err error) {
	if f.stored != nil {
		return nopCloserAt{f.stored}, true, nil
	}
	if !f.direct {
		return nil, false, nil
	}
	rc, err := f.open()
	if err != nil {
		return nil, true, err
	}
	if ra, isRA := rc.(ReaderAtCloser); isRA {
		return ra, true, nil
	}
	rc.Close()
	return nil, false, nil
}

// Open is OpenReaderAt for any file: a compressed archive entry (or a
// file without random access) is first copied to a temporary file in
// Options.TempDir, removed on Close; the copy checks ctx every MiB.
func (f *File) Open(ctx context.Context) (ReaderAtCloser, error) {
	ra, ok, err := f.OpenReaderAt()
	if ok || err != nil {
		return ra, err
	}
	return f.set.spillFile(ctx, f)
}

type nopCloserAt struct{ io.ReaderAt }

func (nopCloserAt) Close() error { return nil }

// Name returns the base name of the file.
func (f *File) Name() string { return f.base }

// Weight is what reading the file costs in memory, as charged by
// Reserve: a hive's size (the hive reader holds its image), twice that
// when it has logs (replay may grow the image, within the hive reader's
// bound), plus the logs that cannot be read in place (compressed in an
// archive); three times a text export's size (its parsed keys and
// values). Event logs, read in place, weigh nothing.
func (f *File) Weight() int64 {
	switch f.Kind {
	case KindEVTX:
		return 0
	case KindRegExport, KindRegQuery, KindGetVM, KindEventExport:
		return 3 * f.Size
	case KindHive:
		w := f.Size
		if len(f.Logs) > 0 {
			w += f.Size
		}
		for _, l := range f.Logs {
			if !l.inPlace() {
				w += l.Size
			}
		}
		return w
	}
	return f.Size
}

// inPlace reports whether OpenReaderAt reads the file without a copy.
func (f *File) inPlace() bool { return f.direct || f.stored != nil }

// Reserve charges f.Weight() to the walk's memory budget
// (Options.MemoryBudget), waiting until it fits; a file weighing more
// than the whole budget waits until nothing else is held and is then read
// alone. Call release when the data is no longer held. The error is
// ctx's.
func (f *File) Reserve(ctx context.Context) (release func(), err error) {
	return f.set.budget.Reserve(ctx, f.Weight())
}

// ReadAll reads the whole file into memory; it refuses more than max bytes
// (ErrTooLarge) and more than the file declared. Charge it first with
// Reserve.
func (f *File) ReadAll(max int64) ([]byte, error) {
	if f.Size > max {
		return nil, fmt.Errorf("%d bytes: %w", f.Size, ErrTooLarge)
	}
	rc, err := f.open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	// The size was checked against the limits and charged by Reserve; an
	// archive entry's declared size is also checked against its compressed
	// size (MaxRatio), and archive/zip produces no more than declared.
	buf := make([]byte, f.Size+1)
	n, err := io.ReadFull(rc, buf)
	switch {
	case n > int(f.Size):
		return nil, fmt.Errorf("longer than its declared %d bytes: %w", f.Size, ErrTooLarge)
	case err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF):
		return nil, err
	}
	return buf[:n:n], nil
}

// Sentinel errors.
var (
	// ErrTooLarge: a file exceeds a limit in Options.
	ErrTooLarge = errors.New("exceeds limit")
	// ErrNoInput: the walk root does not exist or is not readable.
	ErrNoInput = errors.New("no input")
)

// Set is the result of a walk: the files to analyse and the ones skipped.
// Close releases the archives and temporary files the walk keeps.
type Set struct {
	Files   []*File   // EVTX, hives (with their logs), .reg exports, reg query text; by path
	Skipped []Skipped // by path
	// Archives lists the archives descended into, by path.
	Archives []string
	// Bytes is the total size of Files (logs included).
	Bytes int64
	// Refused counts the archive entries refused (unsafe name, bomb,
	// overlap, limit, depth), listed in Skipped or not.
	Refused int

	opts    Options
	budget  *Budget
	pool    *filePool
	mu      sync.Mutex
	closers []io.Closer
	temps   []string
}

// Close closes the archives opened by the walk and removes its temporary
// files.
func (s *Set) Close() error {
	s.mu.Lock()
	closers, temps := s.closers, s.temps
	s.closers, s.temps = nil, nil
	s.mu.Unlock()
	var first error
	for _, c := range closers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	for _, t := range temps {
		if err := os.Remove(t); err != nil && !errors.Is(err, fs.ErrNotExist) && first == nil {
			first = err
		}
	}
	return first
}

// MemoryHighWater returns the most bytes held at once through Reserve.
func (s *Set) MemoryHighWater() int64 { return s.budget.HighWater() }

// OpenHighWater returns the most files held open at once by the walk and
// the readers.
func (s *Set) OpenHighWater() int { return s.pool.highWater() }

type walker struct {
	ctx         context.Context
	opts        Options
	set         *Set
	files       []*File // unpaired, including logs
	entries     int     // walked entries
	archBytes   int64
	archEntries int
	archComp    int64           // compressed sizes of the entries taken, for the total ratio
	spillBytes  int64           // nested archives copied to temporary files
	head        []byte          // HeadSize buffer reused for every classification (the walk is sequential)
	seen        map[string]bool // absolute OS paths already taken (WalkPaths)
	root        string          // WalkPaths: the real path of the input being walked
}

// Walk walks fsys from its root ("."), classifies every regular file by
// content, descends into archives (zip, 7z, tar, gzip, xz; nested ones
// too) within the limits of opts, pairs hives with their transaction logs and returns the set. The
// error is non-nil only when the root cannot be read or ctx is done; every
// other failure is a Skipped entry. Symbolic links are not followed unless
// opts.FollowSymlinks.
func Walk(ctx context.Context, fsys fs.FS, opts *Options) (*Set, error) {
	w := newWalker(ctx, opts)
	if err := w.walkFS(fsys, ".", "", ""); err != nil {
		w.set.Close()
		return nil, err
	}
	return w.finish(), nil
}

// WalkPaths walks OS paths (files or folders). A path that does not exist
// is a Skipped entry; the error is ErrNoInput only when none exists. A
// symbolic link met inside a path is followed only when its target lies
// inside that path (or opts.FollowSymlinks); devices, pipes and sockets
// are skipped without being opened.
func WalkPaths(ctx context.Context, paths []string, opts *Options) (*Set, error) {
	w := newWalker(ctx, opts)
	found := 0
	var causes []error
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			w.skip(p, 0, ReasonUnreadable, errText(err), true)
			causes = append(causes, err)
			continue
		}
		found++
		w.root = realPath(p)
		var err2 error
		if st.IsDir() {
			err2 = w.walkFS(os.DirFS(p), ".", filepath.ToSlash(p), p)
		} else {
			dir, base := filepath.Split(p)
			if dir == "" {
				dir = "."
			}
			err2 = w.walkFS(os.DirFS(dir), base, filepath.ToSlash(filepath.Clean(dir)), dir)
		}
		if err2 != nil {
			if ctx.Err() != nil {
				w.set.Close()
				return nil, err2
			}
			w.skip(p, 0, ReasonUnreadable, errText(err2), true)
			causes = append(causes, err2)
			found--
		}
	}
	if found == 0 {
		w.set.Close()
		if len(causes) == 0 {
			causes = append(causes, errors.New("no path given"))
		}
		return nil, &noInputError{causes: causes}
	}
	return w.finish(), nil
}

// noInputError is the error of a walk that found nothing to read: it is
// ErrNoInput (errors.Is) and wraps each path's cause (a *fs.PathError, so
// that a missing path satisfies errors.Is(err, fs.ErrNotExist)). Its text
// is the causes', each naming its path once.
type noInputError struct{ causes []error }

func (e *noInputError) Error() string {
	parts := make([]string, len(e.causes))
	for i, c := range e.causes {
		parts[i] = c.Error()
	}
	return strings.Join(parts, "; ")
}

func (e *noInputError) Is(target error) bool { return target == ErrNoInput }

func (e *noInputError) Unwrap() []error { return e.causes }

// noInput is the walk root's failure: err's cause, at the display path p.
func noInput(p string, err error) error {
	if ni := (*noInputError)(nil); errors.As(err, &ni) {
		return err
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &noInputError{causes: []error{&fs.PathError{Op: "open", Path: p, Err: err}}}
}

func realPath(p string) string {
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		r = p
	}
	if a, err := filepath.Abs(r); err == nil {
		return a
	}
	return r
}

func newWalker(ctx context.Context, opts *Options) *walker {
	o := opts.withDefaults()
	set := &Set{opts: o, budget: NewBudget(o.MemoryBudget), pool: newFilePool(o.MaxOpenFiles)}
	return &walker{ctx: ctx, opts: o, set: set}
}

func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}

func (w *walker) skip(p string, size int64, r Reason, detail string, refused bool) {
	w.set.Skipped = append(w.set.Skipped, Skipped{Path: p, Size: size, Reason: r, Detail: detail, Refused: refused})
}

func joinDisplay(prefix, p string) string {
	switch {
	case prefix == "":
		return p
	case p == "." || p == "":
		return prefix
	case strings.HasSuffix(prefix, "!/"):
		return prefix + p
	default:
		return path.Join(prefix, p)
	}
}

// walkFS walks fsys from root; prefix is prepended to display paths. osDir,
// when not empty, is the OS folder fsys stands for: a file reached twice
// through overlapping paths is taken once, and symbolic links are checked
// against the input root.
func (w *walker) walkFS(fsys fs.FS, root, prefix, osDir string) error {
	if _, err := fs.Stat(fsys, root); err != nil {
		return noInput(joinDisplay(prefix, root), err)
	}
	return fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if cerr := w.ctx.Err(); cerr != nil {
			return cerr
		}
		disp := joinDisplay(prefix, p)
		if err != nil {
			if p == root {
				return noInput(disp, err)
			}
			w.skip(disp, 0, ReasonUnreadable, errText(err), true)
			return nil
		}
		if d.IsDir() {
			return nil
		}
		w.entries++
		if w.entries > w.opts.MaxFiles {
			if w.entries == w.opts.MaxFiles+1 {
				w.skip(disp, 0, ReasonLimit, fmt.Sprintf("more than %d files: the rest is not read", w.opts.MaxFiles), true)
			}
			return fs.SkipAll
		}
		if t := d.Type(); t&fs.ModeSymlink != 0 {
			return w.visitLink(fsys, p, disp, osDir)
		} else if !t.IsRegular() {
			w.skip(disp, 0, ReasonUnsupported, "not a regular file ("+typeName(t)+"): not opened", false)
			return nil
		}
		if osDir != "" && w.seenBefore(filepath.Join(osDir, filepath.FromSlash(p))) {
			return nil
		}
		w.visitFile(fsys, p, disp)
		return nil
	})
}

// seenBefore records an OS path and reports whether it was taken already.
func (w *walker) seenBefore(osPath string) bool {
	abs, err := filepath.Abs(osPath)
	if err != nil {
		return false
	}
	if w.seen[abs] {
		return true
	}
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	w.seen[abs] = true
	return false
}

// typeName names a file type that is not a regular file.
func typeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "device"
	case m.IsDir():
		return "folder"
	}
	return "irregular file"
}

// visitLink follows a symbolic link when it stays inside the input root
// (WalkPaths) or Options.FollowSymlinks allows it; a followed link to a
// folder is walked only with FollowSymlinks.
func (w *walker) visitLink(fsys fs.FS, p, disp, osDir string) error {
	if osDir == "" {
		if !w.opts.FollowSymlinks {
			w.skip(disp, 0, ReasonOutside, "symbolic link not followed (Options.FollowSymlinks)", true)
			return nil
		}
		w.visitFile(fsys, p, disp)
		return nil
	}
	real, err := filepath.EvalSymlinks(filepath.Join(osDir, filepath.FromSlash(p)))
	if err != nil {
		w.skip(disp, 0, ReasonUnreadable, "symbolic link: "+errText(err), true)
		return nil
	}
	if !w.opts.FollowSymlinks && !within(w.root, real) {
		w.skip(disp, 0, ReasonOutside, "symbolic link leading outside the input: not followed", true)
		return nil
	}
	st, err := os.Stat(real)
	if err != nil {
		w.skip(disp, 0, ReasonUnreadable, "symbolic link: "+errText(err), true)
		return nil
	}
	switch {
	case st.IsDir() && w.opts.FollowSymlinks:
		if w.seenBefore(real) {
			return nil // a loop, or a folder walked already
		}
		err := w.walkFS(os.DirFS(real), ".", disp, real)
		if err != nil && w.ctx.Err() != nil {
			return err
		}
		return nil
	case st.IsDir():
		w.skip(disp, 0, ReasonUnsupported, "symbolic link to a folder inside the input: walked there, not here", false)
		return nil
	case !st.Mode().IsRegular():
		w.skip(disp, 0, ReasonUnsupported, "symbolic link to a "+typeName(st.Mode())+": not opened", false)
		return nil
	}
	if w.seenBefore(real) {
		return nil
	}
	w.visitFile(fsys, p, disp)
	return nil
}

// within reports whether path p is root or lies under it.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return false
	}
	return rel == "." || (rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)))
}

func (w *walker) visitFile(fsys fs.FS, p, disp string) {
	info, err := fs.Stat(fsys, p) // follows a symbolic link allowed by visitLink
	if err != nil {
		w.skip(disp, 0, ReasonUnreadable, errText(err), true)
		return
	}
	if !info.Mode().IsRegular() {
		w.skip(disp, 0, ReasonUnsupported, "not a regular file ("+typeName(info.Mode())+"): not opened", false)
		return
	}
	size := info.Size()
	pool := w.set.pool
	open := func() (io.ReadCloser, error) {
		return pool.openLong(func() (fs.File, error) { return fsys.Open(p) })
	}
	head, err := w.readHead(open)
	if err != nil {
		w.skip(disp, size, ReasonUnreadable, errText(err), true)
		return
	}
	kind, why := Classify(head)
	if format := archiveFormat(head); format != "" {
		w.openArchiveFromFS(fsys, p, disp, size, format)
		return
	}
	w.add(kind, why, disp, size, open, true, nil)
}

func (w *walker) add(kind Kind, why, disp string, size int64, open func() (io.ReadCloser, error), direct bool, stored io.ReaderAt) {
	if kind == KindOther {
		r := ReasonUnrecognised
		switch {
		case why == "empty file":
			r = ReasonEmpty
		case strings.HasPrefix(why, "unsupported"):
			r = ReasonUnsupported
		}
		w.skip(disp, size, r, why, false)
		return
	}
	if size > w.opts.MaxFileSize && kind != KindEVTX {
		w.skip(disp, size, ReasonTooLarge, fmt.Sprintf("%d bytes, limit %d", size, w.opts.MaxFileSize), true)
		return
	}
	dir, base := splitDisplay(disp)
	w.files = append(w.files, &File{Path: disp, Kind: kind, Size: size, set: w.set, dir: dir, base: base, open: open, direct: direct, stored: stored})
}

func splitDisplay(disp string) (dir, base string) {
	i := strings.LastIndex(disp, "/")
	if i < 0 {
		return "", disp
	}
	return disp[:i], disp[i+1:]
}

// readHead reads up to HeadSize leading bytes into the walker's buffer; the
// result is valid until the next call.
func (w *walker) readHead(open func() (io.ReadCloser, error)) ([]byte, error) {
	rc, err := open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if w.head == nil {
		w.head = make([]byte, HeadSize)
	}
	buf := w.head
	n, err := io.ReadFull(rc, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:n], nil
}

// finish pairs hives with their logs and sorts the result.
func (w *walker) finish() *Set {
	type key struct{ dir, base string }
	hives := map[key]*File{}
	for _, f := range w.files {
		if f.Kind == KindHive {
			hives[key{f.dir, strings.ToUpper(f.base)}] = f
		}
	}
	for _, f := range w.files {
		if f.Kind != KindHiveLog {
			w.set.Files = append(w.set.Files, f)
			w.set.Bytes += f.Size
			continue
		}
		ub := strings.ToUpper(f.base)
		var owner *File
		for _, suf := range []string{".LOG1", ".LOG2", ".LOG"} {
			if strings.HasSuffix(ub, suf) {
				owner = hives[key{f.dir, strings.TrimSuffix(ub, suf)}]
				break
			}
		}
		if owner == nil {
			w.skip(f.Path, f.Size, ReasonOrphanLog, "transaction log without its hive in the same folder", false)
			continue
		}
		owner.Logs = append(owner.Logs, f)
		w.set.Bytes += f.Size
	}
	for _, f := range w.set.Files {
		sort.Slice(f.Logs, func(i, j int) bool { return f.Logs[i].Path < f.Logs[j].Path })
	}
	sort.Slice(w.set.Files, func(i, j int) bool { return w.set.Files[i].Path < w.set.Files[j].Path })
	sort.SliceStable(w.set.Skipped, func(i, j int) bool { return w.set.Skipped[i].Path < w.set.Skipped[j].Path })
	return w.set
}
