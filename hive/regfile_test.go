package hive

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
)

func encodeUTF16LE(s string, bom bool) []byte {
	var out []byte
	if bom {
		out = []byte{0xFF, 0xFE}
	}
	for _, c := range utf16.Encode([]rune(s)) {
		out = binary.LittleEndian.AppendUint16(out, c)
	}
	return out
}

func encodeUTF16BE(s string) []byte {
	out := []byte{0xFE, 0xFF}
	for _, c := range utf16.Encode([]rune(s)) {
		out = binary.BigEndian.AppendUint16(out, c)
	}
	return out
}

func mustString(t *testing.T, k *Key, name string) string {
	t.Helper()
	v, ok := k.Value(name)
	require.Truef(t, ok, "value %q in %s", name, k.Path)
	s, ok := v.Text()
	require.True(t, ok)
	return s
}

const guestReg = "Windows Registry Editor Version 5.00\r\n\r\n" +
	"[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Auto]\r\n" +
	"\"IntegrationServicesVersion\"=\"6.3.9600.16384\"\r\n" +
	"[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest\\Parameters]\r\n" +
	"\"VirtualMachineName\"=\"Café \\\"1\\\"\"\r\n" +
	"\"HostName\"=\"hv.example\"\r\n"

// TestParseRegEncodings parses one export written in each encoding regedit
// and editors produce, and expects the same facts from each.
func TestParseRegEncodings(t *testing.T) {
	ansi, err := charmap.Windows1252.NewEncoder().String(strings.Replace(guestReg, "Windows Registry Editor Version 5.00", "REGEDIT4", 1))
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"utf16le bom", encodeUTF16LE(guestReg, true)},
		{"utf16le no bom", encodeUTF16LE(guestReg, false)},
		{"utf16be bom", encodeUTF16BE(guestReg)},
		{"utf8", []byte(guestReg)},
		{"utf8 bom", append([]byte{0xEF, 0xBB, 0xBF}, guestReg...)},
		{"utf8 lf", []byte(strings.ReplaceAll(guestReg, "\r\n", "\n"))},
		{"ansi regedit4", []byte(ansi)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, KindRegExport, Sniff(tc.data))
			e, err := ParseReg(context.Background(), tc.data, &ExportOptions{File: "g.reg"})
			require.NoError(t, err)
			assert.Empty(t, e.Problems())
			f := ExtractFacts(e, "g.reg")
			require.Equal(t, SideGuest, f.Side)
			assert.Equal(t, "6.3.9600.16384", f.Guest.IntegrationServicesVersion.Value)
			assert.Equal(t, `Café "1"`, f.Guest.VirtualMachineName.Value)
			assert.Equal(t, `Microsoft\Virtual Machine\Auto`, f.Guest.IntegrationServicesVersion.Source.Key)
			assert.False(t, f.Guest.AutoLastWrite.Present)
		})
	}
}

