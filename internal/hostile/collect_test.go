package hostile

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/internal/collect"
)

// scanAll reads every file of a set the way the scan does (Reserve, then
// ReadAll; event logs in place) on workers goroutines and returns the
// paths read.
func scanAll(t *testing.T, s *collect.Set, workers int) []string {
	t.Helper()
	read := make([]string, len(s.Files))
	errs := collect.Parallel(context.Background(), len(s.Files), workers, func(i int) error {
		f := s.Files[i]
		release, err := f.Reserve(context.Background())
		if err != nil {
			return err
		}
		defer release()
		if _, err := f.ReadAll(collect.DefaultMaxFileSize); err != nil {
			return err
		}
		for _, l := range f.Logs {
			if _, err := l.ReadAll(collect.DefaultMaxFileSize); err != nil {
				return err
			}
		}
		read[i] = f.Path
		return nil
	})
	for i, err := range errs {
		require.NoError(t, err, s.Files[i].Path)
	}
	return read
}

func writeFile(t *testing.T, name string, write func(*bytes.Buffer) error) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, write(&buf))
	require.NoError(t, os.WriteFile(name, buf.Bytes(), 0o644))
	return name
}

func problemsByCode(res *hvic.Result) map[string]int {
	m := map[string]int{}
	for _, p := range res.Problems {
		m[p.Code.String()]++
	}
	return m
}

// Refused entries count against the entry limit and are listed one by
// one only up to the problem cap; the result says how many there were.
func TestRefusedZip(t *testing.T) {
	dir := t.TempDir()
	const n = 5000
	name := writeFile(t, filepath.Join(dir, "refused.zip"), func(b *bytes.Buffer) error { return RefusedZip(b, n) })
	tests := []struct {
		name         string
		opts         collect.Options
		refused      int
		listedAtMost int
		files        int
	}{
		{"defaults", collect.Options{}, n, collect.DefaultMaxRefusedListed + len(unsafeNames), 1},
		{"entry limit", collect.Options{MaxArchiveEntries: 1000}, n, collect.DefaultMaxRefusedListed + len(unsafeNames) + 1, 1},
		{"listed 3", collect.Options{MaxRefusedListed: 3}, n, 3 + len(unsafeNames), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := collect.WalkPaths(context.Background(), []string{name}, &tt.opts)
			require.NoError(t, err)
			defer s.Close()
			assert.Equal(t, tt.refused, s.Refused, "every refused entry is counted")
			assert.LessOrEqual(t, len(s.Skipped), tt.listedAtMost)
			assert.Len(t, s.Files, tt.files)
		})
	}
	res, err := hvic.ScanPaths(context.Background(), []string{name}, nil)
	require.NoError(t, err)
	assert.Equal(t, hvic.StatusPartial, res.Status)
	assert.LessOrEqual(t, len(res.Problems), hvic.DefaultMaxProblemsPerFile+len(unsafeNames))
	var counted int
	for _, p := range res.Problems {
		if strings.Contains(p.Message, "more entries refused") {
			counted++
		}
	}
	assert.Equal(t, 1, counted, "one summary for the one reason (unsafe-path)")
}

// Nested archives are spilled to temporary files, not held in memory;
// the copies are removed when the set is closed.
func TestNestedZips(t *testing.T) {
	dir, tmp := t.TempDir(), t.TempDir()
	const count, size = 3, 4 << 20
	name := writeFile(t, filepath.Join(dir, "nested.zip"), func(b *bytes.Buffer) error { return NestedZips(b, count, size) })
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s, err := collect.WalkPaths(context.Background(), []string{name}, &collect.Options{TempDir: tmp})
	require.NoError(t, err)
	runtime.GC()
	runtime.ReadMemStats(&after)
	assert.Less(t, int64(after.HeapAlloc)-int64(before.HeapAlloc), int64(size), "no inner archive kept in memory")
	assert.Len(t, s.Archives, count+1)
	require.Len(t, s.Files, count)
	spilled, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Len(t, spilled, count)
	assert.Len(t, scanAll(t, s, 2), count)
	require.NoError(t, s.Close())
	spilled, err = os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, spilled, "temporary copies removed")
}

// Entries sharing one local header are refused, whatever their size: no
// entry of the kernel is parsed.
func TestOverlapZip(t *testing.T) {
	dir := t.TempDir()
	const n = 300
	name := writeFile(t, filepath.Join(dir, "overlap.zip"), func(b *bytes.Buffer) error { return OverlapZip(b, n, 200<<10) })
	s, err := collect.WalkPaths(context.Background(), []string{name}, nil)
	require.NoError(t, err)
	defer s.Close()
	assert.Empty(t, s.Files)
	assert.Equal(t, n, s.Refused)
	reasons := map[collect.Reason]int{}
	for _, sk := range s.Skipped {
		reasons[sk.Reason]++
	}
	assert.Equal(t, map[collect.Reason]int{collect.ReasonOverlap: collect.DefaultMaxRefusedListed + 1}, reasons)
}

