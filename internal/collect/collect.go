package collect

import (
	"archive/zip"
	"bytes"
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
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
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
)

// Options bounds the walk. The zero value means the defaults above.
type Options struct {
	// MaxFileSize is the largest file (or archive entry) read into memory
	// for analysis; larger ones are skipped. Default 512 MiB.
	MaxFileSize int64
	// MaxArchiveBytes caps the sum of the declared uncompressed sizes of
	// all archive entries taken, over every archive and nesting level.
	// Default 4 GiB.
	MaxArchiveBytes int64
	// MaxArchiveEntries caps the number of archive entries looked at, over
	// all archives. Default 100,000.
	MaxArchiveEntries int
	// MaxRatio is the largest uncompressed:compressed ratio accepted for an
	// archive entry whose uncompressed size is at least RatioFloor. Default
	// 200 (deflate's own maximum is about 1032).
	MaxRatio int64
	// RatioFloor: entries smaller than this are not ratio-checked (a mostly
	// empty 64 KiB log chunk compresses very well). Default 1 MiB.
	RatioFloor int64
	// MaxDepth caps archive nesting (a zip in a zip is depth 2). Default 4.
	MaxDepth int
	// MaxFiles caps the number of folder entries and archive entries walked
	// in total. Default 1,000,000.
	MaxFiles int
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
	def(&r.MaxFileSize, DefaultMaxFileSize)
	def(&r.MaxArchiveBytes, DefaultMaxArchiveBytes)
	def(&r.MaxRatio, DefaultMaxRatio)
	def(&r.RatioFloor, DefaultRatioFloor)
	if r.MaxArchiveEntries <= 0 {
		r.MaxArchiveEntries = DefaultMaxArchiveEntries
	}
	if r.MaxDepth <= 0 {
		r.MaxDepth = DefaultMaxDepth
	}
	if r.MaxFiles <= 0 {
		r.MaxFiles = DefaultMaxFiles
	}
	return r
}

// Reason says why a file was skipped or refused.
type Reason string

// Reasons for skipping a file.
const (
	ReasonUnrecognised = Reason("unrecognised")     // content is none of the known kinds
	ReasonEmpty        = Reason("empty")            // zero bytes
	ReasonTooLarge     = Reason("too-large")        // over MaxFileSize
	ReasonUnsafePath   = Reason("unsafe-path")      // archive entry escapes the archive
	ReasonBomb         = Reason("compression-bomb") // ratio over MaxRatio
	ReasonLimit        = Reason("limit")            // an archive or walk limit was reached
	ReasonDepth        = Reason("nesting-depth")    // archive nested deeper than MaxDepth
	ReasonUnreadable   = Reason("unreadable")       // I/O or format error
	ReasonOrphanLog    = Reason("orphan-log")       // transaction log with no hive beside it
	ReasonUnsupported  = Reason("unsupported")      // archive format not supported, or not a regular file
)

// Skipped is a file (or archive entry) that is not analysed, and why.
// Refused is true for the reasons that point at hostile or damaged input
// (unsafe path, bomb, limit, depth, unreadable): callers report those as
// problems, the others as a plain list.
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

	dir  string // pairing key: display directory
	base string
	open func() (io.ReadCloser, error)
	// direct is true when open returns a file that also offers
	// io.ReaderAt (a folder's file, not an archive entry).
	direct bool
}

// ReaderAtCloser is what OpenReaderAt returns.
type ReaderAtCloser interface {
	io.ReaderAt
	io.Closer
}

// OpenReaderAt opens the file for random access without reading it into
// memory. ok is false for archive entries (and files systems whose files
// offer no io.ReaderAt): use ReadAll for those. Close the result.
func (f *File) OpenReaderAt() (r ReaderAtCloser, ok bool, err error) {
	if !f.direct {
		return nil, false, nil
	}
	rc, err := f.open()
	if err != nil {
		return nil, true, fmt.Errorf("collect: %s: %w", f.Path, err)
	}
	ra, isRA := rc.(ReaderAtCloser)
	if !isRA {
		rc.Close()
		return nil, false, nil
	}
	return ra, true, nil
}

