package hivewriter

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"www.velocidex.com/golang/regparser"
)

func TestBuildReadsWithRegparser(t *testing.T) {
	b := New()
	ts := time.Date(2014, 2, 3, 4, 5, 6, 700, time.UTC)
	k := b.Key(`Microsoft\Virtual Machine\Auto`)
	k.SetString("IntegrationServicesVersion", "6.2.9200.16433")
	k.SetDword("OSMajorVersion", 6)
	k.SetBinary("Big", bytes.Repeat([]byte{0xAB}, 40000))
	k.LastWrite = ts
	b.Key(`Microsoft\Virtual Machine\Guest\Parameters`).SetString("VirtualMachineName", "vm1")
	data, err := b.Bytes()
	require.NoError(t, err)
	require.Equal(t, uint32(0), uint32(len(data)-4096)%4096)
	assert.Equal(t, Checksum(data), binary.LittleEndian.Uint32(data[508:]))

	reg, err := regparser.NewRegistry(bytes.NewReader(data))
	require.NoError(t, err)
	key := reg.OpenKey(`Microsoft\Virtual Machine\Auto`)
	require.NotNil(t, key)
	names := map[string]int{}
	for _, v := range key.Values() {
		names[v.ValueName()] = len(v.ValueData().Data)
	}
	assert.Equal(t, map[string]int{"IntegrationServicesVersion": 30, "OSMajorVersion": 4, "Big": 40000}, names)
}

func TestListKinds(t *testing.T) {
	for _, tc := range []struct {
		name    string
		list    ListKind
		maxLeaf int
		sig     string
	}{
		{"lh", ListLH, 1000, "lh"},
		{"lf", ListLF, 1000, "lf"},
		{"li", ListLI, 1000, "li"},
		{"ri", ListLH, 2, "ri"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := New()
			b.List, b.MaxLeaf = tc.list, tc.maxLeaf
			for _, n := range []string{"c", "B", "a", "Ä", "日本"} {
				b.Key(n).SetDword("x", 1)
			}
			data, err := b.Bytes()
			require.NoError(t, err)
			assert.Contains(t, string(data), tc.sig)
			reg, err := regparser.NewRegistry(bytes.NewReader(data))
			require.NoError(t, err)
			var got []string
			for _, s := range reg.OpenKey("").Subkeys() {
				got = append(got, s.Name())
			}
			assert.Len(t, got, 5)
		})
	}
}

func TestDirtyLog(t *testing.T) {
	b := New()
	b.Sequence = 7
	b.Key(`Microsoft\Virtual Machine\Auto`).SetString("IntegrationServicesVersion", "6.2.9200.16384")
	base, log1, err := b.Dirty(func(b *Builder) {
		b.Key(`Microsoft\Virtual Machine\Auto`).SetString("IntegrationServicesVersion", "6.3.9600.18692")
	})
	require.NoError(t, err)
	le := binary.LittleEndian
	assert.Equal(t, uint32(8), le.Uint32(base[4:]))
	assert.Equal(t, uint32(7), le.Uint32(base[8:]))
	assert.Equal(t, uint32(6), le.Uint32(log1[28:]))
	assert.Equal(t, "HvLE", string(log1[512:516]))
	assert.Equal(t, uint32(7), le.Uint32(log1[512+12:]))

	// Replay the entry by hand and compare with the changed tree.
	want, err := b.Bytes()
	require.NoError(t, err)
	e := log1[512:]
	got := append([]byte(nil), base[4096:]...)
	n := le.Uint32(e[20:])
	p := 40 + 8*int(n)
	for i := 0; i < int(n); i++ {
		off, size := le.Uint32(e[40+8*i:]), le.Uint32(e[44+8*i:])
		for int(off+size) > len(got) {
			got = append(got, 0)
		}
		copy(got[off:], e[p:p+int(size)])
		p += int(size)
	}
	assert.Equal(t, want[4096:], got)
}

func TestTreeEditing(t *testing.T) {
	b := New()
	b.Key(`A\B\C`).SetString("v", "1").SetString("w", "2")
	b.Key(`a\b\d`)
	require.NotNil(t, b.Lookup(`a\B\c`))
	assert.Nil(t, b.Lookup(`A\X`))

	c := b.Clone()
	assert.True(t, b.Key(`A\B\C`).DeleteValue("V"))
	assert.False(t, b.Key(`A\B\C`).DeleteValue("nope"))
	assert.True(t, b.DeleteKey(`a\b\d`))
	assert.False(t, b.DeleteKey(`a\b\d`))
	assert.False(t, b.DeleteKey(`x\y`))
	assert.False(t, b.DeleteKey(``))

	var paths []string
	b.Walk(func(p string, k *Key) { paths = append(paths, p) })
	assert.Equal(t, []string{"", "A", `A\B`, `A\B\C`}, paths)
	assert.Len(t, b.Lookup(`A\B\C`).Values(), 1)

	var cpaths []string
	c.Walk(func(p string, k *Key) { cpaths = append(cpaths, p) })
	assert.Equal(t, []string{"", "A", `A\B`, `A\B\C`, `A\B\d`}, cpaths, "the clone keeps the old tree")
	assert.Len(t, c.Lookup(`A\B\C`).Values(), 2)
	assert.Len(t, c.Lookup(`A\B`).Subkeys(), 2)
}

func TestBuildErrors(t *testing.T) {
	b := New()
	b.MaxLeaf = 0
	_, err := b.Bytes()
	require.ErrorIs(t, err, ErrBuild)
	_, _, err = New().DirtySteps()
	require.ErrorIs(t, err, ErrBuild)
}

func TestChecksumAndFiletime(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(b []byte)
		want uint32
	}{
		{"zero maps to 1", func(b []byte) {}, 1},
		{"all ones maps to fffffffe", func(b []byte) { binary.LittleEndian.PutUint32(b, 0xFFFFFFFF) }, 0xFFFFFFFE},
		{"plain", func(b []byte) { binary.LittleEndian.PutUint32(b[8:], 0x1234) }, 0x1234},
	} {
		t.Run(tc.name, func(t *testing.T) {
			buf := make([]byte, 512)
			tc.set(buf)
			assert.Equal(t, tc.want, Checksum(buf))
		})
	}
	assert.Equal(t, uint64(0), Filetime(time.Time{}))
	assert.Equal(t, uint64(116444736000000000), Filetime(time.Unix(0, 0)))
	assert.Equal(t, uint64(116444736000000001), Filetime(time.Unix(0, 100)))
}

func TestFixturesDescribeThemselves(t *testing.T) {
	fx, err := Fixtures()
	require.NoError(t, err)
	require.Len(t, fx, 8)
	for _, f := range fx {
		t.Run(f.Name, func(t *testing.T) {
			require.NotNil(t, f.Tree)
			if f.Log1 == nil {
				data, err := f.Tree.Bytes()
				require.NoError(t, err)
				assert.Equal(t, f.Data, data, "Tree is the state Data holds")
			}
			path := `Microsoft\Virtual Machine\Auto`
			if f.Side == "host" {
				path = `Microsoft\Windows NT\CurrentVersion\Virtualization\GuestInstaller\Version`
			}
			assert.Contains(t, string(f.Data), "regf")
			require.NotNil(t, f.Tree.Lookup(path))
		})
	}
}
