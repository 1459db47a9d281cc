package hvic_test

import (
	"context"
	"fmt"

	"github.com/hvic/hvic"
)

// Scan the bundled sample collection and print each VM's verdict.
func ExampleScanPaths() {
	res, err := hvic.ScanPaths(context.Background(), []string{"testdata/sample"}, &hvic.Options{LinuxVMs: []string{"LNX01"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("status:", res.Status)
	for _, vm := range res.VMs {
		fmt.Printf("%-5s %-21s %-19s host %s guest %s\n", vm.VMName, vm.Case, vm.Action, vm.HostIC.Raw, orNone(vm.GuestIC.Raw))
	}
	// Output:
	// status: complete
	// APP01 match                 none                host 6.3.9600.18692 guest 6.3.9600.18692
	// DB01  incompatible-mismatch upgrade-required    host 6.3.9600.18692 guest 6.1.7601.17514
	// DC01  compatible-mismatch   upgrade-recommended host 6.3.9600.18692 guest 6.3.9600.16384
	// FS01  match                 none                host 6.3.9600.18692 guest 6.3.9600.18692
	// LNX01 linux-guest           ignore              host 6.3.9600.18692 guest (none)
	// SQL01 compatible-mismatch   upgrade-recommended host 6.3.9600.18692 guest 6.3.9600.17831
	// WEB01 compatible-mismatch   upgrade-recommended host 6.3.9600.18692 guest 6.2.9200.16433
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
