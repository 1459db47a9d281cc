package collect

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func regfHead(fileType uint32, body string) []byte {
	b := make([]byte, 1024)
	copy(b, "regf")
	binary.LittleEndian.PutUint32(b[0x1C:], fileType) // base block file type
	copy(b[512:], body)                               // after a log's 512-byte base block
	return b
}

func utf16le(s string, bom bool) []byte {
	var b []byte
	if bom {
		b = []byte{0xFF, 0xFE}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

const regQueryText = "\r\nHKEY_LOCAL_MACHINE\\Software\\Microsoft\\Virtual Machine\\Auto\r\n    IntegrationServicesVersion    REG_SZ    6.3.9600.16384\r\n\r\n"

const getVMCSV = "\"Name\",\"VMId\",\"State\",\"IntegrationServicesVersion\",\"IntegrationServicesState\"\r\n" +
	"\"web01\",\"5e0b5b3a-0000-4000-8000-000000000001\",\"Running\",\"6.3.9600.16384\",\"Update required\"\r\n"

const eventsXML = `<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<Events><Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Hyper-V-Integration"/><EventID>4010</EventID><TimeCreated SystemTime="2024-01-10T08:00:00.000Z"/><EventRecordID>1</EventRecordID><Channel>Microsoft-Windows-Hyper-V-Integration-Admin</Channel><Computer>HV01</Computer></System></Event></Events>`

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		head []byte
		want Kind
	}{
		{"evtx", append([]byte("ElfFile\x00"), make([]byte, 120)...), KindEVTX},
		{"hive primary", regfHead(0, ""), KindHive},
		{"old log type 1", regfHead(1, "DIRT"), KindHiveLog},
		{"new log type 6", regfHead(6, "HvLE"), KindHiveLog},
		{"log type 2", regfHead(2, ""), KindHiveLog},
		{"unknown type with HvLE", regfHead(9, "HvLE"), KindHiveLog},
		{"short regf", []byte("regf"), KindHive},
		{"bare DIRT", []byte("DIRT\xff\xff"), KindHiveLog},
		{"reg utf16 bom", utf16le("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE]\r\n", true), KindRegExport},
		{"reg utf16 no bom", utf16le("Windows Registry Editor Version 5.00\r\n", false), KindRegExport},
		{"reg utf8 bom", []byte("\xEF\xBB\xBFWindows Registry Editor Version 5.00\r\n"), KindRegExport},
		{"regedit4 ansi", []byte("REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE]\r\n\"A\"=\"\xe9\"\r\n"), KindRegExport},
		{"reg query", []byte(regQueryText), KindRegQuery},
		{"reg query utf16", utf16le(regQueryText, true), KindRegQuery},
		{"reg query with prompt", []byte("C:\\>reg query \"HKLM\\Software\\Microsoft\\Virtual Machine\\Auto\"\r\n" + regQueryText), KindRegQuery},
		{"reg query after a note", []byte("Hello, here is the output you asked for:\r\n\r\n" + regQueryText), KindRegQuery},
		{"key lines only", []byte("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest\r\n"), KindRegQuery},
		{"prose mentioning HKEY", []byte("see HKEY_LOCAL_MACHINE for details\nthanks\n"), KindOther},
		{"get-vm csv", []byte(getVMCSV), KindGetVM},
		{"get-vm csv utf16", utf16le(getVMCSV, true), KindGetVM},
		{"get-vm table", []byte("\r\nName  State   IntegrationServicesVersion\r\n----  -----   --------------------------\r\nweb01 Running 6.3.9600.16384\r\n"), KindGetVM},
		{"event viewer xml", []byte(eventsXML), KindEventExport},
		{"event viewer xml utf16", utf16le(eventsXML, true), KindEventExport},
		{"reg query naming IntegrationServicesVersion", []byte(regQueryText), KindRegQuery},
		{"zip", []byte("PK\x03\x04rest"), KindZip},
		{"empty zip", []byte("PK\x05\x06rest"), KindZip},
		{"7z", []byte("7z\xBC\xAF\x27\x1Cxx"), KindOther},
		{"text", []byte("hello world\n"), KindOther},
		{"binary", []byte{0, 1, 2, 3, 4, 5}, KindOther},
		{"empty", nil, KindOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := Classify(tt.head)
			assert.Equal(t, tt.want, got)
			if got == KindOther {
				assert.NotEmpty(t, why)
			}
		})
	}
}

