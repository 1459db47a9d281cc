// Command samplegen writes hvic's bundled sample collection.
//
//	go run ./internal/samplegen/cmd/samplegen [DIR]
//
// DIR defaults to testdata/sample (run it from the repository root).
package main

import (
	"fmt"
	"os"

	"github.com/hvic/hvic/internal/samplegen"
)

func main() {
	dir := "testdata/sample"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if err := samplegen.Write(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
