package collect

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// Archive formats the walk descends into, as archiveFormat names them.
const (
	formatZip   = "zip"
	format7z    = "7z"
	formatTar   = "tar"
	formatGzip  = "gzip"
	formatXz    = "xz"
	methodOther = 0xFFFF // entry.method of an entry with no stored data range
)

// archiveFormat names the archive format a file's first bytes show, among
// those the walk descends into ("zip", "7z", "tar", "gzip", "xz"), or "".
// Classify reports the last four as unsupported: the walk reads them.
func archiveFormat(head []byte) string {
	if k, _ := Classify(head); k == KindZip {
		return formatZip
	}
	switch f := otherArchive(head); f {
	case format7z, formatTar, formatGzip, formatXz:
		return f
	}
	return ""
}

// walkFormat walks an archive of the given format found at depth.
func (w *walker) walkFormat(ra io.ReaderAt, size int64, disp string, depth int, format string) {
	switch format {
	case formatZip:
		w.walkZip(ra, size, disp, depth)
	case formatTar:
		w.walkTar(ra, size, disp, depth)
	case format7z:
		w.walk7z(ra, size, disp, depth)
	case formatGzip, formatXz:
		w.walkCompressed(ra, size, disp, depth, format)
	}
}

// walkTar walks a plain tar archive: its entries are stored, so each one
// is a range of the archive, read in place. Links, devices and sparse
// entries are skipped (their data is not a range of the archive).
func (w *walker) walkTar(ra io.ReaderAt, size int64, disp string, depth int) {
	sr := io.NewSectionReader(ra, 0, size)
	tr := tar.NewReader(sr)
	var entries []entry
	var damage string
	var unsupported []string // the first MaxRefusedListed names
	nUnsupported := 0
	for seen := 0; seen <= w.opts.MaxArchiveEntries; seen++ {
		if w.ctx.Err() != nil {
			return
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			damage = fmt.Sprintf("tar: %v after %d entries", err, len(entries))
			break
		}
		off, _ := sr.Seek(0, io.SeekCurrent)
		e := entry{name: h.Name, raw: h.Name, csize: uint64(max(h.Size, 0)), usize: uint64(max(h.Size, 0)), dataOff: off}
		_, sparse := h.PAXRecords["GNU.sparse.map"]
		if _, ok := h.PAXRecords["GNU.sparse.major"]; ok {
			sparse = true
		}
		switch {
		case sparse:
			nUnsupported++
			if len(unsupported) < w.opts.MaxRefusedListed {
				unsupported = append(unsupported, h.Name)
			}
			continue
		case h.Typeflag == tar.TypeReg || h.Typeflag == tar.TypeRegA: //nolint:staticcheck // TypeRegA: old tars
		case h.Typeflag == tar.TypeDir:
			e.dir = true
		default:
			nUnsupported++
			if len(unsupported) < w.opts.MaxRefusedListed {
				unsupported = append(unsupported, h.Name)
			}
			continue
		}
		e.open = sectionOpener(ra, off, h.Size)
		entries = append(entries, e)
	}
	for _, name := range unsupported {
		w.skip(disp+"!/"+name, 0, ReasonUnsupported, "tar link, device or sparse entry: not read", false)
	}
	if n := nUnsupported - len(unsupported); n > 0 {
		w.skip(disp, 0, ReasonUnsupported, fmt.Sprintf("%d more link, device or sparse entries not read", n), false)
	}
	if len(entries) == 0 && damage != "" {
		w.skip(disp, size, ReasonUnreadable, damage, true)
		return
	}
	if damage != "" {
		w.skip(disp, size, ReasonDamaged, damage, true)
	}
	w.walkEntries(ra, size, disp, depth, entries, len(entries))
}

func sectionOpener(ra io.ReaderAt, off, n int64) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		return io.NopCloser(io.NewSectionReader(ra, off, max(n, 0))), nil
	}
}