type zipEntry struct {
	name  string
	data  []byte
	store bool // stored uncompressed (default deflated)
}

func makeZip(t *testing.T, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		m := zip.Deflate
		if e.store {
			m = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: m})
		require.NoError(t, err)
		_, err = w.Write(e.data)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func paths(files []*File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Path)
	}
	return out
}

func skippedBy(s *Set) map[string]Reason {
	m := map[string]Reason{}
	for _, sk := range s.Skipped {
		m[sk.Path] = sk.Reason
	}
	return m
}

func TestWalkPairsLogsAndSkips(t *testing.T) {
	fsys := fstest.MapFS{
		"host/SOFTWARE":                 {Data: regfHead(0, "")},
		"host/software.log1":            {Data: regfHead(6, "HvLE")},
		"host/Software.LOG2":            {Data: regfHead(6, "HvLE")},
		"host/System.evtx":              {Data: []byte("ElfFile\x00....")},
		"host/notes.txt":                {Data: []byte("customer says hello\n")},
		"host/empty.bin":                {Data: nil},
		"guest/renamed.dat":             {Data: regfHead(0, "")},
		"guest/OTHER.LOG1":              {Data: regfHead(1, "DIRT")},
		"guest/auto.txt":                {Data: []byte(regQueryText)},
		"deep/a/b/c/Integration%4Admin": {Data: []byte("ElfFile\x00")},
	}
	s, err := Walk(context.Background(), fsys, nil)
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, []string{"deep/a/b/c/Integration%4Admin", "guest/auto.txt", "guest/renamed.dat", "host/SOFTWARE", "host/System.evtx"}, paths(s.Files))
	var hive *File
	for _, f := range s.Files {
		if f.Path == "host/SOFTWARE" {
			hive = f
		}
	}
	require.NotNil(t, hive)
	assert.Equal(t, []string{"host/Software.LOG2", "host/software.log1"}, paths(hive.Logs))
	assert.Equal(t, map[string]Reason{
		"guest/OTHER.LOG1": ReasonOrphanLog,
		"host/empty.bin":   ReasonEmpty,
		"host/notes.txt":   ReasonUnrecognised,
	}, skippedBy(s))
	var want int64
	for _, p := range []string{"host/SOFTWARE", "host/software.log1", "host/Software.LOG2", "host/System.evtx", "guest/renamed.dat", "guest/auto.txt", "deep/a/b/c/Integration%4Admin"} {
		want += int64(len(fsys[p].Data))
	}
	assert.Equal(t, want, s.Bytes)
	data, err := hive.ReadAll(1 << 20)
	require.NoError(t, err)
	assert.Equal(t, fsys["host/SOFTWARE"].Data, data)
	_, err = hive.ReadAll(10)
	assert.ErrorIs(t, err, ErrTooLarge)
}

