package hive

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/japanese"
)

func TestParseRegQueryFiles(t *testing.T) {
	t.Run("english utf16 crlf", func(t *testing.T) {
		data := readTestdata(t, "host-2012R2-query-utf16.txt")
		e, err := ParseRegQuery(context.Background(), data, &ExportOptions{File: "q.txt"})
		require.NoError(t, err)
		probs := e.Problems()
		require.Len(t, probs, 1, "reg.exe's ERROR line")
		assert.ErrorIs(t, probs[0], ErrKeyNotFound)
		f := ExtractFacts(e, "q.txt")
		require.Equal(t, SideHost, f.Side)
		assert.Equal(t, map[string]string{GuestInstallerWin6x: "6.3.9600.18692", GuestInstallerWin5x: "6.3.9600.18692"},
			factValues(f.Host.GuestInstallerVersions))
		assert.Equal(t, "Windows Server 2012 R2 Datacenter", f.Host.OS.ProductName.Value)
		assert.Equal(t, "9600", f.Host.OS.CurrentBuild.Value, "two queries of one key merge")
		assert.False(t, f.Host.VirtualizationVersion.Present)
		assert.Equal(t, KindRegQuery, e.Kind())
	})
	t.Run("japanese shift-jis", func(t *testing.T) {
		e, err := ParseRegQuery(context.Background(), readTestdata(t, "guest-2012-query-sjis.txt"), nil)
		require.NoError(t, err)
		assert.Empty(t, e.Problems())
		f := ExtractFacts(e, "ja.txt")
		require.Equal(t, SideGuest, f.Side)
		g := f.Guest
		assert.Equal(t, "6.2.9200.16384", g.IntegrationServicesVersion.Value)
		assert.Equal(t, PathAuto, g.IntegrationServicesVersion.Source.Key)
		assert.Equal(t, "仮想マシン01", g.VirtualMachineName.Value)
		assert.Equal(t, "HV02.contoso.local", g.HostName.Value)
		assert.Equal(t, "0", g.BackupType.Value)
		p, err := e.Key(PathGuestParameters)
		require.NoError(t, err)
		_, ok := p.Value("")
		assert.False(t, ok, "(既定) (値の設定なし) is no value")
		vss, err := e.Key(PathVssRequestor)
		require.NoError(t, err)
		w, ok := vss.Value("Writers")
		require.True(t, ok)
		assert.Equal(t, []string{"Hyper-V", "System Writer"}, w.Strings())
		blob, ok := vss.Value("Blob")
		require.True(t, ok)
		assert.Equal(t, []byte{1, 2, 0xAB, 0xFF}, blob.Data)
		big, ok := vss.Value("Big")
		require.True(t, ok)
		n, ok := big.Uint64()
		require.True(t, ok)
		assert.Equal(t, uint64(0x1d0b1ded53e8000), n)
	})
}

const jaQuery = "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Auto\r\n" +
	"    (既定)    REG_SZ    既定値\r\n" +
	"    IntegrationServicesVersion    REG_SZ    6.3.9600.18398\r\n" +
	"    OSName    REG_SZ    Windows Server 2012 R2 Standard\r\n" +
	"\r\n検索の終わり: 3 件見つかりました。\r\n"

func TestParseRegQueryEncodings(t *testing.T) {
	sjis, err := japanese.ShiftJIS.NewEncoder().String(jaQuery)
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"utf8", []byte(jaQuery)},
		{"utf8 bom", append([]byte{0xEF, 0xBB, 0xBF}, jaQuery...)},
		{"utf16le bom", encodeUTF16LE(jaQuery, true)},
		{"utf16le no bom", encodeUTF16LE(jaQuery, false)},
		{"utf16be bom", encodeUTF16BE(jaQuery)},
		{"shift-jis", []byte(sjis)},
		{"lf", []byte(strings.ReplaceAll(jaQuery, "\r\n", "\n"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, KindRegQuery, Sniff(tc.data))
			e, err := ParseRegQuery(context.Background(), tc.data, nil)
			require.NoError(t, err)
			assert.Empty(t, e.Problems())
			f := ExtractFacts(e, "q")
			require.Equal(t, SideGuest, f.Side)
			assert.Equal(t, "6.3.9600.18398", f.Guest.IntegrationServicesVersion.Value)
			assert.Equal(t, "Windows Server 2012 R2 Standard", f.Guest.AutoValue("OSName").Value)
			auto, err := e.Key(PathAuto)
			require.NoError(t, err)
			assert.Equal(t, "既定値", mustString(t, auto, ""))
		})
	}
}

