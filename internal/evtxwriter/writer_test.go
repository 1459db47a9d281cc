package evtxwriter

import (
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var t0 = time.Date(2023, 11, 2, 8, 30, 15, 123456700, time.UTC)

func storvsp6(i int) Event {
	return Event{
		Provider: "storvsp", EventID: 6, HasQualifiers: true, Qualifiers: 32768, Level: 3,
		Keywords: 0x80000000000000, Time: t0.Add(time.Duration(i) * time.Second),
		Channel: "System", Computer: "HV01", Layout: Classic,
		Data: []Field{{Value: "\\Device\\0"}, {Value: fmt.Sprintf("vm%d", i)}, {Value: ""}, {Value: "5.1"}, {Value: "4.2"}},
	}
}

func kvp4010(i int, l Layout) Event {
	return Event{
		Provider: "Microsoft-Windows-Hyper-V-Integration-KvpExchange", ProviderGUID: "{8d4a1b6c-1a5c-4b5c-9c0e-6b4f6b2a1e10}",
		EventID: 4010, Level: 3, Task: 1, Opcode: 2, Version: 1, Keywords: 0x4000000000000000,
		Time: t0.Add(time.Duration(i) * time.Minute), Channel: "Microsoft-Windows-Hyper-V-Integration-Admin",
		Computer: "HV01", UserSID: "S-1-5-21-1004336348-1177238915-682003330-512", ProcessID: 1234, ThreadID: 5678,
		Layout: l,
		Data: []Field{
			{Name: "VmName", Value: fmt.Sprintf("vm%d", i)},
			{Name: "VmId", Value: "{11111111-2222-3333-4444-555555555555}"},
			{Name: "FrameworkVersion", Value: "3.0"},
			{Name: "MessageVersion", Value: "Negotiated (3.0) - Expected (4.0)"},
			{Name: "Count", Value: fmt.Sprint(i), Type: UInt32},
			{Name: "Mask", Value: "0x1f", Type: Hex64},
			{Name: "When", Value: "2020-01-02T03:04:05.1234567Z", Type: FileTime},
			{Name: "Sys", Value: "2020-01-02T03:04:05.123Z", Type: SystemTime},
			{Name: "Who", Value: "S-1-5-18", Type: SID},
			{Name: "Id", Value: "{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}", Type: GUID},
			{Name: "Ok", Value: "true", Type: Bool},
			{Name: "Raw", Value: "deadbeef", Type: Binary},
			{Name: "Small", Value: "7", Type: UInt8},
			{Name: "Mid", Value: "65535", Type: UInt16},
			{Name: "Big", Value: "18446744073709551615", Type: UInt64},
			{Name: "Neg", Value: "-5", Type: Int32},
			{Name: "H32", Value: "0xdeadbeef", Type: Hex32},
		},
	}
}

// walked is what the structural walk of a file found.
type walked struct {
	chunks  int
	records []Location
}

// checkFile verifies the structure of an EVTX file: header and chunk
// CRCs, record signatures and sizes, string and template tables.
func checkFile(t *testing.T, b []byte, dirty bool) walked {
	t.Helper()
	le := binary.LittleEndian
	require.GreaterOrEqual(t, len(b), fileHeaderBlock)
	require.Equal(t, "ElfFile\x00", string(b[:8]))
	assert.Equal(t, crc32.ChecksumIEEE(b[:120]), le.Uint32(b[124:]), "file header CRC")
	assert.EqualValues(t, 128, le.Uint32(b[32:]))
	assert.EqualValues(t, 1, le.Uint16(b[36:]))
	assert.EqualValues(t, 3, le.Uint16(b[38:]))
	assert.EqualValues(t, 4096, le.Uint16(b[40:]))
	require.Zero(t, (len(b)-fileHeaderBlock)%chunkSize, "file size is a whole number of chunks")
	var out walked
	var num uint64 = 1
	var lastID uint64
	for co := fileHeaderBlock; co < len(b); co += chunkSize {
		c := b[co : co+chunkSize]
		if string(c[:8]) != "ElfChnk\x00" {
			require.Equal(t, make([]byte, chunkSize), c, "a slot without a chunk is empty")
			continue
		}
		ci := out.chunks
		out.chunks++
		h := crc32.NewIEEE()
		h.Write(c[:120])
		h.Write(c[128:512])
		assert.Equal(t, h.Sum32(), le.Uint32(c[124:]), "chunk %d header CRC", ci)
		free := int(le.Uint32(c[48:]))
		require.True(t, free >= 512 && free <= chunkSize, "chunk %d free offset %d", ci, free)
		assert.Equal(t, crc32.ChecksumIEEE(c[512:free]), le.Uint32(c[52:]), "chunk %d data CRC", ci)
		assert.Equal(t, num, le.Uint64(c[8:]), "chunk %d first record number", ci)
		assert.EqualValues(t, 128, le.Uint32(c[40:]))
		assert.Equal(t, make([]byte, chunkSize-free), c[free:], "chunk %d unused space is zero", ci)
		idx := 0
		var first uint64
		off, last := 512, 0
		for off < free {
			require.Equal(t, "**\x00\x00", string(c[off:off+4]), "chunk %d record at %d", ci, off)
			size := int(le.Uint32(c[off+4:]))
			require.True(t, size >= 28 && size <= free-off, "record size %d", size)
			require.Zero(t, size%8, "records are 8-byte aligned")
			assert.EqualValues(t, size, le.Uint32(c[off+size-4:]), "size copy")
			id := le.Uint64(c[off+8:])
			if idx == 0 {
				first = id
			}
			lastID = id
			out.records = append(out.records, Location{Chunk: ci, Index: idx, Offset: int64(co + off), Size: size, RecordID: id})
			last = off
			off += size
			idx++
			num++
		}
		assert.Equal(t, free, off, "records end at the free space offset")
		assert.EqualValues(t, last, le.Uint32(c[44:]), "last record offset")
		assert.Equal(t, first, le.Uint64(c[24:]), "first record identifier")
		assert.Equal(t, lastID, le.Uint64(c[32:]), "last record identifier")
		assert.Equal(t, num-1, le.Uint64(c[16:]), "last record number")
		checkTables(t, c)
	}
	n := out.chunks
	if dirty {
		assert.EqualValues(t, 1, le.Uint32(b[120:]), "dirty flag")
		assert.LessOrEqual(t, int(le.Uint16(b[42:])), n)
	} else {
		assert.Zero(t, le.Uint32(b[120:]))
		assert.EqualValues(t, n, le.Uint16(b[42:]), "chunk count")
		if n > 0 {
			assert.EqualValues(t, n-1, le.Uint64(b[16:]), "last chunk")
			assert.Equal(t, lastID+1, le.Uint64(b[24:]), "next record identifier")
		}
	}
	return out
}

// checkTables follows every chain of the string and template tables.
func checkTables(t *testing.T, c []byte) {
	t.Helper()
	le := binary.LittleEndian
	for i := 0; i < numStringBuckets; i++ {
		seen := 0
		for off := le.Uint32(c[stringTableAt+4*i:]); off != 0; off = le.Uint32(c[off:]) {
			require.Less(t, int(off), chunkSize-8)
			seen++
			require.Less(t, seen, 10000, "string chain loops")
			hash, n := le.Uint16(c[off+4:]), int(le.Uint16(c[off+6:]))
			u := make([]uint16, n)
			for k := range u {
				u[k] = le.Uint16(c[int(off)+8+2*k:])
			}
			s := string(utf16.Decode(u))
			assert.Equal(t, nameHash(s), hash, "hash of %q", s)
			assert.EqualValues(t, i, hash%numStringBuckets, "bucket of %q", s)
			assert.Zero(t, le.Uint16(c[int(off)+8+2*n:]), "terminator of %q", s)
		}
	}
	for i := 0; i < numTmplBuckets; i++ {
		seen := 0
		for off := le.Uint32(c[templateTableAt+4*i:]); off != 0; off = le.Uint32(c[off:]) {
			require.True(t, off >= 522 && int(off) < chunkSize-24)
			seen++
			require.Less(t, seen, 10000, "template chain loops")
			assert.EqualValues(t, tokTemplate, c[off-10], "template instance token before the definition")
			assert.Equal(t, off, le.Uint32(c[off-4:]), "instance points at its definition")
			id := le.Uint32(c[off+4:])
			assert.Equal(t, id, le.Uint32(c[off-8:]), "instance identifier = GUID's first 4 bytes")
			assert.EqualValues(t, i, id%numTmplBuckets)
			size := int(le.Uint32(c[off+20:]))
			assert.Equal(t, []byte{tokFragmentHeader, 1, 1, 0}, c[off+24:off+28])
			assert.EqualValues(t, tokEOF, c[int(off)+24+size-1], "definition ends with EOF")
		}
	}
}

func TestWriterStructure(t *testing.T) {
	mixed := func(n int) []Event {
		var out []Event
		for i := 0; i < n; i++ {
			switch i % 3 {
			case 0:
				out = append(out, storvsp6(i))
			case 1:
				out = append(out, kvp4010(i, Manifest))
			default:
				e := kvp4010(i, UserData)
				e.Data = e.Data[:4]
				out = append(out, e)
			}
		}
		return out
	}
	tests := []struct {
		name       string
		opts       Options
		events     []Event
		wantChunks int
	}{
		{"empty", Options{}, nil, 0},
		{"one classic", Options{}, []Event{storvsp6(1)}, 1},
		{"one manifest", Options{}, []Event{kvp4010(1, Manifest)}, 1},
		{"one userdata", Options{}, []Event{kvp4010(1, UserData)}, 1},
		{"mixed fills chunks", Options{}, mixed(2000), -1},
		{"capped", Options{MaxRecordsPerChunk: 10}, mixed(95), 10},
		{"dirty", Options{Dirty: true, HeaderChunks: 2}, mixed(2000), -1},
		{"trailing", Options{TrailingEmptyChunks: 3}, mixed(5), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := New(tc.opts)
			for _, e := range tc.events {
				require.NoError(t, w.Add(e))
			}
			b, err := w.Bytes()
			require.NoError(t, err)
			got := checkFile(t, b, tc.opts.Dirty)
			assert.Equal(t, w.Locations(), got.records)
			if tc.wantChunks >= 0 {
				assert.Equal(t, tc.wantChunks, got.chunks)
			} else {
				assert.Greater(t, got.chunks, 2, "many chunks")
			}
			assert.Equal(t, fileHeaderBlock+(got.chunks+tc.opts.TrailingEmptyChunks)*chunkSize, len(b))
			var sb strings.Builder
			n, err := w.WriteTo(&sb)
			require.NoError(t, err)
			assert.EqualValues(t, len(b), n)
			assert.Equal(t, string(b), sb.String(), "WriteTo writes what Bytes returns")
			for i, l := range got.records {
				if tc.events[i].RecordID == 0 {
					assert.EqualValues(t, i+1, l.RecordID)
				}
			}
		})
	}
}

