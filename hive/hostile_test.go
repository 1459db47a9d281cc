package hive

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/hvic/hvic/internal/hivewriter"
	"github.com/hvic/hvic/internal/hostile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// errorsWith returns the errors of list that wrap target.
func errorsWith(list []error, target error) []error {
	var out []error
	for _, err := range list {
		if errors.Is(err, target) {
			out = append(out, err)
		}
	}
	return out
}

// TestReplayGrowthBounded: logs declaring huge or ever-growing hive bins
// grow the image no further than the base plus the log plus 1 MiB; the
// genuine first entry still applies, and the refused growth is a problem.
func TestReplayGrowthBounded(t *testing.T) {
	tests := []struct {
		name  string
		count int
		step  uint32
	}{
		{"one entry declaring 1 GiB of bins", 1, 1<<30 - 1<<20},
		{"many growing entries", 300, 512 << 10},
		{"entries growing within the bound", 3, 4096},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, log1, err := hostile.GrowingLog(tt.count, tt.step)
			require.NoError(t, err)
			bound := int64(len(base)+len(log1)) + 1<<20
			h, err := FromBytes(context.Background(), base, []LogFile{{Name: "SOFTWARE.LOG1", Data: log1}}, nil)
			require.NoError(t, err)
			assert.LessOrEqual(t, int64(cap(h.img)), bound, "image capacity")
			assert.LessOrEqual(t, int64(len(h.img)), bound, "image length")
			rec := h.Recovery()
			require.True(t, rec.Recovered)
			require.Len(t, rec.Applied, 1)
			grown := int64(tt.count) * int64(tt.step)
			if grown <= 1<<20 {
				assert.Equal(t, tt.count+1, rec.Applied[0].Entries, "every entry within the bound applies")
				assert.Empty(t, errorsWith(h.Problems(), ErrTooLarge))
			} else {
				assert.Less(t, rec.Applied[0].Entries, tt.count+1, "entries past the bound are not applied")
				assert.NotEmpty(t, errorsWith(h.Problems(), ErrTooLarge), "the refused growth is reported")
			}
			f := ExtractFacts(h, "SOFTWARE")
			require.Equal(t, SideHost, f.Side)
			v, ok := f.Host.GuestInstallerVersion(false)
			require.True(t, ok)
			assert.Equal(t, hostile.HostShape().ICVersion, v.Value)
			k, err := h.Key(PathVirtualization)
			require.NoError(t, err)
			_, ok = k.Value("Replayed")
			assert.True(t, ok, "the genuine entry was applied")
		})
	}
}

// countingReaderAt counts the bytes read through it.
type countingReaderAt struct {
	r io.ReaderAt
	n atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// TestSparseHiveLogsReadLazily: a hive padded to 64 MiB with three 64 MiB
// logs is read once, and of the logs only the headers and the genuine
// entry are read.
func TestSparseHiveLogsReadLazily(t *testing.T) {
	dir := t.TempDir()
	const size = 64 << 20
	require.NoError(t, hostile.WriteSparseHive(dir, "SOFTWARE", size))
	var logs []LogFile
	var counters []*countingReaderAt
	for _, n := range []string{"SOFTWARE.LOG", "SOFTWARE.LOG1", "SOFTWARE.LOG2"} {
		f, err := os.Open(filepath.Join(dir, n))
		require.NoError(t, err)
		defer f.Close()
		c := &countingReaderAt{r: f}
		counters = append(counters, c)
		logs = append(logs, LogFile{Name: n, Reader: c, Size: size})
	}
	f, err := os.Open(filepath.Join(dir, "SOFTWARE"))
	require.NoError(t, err)
	defer f.Close()
	h, err := FromReader(context.Background(), "SOFTWARE", f, size, logs, nil)
	require.NoError(t, err)
	assert.True(t, h.Recovery().Recovered)
	assert.Equal(t, int64(size), int64(len(h.img)), "replayed in place, no growth")
	for i, c := range counters {
		assert.Less(t, c.n.Load(), int64(1<<20), "bytes read from %s", logs[i].Name)
	}
	fc := ExtractFacts(h, "SOFTWARE")
	assert.Equal(t, SideHost, fc.Side)
	require.Len(t, fc.Problems, 2, "the zero-filled .LOG and .LOG2 are refused")
	for _, p := range fc.Problems {
		assert.ErrorIs(t, p, ErrBadLog)
	}

	// Open does the same from the folder.
	h, err = Open(context.Background(), filepath.Join(dir, "SOFTWARE"), nil)
	require.NoError(t, err)
	assert.True(t, h.Recovery().Recovered)
	assert.Equal(t, SideHost, ExtractFacts(h, "SOFTWARE").Side)
}

// TestLogReadBoundedRelativeToHive: entries past MaxLogBytes of a small
// hive are not read; the cut is reported.
func TestLogReadBoundedRelativeToHive(t *testing.T) {
	base, log1, err := hostile.GrowingLog(3, 4096)
	require.NoError(t, err)
	opts := &Options{MaxLogSize: int64(len(log1)) - 1}
	limit := MaxLogBytes(int64(len(base)), opts)
	require.Equal(t, int64(len(log1))-1, limit)
	h, err := FromBytes(context.Background(), base, []LogFile{{Name: "SOFTWARE.LOG1", Data: log1}}, opts)
	require.NoError(t, err)
	rec := h.Recovery()
	require.Len(t, rec.Applied, 1, "the entries within the cap apply")
	assert.Equal(t, 3, rec.Applied[0].Entries, "the last entry, past the cap, does not")
	assert.NotEmpty(t, errorsWith(h.Problems(), ErrTooLarge), "the cut is reported")
}

// TestDamagedPathIsAProblem: damage on the way to the IC keys is never
// "not found": the facts carry an ErrCorrupt or ErrTooLarge problem.
func TestDamagedPathIsAProblem(t *testing.T) {
	self, err := hostile.SubkeyLoopHive(hostile.LoopSelf)
	require.NoError(t, err)
	root, err := hostile.SubkeyLoopHive(hostile.LoopRoot)
	require.NoError(t, err)
	huge, err := hostile.HugeValueHive(0x7FFFFFF0)
	require.NoError(t, err)
	tests := []struct {
		name   string
		data   []byte
		target error
		text   string
	}{
		{"subkey list points to its key", self, ErrCorrupt, `unreadable: damaged subkey list in its ancestor "CurrentVersion"`},
		{"subkey list points to the root", root, ErrCorrupt, `unreadable: damaged subkey list in its ancestor "CurrentVersion"`},
		{"value sizes huge", huge, ErrTooLarge, "GuestInstaller"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := FromBytes(context.Background(), tt.data, nil, nil)
			require.NoError(t, err)
			f := ExtractFacts(h, "SOFTWARE")
			assert.Nil(t, f.Host, "the host's IC facts are unreadable")
			got := errorsWith(f.Problems, tt.target)
			require.NotEmpty(t, got, "problems: %v", f.Problems)
			assert.Contains(t, got[0].Error(), tt.text)
			_, err = h.Key(PathGuestInstallerVersion)
			if tt.target == ErrCorrupt {
				require.ErrorIs(t, err, ErrCorrupt)
				assert.NotErrorIs(t, err, ErrKeyNotFound)
			}
		})
	}
}

