package hive

import (
	"fmt"
	"io"
)

// readFileLimited reads the whole file at p through open, refusing files
// larger than limit (ErrTooLarge) without reading them.
func readFileLimited[F io.ReadCloser](open func(string) (F, error), p string, limit int64) ([]byte, error) {
	f, err := open(p)
	if err != nil {
		return nil, fmt.Errorf("hive: %w", err)
	}
	defer f.Close()
	// Read one byte past the limit to tell "exactly limit" from "larger".
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("hive: %s: %w", p, err)
	}
	if int64(len(data)) > limit {
		return nil, &FormatError{File: p, Offset: limit, What: "file size", Err: fmt.Errorf("%w: larger than %d bytes", ErrTooLarge, limit)}
	}
	return data, nil
}
