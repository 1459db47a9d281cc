package evtx

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/hvic/hvic/internal/benchgen"
	"github.com/hvic/hvic/kb"
)

// Benchmark inputs are generated with internal/benchgen (internal/evtxwriter
// underneath) on first use and cached under os.TempDir()/hvic-benchgen/<version>;
// nothing large is committed. Run, for example:
//
//	go test -run='^$' -bench=. -benchtime=3x ./evtx

var (
	benchOnce  sync.Once
	benchPaths map[string]string
	benchErr   error
)

func benchInputs(b *testing.B) map[string]string {
	b.Helper()
	benchOnce.Do(func() {
		benchPaths = map[string]string{}
		for _, in := range []struct {
			name string
			o    benchgen.Options
		}{{"system100", benchgen.System100()}, {"quiet100", benchgen.Quiet100()}, {"system10", benchgen.System10()}} {
			o := in.o
			p, err := benchgen.Cached(in.name+".evtx", benchgen.Version, func() ([]byte, error) { return benchgen.Bytes(o) })
			if err != nil {
				benchErr = err
				return
			}
			benchPaths[in.name] = p
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPaths
}

// countRecords counts the record headers of the file at path (for the
// records/s metric), without decoding.
func countRecords(b *testing.B, path string) int {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for off := int64(fileHeaderBlock); off < int64(len(data)); off += chunkSize {
		n += countRecordHeaders(data[off:min(off+chunkSize, int64(len(data)))])
	}
	return n
}

func benchPass(b *testing.B, name string, pass func(f *File) int) {
	path := benchInputs(b)[name]
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	records := countRecords(b, path)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	peak := benchgen.ResetPeakRSS()
	b.ResetTimer()
	found := 0
	for i := 0; i < b.N; i++ {
		f, err := Open(path, nil)
		if err != nil {
			b.Fatal(err)
		}
		found = pass(f)
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(found), "found")
	b.ReportMetric(peak(), "peakRSS-MiB")
}

func scanPass(b *testing.B, o *ScanOptions) func(f *File) int {
	return func(f *File) int {
		evs, _, err := f.ScanIC(context.Background(), o)
		if err != nil {
			b.Fatal(err)
		}
		return len(evs)
	}
}

// catalogue is kb's event catalogue as a selection, as package hvic
// passes it.
func catalogue() []EventKey {
	var keys []EventKey
	for _, e := range kb.Default().EventKeys() {
		keys = append(keys, EventKey{Provider: e.Provider, Prefix: e.Prefix, ID: uint16(e.EventID)})
	}
	return keys
}

// BenchmarkScanIC is the IC fast path on the 100 MiB System log (36 IC
// records spread over the file) and on the 100 MiB log without a relevant
// record, without a selection and with kb's catalogue ("catalogue");
// "found" is the number of IC events.
func BenchmarkScanIC(b *testing.B) {
	for _, name := range []string{"quiet100", "system100"} {
		b.Run(name, func(b *testing.B) { benchPass(b, name, scanPass(b, nil)) })
		b.Run(name+"/1worker", func(b *testing.B) { benchPass(b, name, scanPass(b, &ScanOptions{Workers: 1})) })
		b.Run(name+"/catalogue", func(b *testing.B) { benchPass(b, name, scanPass(b, &ScanOptions{Events: catalogue()})) })
	}
}

// BenchmarkFullDecode decodes every record (Records, then ParallelRecords);
// "found" is the number of records decoded.
func BenchmarkFullDecode(b *testing.B) {
	count := func(seq func(func(Record, error) bool)) int {
		n := 0
		for _, err := range seq {
			if err == nil {
				n++
			}
		}
		return n
	}
	for _, name := range []string{"system100", "quiet100"} {
		b.Run(name+"/Records", func(b *testing.B) {
			benchPass(b, name, func(f *File) int { return count(f.Records(context.Background())) })
		})
		b.Run(name+"/ParallelRecords", func(b *testing.B) {
			benchPass(b, name, func(f *File) int { return count(f.ParallelRecords(context.Background(), nil)) })
		})
	}
}

// BenchmarkFilter is the pre-filter alone on the chunks of the quiet log:
// the default one and the one built from kb's catalogue.
func BenchmarkFilter(b *testing.B) {
	data, err := os.ReadFile(benchInputs(b)["quiet100"])
	if err != nil {
		b.Fatal(err)
	}
	chunks := (int64(len(data)) - fileHeaderBlock) / chunkSize
	for _, f := range []struct {
		name string
		nf   *nameFilter
	}{{"default", icFilter}, {"catalogue", filterFor(catalogue())}} {
		b.Run(f.name, func(b *testing.B) {
			b.SetBytes(chunkSize)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				off := fileHeaderBlock + (int64(i)%chunks)*chunkSize
				if f.nf.mayHold(data[off : off+chunkSize]) {
					b.Fatal("the quiet log holds no relevant name")
				}
			}
		})
	}
}
