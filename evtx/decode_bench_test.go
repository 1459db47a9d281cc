package evtx

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	gevtx "github.com/0xrawsec/golang-evtx/evtx"
)

// BenchmarkDecodeLargest decodes the largest clean corpus file (plaso
// System.evtx, 2.1 MB, 5009 records) with this package and with
// golang-evtx's own UnorderedEvents, in one run, so their MB/s compare.
// UnorderedEvents starts goroutines that panic on damage: the library never
// calls it; a benchmark may, on a clean file.
func BenchmarkDecodeLargest(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "evtx", "log2timeline__plaso", "System.evtx"))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("hvic", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			f, err := FromBytes(data, nil)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for _, err := range f.Records(context.Background()) {
				if err == nil {
					n++
				}
			}
			if n != 5009 {
				b.Fatalf("decoded %d records, want 5009", n)
			}
		}
	})
	b.Run("golang-evtx-UnorderedEvents", func(b *testing.B) {
		silenceLogger()
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			ef, err := gevtx.New(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for range ef.UnorderedEvents() {
				n++
			}
			if n != 5009 {
				b.Fatalf("decoded %d records, want 5009", n)
			}
		}
	})
}