func TestParseRegFiles(t *testing.T) {
	t.Run("guest utf16", func(t *testing.T) {
		e, err := ParseReg(context.Background(), readTestdata(t, "guest-2012R2-utf16.reg"), &ExportOptions{File: "guest.reg"})
		require.NoError(t, err)
		f := ExtractFacts(e, "guest.reg")
		require.Equal(t, SideGuest, f.Side)
		assert.Equal(t, "6.3.9600.16384", f.Guest.IntegrationServicesVersion.Value)
		assert.Equal(t, `WEB01 "prod" \ main`, f.Guest.VirtualMachineName.Value)
		assert.Equal(t, "1", f.Guest.BackupType.Value)
		assert.Equal(t, "Windows Server 2012 R2 Datacenter", f.Guest.OS.ProductName.Value)

		cv, err := e.Key(PathCurrentVersion)
		require.NoError(t, err)
		assert.Equal(t, "default value", mustString(t, cv, ""))
		assert.Equal(t, `C:\Windows`, mustString(t, cv, "SystemRoot"), "hex(2) with a continuation line")
		paths, ok := cv.Value("Paths")
		require.True(t, ok)
		assert.Equal(t, []string{"a", "b"}, paths.Strings())
		q, ok := cv.Value("InstallTime")
		require.True(t, ok)
		n, ok := q.Uint64()
		require.True(t, ok)
		assert.Equal(t, uint64(0x01d0b1ded53e8000), n)
		empty, ok := cv.Value("Empty")
		require.True(t, ok)
		assert.Equal(t, TypeNone, empty.Type)
		assert.Empty(t, empty.Data)
		bin, ok := cv.Value("DigitalProductId")
		require.True(t, ok)
		assert.Equal(t, []byte{0xa4, 0, 0, 0, 3, 0, 0, 0}, bin.Data)

		_, err = e.Key(`Contoso\Temporary`)
		assert.ErrorIs(t, err, ErrKeyNotFound, "[-key] deletes it")
		_, err = e.Key(`Contoso`)
		require.NoError(t, err, "the parent stays")

		require.Equal(t, []string{`HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\vmicheartbeat`}, e.Outside())
		require.Len(t, e.Problems(), 1)
		assert.ErrorIs(t, e.Problems()[0], ErrOutsideSoftware)
		k, err := e.Key(`HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\vmicheartbeat`)
		require.NoError(t, err)
		v, ok := k.Value("Start")
		require.True(t, ok)
		n, ok = v.Uint64()
		require.True(t, ok)
		assert.Equal(t, uint64(3), n)
	})
	t.Run("host utf8", func(t *testing.T) {
		e, err := ParseReg(context.Background(), readTestdata(t, "host-2012-utf8.reg"), nil)
		require.NoError(t, err)
		assert.Empty(t, e.Problems())
		f := ExtractFacts(e, "host.reg")
		require.Equal(t, SideHost, f.Side)
		assert.Equal(t, map[string]string{
			GuestInstallerWin6x: "6.2.9200.16433",
			GuestInstallerWin5x: "6.2.9200.16433",
		}, factValues(f.Host.GuestInstallerVersions), "deleted value gone, trailing space trimmed")
		assert.Equal(t, "6.2.9200.16433", f.Host.VirtualizationVersion.Value)
		cv, err := e.Key(PathCurrentVersion)
		require.NoError(t, err)
		assert.Equal(t, "Ĳssel Ŝtraße", mustString(t, cv, "RegisteredOwner"))
	})
	t.Run("host ansi regedit4", func(t *testing.T) {
		e, err := ParseReg(context.Background(), readTestdata(t, "host-2008R2-ansi.reg"), &ExportOptions{File: "h4.reg"})
		require.NoError(t, err)
		probs := e.Problems()
		require.Len(t, probs, 1)
		var fe *FormatError
		require.ErrorAs(t, probs[0], &fe)
		assert.Equal(t, 14, fe.Line)
		assert.ErrorIs(t, fe, ErrSyntax)
		f := ExtractFacts(e, "h4.reg")
		require.Equal(t, SideHost, f.Side)
		assert.Equal(t, "6.1.7601.17514", f.Host.GuestInstallerVersions[GuestInstallerWin5x].Value)
		assert.Equal(t, "7601", f.Host.OS.CurrentBuild.Value, "CurrentBuildNumber as fallback")
		assert.Equal(t, "Service Pack 1", f.Host.OS.CSDVersion.Value)
		cv, err := e.Key(PathCurrentVersion)
		require.NoError(t, err)
		assert.Equal(t, "Contoso Café", mustString(t, cv, "RegisteredOrganization"))
		assert.Equal(t, `C:\Windows`, mustString(t, cv, "SystemRoot"), "REGEDIT4 hex(2) is ANSI")
	})
}

func factValues(m map[string]Fact) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v.Value
	}
	return out
}

func TestParseRegErrors(t *testing.T) {
	hdr := "Windows Registry Editor Version 5.00\n"
	for _, tc := range []struct {
		name     string
		in       string
		fatal    error
		problems int
		line     int
	}{
		{"empty", "", ErrSyntax, 0, 1},
		{"no header", "[HKLM\\SOFTWARE\\X]\n", ErrSyntax, 0, 1},
		{"value before key", hdr + "\"a\"=\"b\"\n", nil, 1, 2},
		{"unterminated key", hdr + "[HKLM\\SOFTWARE\\X\n\"a\"=\"b\"\n", nil, 1, 2},
		{"bad dword", hdr + "[HKLM\\SOFTWARE\\X]\n\"a\"=dword:xyz\n", nil, 1, 3},
		{"long dword", hdr + "[HKLM\\SOFTWARE\\X]\n\"a\"=dword:123456789\n", nil, 1, 3},
		{"bad hex", hdr + "[HKLM\\SOFTWARE\\X]\n\"a\"=hex:zz\n", nil, 1, 3},
		{"bad hex type", hdr + "[HKLM\\SOFTWARE\\X]\n\"a\"=hex(q):00\n", nil, 1, 3},
		{"unterminated string", hdr + "[HKLM\\SOFTWARE\\X]\n\"a\"=\"b\n", nil, 1, 3},
		{"unquoted name", hdr + "[HKLM\\SOFTWARE\\X]\na=\"b\"\n", nil, 1, 3},
		{"no equals", hdr + "[HKLM\\SOFTWARE\\X]\n\"a\" \"b\"\n", nil, 1, 3},
		{"unknown data", hdr + "[HKLM\\SOFTWARE\\X]\n\"a\"=foo\n", nil, 1, 3},
		{"empty key", hdr + "[]\n", nil, 1, 2},
		{"trailing text", hdr + "[HKLM\\SOFTWARE\\X]\n\"a\"=\"b\"x\n", nil, 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := ParseReg(context.Background(), []byte(tc.in), &ExportOptions{File: "t.reg"})
			var fe *FormatError
			if tc.fatal != nil {
				require.ErrorIs(t, err, tc.fatal)
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, tc.line, fe.Line)
				assert.Equal(t, "t.reg", fe.File)
				return
			}
			require.NoError(t, err)
			probs := e.Problems()
			require.Len(t, probs, tc.problems)
			require.ErrorAs(t, probs[0], &fe)
			assert.Equal(t, tc.line, fe.Line)
			assert.True(t, errors.Is(fe, ErrSyntax))
		})
	}
}

