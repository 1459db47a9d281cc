package collect

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixture reads a committed file of testdata/collect (see its README and
// scripts/archive-fixtures.sh).
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(seedDir, name))
	require.NoError(t, err)
	return b
}

type tarEntry struct {
	name string
	data []byte
	typ  byte // default tar.TypeReg
}

func makeTar(t testing.TB, entries ...tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Size: int64(len(e.data)), Mode: 0o644, Typeflag: e.typ, Format: tar.FormatPAX}
		switch e.typ {
		case 0:
			h.Typeflag = tar.TypeReg
		case tar.TypeSymlink:
			h.Linkname, h.Size = "/etc/passwd", 0
		case tar.TypeDir:
			h.Size = 0
		}
		require.NoError(t, tw.WriteHeader(h))
		if h.Size > 0 {
			_, err := tw.Write(e.data)
			require.NoError(t, err)
		}
	}
	require.NoError(t, tw.Close())
	return buf.Bytes()
}

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(data)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func relPaths(files []*File, prefix string) []string {
	var out []string
	for _, f := range files {
		out = append(out, strings.TrimPrefix(f.Path, prefix))
	}
	return out
}

// TestArchiveFixtures walks the archives made by Debian's 7z, tar, gzip
// and xz: every format lists the same fake host folder, with the same
// bytes, and pairs the hive with its log.
func TestArchiveFixtures(t *testing.T) {
	host := []string{"guest/auto.txt", "host/SOFTWARE", "host/System.evtx"}
	tests := []struct {
		file  string
		files []string
		skips map[string]Reason
	}{
		{"collection.tar", host, map[string]Reason{}},
		{"collection.tar.gz", host, map[string]Reason{}},
		{"collection.tar.xz", host, map[string]Reason{}},
		{"collection.7z", host, map[string]Reason{}},
		{"auto.txt.xz", []string{"auto.txt"}, map[string]Reason{}},
		{"nested.7z", []string{
			"collection.tar.gz!/guest/auto.txt", "collection.tar.gz!/host/SOFTWARE", "collection.tar.gz!/host/System.evtx",
			"collection.zip!/guest/auto.txt", "collection.zip!/host/SOFTWARE", "collection.zip!/host/System.evtx",
		}, map[string]Reason{"nested.7z!/collection.zip!/../escape.reg": ReasonUnsafePath}},
		{"unsafe.tar", nil, map[string]Reason{"unsafe.tar!/../escape.reg": ReasonUnsafePath}},
		{"bomb.7z", nil, map[string]Reason{"bomb.7z!/zeros.evtx": ReasonBomb}},
		{"bomb.tar.gz", nil, map[string]Reason{"bomb.tar.gz": ReasonBomb}},
		{"bomb.evtx.xz", nil, map[string]Reason{"bomb.evtx.xz": ReasonBomb}},
	}
	want := map[string][]byte{}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, err := Walk(context.Background(), fstest.MapFS{tt.file: {Data: fixture(t, tt.file)}}, nil)
			require.NoError(t, err)
			defer s.Close()
			assert.Equal(t, tt.files, relPaths(s.Files, tt.file+"!/"))
			assert.Equal(t, tt.skips, skippedBy(s))
			for _, f := range s.Files {
				data, err := f.ReadAll(1 << 20)
				require.NoError(t, err, f.Path)
				base := f.base
				if prev, ok := want[base]; ok {
					if base != "System.evtx" { // the zip's evtx is shorter
						assert.Equal(t, prev, data, f.Path)
					}
				} else {
					want[base] = data
				}
				if f.Kind == KindHive {
					require.Len(t, f.Logs, 1, f.Path)
					assert.Equal(t, f.Path+".LOG1", f.Logs[0].Path)
				}
			}
		})
	}
}

func TestWalkTarRefusesHostileEntries(t *testing.T) {
	evtx := []byte("ElfFile\x00")
	arch := makeTar(t,
		tarEntry{name: "../escape.evtx", data: evtx},
		tarEntry{name: `..\win-escape.evtx`, data: evtx},
		tarEntry{name: "/abs.evtx", data: evtx},
		tarEntry{name: "C:/drive.evtx", data: evtx},
		tarEntry{name: "link.evtx", typ: tar.TypeSymlink},
		tarEntry{name: "host/", typ: tar.TypeDir},
		tarEntry{name: "host/System.evtx", data: evtx},
	)
	for _, name := range []string{"c.tar", "c.tar.gz"} {
		data := arch
		if strings.HasSuffix(name, ".gz") {
			data = gz(t, arch)
		}
		s, err := Walk(context.Background(), fstest.MapFS{name: {Data: data}}, nil)
		require.NoError(t, err)
		assert.Equal(t, []string{"host/System.evtx"}, relPaths(s.Files, name+"!/"))
		p := name + "!/"
		assert.Equal(t, map[string]Reason{
			p + "../escape.evtx": ReasonUnsafePath, p + `..\win-escape.evtx`: ReasonUnsafePath,
			p + "/abs.evtx": ReasonUnsafePath, p + "C:/drive.evtx": ReasonUnsafePath,
			p + "link.evtx": ReasonUnsupported,
		}, skippedBy(s))
		assert.Equal(t, 4, s.Refused, "the link is skipped, not refused")
		s.Close()
	}
}