func TestWalkZipRefusesHostileEntries(t *testing.T) {
	bomb := make([]byte, 8<<20) // zeros: deflates about 1000:1
	inner := makeZip(t, zipEntry{name: "inner/System.evtx", data: []byte("ElfFile\x00inner")})
	outer := makeZip(t,
		zipEntry{name: "../escape.evtx", data: []byte("ElfFile\x00")},
		zipEntry{name: `..\win-escape.evtx`, data: []byte("ElfFile\x00")},
		zipEntry{name: "/abs.evtx", data: []byte("ElfFile\x00")},
		zipEntry{name: "C:/drive.evtx", data: []byte("ElfFile\x00")},
		zipEntry{name: "bomb.evtx", data: bomb},
		zipEntry{name: "host/SOFTWARE", data: regfHead(0, "")},
		zipEntry{name: "host/SOFTWARE.LOG1", data: regfHead(6, "HvLE")},
		zipEntry{name: "nested.zip", data: inner, store: true},
		zipEntry{name: "dir/", data: nil},
	)
	fsys := fstest.MapFS{
		"collection.zip": {Data: outer},
		"plain.evtx":     {Data: []byte("ElfFile\x00")},
	}
	s, err := Walk(context.Background(), fsys, nil)
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, []string{
		"collection.zip!/host/SOFTWARE",
		"collection.zip!/nested.zip!/inner/System.evtx",
		"plain.evtx",
	}, paths(s.Files))
	require.Len(t, s.Files[0].Logs, 1)
	assert.Equal(t, "collection.zip!/host/SOFTWARE.LOG1", s.Files[0].Logs[0].Path)
	assert.Equal(t, map[string]Reason{
		"collection.zip!/../escape.evtx":     ReasonUnsafePath,
		`collection.zip!/..\win-escape.evtx`: ReasonUnsafePath,
		"collection.zip!//abs.evtx":          ReasonUnsafePath,
		"collection.zip!/C:/drive.evtx":      ReasonUnsafePath,
		"collection.zip!/bomb.evtx":          ReasonBomb,
	}, skippedBy(s))
	for _, sk := range s.Skipped {
		assert.True(t, sk.Refused, sk.Path)
	}
	assert.Equal(t, []Archive{
		{Path: "collection.zip", Size: int64(len(outer))},
		{Path: "collection.zip!/nested.zip", Size: int64(len(inner))},
	}, s.Archives)
	data, err := s.Files[1].ReadAll(1 << 20)
	require.NoError(t, err)
	assert.Equal(t, []byte("ElfFile\x00inner"), data)
}

func TestWalkZipLimits(t *testing.T) {
	level3 := makeZip(t, zipEntry{name: "deep.evtx", data: []byte("ElfFile\x00")})
	level2 := makeZip(t, zipEntry{name: "l3.zip", data: level3})
	level1 := makeZip(t,
		zipEntry{name: "l2.zip", data: level2},
		zipEntry{name: "a.hive", data: append(regfHead(0, ""), bytes.Repeat([]byte("regf"), 200)...)},
		zipEntry{name: "b.evtx", data: []byte("ElfFile\x00")},
	)
	tests := []struct {
		name  string
		opts  Options
		files []string
		skips map[string]Reason
	}{
		{"defaults", Options{}, []string{"c.zip!/a.hive", "c.zip!/b.evtx", "c.zip!/l2.zip!/l3.zip!/deep.evtx"}, map[string]Reason{}},
		{"depth", Options{MaxDepth: 2}, []string{"c.zip!/a.hive", "c.zip!/b.evtx"}, map[string]Reason{"c.zip!/l2.zip!/l3.zip": ReasonDepth}},
		{"file size", Options{MaxFileSize: 1500}, []string{"c.zip!/b.evtx", "c.zip!/l2.zip!/l3.zip!/deep.evtx"}, map[string]Reason{"c.zip!/a.hive": ReasonTooLarge}},
		// l2.zip and l3.zip are the two entries allowed; the rest is refused
		// once per archive (the Skipped entry names the archive).
		{"entries", Options{MaxArchiveEntries: 2}, nil, map[string]Reason{"c.zip!/l2.zip!/l3.zip": ReasonLimit, "c.zip": ReasonLimit}},
		{"total bytes", Options{MaxArchiveBytes: int64(len(level2)) + 10}, []string{"c.zip!/b.evtx"}, map[string]Reason{"c.zip!/a.hive": ReasonLimit, "c.zip!/l2.zip!/l3.zip": ReasonLimit}},
		{"ratio", Options{MaxRatio: 5, RatioFloor: 100}, []string{"c.zip!/b.evtx", "c.zip!/l2.zip!/l3.zip!/deep.evtx"}, map[string]Reason{"c.zip!/a.hive": ReasonBomb}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Walk(context.Background(), fstest.MapFS{"c.zip": {Data: level1}}, &tt.opts)
			require.NoError(t, err)
			defer s.Close()
			assert.Equal(t, tt.files, paths(s.Files))
			assert.Equal(t, tt.skips, skippedBy(s))
		})
	}
}

