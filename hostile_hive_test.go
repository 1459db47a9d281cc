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
	"github.com/hvic/hvic/internal/hostile"
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
	assert.Equal(t, "too-large", res.Problems[0].Code)

	res, err = hvic.ScanPaths(context.Background(), []string{dir}, nil)
	require.NoError(t, err)
	assert.Equal(t, hvic.StatusComplete, res.Status, "within the default")
}