func TestDirtyHeader(t *testing.T) {
	w := New(Options{Dirty: true, HeaderChunks: 2, MaxRecordsPerChunk: 3})
	for i := 0; i < 12; i++ {
		require.NoError(t, w.Add(storvsp6(i)))
	}
	b, err := w.Bytes()
	require.NoError(t, err)
	le := binary.LittleEndian
	assert.EqualValues(t, 2, le.Uint16(b[42:]), "header claims 2 chunks")
	assert.EqualValues(t, 1, le.Uint64(b[16:]), "last chunk number is stale")
	assert.EqualValues(t, 7, le.Uint64(b[24:]), "next record identifier is stale")
	assert.Equal(t, 4, checkFile(t, b, true).chunks, "all 4 chunks are present")
}

func TestHeaderFlags(t *testing.T) {
	tests := []struct {
		opts Options
		want uint32
	}{
		{Options{}, 0},
		{Options{Dirty: true}, 1},
		{Options{Full: true}, 2},
		{Options{Dirty: true, Full: true}, 3},
	}
	for _, tc := range tests {
		w := New(tc.opts)
		require.NoError(t, w.Add(storvsp6(0)))
		b := mustBytes(t, w)
		assert.Equal(t, tc.want, binary.LittleEndian.Uint32(b[120:]), "%+v", tc.opts)
		assert.Equal(t, crc32.ChecksumIEEE(b[:120]), binary.LittleEndian.Uint32(b[124:]))
	}
}