func TestWalkDamagedZip(t *testing.T) {
	z := makeZip(t, zipEntry{name: "a.evtx", data: []byte("ElfFile\x00")})
	damaged := append([]byte(nil), z[:len(z)-10]...)
	s, err := Walk(context.Background(), fstest.MapFS{"bad.zip": {Data: damaged}, "ok.evtx": {Data: []byte("ElfFile\x00")}}, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"bad.zip!/a.evtx", "ok.evtx"}, paths(s.Files), "entries recovered from the local headers")
	assert.Equal(t, map[string]Reason{"bad.zip": ReasonDamaged}, skippedBy(s))
	s, err = Walk(context.Background(), fstest.MapFS{"bad.zip": {Data: []byte("PK\x03\x04 not a zip")}}, nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]Reason{"bad.zip": ReasonUnreadable}, skippedBy(s))
}

func TestWalkPaths(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "System.evtx"), []byte("ElfFile\x00"), 0o644))
	z := makeZip(t, zipEntry{name: "x/SOFTWARE", data: regfHead(0, "")})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "c.zip"), z, 0o644))
	single := filepath.Join(dir, "sub", "System.evtx")

	s, err := WalkPaths(context.Background(), []string{dir, single, filepath.Join(dir, "missing")}, nil)
	require.NoError(t, err)
	defer s.Close()
	d := filepath.ToSlash(dir)
	assert.Equal(t, []string{d + "/c.zip!/x/SOFTWARE", d + "/sub/System.evtx"}, paths(s.Files), "a file named twice is taken once")
	assert.Equal(t, map[string]Reason{filepath.Join(dir, "missing"): ReasonUnreadable}, skippedBy(s))
	data, err := s.Files[0].ReadAll(1 << 20)
	require.NoError(t, err)
	assert.Equal(t, regfHead(0, ""), data)

	_, err = WalkPaths(context.Background(), []string{filepath.Join(dir, "missing")}, nil)
	assert.ErrorIs(t, err, ErrNoInput)
}

func TestWalkCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Walk(ctx, fstest.MapFS{"a.evtx": {Data: []byte("ElfFile\x00")}}, nil)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = Walk(context.Background(), fstest.MapFS{}, nil)
	require.NoError(t, err)
}

func TestParallel(t *testing.T) {
	var count atomic.Int64
	errs := Parallel(context.Background(), 50, 3, func(i int) error {
		count.Add(1)
		switch i {
		case 7:
			panic("boom")
		case 9:
			return fmt.Errorf("nine")
		}
		return nil
	})
	assert.EqualValues(t, 50, count.Load())
	var pe *PanicError
	require.ErrorAs(t, errs[7], &pe)
	assert.Equal(t, "boom", pe.Value)
	assert.EqualError(t, errs[9], "nine")
	assert.NoError(t, errs[0])

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	errs = Parallel(ctx, 5, 2, func(i int) error { return nil })
	failed := 0
	for _, err := range errs {
		if errors.Is(err, context.Canceled) {
			failed++
		}
	}
	assert.Positive(t, failed)
	assert.Empty(t, Parallel(context.Background(), 0, 0, func(int) error { return nil }))
}

