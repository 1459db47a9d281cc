package collect

import (
	"archive/zip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
)

// entry is one archive entry, from the central directory (archive/zip) or
// recovered from its local header.
type entry struct {
	name         string // as text, see entryName
	raw          string // as stored
	dir          bool
	method       uint16
	csize, usize uint64
	dataOff      int64 // -1: unknown
	open         func() (io.ReadCloser, error)
}

// archState is what the walk keeps about the archive being walked.
type archState struct {
	disp     string
	listed   int
	unlisted map[Reason]int
}

// openArchiveFromFS opens a top-level archive of the given format (see
// archiveFormat) lazily (see filePool): it holds no file open between
// reads. A file system whose files offer no io.ReaderAt has the archive
// copied to a temporary file first.
func (w *walker) openArchiveFromFS(fsys fs.FS, p, disp string, size int64, format string) {
	open := func() (fs.File, error) { return fsys.Open(p) }
	lz := w.set.pool.lazy(disp, size, open)
	if _, err := lz.ReadAt(make([]byte, 1), 0); err != nil && err != io.EOF {
		lz.Close()
		tmp, n, err := w.set.spill(w.ctx, func() (io.ReadCloser, error) { return fsys.Open(p) }, w.opts.MaxArchiveBytes)
		if err != nil {
			w.skip(disp, size, ReasonUnreadable, errText(err), true)
			return
		}
		lz = w.set.pool.lazy(disp, n, func() (fs.File, error) { return os.Open(tmp) })
		size = n
	}
	w.set.addCloser(lz)
	w.walkFormat(lz, size, disp, 1, format)
}

// zipErr is an archive/zip error as a detail ("zip: not a valid zip file").
func zipErr(err error) string {
	if s := err.Error(); strings.HasPrefix(s, "zip: ") {
		return s
	}
	return "zip: " + err.Error()
}

