package psvm

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that Parse and Sniff never panic and that what Parse
// returns is consistent; plain go test replays the fixtures as seeds.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("\xff\xfe"))
	f.Add([]byte("a\n-\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		Sniff(b)
		res, err := Parse(b, &Options{MaxRows: 50})
		if err != nil {
			if res != nil {
				t.Fatal("result with an error")
			}
			return
		}
		if res.Kind == KindUnknown {
			t.Fatal("unknown kind without an error")
		}
		if len(res.VMs)+len(res.Services) > 50 {
			t.Fatalf("%d objects over MaxRows", len(res.VMs)+len(res.Services))
		}
		if len(res.VMs) > 0 && len(res.Services) > 0 {
			t.Fatal("both kinds")
		}
	})
}