func TestWalkTarDamaged(t *testing.T) {
	arch := makeTar(t, tarEntry{name: "a.evtx", data: []byte("ElfFile\x00")}, tarEntry{name: "b.evtx", data: bytes.Repeat([]byte("x"), 2000)})
	cut := arch[:1536+512] // a.evtx whole, b.evtx's header and part of its data
	s, err := Walk(context.Background(), fstest.MapFS{"cut.tar": {Data: cut}}, nil)
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, []string{"cut.tar!/a.evtx"}, paths(s.Files))
	assert.Equal(t, map[string]Reason{"cut.tar!/b.evtx": ReasonUnreadable, "cut.tar": ReasonDamaged}, skippedBy(s), "b.evtx's data lies past the end")

	bad := fixture(t, "collection.7z")
	s2, err := Walk(context.Background(), fstest.MapFS{"cut.7z": {Data: bad[:len(bad)-40]}, "cut.tar.xz": {Data: fixture(t, "collection.tar.xz")[:200]}}, nil)
	require.NoError(t, err)
	defer s2.Close()
	assert.Empty(t, s2.Files)
	assert.Equal(t, map[string]Reason{"cut.7z": ReasonUnreadable, "cut.tar.xz": ReasonUnreadable}, skippedBy(s2))
}

// TestWalkArchiveNesting: a tar.gz is one level, a gzip stream that is not
// a tar is a level like any archive, and nesting stops at MaxDepth.
func TestWalkArchiveNesting(t *testing.T) {
	evtx := []byte("ElfFile\x00deep")
	inner := makeTar(t, tarEntry{name: "deep.evtx", data: evtx})
	mid := gz(t, makeTar(t, tarEntry{name: "inner.tar", data: inner}))
	outer := makeTar(t, tarEntry{name: "mid.tar.gz", data: mid}, tarEntry{name: "b.evtx", data: evtx})
	chain := evtx
	for range 6 {
		chain = gz(t, chain)
	}
	tests := []struct {
		name  string
		opts  Options
		files []string
		skips map[string]Reason
	}{
		{"defaults", Options{}, []string{"o.tar!/b.evtx", "o.tar!/mid.tar.gz!/inner.tar!/deep.evtx"}, map[string]Reason{"x.gz!/x!/x!/x!/x": ReasonDepth}},
		{"depth 2", Options{MaxDepth: 2}, []string{"o.tar!/b.evtx"}, map[string]Reason{"o.tar!/mid.tar.gz!/inner.tar": ReasonDepth, "x.gz!/x!/x": ReasonDepth}},
		// The entry limit is over all archives: mid.tar.gz and inner.tar
		// are the two entries allowed, the rest is refused.
		{"entries", Options{MaxArchiveEntries: 2}, nil, map[string]Reason{"o.tar": ReasonLimit, "o.tar!/mid.tar.gz!/inner.tar": ReasonLimit, "x.gz": ReasonLimit}},
		{"bytes", Options{MaxArchiveBytes: int64(len(inner)) + 600}, []string{"o.tar!/b.evtx"}, map[string]Reason{"o.tar!/mid.tar.gz": ReasonLimit, "x.gz!/x!/x!/x!/x": ReasonDepth}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Walk(context.Background(), fstest.MapFS{"o.tar": {Data: outer}, "x.gz": {Data: chain}}, &tt.opts)
			require.NoError(t, err)
			defer s.Close()
			assert.Equal(t, tt.files, paths(s.Files))
			assert.Equal(t, tt.skips, skippedBy(s))
		})
	}
}

