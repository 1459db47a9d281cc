package collect

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

// seeds are the committed inputs under testdata/ (see testdata/README.md).
func seeds(f *testing.F) {
	entries, err := os.ReadDir(seedDir)
	require.NoError(f, err)
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) == ".md" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(seedDir, e.Name()))
		require.NoError(f, err)
		f.Add(data)
	}
}

func FuzzClassify(f *testing.F) {
	seeds(f)
	f.Add([]byte(regQueryText))
	f.Fuzz(func(t *testing.T, head []byte) {
		k, why := Classify(head)
		if k == KindOther && why == "" {
			t.Fatalf("KindOther without a reason for %q", head)
		}
	})
}

func FuzzWalkZip(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := &Options{MaxFileSize: 1 << 20, MaxArchiveBytes: 4 << 20, MaxArchiveEntries: 1000}
		s, err := Walk(context.Background(), fstest.MapFS{"in.zip": {Data: data}}, opts)
		if err != nil {
			t.Fatalf("walk of one file failed: %v", err)
		}
		defer s.Close()
		for _, file := range s.Files {
			b, err := file.ReadAll(opts.MaxFileSize)
			if err == nil && int64(len(b)) > file.Size {
				t.Fatalf("%s: read %d bytes, declared %d", file.Path, len(b), file.Size)
			}
		}
	})
}

// TestWriteSeeds regenerates the synthetic seed archives with -update.
func TestWriteSeeds(t *testing.T) {
	if !*update {
		t.Skip("run with -update to regenerate testdata seeds")
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range []struct{ name, data string }{
		{"host/System.evtx", "ElfFile\x00"},
		{"host/SOFTWARE", string(regfHead(0, ""))},
		{"host/SOFTWARE.LOG1", string(regfHead(6, "HvLE"))},
		{"../escape.reg", "Windows Registry Editor Version 5.00\r\n"},
		{"guest/auto.txt", regQueryText},
	} {
		w, err := zw.Create(e.name)
		require.NoError(t, err)
		_, err = w.Write([]byte(e.data))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(filepath.Join(seedDir, "collection.zip"), buf.Bytes(), 0o644))
	nested := makeZip(t, zipEntry{name: "inner.zip", data: buf.Bytes(), store: true})
	require.NoError(t, os.WriteFile(filepath.Join(seedDir, "nested.zip"), nested, 0o644))
}

// FuzzRecover: reading local headers of any bytes never panics, lists
// entries inside the input, and an entry never yields more than it
// declared.
func FuzzRecover(f *testing.F) {
	seeds(f)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range []uint16{zip.Deflate, zip.Store} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "a.reg", Method: m})
		require.NoError(f, err)
		_, err = w.Write([]byte("Windows Registry Editor Version 5.00\r\n"))
		require.NoError(f, err)
	}
	require.NoError(f, zw.Close())
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		const maxSize = 1 << 16
		entries, _ := recoverEntries(context.Background(), bytes.NewReader(data), int64(len(data)), 50, maxSize)
		if len(entries) > 50 {
			t.Fatalf("%d entries over the limit", len(entries))
		}
		for _, e := range entries {
			if e.dataOff < 0 || e.dataOff > int64(len(data)) {
				t.Fatalf("%q: data offset %d outside %d bytes", e.name, e.dataOff, len(data))
			}
			rc, err := e.open()
			if err != nil {
				continue
			}
			n, _ := io.Copy(io.Discard, io.LimitReader(rc, maxSize+1))
			rc.Close()
			if uint64(n) > e.usize {
				t.Fatalf("%q: read %d bytes, declared %d", e.name, n, e.usize)
			}
		}
	})
}

// FuzzDirectory: the central directory reader never panics, lists at
// most its cap, and agrees with archive/zip on the names of archives
// both accept.
func FuzzDirectory(f *testing.F) {
	seeds(f)
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const max = 64
		entries, total, err := readDirectory(context.Background(), bytes.NewReader(data), int64(len(data)), max)
		if err != nil {
			return
		}
		if len(entries) > max || total < len(entries) {
			t.Fatalf("%d entries listed, %d total, cap %d", len(entries), total, max)
		}
		zr, zerr := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if zerr != nil || len(zr.File) > max {
			return
		}
		if len(zr.File) != len(entries) {
			t.Fatalf("%d entries, archive/zip %d", len(entries), len(zr.File))
		}
		for i, zf := range zr.File {
			if zf.Name != entries[i].raw {
				t.Fatalf("entry %d: %q, archive/zip %q", i, entries[i].raw, zf.Name)
			}
		}
	})
}
