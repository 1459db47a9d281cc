package evtx

import (
	"context"
	"fmt"
)

func newFile(r interface {
	ReadAt([]byte, int64) (int, error)
}, size int64, o Options) (*File, error) {
	if size > o.MaxFileSize {
		return nil, &FormatError{File: o.Name, Chunk: -1, Offset: -1, What: "file", Err: fmt.Errorf("%w: %d bytes > MaxFileSize %d", ErrTooLarge, size, o.MaxFileSize)}
	}
	return &File{r: r, size: size, opts: o}, nil
}

func (f *File) walk(ctx context.Context, yield func(Record, error) bool) {
	if err := ctx.Err(); err != nil {
		yield(Record{}, err)
	}
}