// Name returns the base name of the file.
func (f *File) Name() string { return f.base }

// initialReadCap is the most ReadAll allocates before data arrives.
const initialReadCap = 4 << 20

// ReadAll reads the whole file into memory; it refuses more than max bytes
// (ErrTooLarge) and more than the file declared.
func (f *File) ReadAll(max int64) ([]byte, error) {
	if f.Size > max {
		return nil, fmt.Errorf("collect: %s: %d bytes: %w", f.Path, f.Size, ErrTooLarge)
	}
	rc, err := f.open()
	if err != nil {
		return nil, fmt.Errorf("collect: %s: %w", f.Path, err)
	}
	defer rc.Close()
	// Start small and grow with the bytes actually produced: a declared size
	// (an archive entry's header) is a claim, not a fact.
	buf := bytes.NewBuffer(make([]byte, 0, min(f.Size, initialReadCap)))
	n, err := io.Copy(buf, io.LimitReader(rc, f.Size+1))
	if err != nil {
		return nil, fmt.Errorf("collect: %s: %w", f.Path, err)
	}
	if n > f.Size {
		return nil, fmt.Errorf("collect: %s: longer than its declared %d bytes: %w", f.Path, f.Size, ErrTooLarge)
	}
	return buf.Bytes(), nil
}

// Sentinel errors.
var (
	// ErrTooLarge: a file exceeds a limit in Options.
	ErrTooLarge = errors.New("collect: exceeds limit")
	// ErrNoInput: the walk root does not exist or is not readable.
	ErrNoInput = errors.New("collect: no input")
)

// Set is the result of a walk: the files to analyse and the ones skipped.
// Close releases the archives kept open for reading.
type Set struct {
	Files   []*File   // EVTX, hives (with their logs), .reg exports, reg query text; by path
	Skipped []Skipped // by path
	// Archives lists the archives descended into, by path.
	Archives []string
	// Bytes is the total size of Files (logs included).
	Bytes int64

	closers []io.Closer
}

// Close closes the archives opened by the walk.
func (s *Set) Close() error {
	var first error
	for _, c := range s.closers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	s.closers = nil
	return first
}

type walker struct {
	ctx         context.Context
	opts        Options
	set         *Set
	files       []*File // unpaired, including logs
	entries     int     // walked entries
	archBytes   int64
	archEntries int
	head        []byte          // HeadSize buffer reused for every classification (the walk is sequential)
	seen        map[string]bool // absolute OS paths already taken (WalkPaths)
}

// Walk walks fsys from its root ("."), classifies every regular file by
// content, descends into ZIP archives (nested ones too) within the limits of
// opts, pairs hives with their transaction logs and returns the set. The
// error is non-nil only when the root cannot be read or ctx is done; every
// other failure is a Skipped entry.
func Walk(ctx context.Context, fsys fs.FS, opts *Options) (*Set, error) {
	w := newWalker(ctx, opts)
	if err := w.walkFS(fsys, ".", "", ""); err != nil {
		w.set.Close()
		return nil, err
	}
	return w.finish(), nil
}

// WalkPaths walks OS paths (files or folders). A path that does not exist
// is a Skipped entry; the error is ErrNoInput only when none exists.
func WalkPaths(ctx context.Context, paths []string, opts *Options) (*Set, error) {
	w := newWalker(ctx, opts)
	found := 0
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			w.skip(p, 0, ReasonUnreadable, errText(err), true)
			continue
		}
		found++
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
			found--
		}
	}
	if found == 0 {
		w.set.Close()
		return nil, fmt.Errorf("collect: %s: %w", strings.Join(paths, ", "), ErrNoInput)
	}
	return w.finish(), nil
}

