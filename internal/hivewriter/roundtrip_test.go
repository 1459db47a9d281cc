package hivewriter_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/hive"
	"github.com/hvic/hvic/internal/hivewriter"
)

// TestRoundTripThroughReader writes every cell kind the builder knows and
// reads it back with the project's hive reader.
func TestRoundTripThroughReader(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 3000) // 48000 bytes: db with 3 segments
	lw := time.Date(2020, 1, 2, 3, 4, 5, 123456700, time.UTC)
	for _, tc := range []struct {
		name  string
		setup func(b *hivewriter.Builder)
	}{
		{"lh", func(b *hivewriter.Builder) {}},
		{"lf", func(b *hivewriter.Builder) { b.List = hivewriter.ListLF }},
		{"li", func(b *hivewriter.Builder) { b.List = hivewriter.ListLI }},
		{"ri of lh", func(b *hivewriter.Builder) { b.MaxLeaf = 2 }},
		{"ri of li", func(b *hivewriter.Builder) { b.MaxLeaf = 3; b.List = hivewriter.ListLI }},
		{"utf16 names", func(b *hivewriter.Builder) { b.UTF16Names = true }},
		{"version 1.3", func(b *hivewriter.Builder) { b.MinorVersion = 3 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := hivewriter.New()
			tc.setup(b)
			k := b.Key(`Sub\Ärger\日本語`)
			k.LastWrite = lw
			k.Class = "class"
			k.SetString("sz", "6.3.9600.18692").
				SetExpandString("ex", `%SystemRoot%`).
				SetMultiString("multi", "a", "", "b").
				SetDword("dw", 0xDEADBEEF).
				SetDwordBigEndian("be", 0x01020304).
				SetQword("qw", 1<<40).
				SetBinary("bin4", []byte{1, 2, 3, 4}).
				SetBinary("bin5", []byte{1, 2, 3, 4, 5}).
				SetBinary("empty", nil).
				SetBinary("big", big).
				SetValue("", hivewriter.TypeString, hivewriter.UTF16z("default")).
				SetString("名前", "値")
			for _, n := range []string{"z", "Y", "x", "W", "v"} {
				b.Key(`Sub\Ärger`).Subkey(n)
			}
			data, err := b.Bytes()
			require.NoError(t, err)
			h, err := hive.FromBytes(context.Background(), data, nil, nil)
			require.NoError(t, err)
			assert.Empty(t, h.Problems())

			got, err := h.Key(`sub\ärger\日本語`)
			require.NoError(t, err)
			assert.Equal(t, `Sub\Ärger\日本語`, got.Path)
			assert.Equal(t, lw, got.LastWrite.UTC())
			str := func(name string) string {
				v, ok := got.Value(name)
				require.True(t, ok, name)
				s, ok := v.Text()
				require.True(t, ok, name)
				return s
			}
			num := func(name string) uint64 {
				v, ok := got.Value(name)
				require.True(t, ok, name)
				n, ok := v.Uint64()
				require.True(t, ok, name)
				return n
			}
			raw := func(name string) []byte {
				v, ok := got.Value(name)
				require.True(t, ok, name)
				return v.Data
			}
			assert.Equal(t, "6.3.9600.18692", str("sz"))
			assert.Equal(t, `%SystemRoot%`, str("ex"))
			assert.Equal(t, "default", str(""))
			assert.Equal(t, "値", str("名前"))
			m, ok := got.Value("multi")
			require.True(t, ok)
			assert.Equal(t, []string{"a"}, m.Strings(), "an empty string ends a MULTI_SZ list")
			assert.Equal(t, uint64(0xDEADBEEF), num("dw"))
			assert.Equal(t, uint64(0x01020304), num("be"))
			assert.Equal(t, uint64(1<<40), num("qw"))
			assert.Equal(t, []byte{1, 2, 3, 4}, raw("bin4"))
			assert.Equal(t, []byte{1, 2, 3, 4, 5}, raw("bin5"))
			assert.Empty(t, raw("empty"))
			assert.Equal(t, big, raw("big"))

			parent, err := h.Key(`Sub\Ärger`)
			require.NoError(t, err)
			assert.Equal(t, []string{"v", "W", "x", "Y", "z", "日本語"}, parent.Subkeys, "sorted by upper-cased name")
		})
	}
}

