package hive

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"www.velocidex.com/golang/regparser"

	"github.com/hvic/hvic/internal/hivewriter"
)

var (
	largeOnce sync.Once
	largeHive []byte
	largeErr  error
)

// largeSoftware builds, once per process, a 100 MiB SOFTWARE hive that is
// both host and guest (2012 R2 shape) among ~260,000 unrelated keys.
func largeSoftware(b *testing.B) []byte {
	b.Helper()
	largeOnce.Do(func() {
		s := hivewriter.Shapes()[2]
		bl := hivewriter.GuestSoftware(s, s.ICVersion, hivewriter.Guest{VMID: "ID", VMName: "VM", HostName: "HV"})
		gi := bl.Key(PathGuestInstallerVersion)
		gi.SetString(GuestInstallerWin6x, s.ICVersion)
		gi.SetString(GuestInstallerWin5x, s.ICVersion)
		hivewriter.AddFiller(bl, 100<<20)
		largeHive, largeErr = bl.Bytes()
	})
	if largeErr != nil {
		b.Fatal(largeErr)
	}
	return largeHive
}

// BenchmarkFacts100MiB opens a 100 MiB hive from memory and extracts host
// and guest facts:
//
//	go test -run='^$' -bench='100MiB' -benchtime=5x ./hive
func BenchmarkFacts100MiB(b *testing.B) {
	data := largeSoftware(b)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h, err := FromBytes(context.Background(), data, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		f := ExtractFacts(h, "large")
		if f.Side != SideBoth || f.Guest.IntegrationServicesVersion.Value == "" {
			b.Fatalf("role %v, problems %v", f.Side, f.Problems)
		}
	}
}

// BenchmarkRegparserOpenKey100MiB reads the same keys and values of the
// same bytes through regparser's own NewRegistry + OpenKey path, for
// comparison (safe here: the hive is our own, with no index loops).
func BenchmarkRegparserOpenKey100MiB(b *testing.B) {
	data := largeSoftware(b)
	b.SetBytes(int64(len(data)))
	paths := []string{PathGuestInstallerVersion, PathVirtualization, PathCurrentVersion, PathAuto, PathGuestParameters, PathVssRequestor}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		reg, err := regparser.NewRegistry(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, p := range paths {
			k := reg.OpenKey(p)
			if k == nil {
				b.Fatalf("regparser: %s not found", p)
			}
			for _, v := range k.Values() {
				_ = v.ValueData()
				n++
			}
		}
		if n == 0 {
			b.Fatal("no values")
		}
	}
}