// TestWalkArchiveSizes: Set.Archives gives each archive walked into at its
// own size: a compressed stream's, not its decompressed copy's (a .tar.gz
// is one archive), and an entry's uncompressed size inside another.
func TestWalkArchiveSizes(t *testing.T) {
	evtx := []byte("ElfFile\x00deep")
	inner := makeTar(t, tarEntry{name: "deep.evtx", data: evtx})
	mid := gz(t, makeTar(t, tarEntry{name: "inner.tar", data: inner}))
	outer := makeTar(t, tarEntry{name: "mid.tar.gz", data: mid})
	chain := [][]byte{evtx} // chain[i] is gzip'd i times
	for i := range 3 {
		chain = append(chain, gz(t, chain[i]))
	}
	fsys := fstest.MapFS{"o.tar": {Data: outer}, "x.gz": {Data: chain[3]}}
	s, err := Walk(context.Background(), fsys, nil)
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, []Archive{
		{Path: "o.tar", Size: int64(len(outer))},
		{Path: "o.tar!/mid.tar.gz", Size: int64(len(mid))},
		{Path: "o.tar!/mid.tar.gz!/inner.tar", Size: int64(len(inner))},
		{Path: "x.gz", Size: int64(len(chain[3]))},
		{Path: "x.gz!/x", Size: int64(len(chain[2]))},
		{Path: "x.gz!/x!/x", Size: int64(len(chain[1]))},
	}, s.Archives)
	assert.Equal(t, []string{"o.tar!/mid.tar.gz!/inner.tar!/deep.evtx", "x.gz!/x!/x!/x"}, paths(s.Files))
}

func TestCheckXz(t *testing.T) {
	one := fixture(t, "auto.txt.xz")
	require.NoError(t, checkXz(bytes.NewReader(one), int64(len(one)), maxDictBytes))

	// Two streams and stream padding read as one content.
	two := append(append(append([]byte(nil), one...), 0, 0, 0, 0), one...)
	require.NoError(t, checkXz(bytes.NewReader(two), int64(len(two)), maxDictBytes))
	rc, err := newDecompressor(bytes.NewReader(two), formatXz)
	require.NoError(t, err)
	got, err := io.ReadAll(rc)
	require.NoError(t, err)
	assert.Equal(t, 2, strings.Count(string(got), "IntegrationServicesVersion"))

	// The first block header follows the 12-byte stream header: size
	// byte, flags, then the LZMA2 filter (ID 0x21, one property byte).
	hdr := one[xzHeaderLen:]
	i := bytes.Index(hdr[:int(hdr[0]+1)*4], []byte{xzLZMA2, 1})
	require.Positive(t, i)
	huge := append([]byte(nil), one...)
	huge[xzHeaderLen+i+2] = 40 // 4 GiB
	err = checkXz(bytes.NewReader(huge), int64(len(huge)), maxDictBytes)
	require.ErrorContains(t, err, "dictionary")
	s, err := Walk(context.Background(), fstest.MapFS{"huge.xz": {Data: huge}}, nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]Reason{"huge.xz": ReasonUnreadable}, skippedBy(s))
	s.Close()

	for _, cut := range []int{0, 11, 12, 30, len(one) - 1} {
		assert.Error(t, checkXz(bytes.NewReader(one[:cut]), int64(cut), maxDictBytes), "cut at %d", cut)
	}
}

func TestSevenZipCoderDictionary(t *testing.T) {
	in := []io.ReadCloser{io.NopCloser(bytes.NewReader(nil))}
	_, err := newLZMA([]byte{0x5D, 0, 0, 0, 0x80}, 10, in) // 2 GiB
	assert.ErrorContains(t, err, "dictionary")
	_, err = newLZMA2([]byte{40}, 10, in)
	assert.ErrorContains(t, err, "dictionary")
	_, err = newLZMA2([]byte{41}, 10, in)
	assert.ErrorIs(t, err, errCoder)
	_, err = newLZMA([]byte{0x5D}, 10, in)
	assert.ErrorIs(t, err, errCoder)
	r, err := newLZMA2([]byte{16}, 10, in) // 1 MiB
	require.NoError(t, err)
	require.NoError(t, r.Close())
	assert.Equal(t, int64(64<<20), lzma2Dict(28))
	for name, m := range methodsRefused {
		_, err := refusedMethod(name)(nil, 0, in)
		assert.ErrorContains(t, err, name, "%X", m)
	}
	assert.Equal(t, int64(3<<20), lzma2Dict(19))
}

func TestArchiveFormat(t *testing.T) {
	for name, want := range map[string]string{
		"collection.zip": formatZip, "collection.7z": format7z, "collection.tar": formatTar,
		"collection.tar.gz": formatGzip, "collection.tar.xz": formatXz, "README.md": "",
	} {
		assert.Equal(t, want, archiveFormat(fixture(t, name)), name)
	}
	for disp, want := range map[string]string{
		"a/b.tgz": "b.tar", "x.zip!/System.evtx.gz": "System.evtx", "c.XZ": "c", "d.z": "d", "e": "e",
	} {
		assert.Equal(t, want, innerName(disp, formatGzip), disp)
	}
}

