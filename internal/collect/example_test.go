package collect_test

import (
	"context"
	"fmt"
	"testing/fstest"

	"github.com/hvic/hvic/internal/collect"
)

func ExampleClassify() {
	for _, head := range []string{
		"ElfFile\x00",
		"REGEDIT4\r\n",
		"\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Auto\r\n    IntegrationServicesVersion    REG_SZ    6.3.9600.16384\r\n",
		"7z\xBC\xAF\x27\x1C",
	} {
		kind, why := collect.Classify([]byte(head))
		if why != "" {
			fmt.Println(kind, "-", why)
			continue
		}
		fmt.Println(kind)
	}
	// Output:
	// evtx
	// reg-export
	// reg-query
	// other - unsupported archive format (7z)
}

func ExampleWalk() {
	fsys := fstest.MapFS{
		"host/System.evtx": {Data: []byte("ElfFile\x00")},
		"host/readme.txt":  {Data: []byte("hello\n")},
	}
	set, err := collect.Walk(context.Background(), fsys, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer set.Close()
	for _, f := range set.Files {
		fmt.Println("read:", f.Path, f.Kind)
	}
	for _, s := range set.Skipped {
		fmt.Println("skipped:", s.Path, s.Reason)
	}
	// Output:
	// read: host/System.evtx evtx
	// skipped: host/readme.txt unrecognised
}