func TestOpenLastChunk(t *testing.T) {
	w := New(Options{OpenLastChunk: true, MaxRecordsPerChunk: 2})
	for i := 0; i < 3; i++ {
		require.NoError(t, w.Add(storvsp6(i)))
	}
	b, err := w.Bytes()
	require.NoError(t, err)
	le := binary.LittleEndian
	c0 := b[fileHeaderBlock:]
	c1 := b[fileHeaderBlock+chunkSize:]
	assert.Equal(t, crc32.ChecksumIEEE(c0[512:le.Uint32(c0[48:])]), le.Uint32(c0[52:]), "closed chunk keeps its data CRC")
	assert.Zero(t, le.Uint32(c1[52:]), "open chunk has no data CRC")
	h := crc32.NewIEEE()
	h.Write(c1[:120])
	h.Write(c1[128:512])
	assert.Equal(t, h.Sum32(), le.Uint32(c1[124:]), "open chunk header CRC is valid")
}

func TestRecordIDs(t *testing.T) {
	w := New(Options{})
	ids := []uint64{0, 0, 100, 0, 7, 0}
	for i, id := range ids {
		e := storvsp6(i)
		e.RecordID = id
		require.NoError(t, w.Add(e))
	}
	var got []uint64
	for _, l := range w.Locations() {
		got = append(got, l.RecordID)
	}
	assert.Equal(t, []uint64{1, 2, 100, 101, 7, 8}, got)
}

