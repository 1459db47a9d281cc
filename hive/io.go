package hive

import (
	"context"
	"fmt"
	"io"
	"io/fs"
)

// readFileLimited reads the whole file at p through open, refusing files
// larger than limit (ErrTooLarge) without reading them. The buffer is sized
// from Stat when the file offers it, so a 100 MiB hive costs one 100 MiB
// allocation, not a doubling series.
func readFileLimited[F fs.File](open func(string) (F, error), p string, limit int64) ([]byte, error) {
	f, err := open(p)
	if err != nil {
		return nil, fmt.Errorf("hive: %w", err)
	}
	defer f.Close()
	tooLarge := func() error {
		return &FormatError{File: p, Offset: limit, What: "file size", Err: fmt.Errorf("%w: larger than %d bytes", ErrTooLarge, limit)}
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size := fi.Size()
		if size > limit {
			return nil, tooLarge()
		}
		if size >= 0 {
			// One byte more than expected tells a file that grew since.
			buf := make([]byte, size+1)
			n, err := io.ReadFull(f, buf)
			switch {
			case err == nil:
				// The file grew: fall through to the bounded read below.
			case err == io.ErrUnexpectedEOF || err == io.EOF:
				return buf[:n], nil
			default:
				return nil, fmt.Errorf("hive: %s: %w", p, err)
			}
			rest, err := io.ReadAll(io.LimitReader(f, limit+1-int64(n)))
			if err != nil {
				return nil, fmt.Errorf("hive: %s: %w", p, err)
			}
			data := append(buf[:n], rest...)
			if int64(len(data)) > limit {
				return nil, tooLarge()
			}
			return data, nil
		}
	}
	// Read one byte past the limit to tell "exactly limit" from "larger".
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("hive: %s: %w", p, err)
	}
	if int64(len(data)) > limit {
		return nil, tooLarge()
	}
	return data, nil
}

// imageChunk is the unit readImage reads and checks ctx between.
const imageChunk = 1 << 20

// readImage reads up to size bytes of r into a new buffer of capacity
// size+extra. Chunks that are all zero are not copied: the fresh buffer
// already holds zeros, and its untouched pages cost no resident memory
// when the runtime takes them fresh from the OS, so a sparse hive usually
// costs what it holds (memory the runtime reuses is zeroed, and resident,
// whatever the file holds). Fewer bytes than size give a shorter buffer (a
// truncated hive, reported by the reader). ctx is checked before the
// buffer is allocated and between chunks.
func readImage(ctx context.Context, r io.Reader, size, extra int64) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	buf := make([]byte, size, size+max(extra, 0))
	scratch := make([]byte, min(size, imageChunk))
	var n int64
	for n < size {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c := scratch[:min(size-n, imageChunk)]
		got, err := io.ReadFull(r, c)
		if !allZero(c[:got]) {
			copy(buf[n:], c[:got])
		}
		n += int64(got)
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			return buf[:n], nil
		}
		if err != nil {
			return nil, err
		}
	}
	return buf, nil
}

func allZero(b []byte) bool {
	for len(b) >= 8 {
		if le.Uint64(b) != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// growth is how far replay may grow the image of a hive of size bytes:
// the bytes its logs may contribute (each at most MaxLogBytes) plus 1 MiB
// for bins whose later pages were never written, and never past
// MaxHiveSize.
func growth(size int64, logs []LogFile, o Options) int64 {
	per := MaxLogBytes(size, &o)
	g := int64(1 << 20)
	for _, l := range logs {
		_, n := l.source()
		g += min(n, per)
	}
	if rest := o.MaxHiveSize - size; g > rest {
		g = max(rest, 0)
	}
	return g
}
