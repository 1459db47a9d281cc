package collect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

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

func newWalker(ctx context.Context, opts *Options) *walker {
	o := opts.withDefaults()
	set := &Set{opts: o, budget: NewBudget(o.MemoryBudget), pool: newFilePool(o.MaxOpenFiles)}
	return &walker{ctx: ctx, opts: o, set: set}
}

func (w *walker) skip(p string, size int64, r Reason, detail string, refused bool) {
	w.set.Skipped = append(w.set.Skipped, Skipped{Path: p, Size: size, Reason: r, Detail: detail, Refused: refused})
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