func TestKindString(t *testing.T) {
	names := map[string]bool{}
	for k := KindOther; k <= KindZip; k++ {
		txt, err := k.MarshalText()
		require.NoError(t, err)
		names[string(txt)] = true
	}
	got := make([]string, 0, len(names))
	for n := range names {
		got = append(got, n)
	}
	sort.Strings(got)
	assert.Equal(t, []string{"evtx", "hive", "hive-log", "other", "reg-export", "reg-query", "zip"}, got)
	assert.Equal(t, "other", Kind(200).String())
}

func TestZipShiftJISNames(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	sjis := "\x83\x7a\x83\x58\x83\x67/SOFTWARE" // "ホスト/SOFTWARE" in Shift-JIS
	for _, name := range []string{sjis, sjis + ".LOG1"} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, NonUTF8: true})
		require.NoError(t, err)
		data := regfHead(0, "")
		if strings.HasSuffix(name, "LOG1") {
			data = regfHead(6, "HvLE")
		}
		_, err = w.Write(data)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	s, err := Walk(context.Background(), fstest.MapFS{"c.zip": {Data: buf.Bytes()}}, nil)
	require.NoError(t, err)
	require.Len(t, s.Files, 1)
	assert.Equal(t, "c.zip!/ホスト/SOFTWARE", s.Files[0].Path)
	require.Len(t, s.Files[0].Logs, 1)
}

func TestOpenReaderAt(t *testing.T) {
	ctx := context.Background()
	z := makeZip(t, zipEntry{name: "in.evtx", data: []byte("ElfFile\x00zip")}, zipEntry{name: "stored.evtx", data: []byte("ElfFile\x00raw"), store: true})
	tmp := t.TempDir()
	s, err := Walk(ctx, fstest.MapFS{"a.evtx": {Data: []byte("ElfFile\x00direct")}, "c.zip": {Data: z}}, &Options{TempDir: tmp})
	require.NoError(t, err)
	require.Len(t, s.Files, 3)
	_, ok, err := s.Files[0].OpenReaderAt()
	require.NoError(t, err)
	assert.True(t, ok, "a folder's file is read in place")
	_, ok, err = s.Files[1].OpenReaderAt()
	require.NoError(t, err)
	assert.False(t, ok, "a compressed entry needs Open")
	for i, want := range []string{"direct", "zip", "raw"} {
		ra, err := s.Files[i].Open(ctx)
		require.NoError(t, err)
		buf := make([]byte, len(want))
		_, err = ra.ReadAt(buf, 8)
		require.NoError(t, err)
		assert.Equal(t, want, string(buf), s.Files[i].Path)
		require.NoError(t, ra.Close())
	}
	left, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, left, "the spilled copy is removed on Close")
	require.NoError(t, s.Close())
}

// Recovery from local headers, by where the archive was cut.
func TestRecoverEntries(t *testing.T) {
	reg := []byte("Windows Registry Editor Version 5.00\r\n")
	deflated := makeZip(t, zipEntry{name: "a.reg", data: reg}, zipEntry{name: "b.reg", data: reg})
	stored := makeZip(t, zipEntry{name: "a.reg", data: reg, store: true}, zipEntry{name: "b.reg", data: reg, store: true})
	secondAt := int64(bytes.Index(deflated[4:], []byte("PK\x03\x04")) + 4)
	var raw bytes.Buffer
	zw := zip.NewWriter(&raw)
	for _, name := range []string{"a.reg", "b.reg"} {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Store, CRC32: crc32.ChecksumIEEE(reg),
			CompressedSize64: uint64(len(reg)), UncompressedSize64: uint64(len(reg))})
		require.NoError(t, err)
		_, err = w.Write(reg)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	storedRaw := raw.Bytes()
	tests := []struct {
		name     string
		data     []byte
		readable []string
		stop     string
	}{
		{"end record cut", deflated[:len(deflated)-5], []string{"a.reg", "b.reg"}, ""},
		{"second entry cut", deflated[:secondAt+40], []string{"a.reg"}, "entry at offset"},
		{"garbage first", append([]byte("garbage!"), deflated...), nil, "no local header at offset 0"},
		{"stored, sizes in the local header", storedRaw[:len(storedRaw)-5], []string{"a.reg", "b.reg"}, ""},
		// archive/zip's CreateHeader writes the sizes of a stored entry
		// after it: its end cannot be found.
		{"stored with a descriptor", stored[:len(stored)-5], nil, "its end cannot be found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, stop := recoverEntries(context.Background(), bytes.NewReader(tt.data), int64(len(tt.data)), 100, 1<<20)
			var readable []string
			for _, e := range entries {
				rc, err := e.open()
				if err != nil {
					continue
				}
				data, err := io.ReadAll(rc)
				rc.Close()
				if err == nil {
					assert.Equal(t, reg, data)
					readable = append(readable, e.name)
				}
			}
			assert.Equal(t, tt.readable, readable)
			assert.Contains(t, stop, tt.stop)
		})
	}
}

