package evtx_test

import (
	"context"
	"fmt"

	"github.com/hvic/hvic/evtx"
)

func ExampleExtractIC() {
	rec := evtx.Record{
		Provider: "storvsp", EventID: 6, Qualifiers: 32768, HasQualifiers: true,
		Computer: "HV01",
		Data: []evtx.Field{{Value: ""}, {Value: "web01"},
			{Value: "{5E0B5B3A-1B2C-4D3E-8F90-ABCDEF012345}"}, {Value: "5.1"}, {Value: "4.2"}},
	}
	ev, ok := evtx.ExtractIC(rec)
	fmt.Println(ok, ev.Shape, ev.Component)
	fmt.Println(ev.VMName, ev.VMID, ev.ServerVersion, ev.ClientVersion)

	// Which (provider, event ID) pairs count is the caller's catalogue.
	only := []evtx.EventKey{{Provider: "storvsp", ID: 5}}
	_, ok = evtx.ExtractICFor(rec, only)
	fmt.Println(ok)
	// Output:
	// true storvsp Storage
	// web01 5e0b5b3a-1b2c-4d3e-8f90-abcdef012345 5.1 4.2
	// false
}

func ExampleOpen() {
	f, err := evtx.Open("../testdata/evtx/Velocidex__evtx/Security_1_record.evtx", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	for rec, err := range f.Records(context.Background()) {
		if err != nil {
			fmt.Println("damaged:", err)
			continue
		}
		fmt.Println(rec.RecordID, rec.Provider, rec.EventID, rec.TimeCreated.Format("2006-01-02T15:04:05.0000000Z"))
	}
	s := f.Stats()
	fmt.Println(s.RecordsDecoded, s.RecordsFailed, f.Header().Dirty())
	// Output:
	// 33072 Microsoft-Windows-Eventlog 1102 2019-02-09T17:05:24.6727578Z
	// 1 0 true
}
