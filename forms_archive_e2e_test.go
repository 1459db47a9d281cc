package hvic_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/kb"
)

// archiveForms are the text forms of the collection, by their path inside
// the archive: the Get-VM CSV, Event Viewer "Save as XML" exports of the
// two logs, and web01's reg query /s text. testdata/collect/forms.7z holds
// the same four files (scripts/archive-fixtures.sh).
func archiveForms(t *testing.T) collection {
	return collection{
		"HV01/HV01-vms.csv":           fixture(t, adviceData, "host-get-vm.csv"),
		"HV01/integration-viewer.xml": fixture(t, exportData, "integration-viewer.xml"),
		"HV01/system-viewer-utf8.xml": fixture(t, exportData, "system-viewer-utf8.xml"),
		"web01/web01-vm.txt":          fixture(t, adviceData, "guest-reg-query.txt"),
	}
}

// tarGz writes c as a tar.gz, in name order, with Go's archive/tar and
// compress/gzip.
func tarGz(t *testing.T, c collection) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	names := make([]string, 0, len(c))
	for n := range c {
		names = append(names, n)
	}
	sort.Strings(names)
	mtime := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, n := range names {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(c[n])), ModTime: mtime, Typeflag: tar.TypeReg}))
		_, err := tw.Write(c[n])
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// TestScanFormsInArchives (issue 12): the text-form collection as loose
// files, inside a 7z made by p7zip and inside a tar.gz, beside the host's
// SOFTWARE hive, gives the verdicts of the binary version (the .evtx logs
// instead of the XML exports).
func TestScanFormsInArchives(t *testing.T) {
	hive := hostHive(t, shapeNamed(t, "2012R2"), map[string]string{"Win6x": "6.3.9600.18398"})
	binary := formsBase(t)
	binary["HV01/hv01-integration-admin.evtx"] = fixture(t, exportData, "hv01-integration-admin.evtx")
	binary["HV01/hv01-system.evtx"] = fixture(t, exportData, "hv01-system.evtx")
	want := scanVerdicts(scanCollection(t, binary, nil))
	require.Contains(t, want, scanVerdict{"web01", kb.RuleCase2})
	require.Contains(t, want, scanVerdict{"db01", kb.RuleCase1})

	loose := archiveForms(t)
	loose["HV01/SOFTWARE"] = hive
	for _, tt := range []struct {
		name    string
		c       collection
		archive string // "" for loose files
	}{
		{"loose", loose, ""},
		{"7z", collection{"HV01/SOFTWARE": hive, "case-123.7z": fixture(t, "testdata/collect", "forms.7z")}, "case-123.7z"},
		{"tar.gz", collection{"HV01/SOFTWARE": hive, "case-123.tar.gz": tarGz(t, archiveForms(t))}, "case-123.tar.gz"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := scanCollection(t, tt.c, nil)
			assert.ElementsMatch(t, want, scanVerdicts(res))
			kinds := map[string]string{}
			for _, f := range res.Inventory.Files {
				kinds[f.Path] = f.Kind + "/" + string(f.Role)
			}
			in := func(p string) string {
				path := pathOf(kinds, p)
				assert.True(t, strings.HasPrefix(path, tt.archive), path)
				return kinds[path]
			}
			assert.Equal(t, "get-vm/"+string(hvic.RoleHostVMList), in("HV01/HV01-vms.csv"), kinds)
			assert.Equal(t, "event-export/"+string(hvic.RoleIntegrationLog), in("HV01/integration-viewer.xml"), kinds)
			assert.Equal(t, "event-export/"+string(hvic.RoleSystemLog), in("HV01/system-viewer-utf8.xml"), kinds)
			assert.True(t, strings.HasSuffix(in("web01/web01-vm.txt"), "/"+string(hvic.RoleGuestRegistry)), kinds)
			web := vmNamed(t, res, "web01")
			require.NotNil(t, web.GuestIC.Ref)
			assert.True(t, strings.HasPrefix(web.GuestIC.Ref.File, tt.archive), web.GuestIC.Ref.File)
			assert.Empty(t, res.Inventory.Skipped)
		})
	}
}

// pathOf is the inventory path ending in suffix ("" for none).
func pathOf(kinds map[string]string, suffix string) string {
	for p := range kinds {
		if p == suffix || strings.HasSuffix(p, "/"+suffix) {
			return p
		}
	}
	return ""
}
