package hive

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedFiles adds every testdata/hivefacts file whose name ends with one of
// suffixes to the fuzz corpus.
func seedFiles(f *testing.F, suffixes ...string) {
	f.Helper()
	dir := filepath.Join("..", "testdata", "hivefacts")
	entries, err := os.ReadDir(dir)
	if err != nil {
		f.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		for _, s := range suffixes {
			if strings.HasSuffix(e.Name(), s) {
				data, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					f.Fatal(err)
				}
				f.Add(data)
				n++
			}
		}
	}
	if n == 0 {
		f.Fatalf("no seed files for %v", suffixes)
	}
}

// checkExport is what must hold for any parse: a known error kind or a
// usable tree whose problems wrap sentinels, readable by ExtractFacts.
func checkExport(t *testing.T, e *Export, err error) {
	if err != nil {
		if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Fatalf("error is not a *FormatError: %v", err)
		}
		if e != nil {
			t.Fatal("export returned with an error")
		}
		return
	}
	if e == nil {
		t.Fatal("nil export without error")
	}
	for _, p := range e.Problems() {
		if !errors.Is(p, ErrSyntax) && !errors.Is(p, ErrTooLarge) && !errors.Is(p, ErrOutsideSoftware) && !errors.Is(p, ErrKeyNotFound) {
			t.Fatalf("problem wraps no sentinel: %v", p)
		}
	}
	n := 0
	if err := e.Walk("", func(k *Key, err error) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != e.Len()+1 {
		t.Fatalf("walked %d keys, Len says %d", n, e.Len())
	}
	_ = ExtractFacts(e, "fuzz").Side.String()
}

func FuzzParseReg(f *testing.F) {
	seedFiles(f, ".reg")
	f.Add([]byte("REGEDIT4\n[HKLM\\SOFTWARE\\a]\n\"x\"=hex(7):61,00,\\\n00\n[-HKLM\\SOFTWARE\\a]\n"))
	f.Add([]byte("Windows Registry Editor Version 5.00\n[HKLM\\SOFTWARE\\a]\n@=\"\\\\\\\"\"\n\"d\"=dword:ffffffff\n\"d\"=-\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseReg(context.Background(), data, &ExportOptions{MaxKeys: 1000, MaxValueSize: 1 << 16, MaxProblems: 100})
		checkExport(t, e, err)
	})
}