// TestExportKeyLimitIsAProblem: keys over MaxKeys are dropped with an
// ErrTooLarge problem, which reaches the facts.
func TestExportKeyLimitIsAProblem(t *testing.T) {
	data := hostile.RegOverKeyLimit(50)
	e, err := ParseReg(context.Background(), data, &ExportOptions{File: "guest.reg", MaxKeys: 50})
	require.NoError(t, err)
	f := ExtractFacts(e, "guest.reg")
	assert.Nil(t, f.Guest, "the guest's IC key was dropped")
	assert.NotEmpty(t, errorsWith(f.Problems, ErrTooLarge))

	e, err = ParseReg(context.Background(), data, &ExportOptions{File: "guest.reg"})
	require.NoError(t, err)
	f = ExtractFacts(e, "guest.reg")
	require.NotNil(t, f.Guest)
	assert.Equal(t, "6.2.9200.16384", f.Guest.IntegrationServicesVersion.Value)
}

// TestCancelled: a done context stops opening, replay and parsing quickly
// with its error.
func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	base, log1, err := hostile.GrowingLog(3, 4096)
	require.NoError(t, err)
	_, err = FromBytes(ctx, base, []LogFile{{Name: "SOFTWARE.LOG1", Data: log1}}, nil)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = FromReader(ctx, "SOFTWARE", bytes.NewReader(base), int64(len(base)), nil, nil)
	assert.ErrorIs(t, err, context.Canceled)
	big := hostile.BigReg(8 << 20)
	_, err = ParseReg(ctx, big, nil)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = ParseRegQuery(ctx, []byte("HKEY_LOCAL_MACHINE\\SOFTWARE\\X\n"), nil)
	assert.ErrorIs(t, err, context.Canceled)

	// Cancelled while reading a large sparse hive: the read stops at the
	// next 1 MiB chunk. The context is cancelled from inside the reader, on
	// its third chunk, so the check does not depend on how long the image
	// buffer took to allocate (the runtime zeroes reused memory, which can
	// take seconds for 256 MiB on a loaded machine).
	dir := t.TempDir()
	require.NoError(t, hostile.WriteSparseHive(dir, "SOFTWARE", 256<<20))
	f, err := os.Open(filepath.Join(dir, "SOFTWARE"))
	require.NoError(t, err)
	defer f.Close()
	st, err := f.Stat()
	require.NoError(t, err)
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	r := &cancelAfter{r: f, reads: 3, cancel: cancel}
	_, err = FromReader(ctx, "SOFTWARE", r, st.Size(), nil, nil)
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, r.read, int64(8<<20), "read %d bytes after the cancel", r.read)
}

// cancelAfter reads from r and calls cancel once reads calls have been
// made, counting the bytes read.
type cancelAfter struct {
	r      io.Reader
	reads  int
	cancel func()
	read   int64
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	c.reads--
	if c.reads == 0 {
		c.cancel()
	}
	n, err := c.r.Read(p)
	c.read += int64(n)
	return n, err
}

