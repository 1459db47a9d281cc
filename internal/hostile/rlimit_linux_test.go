package hostile

import (
	"context"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/report/result"
)

// Under a lowered descriptor limit, far below the number of archives,
// the scan reads every file: it never holds more than MaxOpenFiles.
func TestManyZipsUnderRlimit(t *testing.T) {
	dir := t.TempDir()
	const n, maxOpen = 300, 16
	require.NoError(t, ManyZips(dir, n))
	fds, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	var old syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old))
	low := old
	low.Cur = uint64(len(fds) + maxOpen + 8) // the test binary's own, the pool, a margin
	require.Less(t, low.Cur, uint64(n))
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low))
	res, err := hvic.ScanPaths(context.Background(), []string{dir}, &hvic.Options{MaxOpenFiles: maxOpen, Workers: 4})
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old))
	require.NoError(t, err)
	// The exports name no VM: each is rightly an unattributed guest
	// (a warning); nothing else may go wrong.
	var other []hvic.Problem
	for _, p := range res.Problems {
		if p.Code != result.CodeGuestUnattributed {
			other = append(other, p)
		}
	}
	if !assert.Empty(t, other) {
		t.Logf("first problem: %s", other[0].Message)
	}
	assert.Equal(t, n+1, len(res.Inventory.Files))
	assert.Equal(t, hvic.StatusComplete, res.Status)
}
