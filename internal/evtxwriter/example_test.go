package evtxwriter_test

import (
	"fmt"
	"time"

	"github.com/hvic/hvic/internal/evtxwriter"
)

func ExampleWriter() {
	w := evtxwriter.New(evtxwriter.Options{Dirty: true})
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	events := []evtxwriter.Event{
		{
			Provider: "storvsp", EventID: 6, HasQualifiers: true, Qualifiers: 32768, Level: 3,
			Time: at, Channel: "System", Computer: "HV01", Layout: evtxwriter.Classic,
			Data: []evtxwriter.Field{{Value: ""}, {Value: "vm1"}, {Value: "{5E0B5B3A-0000-4000-8000-000000000001}"}, {Value: "5.1"}, {Value: "4.2"}},
		},
		{
			Provider: "Microsoft-Windows-Hyper-V-VmSwitch", EventID: 27, Level: 3,
			Time: at.Add(time.Second), Channel: "System", Computer: "HV01",
			Data: []evtxwriter.Field{{Name: "VMName", Value: "vm1"}, {Name: "ServerVersion", Value: "4.0"}, {Name: "ClientVersion", Value: "3.2"}},
		},
	}
	for _, e := range events {
		if err := w.Add(e); err != nil {
			fmt.Println(err)
			return
		}
	}
	b, err := w.Bytes()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(b), string(b[:7]), string(b[4096:4103]))
	for _, l := range w.Locations() {
		fmt.Println(l.RecordID, l.Chunk, l.Index, l.Offset)
	}
	// Output:
	// 69632 ElfFile ElfChnk
	// 1 0 0 4608
	// 2 0 1 6176
}
