package benchgen_test

import (
	"fmt"

	"github.com/hvic/hvic/internal/benchgen"
)

// Example generates a small System log with three IC records: in the first,
// the middle and the last place.
func Example() {
	_, locs, ic, err := benchgen.Generate(benchgen.Options{Records: 1000, IC: benchgen.Spread(3, 1000), Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, i := range ic {
		fmt.Printf("IC record %d in chunk %d\n", i, locs[i].Chunk)
	}
	// Output:
	// IC record 0 in chunk 0
	// IC record 499 in chunk 3
	// IC record 999 in chunk 7
}