// make7z wraps a header in a 7z signature header with correct CRCs.
func make7z(hdr []byte) []byte {
	start := binary.LittleEndian.AppendUint64(nil, 0)
	start = binary.LittleEndian.AppendUint64(start, uint64(len(hdr)))
	start = binary.LittleEndian.AppendUint32(start, crc32.ChecksumIEEE(hdr))
	out := append([]byte("7z\xBC\xAF\x27\x1C\x00\x04"), binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE(start))...)
	return append(append(out, start...), hdr...)
}

// num7z is a 7z NUMBER in its 9-byte form.
func num7z(v uint64) []byte { return binary.LittleEndian.AppendUint64([]byte{0xFF}, v) }

// TestCheck7z: headers declaring huge tables are refused before
// sevenzip allocates them (a 59-byte archive declaring 2^33 files made
// the runtime abort with a fatal out-of-memory error); the archives of
// Debian's 7z (encoded, LZMA-compressed headers) pass.
func TestCheck7z(t *testing.T) {
	for _, name := range []string{"collection.7z", "nested.7z", "bomb.7z"} {
		b := fixture(t, name)
		require.NoError(t, check7z(bytes.NewReader(b), int64(len(b)), 1000), name)
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"files", make7z(cat([]byte{k7zHeader, k7zFilesInfo}, num7z(1<<33), []byte{0, 0})), "8589934592 files declared"},
		{"folders", make7z(cat([]byte{k7zHeader, k7zMainStreamsInfo, k7zUnpackInfo, k7zFolder}, num7z(1<<33), []byte{0, 0})), "folders declared"},
		{"pack streams", make7z(cat([]byte{k7zHeader, k7zMainStreamsInfo, k7zPackInfo, 0}, num7z(1<<40), []byte{0})), "pack streams declared"},
		{"coders", make7z(cat([]byte{k7zHeader, k7zMainStreamsInfo, k7zUnpackInfo, k7zFolder, 1, 0}, num7z(1<<20))), "coders in a folder"},
		{"coder properties", make7z(cat([]byte{k7zHeader, k7zMainStreamsInfo, k7zUnpackInfo, k7zFolder, 1, 0, 1, 0x21, 0x21}, num7z(1<<40))), "coder property bytes"},
		{"cut", make7z([]byte{k7zHeader, k7zMainStreamsInfo}), "cut short"},
		{"encoded with another coder", make7z(cat([]byte{k7zEncodedHeader, k7zPackInfo, 0, 1, k7zSize, 10, k7zEnd, k7zUnpackInfo, k7zFolder, 1, 0, 1, 1, 0x42, k7zCodersUnpackSize, 10, k7zEnd, k7zEnd})), "coder 42 not checked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := check7z(bytes.NewReader(tt.data), int64(len(tt.data)), 1000)
			require.ErrorIs(t, err, err7zHeader)
			assert.ErrorContains(t, err, tt.want)
			s, err := Walk(context.Background(), fstest.MapFS{"x.7z": {Data: tt.data}}, nil)
			require.NoError(t, err)
			assert.Equal(t, map[string]Reason{"x.7z": ReasonUnreadable}, skippedBy(s))
			s.Close()
		})
	}
	big := make7z([]byte{k7zHeader, k7zEnd})
	binary.LittleEndian.PutUint64(big[20:], 1<<30)
	assert.ErrorContains(t, check7z(bytes.NewReader(big), int64(len(big)), 1000), "header of 1073741824 bytes")
}

// TestArchiveEntriesReadConcurrently: the readers open entries of one 7z
// (a solid block) and one tar.gz from several goroutines at once.
func TestArchiveEntriesReadConcurrently(t *testing.T) {
	fsys := fstest.MapFS{"c.7z": {Data: fixture(t, "collection.7z")}, "c.tar.gz": {Data: fixture(t, "collection.tar.gz")}}
	s, err := Walk(context.Background(), fsys, nil)
	require.NoError(t, err)
	defer s.Close()
	require.Len(t, s.Files, 6)
	want := map[string][]byte{}
	for _, f := range s.Files {
		b, err := f.ReadAll(1 << 20)
		require.NoError(t, err)
		want[f.Path] = b
	}
	errs := make(chan error, 8*len(s.Files))
	for range 8 {
		for _, f := range s.Files {
			go func() {
				b, err := f.ReadAll(1 << 20)
				if err == nil && !bytes.Equal(b, want[f.Path]) {
					err = fmt.Errorf("%s: other bytes on a concurrent read", f.Path)
				}
				errs <- err
			}()
		}
	}
	for range 8 * len(s.Files) {
		assert.NoError(t, <-errs)
	}
}
