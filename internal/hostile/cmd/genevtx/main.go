// Command genevtx writes the full-size hostile event logs of issue 11 for
// scripts/hostile-evtx.sh: a log whose template definitions form a fan-out
// chain (hostile.DAG) and a large valid log (a benchgen System log repeated
// with hostile.RepeatLog). Files are written chunk by chunk.
//
//	go run ./internal/hostile/cmd/genevtx -out DIR [-dag-mib 64] [-valid-mib 600]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hvic/hvic/internal/benchgen"
	"github.com/hvic/hvic/internal/hostile"
)

func main() {
	out := flag.String("out", "", "output directory")
	dagMiB := flag.Int("dag-mib", 64, "size of dag.evtx in MiB (0: not written)")
	depth := flag.Int("depth", 10, "definition levels of the DAG")
	fanout := flag.Int("fanout", 8, "instances per definition of the DAG")
	validMiB := flag.Int("valid-mib", 600, "size of valid.evtx in MiB (0: not written)")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "genevtx: -out DIR is required")
		os.Exit(2)
	}
	if err := run(*out, *dagMiB, *validMiB, hostile.DAG{Depth: *depth, FanOut: *fanout}); err != nil {
		fmt.Fprintln(os.Stderr, "genevtx:", err)
		os.Exit(1)
	}
}

func run(dir string, dagMiB, validMiB int, dag hostile.DAG) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if dagMiB > 0 {
		if err := write(filepath.Join(dir, "dag.evtx"), func(w *bufio.Writer) error {
			return dag.Write(w, dagMiB*16)
		}); err != nil {
			return err
		}
	}
	if validMiB > 0 {
		base, err := benchgen.Bytes(benchgen.System10())
		if err != nil {
			return err
		}
		if err := write(filepath.Join(dir, "valid.evtx"), func(w *bufio.Writer) error {
			return hostile.RepeatLog(w, base, validMiB*16)
		}); err != nil {
			return err
		}
	}
	return nil
}

func write(path string, gen func(*bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := gen(w); err != nil {
		_ = f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Println(path)
	return nil
}
