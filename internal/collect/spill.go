package collect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

func (s *Set) addCloser(c io.Closer) {
	s.mu.Lock()
	s.closers = append(s.closers, c)
	s.mu.Unlock()
}

// spillChunk is how much is copied between two checks of the context.
const spillChunk = 1 << 20

// spill copies what open yields (at most limit bytes) to a new temporary
// file in Options.TempDir and returns its name and size; Set.Close
// removes it. The copy holds one long slot of the file pool and checks
// ctx every MiB.
func (s *Set) spill(ctx context.Context, open func() (io.ReadCloser, error), limit int64) (name string, n int64, err error) {
	rc, err := open()
	if err != nil {
		return "", 0, err
	}
	defer rc.Close()
	var tmp *os.File
	lf, err := s.pool.openLong(func() (fs.File, error) {
		f, err := os.CreateTemp(s.opts.TempDir, "hvic-spill-*")
		tmp = f
		return f, err
	})
	if err != nil {
		return "", 0, fmt.Errorf("temporary file: %w", err)
	}
	name = tmp.Name()
	s.mu.Lock()
	s.temps = append(s.temps, name)
	s.mu.Unlock()
	n, err = copyCtx(ctx, tmp, rc, limit)
	if cerr := lf.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("temporary file: %w", cerr)
	}
	if err != nil {
		os.Remove(name)
		return "", 0, err
	}
	return name, n, nil
}

// copyCtx copies up to limit bytes, failing with ErrTooLarge beyond it.
func copyCtx(ctx context.Context, dst io.Writer, src io.Reader, limit int64) (int64, error) {
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		k, err := io.CopyN(dst, src, spillChunk)
		n += k
		if n > limit {
			return n, fmt.Errorf("more than the declared %d bytes: %w", limit, ErrTooLarge)
		}
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// spillFile copies a compressed archive entry to a temporary file and
// opens it for random access; Close removes the file.
func (s *Set) spillFile(ctx context.Context, f *File) (ReaderAtCloser, error) {
	name, _, err := s.spill(ctx, f.open, f.Size)
	if err != nil {
		return nil, err
	}
	ff, err := s.pool.openLong(func() (fs.File, error) { return os.Open(name) })
	if err != nil {
		os.Remove(name)
		return nil, err
	}
	return &removeOnClose{ReaderAtCloser: ff.(ReaderAtCloser), name: name}, nil
}

type removeOnClose struct {
	ReaderAtCloser
	name string
}

func (r *removeOnClose) Close() error {
	err := r.ReaderAtCloser.Close()
	if rerr := os.Remove(r.name); err == nil && rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		err = rerr
	}
	return err
}
