package hvic_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/internal/benchgen"
)

// vmHWM resets the process's peak resident set (Linux clear_refs 5) and
// returns a function that reads it back (VmHWM) in MiB; -1 when the kernel
// does not offer it.
func vmHWM() func() float64 {
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return func() float64 { return -1 }
	}
	return func() float64 {
		st, err := os.ReadFile("/proc/self/status")
		if err != nil {
			return -1
		}
		for _, line := range strings.Split(string(st), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
				if err != nil {
					return -1
				}
				return kb / 1024
			}
		}
		return -1
	}
}

// BenchmarkScanCollection500 scans a generated collection of five ~109 MiB
// host System logs (about 545 MiB, 36 IC records each; generated once and
// cached under os.TempDir()/hvic-benchgen). It reports the scan's MB/s,
// the progress callbacks received, the peak RSS, and parts-ratio: the sum of
// the times of scanning each log alone divided by the time of the whole
// scan (>= 0.8 is the issue-6 target: the whole no slower than 80% of the
// sum of its parts' speeds). Run with -benchtime=1x: one pass takes tens of
// seconds.
func BenchmarkScanCollection500(b *testing.B) {
	root, err := benchgen.CachedCollection(5, benchgen.Version)
	if err != nil {
		b.Fatal(err)
	}
	var files []string
	var total int64
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		st, err := d.Info()
		if err != nil {
			return err
		}
		files = append(files, p)
		total += st.Size()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(total)
	b.ReportAllocs()
	progress, events := 0, 0
	peak := vmHWM()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := hvic.ScanPaths(ctx, []string{root}, &hvic.Options{Progress: func(hvic.Progress) { progress++ }})
		if err != nil {
			b.Fatal(err)
		}
		events = len(res.Events)
	}
	b.StopTimer()
	whole := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(peak(), "peakRSS-MiB")
	b.ReportMetric(float64(progress)/float64(b.N), "progress-calls")
	b.ReportMetric(float64(events), "events")
	var parts time.Duration
	for _, f := range files {
		t0 := time.Now()
		if _, err := hvic.ScanPaths(ctx, []string{f}, nil); err != nil {
			b.Fatal(err)
		}
		parts += time.Since(t0)
	}
	b.ReportMetric(parts.Seconds()/whole, "parts-ratio")
}
