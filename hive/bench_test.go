package hive

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hvic/hvic/internal/hivewriter"
	"github.com/stretchr/testify/require"
	"www.velocidex.com/golang/regparser"
)

// benchKeys are looked up in every benchmark iteration, with one value
// each: the host and guest facts' keys.
var benchKeys = []struct{ path, value string }{
	{`Microsoft\Windows NT\CurrentVersion\Virtualization\GuestInstaller\Version`, "Microsoft-Hyper-V-Guest-Installer-Win6x-Package"},
	{`Microsoft\Windows NT\CurrentVersion`, "CurrentBuild"},
	{`Microsoft\Virtual Machine\Auto`, "IntegrationServicesVersion"},
	{`Microsoft\Virtual Machine\Guest\Parameters`, "VirtualMachineName"},
}

// bigHive builds a SOFTWARE-like hive of at least size bytes: the host and
// guest keys the facts need, buried among many unrelated keys (a Classes
// tree of 2-level fan-out with a few values each), so lookups cross long
// subkey lists split into ri indexes.
func bigHive(tb testing.TB, size int) []byte {
	tb.Helper()
	b := hivewriter.New()
	b.Key(`Microsoft\Windows NT\CurrentVersion\Virtualization\GuestInstaller\Version`).
		SetString("Microsoft-Hyper-V-Guest-Installer-Win6x-Package", "6.3.9600.18692").
		SetString("Microsoft-Hyper-V-Guest-Installer-Win5x-Package", "6.3.9600.18692")
	b.Key(`Microsoft\Windows NT\CurrentVersion`).SetString("CurrentBuild", "9600").SetString("ProductName", "Windows Server 2012 R2 Datacenter")
	b.Key(`Microsoft\Virtual Machine\Auto`).SetString("IntegrationServicesVersion", "6.3.9600.18692")
	b.Key(`Microsoft\Virtual Machine\Guest\Parameters`).SetString("VirtualMachineName", "VM01")
	payload := []byte(strings.Repeat("p", 200))
	// About 480 bytes of cells per leaf key (nk, values list, 3 vk, data).
	n := size / 480
	per := 400
	for i := 0; i*per < n; i++ {
		// Siblings of Microsoft under the root, and under Microsoft.
		parent := b.Key(fmt.Sprintf(`Classes\.ext%05d`, i))
		if i%2 == 0 {
			b.Key(fmt.Sprintf(`Microsoft\Vendor%05d`, i))
		}
		for j := 0; j < per; j++ {
			parent.Subkey(fmt.Sprintf("{%08X-0000-4000-8000-%012X}", i, j)).
				SetString("", "Some.Class.Name").SetDword("Flags", uint32(j)).SetBinary("Data", payload)
		}
	}
	data, err := b.Bytes()
	require.NoError(tb, err)
	require.GreaterOrEqual(tb, len(data), size)
	return data
}

// regparserLookups does what the hvic benchmark does with regparser's own
// OpenKey path, under recover() (regparser panics on damaged data).
func regparserLookups(r *regparser.Registry) (found int, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("regparser panic: %v", p)
		}
	}()
	for _, k := range benchKeys {
		nk := r.OpenKey(k.path)
		if nk == nil {
			continue
		}
		for _, v := range nk.Values() {
			if strings.EqualFold(v.ValueName(), k.value) {
				_ = v.ValueData()
				found++
			}
		}
	}
	return found, nil
}

func hvicLookups(h *Hive) (int, error) {
	found := 0
	for _, k := range benchKeys {
		key, err := h.Key(k.path)
		if err != nil {
			return found, err
		}
		if v, ok := key.Value(k.value); ok {
			if _, ok := v.Text(); ok {
				found++
			}
		}
	}
	return found, nil
}

// BenchmarkOpen100MiB opens a generated 100 MiB hive and looks up the facts'
// keys and values, with this package and with regparser's OpenKey on the
// same bytes, in the same run. Run: go test -run='^$' -bench=Open100MiB
// -benchtime=3x ./hive
func BenchmarkOpen100MiB(b *testing.B) {
	data := bigHive(b, 100<<20)
	path := filepath.Join(b.TempDir(), "SOFTWARE")
	require.NoError(b, os.WriteFile(path, data, 0o600))
	b.Logf("hive: %d bytes", len(data))

	b.Run("hvic/Open+lookups", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			h, err := Open(context.Background(), path, nil)
			require.NoError(b, err)
			n, err := hvicLookups(h)
			require.NoError(b, err)
			require.Equal(b, len(benchKeys), n)
		}
	})
	b.Run("hvic/Open+ExtractFacts", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			h, err := Open(context.Background(), path, nil)
			require.NoError(b, err)
			f := ExtractFacts(h, path)
			require.NotNil(b, f)
		}
	})
	b.Run("hvic/FromBytes+lookups", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			h, err := FromBytes(context.Background(), data, nil, nil)
			require.NoError(b, err)
			n, err := hvicLookups(h)
			require.NoError(b, err)
			require.Equal(b, len(benchKeys), n)
		}
	})
	b.Run("regparser/bytes+OpenKey", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			r, err := regparser.NewRegistry(bytes.NewReader(data))
			require.NoError(b, err)
			n, err := regparserLookups(r)
			require.NoError(b, err)
			require.Equal(b, len(benchKeys), n)
		}
	})
	b.Run("regparser/ReadFile+OpenKey", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			mem, err := os.ReadFile(path)
			require.NoError(b, err)
			r, err := regparser.NewRegistry(bytes.NewReader(mem))
			require.NoError(b, err)
			n, err := regparserLookups(r)
			require.NoError(b, err)
			require.Equal(b, len(benchKeys), n)
		}
	})
	b.Run("regparser/os.File+OpenKey", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			f, err := os.Open(path)
			require.NoError(b, err)
			r, err := regparser.NewRegistry(f)
			require.NoError(b, err)
			n, err := regparserLookups(r)
			require.NoError(b, err)
			require.Equal(b, len(benchKeys), n)
			require.NoError(b, f.Close())
		}
	})
}