func TestExportLimits(t *testing.T) {
	hdr := "Windows Registry Editor Version 5.00\n"
	_, err := ParseReg(context.Background(), []byte(hdr), &ExportOptions{MaxSize: 10})
	assert.ErrorIs(t, err, ErrTooLarge)
	_, err = ParseRegQuery(context.Background(), []byte("HKEY_LOCAL_MACHINE\\SOFTWARE\\X\n"), &ExportOptions{MaxSize: 10})
	assert.ErrorIs(t, err, ErrTooLarge)

	e, err := ParseReg(context.Background(), []byte(hdr+"[HKLM\\SOFTWARE\\A\\B\\C]\n\"v\"=\"w\"\n[HKLM\\SOFTWARE\\D]\n"), &ExportOptions{MaxKeys: 2})
	require.NoError(t, err)
	assert.Equal(t, 2, e.Len())
	require.NotEmpty(t, e.Problems())
	assert.ErrorIs(t, e.Problems()[0], ErrTooLarge)

	e, err = ParseReg(context.Background(), []byte(hdr+"[HKLM\\SOFTWARE\\A]\n\"v\"=hex:01,02,03,04,05\n\"s\"=\"abcdef\"\n"), &ExportOptions{MaxValueSize: 4})
	require.NoError(t, err)
	require.Len(t, e.Problems(), 2)

	e, err = ParseReg(context.Background(), []byte(hdr+"[HKLM\\SOFTWARE\\a\\b\\c\\d]\n\"v\"=\"w\"\n[HKLM\\SOFTWARE\\a\\b]\n"), &ExportOptions{MaxDepth: 3})
	require.NoError(t, err)
	require.Len(t, e.Problems(), 1)
	assert.ErrorIs(t, e.Problems()[0], ErrTooLarge)
	_, err = e.Key(`a\b`)
	require.NoError(t, err)

	var sb bytes.Buffer
	sb.WriteString(hdr + "[HKLM\\SOFTWARE\\A]\n")
	for i := 0; i < 20; i++ {
		sb.WriteString("bad\n")
	}
	e, err = ParseReg(context.Background(), sb.Bytes(), &ExportOptions{MaxProblems: 5})
	require.NoError(t, err)
	probs := e.Problems()
	require.Len(t, probs, 6)
	assert.ErrorIs(t, probs[5], ErrTooLarge)
	assert.Contains(t, probs[5].Error(), "15 more")
}

func TestExportKeyAndWalk(t *testing.T) {
	in := "Windows Registry Editor Version 5.00\n[HKLM\\SOFTWARE\\b]\n[HKLM\\SOFTWARE\\A\\x]\n\"v\"=\"1\"\n[HKLM\\SOFTWARE]\n@=\"root\"\n"
	e, err := ParseReg(context.Background(), []byte(in), nil)
	require.NoError(t, err)
	root, err := e.Key("")
	require.NoError(t, err)
	assert.Equal(t, []string{"A", "b"}, root.Subkeys)
	assert.Equal(t, "root", mustString(t, root, "(Default)"))
	k, err := e.Key(`a\X`)
	require.NoError(t, err)
	assert.Equal(t, `A\x`, k.Path)
	var seen []string
	require.NoError(t, e.Walk("", func(k *Key, err error) error {
		assert.NoError(t, err, "an export in memory has no unreadable key")
		seen = append(seen, k.Path)
		return nil
	}))
	assert.Equal(t, []string{"", "A", `A\x`, "b"}, seen)
	seen = nil
	require.NoError(t, e.Walk("", func(k *Key, err error) error {
		seen = append(seen, k.Path)
		if k.Path == "A" {
			return fs.SkipDir
		}
		return nil
	}))
	assert.Equal(t, []string{"", "A", "b"}, seen, "SkipDir skips the subtree, as in Hive.Walk")
	stop := errors.New("stop")
	assert.ErrorIs(t, e.Walk("", func(*Key, error) error { return stop }), stop)
	assert.ErrorIs(t, e.Walk("nope", func(*Key, error) error { return nil }), ErrKeyNotFound)
	assert.Equal(t, KindRegExport, e.Kind())
	assert.Equal(t, 3, e.Len())
}

