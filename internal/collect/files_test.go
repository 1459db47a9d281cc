package collect

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingFS counts the files it holds open, independently of the pool.
type countingFS struct {
	fs.FS
	open, high atomic.Int64
}

type countedFile struct {
	fs.File
	c    *countingFS
	done atomic.Bool
}

func (f *countedFile) ReadAt(b []byte, off int64) (int, error) {
	return f.File.(io.ReaderAt).ReadAt(b, off)
}

func (f *countedFile) Close() error {
	if f.done.CompareAndSwap(false, true) {
		f.c.open.Add(-1)
	}
	return f.File.Close()
}

func (c *countingFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(c.FS, name) }

func (c *countingFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(c.FS, name) }

func (c *countingFS) Open(name string) (fs.File, error) {
	f, err := c.FS.Open(name)
	if err != nil {
		return nil, err
	}
	n := c.open.Add(1)
	for {
		h := c.high.Load()
		if n <= h || c.high.CompareAndSwap(h, n) {
			break
		}
	}
	return &countedFile{File: f, c: c}, nil
}

// Many archives, few slots: every entry is read, concurrently, and never
// more than the limit of files is open, by the pool's count and by the
// file system's.
func TestFilePoolBound(t *testing.T) {
	dir := t.TempDir()
	const n, limit = 60, 4
	for i := 0; i < n; i++ {
		z := makeZip(t, zipEntry{name: fmt.Sprintf("g%d.reg", i), data: []byte(fmt.Sprintf("Windows Registry Editor Version 5.00\r\n; %d\r\n", i))})
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("z%02d.zip", i)), z, 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "plain.evtx"), []byte("ElfFile\x00plain"), 0o644))
	cfs := &countingFS{FS: os.DirFS(dir)}
	s, err := Walk(context.Background(), cfs, &Options{MaxOpenFiles: limit})
	require.NoError(t, err)
	require.Len(t, s.Files, n+1)
	errs := Parallel(context.Background(), len(s.Files), 8, func(i int) error {
		f := s.Files[i]
		if f.Kind == KindEVTX {
			ra, err := f.Open(context.Background())
			if err != nil {
				return err
			}
			defer ra.Close()
			b := make([]byte, 5)
			_, err = ra.ReadAt(b, 8)
			if err == nil && string(b) != "plain" {
				err = fmt.Errorf("read %q", b)
			}
			return err
		}
		data, err := f.ReadAll(1 << 20)
		if err == nil && !bytes.HasPrefix(data, []byte("Windows Registry Editor")) {
			err = fmt.Errorf("%s: read %q", f.Path, data)
		}
		return err
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.LessOrEqual(t, s.OpenHighWater(), limit)
	assert.LessOrEqual(t, cfs.high.Load(), int64(limit))
	require.NoError(t, s.Close())
	assert.Zero(t, cfs.open.Load(), "everything closed")
	_, err = s.Files[1].ReadAll(1 << 20) // z00.zip!/g0.reg
	assert.ErrorIs(t, err, fs.ErrClosed, "a closed set's archives are closed")
}

// A file replaced after the walk (another size) is not read as if it
// were the archive the walk saw.
func TestLazyFileChanged(t *testing.T) {
	dir := t.TempDir()
	z := makeZip(t, zipEntry{name: "a.reg", data: []byte("Windows Registry Editor Version 5.00\r\n")})
	name := filepath.Join(dir, "c.zip")
	require.NoError(t, os.WriteFile(name, z, 0o644))
	s, err := WalkPaths(context.Background(), []string{dir}, &Options{MaxOpenFiles: 2})
	require.NoError(t, err)
	defer s.Close()
	require.Len(t, s.Files, 1)
	// Evict the archive's handle by filling the pool, then change the file.
	pool := s.pool
	pool.mu.Lock()
	for pool.idle.Len() > 0 {
		pool.evict()
	}
	pool.mu.Unlock()
	require.NoError(t, os.WriteFile(name, append(z, 0), 0o644))
	_, err = s.Files[0].ReadAll(1 << 20)
	assert.ErrorContains(t, err, "changed size")
}