// safeEntryName is an archive entry name made safe, and "" when it stays
// inside the archive (else why not: an absolute name, a drive letter, a
// ".." component, with "\" taken as a separator too).
func safeEntryName(name string) (string, string) {
	n := strings.ReplaceAll(name, `\`, "/")
	switch {
	case n == "":
		return n, "empty name"
	case strings.HasPrefix(n, "/"):
		return n, "absolute name"
	case strings.ContainsRune(n, 0):
		return n, "NUL byte in the name"
	case len(n) >= 2 && n[1] == ':':
		return n, "drive letter in the name"
	}
	for _, c := range strings.Split(n, "/") {
		if c == ".." {
			return n, `".." in the name`
		}
	}
	return path.Clean(n), ""
}

// decodeName is an entry name as text: archives written by Windows
// Explorer on Japanese systems store names in Shift-JIS without the UTF-8
// flag; such names are decoded when they are not valid UTF-8.
func decodeName(name string, nonUTF8 bool) string {
	if !nonUTF8 || utf8.ValidString(name) {
		return name
	}
	if s, err := japanese.ShiftJIS.NewDecoder().String(name); err == nil && utf8.ValidString(s) && !strings.ContainsRune(s, utf8.RuneError) {
		return s
	}
	return strings.ToValidUTF8(name, "\ufffd")
}

// readEntries lists an archive's entries from its central directory or,
// when that cannot be read, from its local headers (damage is then a
// non-empty detail). At most MaxArchiveEntries+1 entries are listed;
// total is how many the archive holds, as far as known.
func (w *walker) readEntries(ra io.ReaderAt, size int64) (entries []entry, total int, damage string, err error) {
	entries, total, err = readDirectory(w.ctx, ra, size, w.opts.MaxArchiveEntries+1)
	if err == nil || w.ctx.Err() != nil {
		return entries, total, "", err
	}
	rec, stop := recoverEntries(w.ctx, ra, size, w.opts.MaxArchiveEntries+1, w.opts.MaxFileSize)
	if len(rec) == 0 {
		return nil, 0, "", err
	}
	damage = fmt.Sprintf("central directory unreadable (%s): %d entries recovered from their local headers", zipErr(err), len(rec))
	if stop != "" {
		damage += "; " + stop
	}
	return rec, len(rec), damage, nil
}

// overlapping returns the indexes of entries whose data share bytes with
// another entry's (several central directory entries pointing at one
// local header, or data ranges that cross): a zip bomb's construction.
func overlapping(entries []entry) map[int]bool {
	idx := make([]int, 0, len(entries))
	for i, e := range entries {
		if !e.dir && e.dataOff >= 0 {
			idx = append(idx, i)
		}
	}
	sort.Slice(idx, func(a, b int) bool { return entries[idx[a]].dataOff < entries[idx[b]].dataOff })
	bad := map[int]bool{}
	owner, end := -1, int64(-1)
	for _, i := range idx {
		e := entries[i]
		if owner >= 0 && (e.dataOff < end || e.dataOff == entries[owner].dataOff) {
			bad[i], bad[owner] = true, true
		}
		if eEnd := e.dataOff + int64(min(e.csize, 1<<62)); owner < 0 || eEnd > end {
			owner, end = i, eEnd
		}
	}
	return bad
}

// refuse records a refused entry: listed one by one up to
// MaxRefusedListed per archive, then counted by reason.
func (w *walker) refuse(a *archState, disp string, size int64, r Reason, detail string) {
	w.set.Refused++
	if a.listed < w.opts.MaxRefusedListed {
		a.listed++
		w.skip(disp, size, r, detail, true)
		return
	}
	if a.unlisted == nil {
		a.unlisted = map[Reason]int{}
	}
	a.unlisted[r]++
}

func (w *walker) endArchive(a *archState) {
	reasons := make([]string, 0, len(a.unlisted))
	for r := range a.unlisted {
		reasons = append(reasons, string(r))
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		n := a.unlisted[Reason(r)]
		w.skip(a.disp, 0, Reason(r), fmt.Sprintf("%d more entries refused (%s), not listed one by one", n, r), true)
	}
}

func clampSize(u uint64) int64 { return int64(min(u, 1<<62)) }

// walkZip walks a ZIP archive's entries.
func (w *walker) walkZip(ra io.ReaderAt, size int64, disp string, depth int) {
	entries, total, damage, err := w.readEntries(ra, size)
	if err != nil {
		w.skip(disp, size, ReasonUnreadable, zipErr(err), true)
		return
	}
	if damage != "" {
		w.skip(disp, size, ReasonDamaged, damage, true)
	}
	w.walkEntries(ra, size, disp, depth, entries, total)
}

// walkEntries applies the limits and path rules to an archive's entries
// (of any format) and takes the accepted ones. An entry with a known data
// offset (dataOff >= 0) is checked against the archive's size and for
// overlaps.
func (w *walker) walkEntries(ra io.ReaderAt, size int64, disp string, depth int, entries []entry, total int) {
	w.set.Archives = append(w.set.Archives, Archive{Path: disp, Size: size})
	a := &archState{disp: disp}
	defer w.endArchive(a)
	bad := overlapping(entries)
	prefix := disp + "!/"
	for i, e := range entries {
		if w.ctx.Err() != nil {
			return
		}
		if e.dir {
			continue
		}
		w.archEntries++
		w.entries++
		if w.archEntries > w.opts.MaxArchiveEntries || w.entries > w.opts.MaxFiles {
			w.set.Refused += total - i
			w.skip(disp, 0, ReasonLimit, fmt.Sprintf("%d entries not read (at most %d per archive, %d files in all)", total-i, w.opts.MaxArchiveEntries, w.opts.MaxFiles), true)
			return
		}
		name, why := safeEntryName(e.name)
		if why != "" {
			// The reason says that the name escapes; the detail says how.
			w.refuse(a, prefix+e.raw, clampSize(e.usize), ReasonUnsafePath, why)
			continue
		}
		edisp := prefix + name
		if bad[i] {
			w.refuse(a, edisp, clampSize(e.usize), ReasonOverlap, "entry data overlaps another entry's (duplicate or crafted central directory)")
			continue
		}
		if e.dataOff >= 0 && clampSize(e.csize) > size-e.dataOff {
			// A declared size is a claim: data cannot lie past the end.
			w.refuse(a, edisp, clampSize(e.usize), ReasonUnreadable, fmt.Sprintf("entry data (%d bytes compressed) past the end of the archive", e.csize))
			continue
		}
		if r, detail := w.checkSizes(e); r != "" {
			w.refuse(a, edisp, clampSize(e.usize), r, detail)
			continue
		}
		w.takeEntry(a, ra, e, edisp, depth)
	}
}

// checkSizes applies MaxFileSize (not to event logs: checked by kind
// later), MaxRatio one by one and in total, and MaxArchiveBytes.
func (w *walker) checkSizes(e entry) (Reason, string) {
	usize, csize := clampSize(e.usize), clampSize(e.csize)
	switch {
	case usize > w.opts.MaxArchiveBytes-w.archBytes:
		return ReasonLimit, fmt.Sprintf("total uncompressed size over %d bytes", w.opts.MaxArchiveBytes)
	case usize >= w.opts.RatioFloor && (csize == 0 || usize/w.opts.MaxRatio > csize):
		return ReasonBomb, fmt.Sprintf("%d bytes from %d compressed (ratio over %d)", usize, csize, w.opts.MaxRatio)
	case (w.archBytes+usize-w.opts.RatioFloor)/w.opts.MaxRatio > w.archComp+csize:
		return ReasonBomb, fmt.Sprintf("archive entries total %d bytes from %d compressed (ratio over %d)", w.archBytes+usize, w.archComp+csize, w.opts.MaxRatio)
	}
	return "", ""
}

// takeEntry classifies an accepted entry and adds it, or walks into it
// when it is an archive.
func (w *walker) takeEntry(a *archState, ra io.ReaderAt, e entry, edisp string, depth int) {
	usize, csize := clampSize(e.usize), clampSize(e.csize)
	w.archBytes += usize
	w.archComp += csize
	var stored io.ReaderAt
	if e.method == zip.Store && e.dataOff >= 0 && e.csize == e.usize {
		stored = io.NewSectionReader(ra, e.dataOff, csize)
	}
	head, err := w.readHead(e.open)
	if err != nil {
		w.skip(edisp, usize, ReasonUnreadable, errText(err), true)
		return
	}
	kind, why := Classify(head)
	format := archiveFormat(head)
	if format == "" {
		if usize > w.opts.MaxFileSize && kind != KindEVTX && kind != KindOther {
			w.refuse(a, edisp, usize, ReasonTooLarge, fmt.Sprintf("declared %d bytes, limit %d", usize, w.opts.MaxFileSize))
			return
		}
		w.add(kind, why, edisp, usize, e.open, false, stored)
		return
	}
	if depth+1 > w.opts.MaxDepth {
		w.refuse(a, edisp, usize, ReasonDepth, fmt.Sprintf("more than %d levels", w.opts.MaxDepth))
		return
	}
	// A nested archive's bytes are counted through its own entries, not
	// twice; a compressed one costs its copy on disk instead.
	w.archBytes -= usize
	w.archComp -= csize
	if stored != nil {
		w.walkFormat(stored, csize, edisp, depth+1, format)
		return
	}
	// A compressed inner archive is copied to a temporary file (all copies
	// together within MaxArchiveBytes) and read lazily from there.
	if usize > w.opts.MaxArchiveBytes-w.spillBytes {
		w.refuse(a, edisp, usize, ReasonLimit, fmt.Sprintf("nested archives over %d bytes in total", w.opts.MaxArchiveBytes))
		return
	}
	w.spillBytes += usize
	tmp, n, err := w.set.spill(w.ctx, e.open, usize)
	if err != nil {
		w.skip(edisp, usize, ReasonUnreadable, "nested archive: "+errText(err), true)
		return
	}
	lz := w.set.pool.lazy(edisp, n, func() (fs.File, error) { return os.Open(tmp) })
	w.set.addCloser(lz)
	w.walkFormat(lz, n, edisp, depth+1, format)
}
