package evtx_test

import (
	"context"
	"fmt"

	"github.com/hvic/hvic/evtx"
	"github.com/hvic/hvic/internal/benchgen"
)

// ExampleFile_ScanIC scans a generated System log of 3000 ordinary records
// with five IC records among them: only the chunks that name a Hyper-V
// provider, storvsp or VMSMP are decoded.
func ExampleFile_ScanIC() {
	b, err := benchgen.Bytes(benchgen.Options{Records: 3000, IC: benchgen.Spread(5, 3000), Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := evtx.FromBytes(b, &evtx.Options{Name: "System.evtx"})
	if err != nil {
		fmt.Println(err)
		return
	}
	events, st, err := f.ScanIC(context.Background(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, ev := range events {
		fmt.Println(ev.Shape, ev.Provider, ev.EventID, ev.VMName)
	}
	fmt.Printf("%d of %d chunks decoded, %d problems\n", st.ChunksDecoded, st.ChunksPresent, len(st.Problems))
	// Output:
	// integration Microsoft-Windows-Hyper-V-Integration-KvpExchange 4010 VM000
	// integration Microsoft-Windows-Hyper-V-Integration-KvpExchange 4000 VM001
	// network Microsoft-Windows-Hyper-V-VmSwitch 27 VM002
	// storvsp storvsp 6 VM003
	// worker Microsoft-Windows-Hyper-V-Worker 23014 VM004
	// 5 of 24 chunks decoded, 0 problems
}