func TestAddErrors(t *testing.T) {
	big := strings.Repeat("x", 40000)
	tests := []struct {
		name string
		mod  func(*Event)
		want error
	}{
		{"zero time", func(e *Event) { e.Time = time.Time{} }, ErrValue},
		{"before 1601", func(e *Event) { e.Time = time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC) }, ErrValue},
		{"bad provider GUID", func(e *Event) { e.ProviderGUID = "{nope}" }, ErrValue},
		{"bad SID", func(e *Event) { e.UserSID = "S-1-x" }, ErrValue},
		{"bad uint8", func(e *Event) { e.Data[12].Value = "256" }, ErrValue},
		{"bad int32", func(e *Event) { e.Data[15].Value = "x" }, ErrValue},
		{"bad filetime", func(e *Event) { e.Data[6].Value = "yesterday" }, ErrValue},
		{"bad systemtime", func(e *Event) { e.Data[7].Value = "1500-01-01T00:00:00Z" }, ErrValue},
		{"bad bool", func(e *Event) { e.Data[10].Value = "maybe" }, ErrValue},
		{"bad binary", func(e *Event) { e.Data[11].Value = "xyz" }, ErrValue},
		{"bad GUID value", func(e *Event) { e.Data[9].Value = "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEZ" }, ErrValue},
		{"unknown type", func(e *Event) { e.Data[0].Type = ValueType(99) }, ErrValue},
		{"unknown layout", func(e *Event) { e.Layout = Layout(9) }, ErrValue},
		{"classic non-string", func(e *Event) { e.Layout = Classic }, ErrValue},
		{"userdata bad name", func(e *Event) { e.Layout = UserData; e.Data[0].Name = "1abc" }, ErrValue},
		{"value too large", func(e *Event) { e.Data[0].Value = big }, ErrTooLarge},
		{"record too large", func(e *Event) {
			e.Data = e.Data[:4]
			e.Data[0].Value = big[:20000]
			e.Data[1].Value = big[:20000]
		}, ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := New(Options{})
			require.NoError(t, w.Add(storvsp6(0)))
			before, err := w.Bytes()
			require.NoError(t, err)
			e := kvp4010(1, Manifest)
			tc.mod(&e)
			err = w.Add(e)
			require.ErrorIs(t, err, tc.want)
			assert.True(t, strings.HasPrefix(err.Error(), "evtxwriter: "), err.Error())
			after, err := w.Bytes()
			require.NoError(t, err)
			assert.Equal(t, before, after, "a failed Add leaves the writer unchanged")
			require.NoError(t, w.Add(kvp4010(2, Manifest)), "the writer is still usable")
			checkFile(t, mustBytes(t, w), false)
		})
	}
}

