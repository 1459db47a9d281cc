package hvic_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/hive"
	"github.com/hvic/hvic/internal/hivewriter"
	"github.com/hvic/hvic/internal/hostile"
	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHostileHivesNotSilent: damaged or limit-hitting registry sources on
// the IC path make the scan partial, with an error naming the file.
func TestHostileHivesNotSilent(t *testing.T) {
	self, err := hostile.SubkeyLoopHive(hostile.LoopSelf)
	require.NoError(t, err)
	root, err := hostile.SubkeyLoopHive(hostile.LoopRoot)
	require.NoError(t, err)
	huge, err := hostile.HugeValueHive(0x7FFFFFF0)
	require.NoError(t, err)
	base, log1, err := hostile.GrowingLog(300, 512<<10)
	require.NoError(t, err)
	tests := []struct {
		name   string
		files  map[string][]byte
		opts   *hvic.Options
		file   string
		target error
	}{
		{"subkey list loops to its key", map[string][]byte{"SOFTWARE": self}, nil, "SOFTWARE", hive.ErrCorrupt},
		{"subkey list loops to the root", map[string][]byte{"SOFTWARE": root}, nil, "SOFTWARE", hive.ErrCorrupt},
		{"huge value sizes", map[string][]byte{"SOFTWARE": huge}, nil, "SOFTWARE", hive.ErrTooLarge},
		{"log growing past the bound", map[string][]byte{"SOFTWARE": base, "SOFTWARE.LOG1": log1}, nil, "SOFTWARE", hive.ErrTooLarge},
		{".reg over its key limit", map[string][]byte{"guest.reg": hostile.RegOverKeyLimit(40)},
			&hvic.Options{Export: &hive.ExportOptions{MaxKeys: 40}}, "guest.reg", hive.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for n, data := range tt.files {
				require.NoError(t, os.WriteFile(filepath.Join(dir, n), data, 0o600))
			}
			res, err := hvic.ScanPaths(context.Background(), []string{dir}, tt.opts)
			require.NoError(t, err)
			assert.Equal(t, hvic.StatusPartial, res.Status)
			found := false
			for _, p := range res.Problems {
				if p.Severity == hvic.SeverityError && strings.HasSuffix(p.File, tt.file) && errors.Is(p.Err, tt.target) {
					found = true
				}
			}
			assert.True(t, found, "an error on %s wrapping %v; problems: %v", tt.file, tt.target, res.Problems)
		})
	}
}

// TestBigExportRefusedByItsOwnLimit: inside a scan the export parser's
// 64 MiB default applies, not MaxFileSize: a larger .reg is refused
// before it is read.
func TestBigExportRefusedByItsOwnLimit(t *testing.T) {
	dir := t.TempDir()
	big := hostile.BigReg(2 << 20)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "big.reg"), big, 0o600))
	res, err := hvic.ScanPaths(context.Background(), []string{dir}, &hvic.Options{Export: &hive.ExportOptions{MaxSize: 1 << 20}})
	require.NoError(t, err)
	assert.Equal(t, hvic.StatusFailed, res.Status)
	require.NotEmpty(t, res.Problems)
	assert.Contains(t, res.Problems[0].File, "big.reg")
	assert.Equal(t, result.CodeTooLarge, res.Problems[0].Code)

	res, err = hvic.ScanPaths(context.Background(), []string{dir}, nil)
	require.NoError(t, err)
	assert.Equal(t, hvic.StatusComplete, res.Status, "within the default")
}

// TestHost2016HiveEndToEnd: a Windows Server 2019 SOFTWARE hive with
// Hyper-V and no GuestInstaller key is read as a host (issue 10), and its
// guest's verdict is the 2016+ host outcome (no event decides here)
// instead of resting on a version the host never recorded.
func TestHost2016HiveEndToEnd(t *testing.T) {
	host := hivewriter.New()
	host.Key(hive.PathCurrentVersion).SetString("ProductName", "Windows Server 2019 Datacenter").
		SetString("CurrentVersion", "6.3").SetString("CurrentBuild", "17763").
		SetDword("CurrentMajorVersionNumber", 10).SetDword("CurrentMinorVersionNumber", 0)
	host.Key(hive.PathVirtualization).SetString("Version", "10.0.17763.1")
	host.Key(`Microsoft\Windows\CurrentVersion\Group Policy\State\Machine`).SetString("Distinguished-Name", "CN=HV19,DC=contoso,DC=local")
	hostData, err := host.Bytes()
	require.NoError(t, err)
	shape := hivewriter.Shapes()[2]
	guest := hivewriter.GuestSoftware(shape, "6.3.9600.16384", hivewriter.Guest{VMID: "0C1B2A39-8DE4-4F5C-9A8B-7C6D5E4F3A21", VMName: "APP01",
		HostName: "HV19.contoso.local", PhysicalHostName: "HV19", HostMajor: "10", HostMin: "0", HostEditionID: "8"})
	guestData, err := guest.Bytes()
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "HV19"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "APP01"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "HV19", "SOFTWARE"), hostData, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "APP01", "SOFTWARE"), guestData, 0o600))

	res, err := hvic.ScanPaths(context.Background(), []string{dir}, nil)
	require.NoError(t, err)
	roles := map[string]hvic.Role{}
	for _, f := range res.Inventory.Files {
		roles[filepath.Base(filepath.Dir(f.Path))] = f.Role
	}
	assert.Equal(t, hvic.RoleHostRegistry, roles["HV19"])
	assert.Equal(t, hvic.RoleGuestRegistry, roles["APP01"])
	require.Len(t, res.VMs, 1)
	vm := res.VMs[0]
	assert.True(t, strings.EqualFold(vm.Host, "HV19.contoso.local"), "host %q", vm.Host)
	assert.NotEqual(t, kb.CaseMatch, vm.Case, "versions match cannot be established")
	var rules []string
	for _, f := range res.Findings {
		rules = append(rules, f.RuleID)
	}
	assert.Contains(t, rules, kb.RuleHostUnversioned)
}

// TestHiveOverMaxFileSize: a hive larger than MaxFileSize is refused
// before it is read, with the too-large code and an error naming it.
func TestHiveOverMaxFileSize(t *testing.T) {
	base, _, err := hostile.GrowingLog(1, 4096)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "SOFTWARE"), base, 0o600))
	res, err := hvic.ScanPaths(context.Background(), []string{dir}, &hvic.Options{MaxFileSize: int64(len(base)) - 1})
	require.NoError(t, err)
	require.NotEmpty(t, res.Problems)
	p := res.Problems[0]
	assert.Equal(t, result.CodeTooLarge, p.Code)
	assert.Equal(t, hvic.SeverityError, p.Severity)
	assert.True(t, strings.HasSuffix(p.File, "SOFTWARE"), p.File)
}