func TestParseRegQueryRows(t *testing.T) {
	key := "HKEY_LOCAL_MACHINE\\SOFTWARE\\K\n"
	for _, tc := range []struct {
		name  string
		row   string
		typ   ValueType
		data  []byte
		bad   bool
		found bool
	}{
		{"sz", "    a    REG_SZ    x y", TypeString, utf16z("x y"), false, true},
		{"sz empty", "    a    REG_SZ    ", TypeString, utf16z(""), false, true},
		{"sz no data", "    a    REG_SZ", TypeString, utf16z(""), false, true},
		{"expand", "    a    REG_EXPAND_SZ    %SystemRoot%", TypeExpandString, utf16z("%SystemRoot%"), false, true},
		{"dword", "    a    REG_DWORD    0x10", TypeDword, []byte{0x10, 0, 0, 0}, false, true},
		{"dword big endian", "    a    REG_DWORD_BIG_ENDIAN    0x10", TypeDwordBigEndian, []byte{0, 0, 0, 0x10}, false, true},
		{"binary empty", "    a    REG_BINARY    ", TypeBinary, []byte{}, false, true},
		{"none", "    a    REG_NONE    00", TypeNone, []byte{0}, false, true},
		{"multi empty", "    a    REG_MULTI_SZ    ", TypeMultiString, []byte{0, 0}, false, true},
		{"tabs", "\ta\tREG_SZ\tv", TypeString, utf16z("v"), false, true},
		{"name with spaces", "    Program Files Dir    REG_SZ    C:\\P F", TypeString, utf16z("C:\\P F"), false, true},
		{"default not set", "    (Default)    REG_SZ    (value not set)", 0, nil, false, false},
		{"dword no 0x", "    a    REG_DWORD    16", 0, nil, true, false},
		{"dword overflow", "    a    REG_DWORD    0x100000000", 0, nil, true, false},
		{"bad hex", "    a    REG_BINARY    0G", 0, nil, true, false},
		{"unknown type", "    a    REG_FOO    1", 0, nil, true, false},
		{"not a row", "  garbage", 0, nil, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := ParseRegQuery(context.Background(), []byte(key+tc.row+"\n"), &ExportOptions{File: "r"})
			require.NoError(t, err)
			k, err := e.Key("K")
			require.NoError(t, err)
			if tc.bad {
				require.Len(t, e.Problems(), 1)
				var fe *FormatError
				require.ErrorAs(t, e.Problems()[0], &fe)
				assert.Equal(t, 2, fe.Line)
				assert.ErrorIs(t, fe, ErrSyntax)
				assert.Empty(t, k.Values)
				return
			}
			assert.Empty(t, e.Problems())
			if !tc.found {
				assert.Empty(t, k.Values)
				return
			}
			require.Len(t, k.Values, 1)
			assert.Equal(t, tc.typ, k.Values[0].Type)
			assert.Equal(t, tc.data, k.Values[0].Data)
		})
	}
}

func TestParseRegQueryErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		fatal bool
		probs int
	}{
		{"empty", "", true, 0},
		{"prose", "hello world\nnothing here\n", true, 0},
		{"row before key", "    a    REG_SZ    b\nHKEY_LOCAL_MACHINE\\SOFTWARE\\X\n", false, 1},
		{"only error", "ERROR: The system was unable to find the specified registry key or value.\n", false, 1},
		{"japanese error", "エラー: 指定されたレジストリ キーまたは値が見つかりませんでした。\n", false, 1},
		{"outside software", "HKEY_CURRENT_USER\\Software\\X\n    a    REG_SZ    b\n", false, 1},
		{"too deep", "HKEY_LOCAL_MACHINE\\SOFTWARE" + strings.Repeat("\\k", 600) + "\n    a    REG_SZ    b\n    c    REG_SZ    d\n", false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := ParseRegQuery(context.Background(), []byte(tc.in), &ExportOptions{File: "e.txt"})
			if tc.fatal {
				require.ErrorIs(t, err, ErrSyntax)
				var fe *FormatError
				require.ErrorAs(t, err, &fe)
				assert.Positive(t, fe.Line)
				return
			}
			require.NoError(t, err)
			assert.Len(t, e.Problems(), tc.probs)
		})
	}
}