func mustBytes(t *testing.T, w *Writer) []byte {
	t.Helper()
	b, err := w.Bytes()
	require.NoError(t, err)
	return b
}

func TestValueEncoding(t *testing.T) {
	tests := []struct {
		typ  ValueType
		in   string
		want string // hex
	}{
		{String, "A\u00e9\U0001F600", "4100e9003dd800de"},
		{UInt8, "255", "ff"},
		{UInt16, "258", "0201"},
		{UInt32, "0x01020304", "04030201"},
		{UInt64, "1", "0100000000000000"},
		{Int32, "-2", "feffffff"},
		{Hex32, "0xdeadbeef", "efbeadde"},
		{Hex64, "16", "1000000000000000"},
		{GUID, "{00112233-4455-6677-8899-AABBCCDDEEFF}", "33221100554477668899aabbccddeeff"},
		{GUID, "00112233-4455-6677-8899-aabbccddeeff", "33221100554477668899aabbccddeeff"},
		{SID, "S-1-5-18", "010100000000000512000000"},
		{SID, "S-1-5-21-1-2", "0103000000000005150000000100000002000000"},
		{FileTime, "1601-01-01T00:00:00.0000001Z", "0100000000000000"},
		{FileTime, "1970-01-01T00:00:00Z", "00803ed5deb19d01"},
		{SystemTime, "2020-02-29T23:59:58.999Z", "e40702000600 1d00 1700 3b00 3a00 e703"},
		{Bool, "false", "00000000"},
		{Bool, "1", "01000000"},
		{Binary, "00ff", "00ff"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%v %s", tc.typ, tc.in), func(t *testing.T) {
			got, err := appendValue(nil, tc.typ, tc.in)
			require.NoError(t, err)
			assert.Equal(t, strings.ReplaceAll(tc.want, " ", ""), hex.EncodeToString(got))
		})
	}
}

func TestNameHash(t *testing.T) {
	// Hashes stored by Windows in a System log (omerbenamram/evtx
	// samples/system.evtx, chunk 0 string table).
	tests := map[string]uint16{"Event": 0x0cba, "EventData": 0x8244, "Data": 0x6f8a, "Provider": 0x7bf1, "SystemTime": 0x7b3c, "UMDFReflectorDependencyMissing": 0xadf5}
	for s, want := range tests {
		assert.Equal(t, want, nameHash(s), s)
	}
}

func TestLayoutString(t *testing.T) {
	for l, want := range map[Layout]string{Manifest: "manifest", Classic: "classic", UserData: "userdata", Layout(7): "layout(?)"} {
		assert.Equal(t, want, l.String())
	}
}

func TestTemplateReuse(t *testing.T) {
	// The second record of a shape in a chunk references the definitions of
	// the first: it is much smaller, and a new chunk defines them again.
	w := New(Options{MaxRecordsPerChunk: 2})
	for i := 0; i < 3; i++ {
		require.NoError(t, w.Add(kvp4010(i, Manifest)))
	}
	l := w.Locations()
	require.Len(t, l, 3)
	assert.Less(t, l[1].Size*3, l[0].Size, "second record reuses templates and names")
	assert.Equal(t, l[0].Size, l[2].Size, "a new chunk starts with empty tables")
	assert.Equal(t, 1, l[2].Chunk)
}