// TestHost2016Recognised: a Windows Server 2016+ SOFTWARE hive with
// Hyper-V and no GuestInstaller key is a host with no offered versions
// (issue 10); without Hyper-V, or before Windows 10, it is not.
func TestHost2016Recognised(t *testing.T) {
	build := func(major uint32, virt bool) []byte {
		b := hivewriter.New()
		cv := b.Key(PathCurrentVersion)
		cv.SetString("ProductName", "Windows Server 2019 Datacenter").SetString("CurrentVersion", "6.3").SetString("CurrentBuild", "17763")
		if major > 0 {
			cv.SetDword("CurrentMajorVersionNumber", major).SetDword("CurrentMinorVersionNumber", 0)
		}
		if virt {
			b.Key(PathVirtualization).SetString("Version", "10.0.17763.1").SetString("DefaultVirtualHardDiskPath", `C:\VHD`)
		}
		data, err := b.Bytes()
		require.NoError(t, err)
		return data
	}
	tests := []struct {
		name  string
		major uint32
		virt  bool
		want  Side
	}{
		{"2019 with Hyper-V", 10, true, SideHost},
		{"2019 without Hyper-V", 10, false, SideNone},
		{"2012 R2 with a Virtualization key only", 0, true, SideNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := FromBytes(context.Background(), build(tt.major, tt.virt), nil, nil)
			require.NoError(t, err)
			f := ExtractFacts(h, "SOFTWARE")
			assert.Equal(t, tt.want, f.Side)
			assert.Empty(t, f.Problems)
			if tt.want == SideHost {
				assert.Empty(t, f.Host.GuestInstallerVersions)
				assert.Equal(t, "10.0.17763.1", f.Host.VirtualizationVersion.Value)
				assert.Equal(t, "10", f.Host.OS.MajorVersion.Value)
				_, ok := f.Host.GuestInstallerVersion(false)
				assert.False(t, ok)
			}
		})
	}
}

// shortReaderAt claims more bytes than it has: a log that shrank after
// it was listed.
type shortReaderAt struct{ data []byte }

func (s shortReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(s.data)) {
		return 0, io.EOF
	}
	n := copy(p, s.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// TestLogShorterThanItsSize: entries the log's Reader cannot deliver are
// not applied; what it delivers is.
func TestLogShorterThanItsSize(t *testing.T) {
	base, log1, err := hostile.GrowingLog(3, 4096)
	require.NoError(t, err)
	cut := len(log1) - 1000 // inside the last entry
	logs := []LogFile{{Name: "SOFTWARE.LOG1", Reader: shortReaderAt{log1[:cut]}, Size: int64(len(log1))}}
	h, err := FromBytes(context.Background(), base, logs, nil)
	require.NoError(t, err)
	rec := h.Recovery()
	require.Len(t, rec.Applied, 1)
	assert.Equal(t, 3, rec.Applied[0].Entries)
	assert.ErrorContains(t, rec.Applied[0].Stop, "reading")
	assert.NotEmpty(t, errorsWith(h.Problems(), ErrTruncated), "the unreadable entry is reported")
}

// noReaderAtFS hides io.ReaderAt from the files of an fs.FS: the logs
// are then read whole, up to MaxLogBytes.
type noReaderAtFS struct{ fs fstest.MapFS }

type plainFile struct{ f fs.File }

func (p plainFile) Stat() (fs.FileInfo, error) { return p.f.Stat() }
func (p plainFile) Read(b []byte) (int, error) { return p.f.Read(b) }
func (p plainFile) Close() error               { return p.f.Close() }

func (n noReaderAtFS) Open(name string) (fs.File, error) {
	f, err := n.fs.Open(name)
	if err != nil {
		return nil, err
	}
	if _, isDir := f.(fs.ReadDirFile); isDir {
		return f, nil
	}
	return plainFile{f}, nil
}

// TestOpenFSLogWithoutReaderAt: a log that cannot be read in place is
// read up to the cap; the entries within it apply, the rest is reported.
func TestOpenFSLogWithoutReaderAt(t *testing.T) {
	base, log1, err := hostile.GrowingLog(3, 4096)
	require.NoError(t, err)
	fsys := noReaderAtFS{fstest.MapFS{"h/SOFTWARE": {Data: base}, "h/SOFTWARE.LOG1": {Data: log1}}}
	h, err := OpenFS(context.Background(), fsys, "h/SOFTWARE", &Options{MaxLogSize: int64(len(log1)) - 1})
	require.NoError(t, err)
	rec := h.Recovery()
	require.Len(t, rec.Applied, 1)
	assert.Equal(t, 3, rec.Applied[0].Entries)
	assert.NotEmpty(t, errorsWith(h.Problems(), ErrTooLarge))

	h, err = OpenFS(context.Background(), fsys, "h/SOFTWARE", nil)
	require.NoError(t, err)
	assert.Equal(t, 4, h.Recovery().Applied[0].Entries)
	assert.Empty(t, h.Problems())
}
