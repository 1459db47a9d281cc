package evtxwriter

import (
	"bytes"
	"testing"
	"time"
)

// FuzzCorrupt runs every corruption helper on arbitrary bytes: they must
// return an error or damage the input in place, never panic or grow it.
func FuzzCorrupt(f *testing.F) {
	w := New(Options{MaxRecordsPerChunk: 3})
	for i := 0; i < 7; i++ {
		e := storvsp6(i)
		if i%2 == 1 {
			e = kvp4010(i, Manifest)
		}
		if err := w.Add(e); err != nil {
			f.Fatal(err)
		}
	}
	b, err := w.Bytes()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b, 0, 0)
	f.Add(b, 1, 2)
	f.Add(b[:fileHeaderBlock+600], 0, 1)
	f.Add([]byte("ElfFile\x00"), 0, 0)
	f.Fuzz(func(t *testing.T, in []byte, chunk, rec int) {
		for _, fn := range []func([]byte) error{
			func(b []byte) error { return CorruptRecordMagic(b, chunk, rec) },
			func(b []byte) error { return CorruptRecordData(b, chunk, rec) },
			func(b []byte) error { return CorruptChunkMagic(b, chunk) },
			func(b []byte) error { return CorruptChunkCRC(b, chunk) },
			func(b []byte) error { return CorruptChunkHeaderCRC(b, chunk) },
			CorruptFileHeaderCRC,
		} {
			c := bytes.Clone(in)
			if err := fn(c); err == nil && len(c) != len(in) {
				t.Fatalf("helper changed the length: %d -> %d", len(in), len(c))
			}
		}
		if _, err := RecordOffset(in, chunk, rec); err == nil && len(in) < fileHeaderBlock {
			t.Fatal("record found in an input shorter than the file header")
		}
		if got := Truncate(in, chunk); len(got) > len(in) {
			t.Fatal("Truncate grew the input")
		}
	})
}

// FuzzAdd writes events made of arbitrary strings: Add must either fail
// with an error or produce a structurally valid file.
func FuzzAdd(f *testing.F) {
	f.Add("storvsp", "System", "HV01", "vm1", "Name", "5.1", uint8(1), uint16(6), int64(0))
	f.Add("Microsoft-Windows-Hyper-V-VmSwitch", "", "", "", "", "", uint8(0), uint16(27), int64(1e18))
	f.Add("\x00\xff", "\U0001F600", "a<b>&", "x\x00y", "1bad", "0x10", uint8(2), uint16(0), int64(-1))
	f.Fuzz(func(t *testing.T, provider, channel, computer, value, name, typed string, layout uint8, id uint16, ns int64) {
		w := New(Options{})
		tm := time.Unix(0, ns).UTC()
		e := Event{
			Provider: provider, EventID: id, Channel: channel, Computer: computer, Time: tm,
			Layout: Layout(layout % 4), HasQualifiers: id%2 == 0, Qualifiers: id,
			Data: []Field{{Name: name, Value: value}, {Name: "T", Value: typed, Type: ValueType(int(id) % 15)}},
		}
		for i := 0; i < 3; i++ {
			if err := w.Add(e); err != nil {
				return
			}
		}
		b, err := w.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		checkFile(t, b, false)
	})
}
