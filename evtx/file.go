package evtx

import (
	"context"
	"fmt"
	"io"
	"iter"
	"os"
)

// File is an EVTX log opened for reading. It holds the input and the parsed
// file header; Records walks the chunks. A File is not safe for concurrent
// use: run one Records pass at a time.
type File struct {
	r       io.ReaderAt
	size    int64
	opts    Options
	closer  io.Closer
	header  Header
	hdrOK   bool // the "ElfFile\0" signature is present
	headerP []Problem
	stats   Stats
	// maxChunkWork is the most decoding work one chunk took in the latest
	// Records pass (for the tests of MaxChunkWork).
	maxChunkWork int64
}

// Open opens the EVTX file at path. Options.Name defaults to path. Close the
// File when done.
func Open(path string, opts *Options) (*File, error) {
	o := opts.withDefaults()
	if o.Name == "" {
		o.Name = path
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("evtx: %w", err)
	}
	st, err := fh.Stat()
	if err != nil {
		_ = fh.Close()
		return nil, fmt.Errorf("evtx: stat: %w", err)
	}
	f, err := newFile(fh, st.Size(), o)
	if err != nil {
		_ = fh.Close()
		return nil, err
	}
	f.closer = fh
	return f, nil
}

// NewReader reads an EVTX log of size bytes from r.
func NewReader(r io.ReaderAt, size int64, opts *Options) (*File, error) {
	return newFile(r, size, opts.withDefaults())
}

// FromBytes reads an EVTX log held in memory. b is not copied and must not
// change while the File is in use.
func FromBytes(b []byte, opts *Options) (*File, error) {
	return newFile(bytesReaderAt(b), int64(len(b)), opts.withDefaults())
}

// Close releases the file opened by Open; it does nothing for NewReader and
// FromBytes.
func (f *File) Close() error {
	if f.closer == nil {
		return nil
	}
	c := f.closer
	f.closer = nil
	return c.Close()
}

// Header returns the parsed file header. Its counts are informative only.
func (f *File) Header() Header { return f.header }

// Size returns the input size in bytes.
func (f *File) Size() int64 { return f.size }

// Stats returns the counts and problems of the latest (or running) Records
// pass; before any pass, only the file-header problems. When problems were
// dropped (Options.MaxProblems), the list ends with one ProblemsDropped.
func (f *File) Stats() Stats {
	s := f.stats
	s.Problems = f.withDropped(append([]Problem(nil), s.Problems...), s.ProblemsDropped)
	return s
}

// Records returns an iterator over the records of every chunk slot, in file
// order. A decoded record is yielded with a nil error. Damage that loses data
// (a skipped chunk, a record that cannot be decoded, a limit reached) is
// yielded as a zero Record with a *FormatError, and iteration goes on; the
// same damage, and warnings that lose nothing (checksum mismatches), are
// listed in Stats().Problems. When ctx is cancelled (checked before each
// chunk) the iterator yields ctx.Err() once and stops. Each call starts a
// new pass and resets Stats.
func (f *File) Records(ctx context.Context) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		f.walk(ctx, yield)
	}
}

type bytesReaderAt []byte

func (b bytesReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("evtx: negative offset")
	}
	if off >= int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