func newWalker(ctx context.Context, opts *Options) *walker {
	return &walker{ctx: ctx, opts: opts.withDefaults(), set: &Set{}}
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
// through overlapping paths is taken once.
func (w *walker) walkFS(fsys fs.FS, root, prefix, osDir string) error {
	if _, err := fs.Stat(fsys, root); err != nil {
		return fmt.Errorf("collect: %s: %w", joinDisplay(prefix, root), ErrNoInput)
	}
	return fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if cerr := w.ctx.Err(); cerr != nil {
			return cerr
		}
		disp := joinDisplay(prefix, p)
		if err != nil {
			if p == root {
				return fmt.Errorf("collect: %s: %w", disp, ErrNoInput)
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
		if osDir != "" {
			abs, err := filepath.Abs(filepath.Join(osDir, filepath.FromSlash(p)))
			if err == nil {
				if w.seen[abs] {
					return nil
				}
				if w.seen == nil {
					w.seen = map[string]bool{}
				}
				w.seen[abs] = true
			}
		}
		w.visitFile(fsys, p, disp)
		return nil
	})
}

func (w *walker) visitFile(fsys fs.FS, p, disp string) {
	info, err := fs.Stat(fsys, p) // follows a symbolic link
	if err != nil {
		w.skip(disp, 0, ReasonUnreadable, errText(err), true)
		return
	}
	if !info.Mode().IsRegular() {
		w.skip(disp, 0, ReasonUnsupported, "not a regular file", false)
		return
	}
	size := info.Size()
	open := func() (io.ReadCloser, error) { return fsys.Open(p) }
	head, err := w.readHead(open)
	if err != nil {
		w.skip(disp, size, ReasonUnreadable, errText(err), true)
		return
	}
	kind, why := Classify(head)
	if kind == KindZip {
		w.openZipFromFS(fsys, p, disp, size, 1)
		return
	}
	w.add(kind, why, disp, size, open, true)
}

func (w *walker) add(kind Kind, why, disp string, size int64, open func() (io.ReadCloser, error), direct bool) {
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
	if size > w.opts.MaxFileSize {
		w.skip(disp, size, ReasonTooLarge, fmt.Sprintf("%d bytes, limit %d", size, w.opts.MaxFileSize), true)
		return
	}
	dir, base := splitDisplay(disp)
	w.files = append(w.files, &File{Path: disp, Kind: kind, Size: size, dir: dir, base: base, open: open, direct: direct})
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

// openZipFromFS opens a top-level archive: through io.ReaderAt when the
// file offers it (no copy), else read into memory within MaxFileSize.
func (w *walker) openZipFromFS(fsys fs.FS, p, disp string, size int64, depth int) {
	f, err := fsys.Open(p)
	if err != nil {
		w.skip(disp, size, ReasonUnreadable, errText(err), true)
		return
	}
	if ra, ok := f.(io.ReaderAt); ok {
		zr, err := zip.NewReader(ra, size)
		if err != nil {
			f.Close()
			w.skip(disp, size, ReasonUnreadable, zipErr(err), true)
			return
		}
		w.set.closers = append(w.set.closers, f)
		w.walkZip(zr, disp, depth)
		return
	}
	defer f.Close()
	if size > w.opts.MaxFileSize {
		w.skip(disp, size, ReasonTooLarge, fmt.Sprintf("archive of %d bytes, limit %d", size, w.opts.MaxFileSize), true)
		return
	}
	data, err := io.ReadAll(io.LimitReader(f, w.opts.MaxFileSize+1))
	if err != nil {
		w.skip(disp, size, ReasonUnreadable, errText(err), true)
		return
	}
	w.zipFromBytes(data, disp, depth)
}

func (w *walker) zipFromBytes(data []byte, disp string, depth int) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		w.skip(disp, int64(len(data)), ReasonUnreadable, zipErr(err), true)
		return
	}
	w.walkZip(zr, disp, depth)
}

// zipErr is an archive/zip error as a detail ("zip: not a valid zip file").
func zipErr(err error) string {
	if s := err.Error(); strings.HasPrefix(s, "zip: ") {
		return s
	}
	return "zip: " + err.Error()
}