// Small entries that each pass the per-entry ratio floor are stopped by
// the ratio of the total: the archive yields at most RatioFloor plus
// MaxRatio times what it holds compressed.
func TestSmallBombs(t *testing.T) {
	dir := t.TempDir()
	const n, size = 64, 1<<20 - 1024
	name := writeFile(t, filepath.Join(dir, "small.zip"), func(b *bytes.Buffer) error { return SmallBombs(b, n, size) })
	st, err := os.Stat(name)
	require.NoError(t, err)
	s, err := collect.WalkPaths(context.Background(), []string{name}, nil)
	require.NoError(t, err)
	defer s.Close()
	var taken int64
	for _, f := range s.Files {
		taken += f.Size
	}
	assert.Less(t, len(s.Files), n)
	assert.LessOrEqual(t, taken, collect.DefaultRatioFloor+collect.DefaultMaxRatio*st.Size())
	assert.Equal(t, n-len(s.Files), s.Refused)
	assert.Equal(t, collect.ReasonBomb, s.Skipped[0].Reason)
}

// A zip cut inside its central directory is read from its local headers:
// every entry, with one problem saying so.
func TestTruncatedZip(t *testing.T) {
	dir := t.TempDir()
	const n = 12
	b, err := TruncatedZip(n, 3000)
	require.NoError(t, err)
	full := filepath.Join(dir, "cut-directory.zip")
	require.NoError(t, os.WriteFile(full, b, 0o644))
	// Cut again inside the last entry's data: all but the last are read.
	lastAt := bytes.LastIndex(b, []byte("PK\x03\x04"))
	require.Positive(t, lastAt)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cut-entry.zip"), b[:lastAt+100], 0o644))

	res, err := hvic.ScanPaths(context.Background(), []string{dir}, nil)
	require.NoError(t, err)
	assert.Equal(t, hvic.StatusPartial, res.Status)
	roles := map[string]hvic.Role{}
	for _, f := range res.Inventory.Files {
		roles[f.Path] = f.Role
	}
	d := filepath.ToSlash(dir)
	for i := 0; i < n; i++ {
		p := d + "/cut-directory.zip!/" + "guest" + pad4(i) + ".reg"
		assert.Equal(t, hvic.RoleGuestRegistry, roles[p], p)
		p = d + "/cut-entry.zip!/" + "guest" + pad4(i) + ".reg"
		if i < n-1 {
			assert.Equal(t, hvic.RoleGuestRegistry, roles[p], p)
			continue
		}
		var found bool
		for _, pr := range res.Problems {
			found = found || (pr.File == p && pr.Code.String() == string(collect.ReasonUnreadable))
		}
		assert.True(t, found, "the cut entry is a problem: %v", res.Problems)
	}
	assert.Equal(t, 2, problemsByCode(res)[string(collect.ReasonDamaged)])
}

func pad4(i int) string {
	s := "000" + string(rune('0'+i%10))
	if i >= 10 {
		s = "00" + string(rune('0'+i/10)) + string(rune('0'+i%10))
	}
	return s
}

// More zips than MaxOpenFiles: every file is read, never more than
// MaxOpenFiles open at once.
func TestManyZips(t *testing.T) {
	dir := t.TempDir()
	const n, limit = 150, 8
	require.NoError(t, ManyZips(dir, n))
	s, err := collect.WalkPaths(context.Background(), []string{dir}, &collect.Options{MaxOpenFiles: limit})
	require.NoError(t, err)
	require.Len(t, s.Files, n+1)
	assert.Len(t, scanAll(t, s, 6), n+1)
	assert.LessOrEqual(t, s.OpenHighWater(), limit)
	assert.Positive(t, s.OpenHighWater())
	require.NoError(t, s.Close())

	res, err := hvic.ScanPaths(context.Background(), []string{dir}, &hvic.Options{MaxOpenFiles: limit, Workers: 4})
	require.NoError(t, err)
	assert.Equal(t, hvic.StatusComplete, res.Status, res.Problems)
	assert.Len(t, res.Inventory.Files, n+1)
}

