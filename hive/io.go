package hive

import (
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