// safeEntryName reports whether an archive entry name stays inside the
// archive: no absolute path, no drive letter, no ".." component, with "\"
// taken as a separator too.
func safeEntryName(name string) (string, bool) {
	n := strings.ReplaceAll(name, `\`, "/")
	if n == "" || strings.HasPrefix(n, "/") || strings.ContainsRune(n, 0) {
		return n, false
	}
	if len(n) >= 2 && n[1] == ':' {
		return n, false
	}
	for _, c := range strings.Split(n, "/") {
		if c == ".." {
			return n, false
		}
	}
	return path.Clean(n), true
}

// entryName is the entry's name as text: archives written by Windows
// Explorer on Japanese systems store names in Shift-JIS without the UTF-8
// flag; such names are decoded when they are not valid UTF-8.
func entryName(zf *zip.File) string {
	if !zf.NonUTF8 || utf8.ValidString(zf.Name) {
		return zf.Name
	}
	if s, err := japanese.ShiftJIS.NewDecoder().String(zf.Name); err == nil && utf8.ValidString(s) && !strings.ContainsRune(s, utf8.RuneError) {
		return s
	}
	return strings.ToValidUTF8(zf.Name, "\ufffd")
}

func (w *walker) walkZip(zr *zip.Reader, disp string, depth int) {
	w.set.Archives = append(w.set.Archives, disp)
	prefix := disp + "!/"
	for i, zf := range zr.File {
		if w.ctx.Err() != nil {
			return
		}
		if strings.HasSuffix(zf.Name, "/") || zf.FileInfo().IsDir() {
			continue
		}
		name, ok := safeEntryName(entryName(zf))
		edisp := prefix + name
		if !ok {
			w.skip(prefix+zf.Name, int64(min(zf.UncompressedSize64, 1<<62)), ReasonUnsafePath, "entry name escapes the archive", true)
			continue
		}
		w.archEntries++
		w.entries++
		if w.archEntries > w.opts.MaxArchiveEntries || w.entries > w.opts.MaxFiles {
			w.skip(edisp, 0, ReasonLimit, fmt.Sprintf("archive entry limit reached: %d entries of %s not read", len(zr.File)-i, disp), true)
			return
		}
		if zf.UncompressedSize64 > uint64(w.opts.MaxFileSize) {
			w.skip(edisp, int64(min(zf.UncompressedSize64, 1<<62)), ReasonTooLarge, fmt.Sprintf("declared %d bytes, limit %d", zf.UncompressedSize64, w.opts.MaxFileSize), true)
			continue
		}
		usize := int64(zf.UncompressedSize64)
		csize := int64(min(zf.CompressedSize64, 1<<62))
		if usize >= w.opts.RatioFloor && (csize == 0 || usize/w.opts.MaxRatio > csize) {
			w.skip(edisp, usize, ReasonBomb, fmt.Sprintf("%d bytes from %d compressed (ratio over %d)", usize, csize, w.opts.MaxRatio), true)
			continue
		}
		if usize > w.opts.MaxArchiveBytes-w.archBytes {
			w.skip(edisp, usize, ReasonLimit, fmt.Sprintf("total uncompressed size over %d bytes", w.opts.MaxArchiveBytes), true)
			continue
		}
		w.archBytes += usize
		zf := zf
		open := func() (io.ReadCloser, error) { return zf.Open() }
		head, err := w.readHead(open)
		if err != nil {
			w.skip(edisp, usize, ReasonUnreadable, zipErr(err), true)
			continue
		}
		kind, why := Classify(head)
		if kind != KindZip {
			w.add(kind, why, edisp, usize, open, false)
			continue
		}
		if depth+1 > w.opts.MaxDepth {
			w.skip(edisp, usize, ReasonDepth, fmt.Sprintf("archive nested deeper than %d", w.opts.MaxDepth), true)
			continue
		}
		inner := &File{Path: edisp, Size: usize, open: open}
		data, err := inner.ReadAll(w.opts.MaxFileSize)
		if err != nil {
			w.skip(edisp, usize, ReasonUnreadable, errText(err), true)
			continue
		}
		w.zipFromBytes(data, edisp, depth+1)
	}
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
