package hivewriter_test

import (
	"fmt"
	"time"

	"github.com/hvic/hvic/internal/hivewriter"
)

func Example() {
	b := hivewriter.New()
	k := b.Key(`Microsoft\Virtual Machine\Auto`)
	k.SetString("IntegrationServicesVersion", "6.2.9200.16433")
	k.SetDword("OSMajorVersion", 6)
	k.LastWrite = time.Date(2014, 1, 2, 3, 4, 5, 0, time.UTC)
	data, err := b.Bytes()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(data[:4]), len(data))

	base, log1, err := b.Dirty(func(b *hivewriter.Builder) {
		b.Key(`Microsoft\Virtual Machine\Auto`).SetString("IntegrationServicesVersion", "6.3.9600.18692")
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(base), string(log1[512:516]))
	// Output:
	// regf 8192
	// 8192 HvLE
}