func goldenHex(b []byte) string {
	var sb strings.Builder
	for i := 0; i < len(b); i += 16 {
		end := i + 16
		if end > len(b) {
			end = len(b)
		}
		fmt.Fprintf(&sb, "%06x  % x\n", i, b[i:end])
	}
	return sb.String()
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name   string
		events []Event
	}{
		{"classic-storvsp6", []Event{storvsp6(0), storvsp6(1)}},
		{"manifest-kvp4010", []Event{kvp4010(0, Manifest), kvp4010(1, Manifest)}},
		{"userdata-kvp4010", []Event{kvp4010(0, UserData)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := New(Options{})
			for _, e := range tc.events {
				require.NoError(t, w.Add(e))
			}
			b := mustBytes(t, w)
			free := binary.LittleEndian.Uint32(b[fileHeaderBlock+48:])
			got := "file header\n" + goldenHex(b[:fileHeaderSize]) + "chunk 0\n" + goldenHex(b[fileHeaderBlock:fileHeaderBlock+int(free)])
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				require.NoError(t, os.MkdirAll("testdata", 0o755))
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test -update to create it")
			assert.Equal(t, string(want), got)
		})
	}
}

func TestSizeOf(t *testing.T) {
	w := New(Options{MaxRecordsPerChunk: 4})
	assert.Zero(t, w.Remaining(), "no chunk yet")
	for i := 0; i < 10; i++ {
		e := kvp4010(i, Layout(i%3))
		if e.Layout == Classic {
			e = storvsp6(i)
		}
		want, err := w.SizeOf(e)
		require.NoError(t, err)
		before := mustBytes(t, w)
		_, err = w.SizeOf(e)
		require.NoError(t, err)
		assert.Equal(t, before, mustBytes(t, w), "SizeOf changes nothing")
		require.NoError(t, w.Add(e))
		l := w.Locations()[i]
		assert.Equal(t, want, l.Size, "event %d", i)
		if i%4 == 3 {
			assert.Zero(t, w.Remaining(), "record cap reached")
		} else {
			assert.Equal(t, chunkSize-int(l.Offset-fileHeaderBlock-int64(l.Chunk)*chunkSize)-l.Size, w.Remaining())
		}
	}
	_, err := w.SizeOf(Event{Provider: "x"})
	assert.ErrorIs(t, err, ErrValue, "zero time")
}

// fillExactly adds events until the current chunk has room for one more,
// then adds one whose padding makes it end exactly at the chunk's end.
func fillExactly(t *testing.T, w *Writer, next func(i int) Event) Location {
	t.Helper()
	for i := 0; ; i++ {
		e := next(i)
		size, err := w.SizeOf(e)
		require.NoError(t, err)
		if w.Remaining() > 0 && size+600 >= w.Remaining() {
			break
		}
		require.NoError(t, w.Add(e))
	}
	rem := w.Remaining()
	for n := 0; n < 600; n++ {
		e := next(0)
		e.Data[0].Value = strings.Repeat("p", n)
		size, err := w.SizeOf(e)
		require.NoError(t, err)
		if size == rem {
			require.NoError(t, w.Add(e))
			l := w.Locations()
			return l[len(l)-1]
		}
	}
	t.Fatalf("no padding fills the %d bytes left", rem)
	return Location{}
}

func TestExactFill(t *testing.T) {
	w := New(Options{})
	l := fillExactly(t, w, storvsp6)
	assert.EqualValues(t, fileHeaderBlock+chunkSize, l.Offset+int64(l.Size), "record ends at the chunk's end")
	assert.Zero(t, w.Remaining())
	require.NoError(t, w.Add(storvsp6(1)))
	assert.Equal(t, 1, w.Locations()[len(w.Locations())-1].Chunk)
	b := mustBytes(t, w)
	got := checkFile(t, b, false)
	assert.Equal(t, 2, got.chunks)
	assert.EqualValues(t, chunkSize, binary.LittleEndian.Uint32(b[fileHeaderBlock+48:]), "free space offset = chunk size")
}

func TestValueTypeString(t *testing.T) {
	for typ, want := range map[ValueType]string{String: "String", UInt32: "UInt32", GUID: "GUID", Binary: "Binary", ValueType(-1): "ValueType(?)", ValueType(99): "ValueType(?)"} {
		assert.Equal(t, want, typ.String())
	}
}
