package hive

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hvic/hvic/internal/hivewriter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// builderTree flattens a hivewriter tree the way tree() flattens a Hive:
// the independent side of the round-trip comparison.
func builderTree(b *hivewriter.Builder) map[string]snapshot {
	out := make(map[string]snapshot)
	var rec func(k *hivewriter.Key, path string)
	rec = func(k *hivewriter.Key, path string) {
		s := snapshot{lastWrite: k.LastWrite}
		if s.lastWrite.IsZero() {
			s.lastWrite = b.Timestamp
		}
		for _, v := range k.Values() {
			s.values = append(s.values, Value{Name: v.Name, Type: ValueType(v.Type), Data: v.Data})
		}
		for _, sk := range k.Subkeys() {
			s.subkeys = append(s.subkeys, sk.Name)
		}
		out[path] = s
		for _, sk := range k.Subkeys() {
			p := sk.Name
			if path != "" {
				p = path + `\` + sk.Name
			}
			rec(sk, p)
		}
	}
	rec(b.Root(), "")
	return out
}

// sortedSubkeys orders subkey names as a hive stores them (by upper-cased
// name), since the builder keeps insertion order.
func sortedSubkeys(m map[string]snapshot) {
	for p, s := range m {
		names := append([]string(nil), s.subkeys...)
		for i := 1; i < len(names); i++ {
			for j := i; j > 0 && strings.ToUpper(names[j]) < strings.ToUpper(names[j-1]); j-- {
				names[j], names[j-1] = names[j-1], names[j]
			}
		}
		s.subkeys = names
		m[p] = s
	}
}

func TestRoundTripBuilder(t *testing.T) {
	build := func(list hivewriter.ListKind, utf16 bool, maxLeaf int) *hivewriter.Builder {
		b := hivewriter.New()
		b.List, b.UTF16Names, b.MaxLeaf = list, utf16, maxLeaf
		k := b.Key(`Software\Microsoft\Virtual Machine\Auto`)
		k.SetString("IntegrationServicesVersion", "6.3.9600.18692")
		k.SetExpandString("Path", `%SystemRoot%\x`)
		k.SetMultiString("Multi", "a", "ββ", "")
		k.SetDword("D", 0xdeadbeef).SetDwordBigEndian("BE", 0x01020304).SetQword("Q", 1<<40)
		k.SetBinary("Empty", nil).SetBinary("Three", []byte{1, 2, 3})
		k.SetBinary("Big", []byte(strings.Repeat("x", 40000)))
		k.SetValue("", uint32(TypeNone), []byte{9})
		k.LastWrite = time.Date(2020, 1, 2, 3, 4, 5, 600700800, time.UTC)
		many := b.Key("Many")
		for i := 0; i < 2500; i++ {
			many.Subkey(fmt.Sprintf("k%04d", i)).SetDword("i", uint32(i))
		}
		b.Key(`Ünïcode\Привет\ëigen`).SetString("ключ", "значение")
		return b
	}
	tests := []struct {
		name    string
		list    hivewriter.ListKind
		utf16   bool
		maxLeaf int
	}{
		{"lh", hivewriter.ListLH, false, 1000},
		{"lf utf16 names", hivewriter.ListLF, true, 1000},
		{"li small leaves", hivewriter.ListLI, false, 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := build(tc.list, tc.utf16, tc.maxLeaf)
			data, err := b.Bytes()
			require.NoError(t, err)
			h, err := FromBytes(context.Background(), data, nil, nil)
			require.NoError(t, err)
			require.Empty(t, h.Problems())
			want := builderTree(b)
			sortedSubkeys(want)
			got := tree(t, h)
			// Value order is the builder's; compare as stored.
			requireSameTree(t, want, got)

			k, err := h.Key(`SOFTWARE\microsoft\VIRTUAL MACHINE\auto`)
			require.NoError(t, err)
			v, ok := k.Value("integrationservicesversion")
			require.True(t, ok)
			s, ok := v.Text()
			require.True(t, ok)
			assert.Equal(t, "6.3.9600.18692", s)
			assert.Equal(t, time.Date(2020, 1, 2, 3, 4, 5, 600700800, time.UTC), k.LastWrite)
			_, err = h.Key(`ünÏcode\пРИВЕТ\ËIGEN`)
			require.NoError(t, err)
		})
	}
}

func TestBuilderSelfReferencingRI(t *testing.T) {
	b := hivewriter.New()
	for i := 0; i < 5; i++ {
		b.Key(fmt.Sprintf(`Loop\s%d`, i))
	}
	b.SelfReferencingRI = "Loop"
	data, err := b.Bytes()
	require.NoError(t, err)
	h, err := FromBytes(context.Background(), data, nil, nil)
	require.NoError(t, err)
	k, err := h.Key("Loop")
	require.NoError(t, err)
	require.Len(t, k.Subkeys, 5, "the real subkeys are listed before the loop")
	require.NotEmpty(t, k.Problems)
	require.ErrorIs(t, k.Problems[0], ErrCorrupt)
	_, err = h.Key(`Loop\s4`)
	require.NoError(t, err, "a match before the loop is found")
	_, err = h.Key(`Loop\missing`)
	require.ErrorIs(t, err, ErrCorrupt, "a miss runs into the loop and says so")
}

func TestBuilderFixtures(t *testing.T) {
	fixtures, err := hivewriter.Fixtures()
	require.NoError(t, err)
	require.NotEmpty(t, fixtures)
	for _, f := range fixtures {
		t.Run(f.Name, func(t *testing.T) {
			var logs []LogFile
			if f.Log1 != nil {
				logs = append(logs, LogFile{Name: f.Name + ".LOG1", Data: f.Log1})
			}
			h, err := FromBytes(context.Background(), f.Data, logs, nil)
			require.NoError(t, err)
			require.Empty(t, h.Problems())
			rec := h.Recovery()
			require.Equal(t, f.Log1 != nil, rec.Dirty)
			require.Equal(t, f.Log1 != nil, rec.Recovered)
			path, name := `Microsoft\Windows NT\CurrentVersion\Virtualization\GuestInstaller\Version`, "Microsoft-Hyper-V-Guest-Installer-Win6x-Package"
			if f.Side == "guest" {
				path, name = `Microsoft\Virtual Machine\Auto`, "IntegrationServicesVersion"
			}
			k, err := h.Key(path)
			require.NoError(t, err)
			v, ok := k.Value(name)
			require.True(t, ok)
			s, ok := v.Text()
			require.True(t, ok)
			require.Equal(t, f.ICVersion, s)
			require.Equal(t, f.Log1 != nil, k.FromLog)

			if f.Log1 != nil {
				// Without replay the stale version shows, as the builder's
				// pre-change tree says.
				stale, err := FromBytes(context.Background(), f.Data, nil, &Options{NoReplay: true})
				require.NoError(t, err)
				want := builderTree(f.Tree)
				sortedSubkeys(want)
				requireSameTree(t, want, tree(t, stale))
				k, err := stale.Key(path)
				require.NoError(t, err)
				v, ok := k.Value(name)
				require.True(t, ok)
				s, ok := v.Text()
				require.True(t, ok)
				require.NotEqual(t, f.ICVersion, s)
			}
		})
	}
}
