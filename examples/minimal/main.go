// Command minimal is the shortest useful use of hvic: scan a folder or zip
// and print each VM's KB2894285 case and action.
//
//	go run ./examples/minimal testdata/sample
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/hvic/hvic"
)

func main() {
	res, err := hvic.ScanPaths(context.Background(), os.Args[1:], nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for _, vm := range res.VMs {
		fmt.Printf("%s on %s: %s, %s (host IC %s, guest IC %s)\n",
			vm.VMName, vm.Host, vm.Case, vm.Action, vm.HostIC.Raw, vm.GuestIC.Raw)
	}
}
