package collect

import (
	"context"
	"errors"
	"fmt"
	"io"
)

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
