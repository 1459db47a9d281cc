package hvic_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic"
)

// FuzzScan feeds one arbitrary file (as a folder's only file, and as a
// hive beside the sample's dirty guest log) through the whole scan: walk,
// classification, readers, correlation and evaluation. Seeds: the bundled
// sample's files, the collect seeds (testdata/collect) and the Get-VM /
// Get-VMIntegrationService forms (testdata/forms).
func FuzzScan(f *testing.F) {
	for _, dir := range []string{"testdata/sample", "testdata/collect", "testdata/forms"} {
		require.NoError(f, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || filepath.Ext(p) == ".md" {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			f.Add(data)
			return nil
		}))
	}
	log1, err := os.ReadFile("testdata/sample/guests/APP01/SOFTWARE.LOG1")
	require.NoError(f, err)
	opts := &hvic.Options{Workers: 1, MaxFileSize: 4 << 20, MaxArchiveBytes: 8 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{"in/file": {Data: data}, "g/SOFTWARE": {Data: data}, "g/SOFTWARE.LOG1": {Data: log1}}
		res, err := hvic.Scan(context.Background(), fsys, opts)
		if err != nil {
			t.Fatalf("scan failed: %v", err)
		}
		if res.Status == 0 {
			t.Fatal("no status")
		}
		for _, p := range res.Problems {
			if p.Err == nil || p.Message == "" {
				t.Fatalf("problem without error: %+v", p)
			}
		}
	})
}