// The memory budget is shared: with a budget of three files, workers
// hold at most three files' weight at once, and a file heavier than the
// whole budget is read alone.
func TestBudgetHighWater(t *testing.T) {
	dir := t.TempDir()
	const n = 40
	for i := 0; i < n; i++ {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "g"+pad4(i)+".reg"), padded(RegExport("b"), 10_000), 0o644))
	}
	big := padded(RegExport("big"), 200_000)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "big.reg"), big, 0o644))
	w := int64(3 * len(padded(RegExport("b"), 10_000)))
	budget := 3 * w
	s, err := collect.WalkPaths(context.Background(), []string{dir}, &collect.Options{MemoryBudget: budget})
	require.NoError(t, err)
	defer s.Close()
	assert.Len(t, scanAll(t, s, 8), n+1)
	hw := s.MemoryHighWater()
	assert.LessOrEqual(t, hw, max(budget, 3*int64(len(big))))
	assert.GreaterOrEqual(t, hw, 3*int64(len(big)), "the big file was charged")
}

// Links leading out of the input are not followed (a problem each), nor
// links to folders; devices are skipped unopened. FollowSymlinks lifts
// the boundary without looping.
func TestSymlinkBoundary(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	in, err := SymlinkTree(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, SpecialFiles(in))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := hvic.ScanPaths(ctx, []string{in}, nil)
	require.NoError(t, err, "an opened pipe would block until the timeout")
	var read []string
	for _, f := range res.Inventory.Files {
		read = append(read, filepath.Base(f.Path))
	}
	// inside-link.reg and inside.reg are one file, taken once under the
	// name met first.
	assert.Equal(t, []string{"inside"}, realNames(read), read)
	outside := map[string]bool{}
	for _, p := range res.Problems {
		if p.Code.String() == string(collect.ReasonOutside) {
			outside[filepath.Base(p.File)] = true
		}
	}
	assert.Equal(t, map[string]bool{"secret-link.reg": true, "absolute.reg": true, "outside-dir": true}, outside)
	skipped := map[string]string{}
	for _, sk := range res.Inventory.Skipped {
		skipped[filepath.Base(sk.Path)] = sk.Detail
	}
	assert.Contains(t, skipped["pipe.reg"], "named pipe")
	assert.Contains(t, skipped["socket.reg"], "socket")
	assert.Equal(t, hvic.StatusPartial, res.Status)

	res, err = hvic.ScanPaths(ctx, []string{in}, &hvic.Options{FollowSymlinks: true})
	require.NoError(t, err)
	read = read[:0]
	for _, f := range res.Inventory.Files {
		read = append(read, filepath.Base(f.Path))
	}
	assert.Equal(t, []string{"inside", "secret"}, realNames(read), "followed, each real file once, the loop ended: %v", read)
}

// realNames maps the names of SymlinkTree's files and links to the file
// they stand for, sorted.
func realNames(names []string) []string {
	var out []string
	for _, n := range names {
		switch n {
		case "inside.reg", "inside-link.reg":
			out = append(out, "inside")
		case "secret.reg", "secret-link.reg", "absolute.reg":
			out = append(out, "secret")
		default:
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Cancelling a walk through large nested archives returns within a
// second, with the context's error: the scan was still walking when
// cancelled (64 MiB of nested archives take about 130 ms to scan on an
// idle 2-core machine, six times the 20 ms the test waits).
func TestCancelNested(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 64 MiB of nested archives")
	}
	dir := t.TempDir()
	name := writeFile(t, filepath.Join(dir, "nested.zip"), func(b *bytes.Buffer) error { return NestedZips(b, 4, 16<<20) })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := hvic.ScanPaths(ctx, []string{name}, &hvic.Options{TempDir: t.TempDir()})
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("the scan ended before the cancel (err %v): the input is too small to prove the bound", err)
	default:
	}
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		assert.Less(t, time.Since(start), time.Second)
		assert.ErrorIs(t, err, context.Canceled, "cancelled mid-walk")
	case <-time.After(5 * time.Second):
		t.Fatal("scan did not return after cancel")
	}
}

// Hives heavier than the budget are read one at a time: the bytes held
// at once never exceed one host's hive image.
func TestSparseHivesBudget(t *testing.T) {
	dir := t.TempDir()
	const size = 2 << 20
	require.NoError(t, SparseHives(dir, 3, size))
	s, err := collect.WalkPaths(context.Background(), []string{dir}, &collect.Options{MemoryBudget: size})
	require.NoError(t, err)
	defer s.Close()
	require.Len(t, s.Files, 3)
	one := s.Files[0].Weight()
	assert.Equal(t, int64(2*size), one, "the image and its growth; the logs are read in place")
	assert.Len(t, scanAll(t, s, 3), 3)
	assert.Equal(t, one, s.MemoryHighWater(), "one host at a time")
}
