package evtxwriter

import (
	"testing"
)

// BenchmarkAdd measures encoding of a mix of classic and manifest events,
// reporting output bytes per second.
func BenchmarkAdd(b *testing.B) {
	events := []Event{storvsp6(1), kvp4010(2, Manifest), kvp4010(3, UserData)}
	events[2].Data = events[2].Data[:4]
	w := New(Options{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := w.Add(events[i%len(events)]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	out, err := w.Bytes()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(out)) / int64(b.N))
}