// TestSelfReferencingRI: the reader must refuse the loop, not recurse
// until the stack overflows.
func TestSelfReferencingRI(t *testing.T) {
	b := hivewriter.New()
	b.SelfReferencingRI = `Loop`
	for _, n := range []string{"a", "b", "c"} {
		b.Key(`Loop\`+n).SetDword("x", 1)
	}
	b.Key(`Other`).SetString("fine", "yes")
	data, err := b.Bytes()
	require.NoError(t, err)
	require.Contains(t, string(data), "ri")
	h, err := hive.FromBytes(context.Background(), data, nil, nil)
	require.NoError(t, err)
	_, err = h.Key(`Loop\zzz`)
	require.Error(t, err)
	var walkErrs []error
	require.NotPanics(t, func() {
		_ = h.Walk("", func(k *hive.Key, err error) error {
			if err != nil {
				walkErrs = append(walkErrs, err)
			}
			return nil
		})
	})
	other, err := h.Key("Other")
	require.NoError(t, err, "the rest of the hive stays readable")
	v, ok := other.Value("fine")
	require.True(t, ok)
	s, ok := v.Text()
	require.True(t, ok)
	assert.Equal(t, "yes", s)
	k, err := h.Key("Loop")
	if err == nil {
		assert.NotEmpty(t, append(walkErrs, h.Problems()...), "the loop is reported")
		assert.LessOrEqual(t, len(k.Subkeys), 3)
	}
}

// TestDirtyStepsReplay checks several log entries replay in order through
// the reader.
func TestDirtyStepsReplay(t *testing.T) {
	b := hivewriter.New()
	b.Key(`Microsoft\Virtual Machine\Auto`).SetString("IntegrationServicesVersion", "6.3.9600.16384")
	base, log1, err := b.DirtySteps(
		func(b *hivewriter.Builder) {
			b.Key(`Microsoft\Virtual Machine\Auto`).SetString("IntegrationServicesVersion", "6.3.9600.17831")
		},
		func(b *hivewriter.Builder) {
			hivewriter.AddFiller(b, 64<<10) // grows the hive: new pages past the base's end
			b.Key(`Microsoft\Virtual Machine\Auto`).SetString("IntegrationServicesVersion", "6.3.9600.18692")
		},
	)
	require.NoError(t, err)
	h, err := hive.FromBytes(context.Background(), base, []hive.LogFile{{Name: "x.LOG1", Data: log1}}, nil)
	require.NoError(t, err)
	rec := h.Recovery()
	assert.True(t, rec.Dirty)
	require.Len(t, rec.Applied, 1)
	assert.Equal(t, 2, rec.Applied[0].Entries)
	k, err := h.Key(`Microsoft\Virtual Machine\Auto`)
	require.NoError(t, err)
	v, ok := k.Value("IntegrationServicesVersion")
	require.True(t, ok)
	s, ok := v.Text()
	require.True(t, ok)
	assert.Equal(t, "6.3.9600.18692", s)
	assert.True(t, k.FromLog)
	_, err = h.Key(`Filler\Group00000\Key1`)
	require.NoError(t, err)
}

// TestDirtyOldReplay checks the old-format (DIRT) log through the reader.
func TestDirtyOldReplay(t *testing.T) {
	b := hivewriter.HostSoftware(hivewriter.Shapes()[1])
	b.Sequence = 4
	base, log, err := b.DirtyOld(func(b *hivewriter.Builder) {
		b.Key(`Microsoft\Windows NT\CurrentVersion\Virtualization\GuestInstaller\Version`).
			SetString("Microsoft-Hyper-V-Guest-Installer-Win6x-Package", "6.2.9200.16434")
		hivewriter.AddFiller(b, 16<<10)
	})
	require.NoError(t, err)
	assert.Equal(t, "DIRT", string(log[512:516]))
	want, err := b.Bytes()
	require.NoError(t, err)

	h, err := hive.FromBytes(context.Background(), base, []hive.LogFile{{Name: "SOFTWARE.LOG1", Data: log}}, nil)
	require.NoError(t, err)
	rec := h.Recovery()
	assert.True(t, rec.Dirty)
	require.Len(t, rec.Applied, 1, "refused: %v", rec.Refused)
	assert.Equal(t, hive.LogOld, rec.Applied[0].Format)
	k, err := h.Key(`Microsoft\Windows NT\CurrentVersion\Virtualization\GuestInstaller\Version`)
	require.NoError(t, err)
	v, ok := k.Value("Microsoft-Hyper-V-Guest-Installer-Win6x-Package")
	require.True(t, ok)
	s, ok := v.Text()
	require.True(t, ok)
	assert.Equal(t, "6.2.9200.16434", s)
	_, err = h.Key(`Filler\Group00000\Key1`)
	require.NoError(t, err)

	clean, err := hive.FromBytes(context.Background(), want, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, clean.Info().Size, h.Info().Size)
}