func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		want Kind
	}{
		{"hive", readTestdata(t, "host-2012.hiv"), KindHive},
		{"reg utf16", readTestdata(t, "guest-2012R2-utf16.reg"), KindRegExport},
		{"reg ansi", readTestdata(t, "host-2008R2-ansi.reg"), KindRegExport},
		{"reg utf8", readTestdata(t, "host-2012-utf8.reg"), KindRegExport},
		{"query utf16", readTestdata(t, "host-2012R2-query-utf16.txt"), KindRegQuery},
		{"query sjis", readTestdata(t, "guest-2012-query-sjis.txt"), KindRegQuery},
		{"query bare", []byte("\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\X\r\n    a    REG_SZ    b\r\n"), KindRegQuery},
		{"query error only", []byte("ERROR: The system was unable to find the specified registry key or value.\r\n"), KindRegQuery},
		{"query japanese error", []byte("エラー: 指定されたレジストリ キーまたは値が見つかりませんでした。\r\n"), KindRegQuery},
		{"garbage", readTestdata(t, "garbage.bin"), KindUnknown},
		{"empty", nil, KindUnknown},
		{"text", []byte("hello\nworld\n"), KindUnknown},
		{"query utf16be bom", utf16BE(true, queryText), KindRegQuery},
		{"query utf16be", utf16BE(false, queryText), KindRegQuery},
		{"reg utf16be", utf16BE(true, "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE]\r\n"), KindRegExport},
		{"query after a prompt and a note", []byte("C:\\>reg query HKLM\\SOFTWARE\\X\r\nCopied from HV01 on Monday\r\n" + queryText), KindRegQuery},
		{"note then a key line, no value", []byte("a note\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\X\r\n"), KindUnknown},
		{"too much prose first", []byte(strings.Repeat("prose\r\n", 21) + queryText), KindUnknown},
		{"control bytes", []byte("HKEY_LOCAL_MACHINE\\X\x01\r\n    a    REG_SZ    b\r\n"), KindUnknown},
		{"log type 1", regfOfType(1), KindHiveLog},
		{"log type 6", regfOfType(6), KindHiveLog},
		{"primary type 0", regfOfType(0), KindHive},
		{"bare HvLE", []byte("HvLE\x00\x00\x00\x00"), KindHiveLog},
		{"reg utf16le, escape sequences in a value", utf16LEBOM("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\X]\r\n\"a\"=\"\x1b[2J\x07\"\r\n"), KindRegExport},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Sniff(tc.data))
		})
	}
	for k, s := range map[Kind]string{KindUnknown: "unknown", KindHive: "hive", KindHiveLog: "hive-log", KindRegExport: "reg-export", KindRegQuery: "reg-query"} {
		b, err := k.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, s, string(b))
	}
}

func TestParseRegContinuations(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("Windows Registry Editor Version 5.00\r\n[HKLM\\SOFTWARE\\k]\r\n\"big\"=hex:00,\\\r\n")
	const n = 200000
	for i := 0; i < n; i++ {
		sb.WriteString("  01,\\\r\n")
	}
	sb.WriteString("  02\r\n\"after\"=\"x\"\r\n\"last\"=hex:03,\\\r\n")
	e, err := ParseReg(context.Background(), []byte(sb.String()), nil)
	require.NoError(t, err)
	assert.Empty(t, e.Problems())
	k, err := e.Key("k")
	require.NoError(t, err)
	v, ok := k.Value("big")
	require.True(t, ok)
	require.Len(t, v.Data, n+2)
	assert.Equal(t, byte(2), v.Data[n+1])
	assert.Equal(t, "x", mustString(t, k, "after"))
	last, ok := k.Value("last")
	require.True(t, ok)
	assert.Equal(t, []byte{3}, last.Data, "a continuation at end of input")
}

const queryText = "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Auto\r\n    IntegrationServicesVersion    REG_SZ    6.3.9600.18692\r\n"

// utf16BE encodes s as UTF-16BE, with a byte-order mark or without.
func utf16BE(bom bool, s string) []byte {
	var out []byte
	if bom {
		out = append(out, 0xFE, 0xFF)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}

// regfOfType is a 4 KiB base block of file type typ (0 primary, 1/2/6 log).
func regfOfType(typ uint32) []byte {
	b := make([]byte, 4096)
	copy(b, "regf")
	binary.LittleEndian.PutUint32(b[0x1C:], typ)
	return b
}

// utf16LEBOM encodes s as regedit writes it: UTF-16LE with a byte-order
// mark.
func utf16LEBOM(s string) []byte {
	out := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}