// An entry whose declared compressed data lie past the end of the
// archive is refused before anything is allocated for it.
func TestEntryPastEnd(t *testing.T) {
	z := makeZip(t, zipEntry{name: "a.reg", data: []byte("Windows Registry Editor Version 5.00\r\n")})
	cd := bytes.Index(z, []byte("PK\x01\x02"))
	require.Positive(t, cd)
	binary.LittleEndian.PutUint32(z[cd+20:], 3<<20)   // compressed size
	binary.LittleEndian.PutUint32(z[cd+24:], 500<<20) // uncompressed size
	s, err := Walk(context.Background(), fstest.MapFS{"c.zip": {Data: z}}, nil)
	require.NoError(t, err)
	defer s.Close()
	assert.Empty(t, s.Files)
	assert.Equal(t, map[string]Reason{"c.zip!/a.reg": ReasonUnreadable}, skippedBy(s))
	assert.Equal(t, 1, s.Refused)
}

// The central directory reader: a self-extractor's stub before the
// archive, ZIP64 end records (more than 65,535 entries), and the cap on
// entries listed.
func TestReadDirectory(t *testing.T) {
	reg := []byte("Windows Registry Editor Version 5.00\r\n")
	z := makeZip(t, zipEntry{name: "a.reg", data: reg}, zipEntry{name: "b.reg", data: reg, store: true})
	stub := append(bytes.Repeat([]byte("MZ stub "), 50), z...)
	entries, total, err := readDirectory(context.Background(), bytes.NewReader(stub), int64(len(stub)), 10)
	require.NoError(t, err)
	assert.Equal(t, 2, total)
	for _, e := range entries {
		rc, err := e.open()
		require.NoError(t, err)
		data, err := io.ReadAll(rc)
		require.NoError(t, err, e.name)
		assert.Equal(t, reg, data)
	}

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	const n = 70_000
	for i := 0; i < n; i++ {
		_, err := zw.CreateRaw(&zip.FileHeader{Name: fmt.Sprintf("e%05d", i), Method: zip.Store})
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	big := buf.Bytes()
	entries, total, err = readDirectory(context.Background(), bytes.NewReader(big), int64(len(big)), n+1)
	require.NoError(t, err)
	assert.Equal(t, n, total)
	require.Len(t, entries, n)
	assert.Equal(t, "e69999", entries[n-1].name)
	entries, total, err = readDirectory(context.Background(), bytes.NewReader(big), int64(len(big)), 100)
	require.NoError(t, err)
	assert.Len(t, entries, 100, "listed up to the cap")
	assert.Equal(t, n, total, "counted from the end record")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err = readDirectory(ctx, bytes.NewReader(big), int64(len(big)), n+1)
	assert.ErrorIs(t, err, context.Canceled)
}
