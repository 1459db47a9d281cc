package collect

import (
	"bytes"
	"context"
	"testing"
	"testing/fstest"
)

// fuzzWalk walks data as one file under small limits: the walk never
// panics, and no file yields more bytes than it declares.
func fuzzWalk(t *testing.T, data []byte) {
	opts := &Options{MaxFileSize: 1 << 16, MaxArchiveBytes: 1 << 18, RatioFloor: 1 << 14, MaxArchiveEntries: 200, TempDir: t.TempDir()}
	s, err := Walk(context.Background(), fstest.MapFS{"in": {Data: data}}, opts)
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
}

func FuzzWalkTar(f *testing.F) {
	for _, name := range []string{"collection.tar", "unsafe.tar", "collection.tar.gz"} {
		f.Add(fixture(f, name))
	}
	f.Fuzz(fuzzWalk)
}

func FuzzWalk7z(f *testing.F) {
	for _, name := range []string{"collection.7z", "nested.7z", "bomb.7z"} {
		f.Add(fixture(f, name))
	}
	f.Fuzz(fuzzWalk)
}

// FuzzCheckXz: the layout check never panics, and an input it accepts
// walks without failure.
func FuzzCheckXz(f *testing.F) {
	for _, name := range []string{"auto.txt.xz", "collection.tar.xz", "bomb.evtx.xz"} {
		f.Add(fixture(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if checkXz(bytes.NewReader(data), int64(len(data)), maxDictBytes) == nil {
			fuzzWalk(t, data)
		}
	})
}