// walkCompressed walks a gzip or xz stream: it is decompressed to a
// temporary file, within MaxArchiveBytes for all such copies and within
// MaxRatio of its compressed size (beyond RatioFloor). A tar inside is
// walked at the same depth (a .tar.gz is one archive); anything else is
// the stream's one entry, named after the stream without its suffix.
func (w *walker) walkCompressed(ra io.ReaderAt, size int64, disp string, depth int, format string) {
	ratioCap := (size + 1) * w.opts.MaxRatio
	if ratioCap/w.opts.MaxRatio != size+1 {
		ratioCap = 1 << 62
	}
	limit := min(w.opts.MaxArchiveBytes-w.spillBytes, ratioCap+w.opts.RatioFloor)
	if format == formatXz {
		if err := checkXz(ra, size, maxDictBytes); err != nil {
			w.skip(disp, size, ReasonUnreadable, err.Error(), true)
			return
		}
	}
	open := func() (io.ReadCloser, error) { return newDecompressor(io.NewSectionReader(ra, 0, size), format) }
	tmp, n, err := w.set.spill(w.ctx, open, limit)
	if err != nil {
		r := ReasonUnreadable
		if errors.Is(err, ErrTooLarge) {
			r = ReasonLimit
			if limit < w.opts.MaxArchiveBytes-w.spillBytes {
				r = ReasonBomb
			}
			err = fmt.Errorf("%s stream decompresses to more than %d bytes (from %d, ratio limit %d)", format, limit, size, w.opts.MaxRatio)
		}
		w.set.Refused++
		w.skip(disp, size, r, errText(err), true)
		return
	}
	w.spillBytes += n
	lz := w.set.pool.lazy(disp, n, func() (fs.File, error) { return os.Open(tmp) })
	w.set.addCloser(lz)
	head, err := w.readHead(sectionOpener(lz, 0, n))
	if err != nil {
		w.skip(disp, size, ReasonUnreadable, errText(err), true)
		return
	}
	// The walk lists the stream at the size of its copy; it is the
	// stream's own size that Set.Archives gives.
	defer w.archiveSize(len(w.set.Archives), disp, size)
	if archiveFormat(head) == formatTar {
		w.walkTar(lz, n, disp, depth)
		return
	}
	// The copy is read in place like a stored entry: the ratio was
	// checked while decompressing. It is counted in spillBytes, and its
	// one entry again through MaxArchiveBytes like any archive entry.
	e := entry{name: innerName(disp, format), csize: uint64(n), usize: uint64(n), dataOff: 0, open: sectionOpener(lz, 0, n)}
	e.raw = e.name
	w.walkEntries(lz, n, disp, depth, []entry{e}, 1)
}

// archiveSize sets the size of the archive at Set.Archives[i] when it is
// disp (walkEntries lists an archive first, before those inside it).
func (w *walker) archiveSize(i int, disp string, size int64) {
	if i < len(w.set.Archives) && w.set.Archives[i].Path == disp {
		w.set.Archives[i].Size = size
	}
}

// innerName is the name of a compressed stream's content: the stream's
// own name without .gz, .xz or .z (".tgz" becomes ".tar"), or the
// stream's own name when it has none of these.
func innerName(disp string, format string) string {
	base := path.Base(strings.ReplaceAll(disp, "!/", "/"))
	l := strings.ToLower(base)
	switch {
	case strings.HasSuffix(l, ".tgz"), strings.HasSuffix(l, ".txz"):
		return base[:len(base)-4] + ".tar"
	case strings.HasSuffix(l, ".gz"), strings.HasSuffix(l, ".xz"):
		return base[:len(base)-3]
	case strings.HasSuffix(l, ".z"):
		return base[:len(base)-2]
	}
	return base
}

// newDecompressor returns the decompressed content of a gzip (several
// members read as one) or xz stream.
func newDecompressor(r io.Reader, format string) (io.ReadCloser, error) {
	if format == formatGzip {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return zr, nil
	}
	xr, err := newXzReader(r)
	if err != nil {
		return nil, fmt.Errorf("xz: %w", err)
	}
	return io.NopCloser(xr), nil
}
