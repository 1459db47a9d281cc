// Command genfixtures writes the generated hive fixtures (hivewriter.Fixtures)
// into a directory, testdata/hivefacts by default:
//
//	go run ./internal/hivewriter/cmd/genfixtures [-dir testdata/hivefacts]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hvic/hvic/internal/hivewriter"
)

func main() {
	dir := flag.String("dir", filepath.Join("testdata", "hivefacts"), "output directory")
	flag.Parse()
	fx, err := hivewriter.Fixtures()
	if err != nil {
		fmt.Fprintln(os.Stderr, "genfixtures:", err)
		os.Exit(1)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "genfixtures:", err)
		os.Exit(1)
	}
	for _, f := range fx {
		if err := os.WriteFile(filepath.Join(*dir, f.Name), f.Data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "genfixtures:", err)
			os.Exit(1)
		}
		fmt.Println(filepath.Join(*dir, f.Name), len(f.Data))
		if f.Log1 != nil {
			if err := os.WriteFile(filepath.Join(*dir, f.Name+".LOG1"), f.Log1, 0o644); err != nil {
				fmt.Fprintln(os.Stderr, "genfixtures:", err)
				os.Exit(1)
			}
			fmt.Println(filepath.Join(*dir, f.Name+".LOG1"), len(f.Log1))
		}
	}
}
