// Command gencollect writes the hostile collection inputs of package
// hostile at full size (or any size), for scripts/hostile-collect.sh:
//
//	gencollect -case refused -n 1000000 -out refused.zip
//	gencollect -case nested -n 7 -size 524288000 -out nested.zip
//	gencollect -case overlap -n 4096 -size 1048000 -out overlap.zip
//	gencollect -case small -n 4096 -size 1047552 -out small.zip
//	gencollect -case truncated -n 1000 -size 65536 -out truncated.zip
//	gencollect -case many -n 1500 -out DIR
//	gencollect -case symlinks -out DIR     (DIR/input is the input)
//	gencollect -case special -out DIR      (a pipe and a socket; unix)
//	gencollect -case hives -n 2 -size 524288000 -out DIR  (sparse)
//	gencollect -case evtx -size 629145600 -out System.evtx
//	gencollect -case evtx-zip -size 629145600 -out logs.zip   (deflated)
//	gencollect -case control -out control.zip  (control bytes in names and values)
package main

import (
	"archive/zip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/hvic/hvic/internal/benchgen"
	"github.com/hvic/hvic/internal/hostile"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "gencollect: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("gencollect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	which := fs.String("case", "", "refused, nested, overlap, small, truncated, many, symlinks, special, hives, evtx, evtx-zip or control")
	n := fs.Int("n", 0, "entries, archives or files")
	size := fs.Int64("size", 0, "bytes per entry")
	out := fs.String("out", "", "output file (zip cases) or folder")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("-out is required")
	}
	switch *which {
	case "control":
		return toFile(*out, hostile.ControlNames)
	case "refused":
		return toFile(*out, func(w io.Writer) error { return hostile.RefusedZip(w, *n) })
	case "nested":
		return toFile(*out, func(w io.Writer) error { return hostile.NestedZips(w, *n, *size) })
	case "overlap":
		return toFile(*out, func(w io.Writer) error { return hostile.OverlapZip(w, *n, int(*size)) })
	case "small":
		return toFile(*out, func(w io.Writer) error { return hostile.SmallBombs(w, *n, int(*size)) })
	case "truncated":
		b, err := hostile.TruncatedZip(*n, int(*size))
		if err != nil {
			return err
		}
		return os.WriteFile(*out, b, 0o644)
	case "many":
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
		return hostile.ManyZips(*out, *n)
	case "symlinks":
		_, err := hostile.SymlinkTree(*out)
		return err
	case "evtx", "evtx-zip":
		return bigLog(*out, *size, *which == "evtx-zip")
	case "hives":
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
		return hostile.SparseHives(*out, *n, *size)
	case "special":
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
		return hostile.SpecialFiles(*out)
	}
	return fmt.Errorf("-case %q: unknown", *which)
}

func toFile(name string, write func(io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// bigLog writes a valid System log of about size bytes (benchgen's
// System100 scaled), alone or deflated in a zip as System.evtx.
func bigLog(name string, size int64, zipped bool) error {
	records := int(size / (100 << 20) * benchgen.RecordsFor100MiB)
	data, err := benchgen.Bytes(benchgen.Options{Records: records, IC: benchgen.Spread(36, records), Seed: 11, SystemOnly: true})
	if err != nil {
		return err
	}
	if !zipped {
		return os.WriteFile(name, data, 0o644)
	}
	return toFile(name, func(w io.Writer) error {
		zw := zip.NewWriter(w)
		fw, err := zw.Create("HV01/System.evtx")
		if err != nil {
			return err
		}
		if _, err := fw.Write(data); err != nil {
			return err
		}
		return zw.Close()
	})
}
