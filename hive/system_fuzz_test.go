package hive

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzSystemFacts reads any input as a hive (with the committed SYSTEM
// hives as seeds) and extracts SYSTEM facts: nothing may panic, and a
// SYSTEM hive always lists the known integration services.
func FuzzSystemFacts(f *testing.F) {
	entries, err := os.ReadDir(systemDir)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".hiv") {
			data, err := os.ReadFile(filepath.Join(systemDir, e.Name()))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := FromBytes(context.Background(), data, nil, &Options{MaxHiveSize: 1 << 20, MaxDepth: 64, MaxSubkeys: 4096, MaxValues: 1024, MaxValueSize: 1 << 16})
		if err != nil {
			return
		}
		s := ExtractSystemFacts(h, "fuzz")
		if s.IsSystem && (s.ControlSet == "" || len(s.Services) < len(ICServiceNames)) {
			t.Fatalf("system hive without its control set or services: %+v", s)
		}
		if !s.IsSystem && (s.ComputerName.Present || len(s.Services) > 0) {
			t.Fatalf("facts from a source that is no system hive: %+v", s)
		}
	})
}
