package hvic_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic"
)

// BenchmarkScanUnrelated10k scans a folder of 10,000 small files hvic does
// not read (text, binary, empty): the walk and classification cost, and the
// memory they keep. It reports allocations and the peak heap seen while
// scanning (sampled every millisecond) as peak-heap-MiB.
func BenchmarkScanUnrelated10k(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < 10_000; i++ {
		sub := filepath.Join(dir, fmt.Sprintf("d%02d", i%100))
		if i < 100 {
			require.NoError(b, os.MkdirAll(sub, 0o755))
		}
		var data []byte
		switch i % 3 {
		case 0:
			data = []byte(fmt.Sprintf("customer note %d\r\nnothing to see here\r\n", i))
		case 1:
			data = make([]byte, 512+i%1024)
			for j := range data {
				data[j] = byte(i + j*7)
			}
		}
		require.NoError(b, os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%05d.dat", i)), data, 0o644))
	}
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak.Load() {
					peak.Store(ms.HeapAlloc)
				}
			}
		}
	}()
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := hvic.ScanPaths(context.Background(), []string{dir}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Inventory.Skipped) != 10_000 || res.Status != hvic.StatusFailed {
			b.Fatalf("skipped %d, status %s", len(res.Inventory.Skipped), res.Status)
		}
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
}

// BenchmarkScanSample scans the bundled sample (10 files, 560 KB) from
// memory: the whole pipeline, readers and evaluation included.
func BenchmarkScanSample(b *testing.B) {
	fsys := sampleFS(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := hvic.Scan(context.Background(), fsys, nil)
		if err != nil || len(res.VMs) != 7 {
			b.Fatalf("%v, %d VMs", err, len(res.VMs))
		}
	}
}
