// Command genhive writes the hostile hive and export inputs of issue 11 at
// full size into a folder, one sub-folder per case, for
// scripts/hostile-hive.sh.
//
// Usage: genhive [-sparse MiB] DIR
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hvic/hvic/internal/hostile"
)

func main() {
	sparse := flag.Int64("sparse", 500, "size in MiB of each sparse hive and of each of its logs")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: genhive [-sparse MiB] DIR")
		os.Exit(2)
	}
	if err := generate(flag.Arg(0), *sparse<<20); err != nil {
		fmt.Fprintln(os.Stderr, "genhive:", err)
		os.Exit(1)
	}
}

func generate(dir string, sparse int64) error {
	write := func(rel string, data []byte) error {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, data, 0o644)
	}
	pair := func(name string, count int, step uint32) error {
		base, log1, err := hostile.GrowingLog(count, step)
		if err != nil {
			return err
		}
		if err := write(name+"/SOFTWARE", base); err != nil {
			return err
		}
		return write(name+"/SOFTWARE.LOG1", log1)
	}
	if err := pair("hugebins", 1, 1<<30); err != nil {
		return err
	}
	if err := pair("growing", 2000, 512<<10); err != nil {
		return err
	}
	for _, h := range []string{"sparse/h1", "sparse/h2"} {
		if err := os.MkdirAll(filepath.Join(dir, h), 0o755); err != nil {
			return err
		}
		if err := hostile.WriteSparseHive(filepath.Join(dir, h), "SOFTWARE", sparse); err != nil {
			return err
		}
	}
	for name, target := range map[string]hostile.LoopTarget{"selfloop": hostile.LoopSelf, "rootloop": hostile.LoopRoot} {
		data, err := hostile.SubkeyLoopHive(target)
		if err != nil {
			return err
		}
		if err := write(name+"/SOFTWARE", data); err != nil {
			return err
		}
	}
	huge, err := hostile.HugeValueHive(0x7FFFFFF0)
	if err != nil {
		return err
	}
	if err := write("hugevalue/SOFTWARE", huge); err != nil {
		return err
	}
	if err := write("regkeys/guest.reg", hostile.RegOverKeyLimit(1<<20)); err != nil {
		return err
	}
	return write("bigreg/big.reg", hostile.BigReg(500<<20))
}
