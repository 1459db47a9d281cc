// Command iccheck analyses a folder or zip of files collected from Hyper-V
// hosts and guests (event logs, SOFTWARE hives with their transaction logs,
// .reg exports, reg query text) and reports, per VM, which case of
// Microsoft KB2894285 applies and what to do.
//
//	go run ./examples/iccheck [flags] [PATH...]
//
// With no PATH it analyses the bundled sample collection (testdata/sample).
//
// Flags:
//
//	-format text|json|markdown|csv|sarif|html   output format (default text)
//	-lang en|ja                                 output language (default en; Japanese CSV starts
//	                                            with a UTF-8 byte-order mark for Excel)
//	-o FILE                                     write the report to FILE instead of standard output
//	-linux VM[,VM...]                           VMs (names or IDs) known to run Linux
//	-workers N                                  files read in parallel (default: the number of CPUs)
//	-progress                                   progress bar on standard error (default: only when
//	                                            standard error is a terminal and the input is large)
//
// Exit status: 0 nothing to do; 1 some VM needs action; 2 usage error or
// nothing readable.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/internal/textsafe"
	"github.com/hvic/hvic/report"
)

// maxProblemLines caps the problems echoed on standard error (all are in
// the report).
const maxProblemLines = 10

const (
	exitOK     = 0
	exitAction = 1
	exitUsage  = 2
)

// progressFlag is a boolean flag that also remembers whether it was set.
type progressFlag struct{ set, on bool }

func (p *progressFlag) String() string {
	if !p.set {
		return "auto"
	}
	return strconv.FormatBool(p.on)
}

func (p *progressFlag) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	p.set, p.on = true, v
	return nil
}

func (p *progressFlag) IsBoolFlag() bool { return true }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("iccheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: text, json, markdown, csv, sarif or html")
	lang := fs.String("lang", "en", "output language: en or ja")
	out := fs.String("o", "", "write the report to this file instead of standard output")
	linux := fs.String("linux", "", "comma-separated VMs (names or IDs) known to run Linux")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "files read in parallel")
	var progress progressFlag
	fs.Var(&progress, "progress", "show a progress bar on standard error (default: when standard error is a terminal and the input is large)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: iccheck [flags] [PATH...]\n\n"+
			"Reports, per Hyper-V VM, the KB2894285 integration services case and what to do.\n"+
			"PATH is a folder, a zip or a file; with none, the bundled sample is analysed.\n"+
			"Exit status: 0 nothing to do, 1 some VM needs action, 2 usage error or nothing readable.\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	f, err := report.ParseFormat(*format)
	if err != nil {
		fmt.Fprintf(stderr, "iccheck: -format %q: want text, json, markdown, csv, sarif or html\n", *format)
		return exitUsage
	}
	if l := strings.ToLower(*lang); l != "en" && l != "ja" {
		fmt.Fprintf(stderr, "iccheck: -lang %q: want en or ja\n", *lang)
		return exitUsage
	}
	if *workers < 1 {
		fmt.Fprintf(stderr, "iccheck: -workers %d: want 1 or more\n", *workers)
		return exitUsage
	}
	opts := &hvic.Options{Workers: *workers}
	for _, vm := range strings.Split(*linux, ",") {
		if vm = strings.TrimSpace(vm); vm != "" {
			opts.LinuxVMs = append(opts.LinuxVMs, vm)
		}
	}
	paths := fs.Args()
	if len(paths) == 0 {
		sample, err := findSample()
		if err != nil {
			fmt.Fprintf(stderr, "iccheck: no PATH given and %v\n", err)
			return exitUsage
		}
		paths = []string{sample}
		if len(opts.LinuxVMs) == 0 {
			opts.LinuxVMs = []string{"LNX01"}
		}
		fmt.Fprintf(stderr, "iccheck: no PATH given: analysing the bundled sample %s (with -linux %s, the sample's Linux VM)\n",
			sample, strings.Join(opts.LinuxVMs, ","))
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			fmt.Fprintf(stderr, "iccheck: %s: %s\n", textsafe.Escape(p), reason(err))
			return exitUsage
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	bar := newBar(stderr, progress)
	opts.Progress = bar.update
	res, err := hvic.ScanPaths(ctx, paths, opts)
	bar.done()
	if err != nil {
		fmt.Fprintf(stderr, "iccheck: %s\n", oneLine(err))
		return exitUsage
	}

	w := stdout
	var file *os.File
	if *out != "" {
		file, err = os.Create(*out)
		if err != nil {
			fmt.Fprintf(stderr, "iccheck: %s: %s\n", textsafe.Escape(*out), reason(err))
			return exitUsage
		}
		w = file
	}
	bw := bufio.NewWriter(w)
	// Japanese CSV opens in Excel only with a byte-order mark.
	bom := f == report.FormatCSV && strings.EqualFold(*lang, "ja")
	err = report.Render(bw, f, res, &report.Options{Lang: *lang, ToolVersion: version(), BOM: bom})
	if err == nil {
		err = bw.Flush()
	}
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		name := *out
		if name == "" {
			name = "standard output"
		}
		fmt.Fprintf(stderr, "iccheck: %s: %s\n", textsafe.Escape(name), oneLine(err))
		return exitUsage
	}
	shown, hidden := 0, 0
	for _, p := range res.Problems {
		if p.Severity != hvic.SeverityError {
			continue
		}
		if shown == maxProblemLines {
			hidden++
			continue
		}
		fmt.Fprintf(stderr, "iccheck: %s\n", textsafe.Escape(p.Message))
		shown++
	}
	if hidden > 0 {
		fmt.Fprintf(stderr, "iccheck: %d more problems: see the report\n", hidden)
	}
	switch {
	case res.Status == hvic.StatusFailed:
		fmt.Fprintf(stderr, "iccheck: %s: nothing readable (no event log, hive, .reg export or reg query text could be read)\n", textsafe.Escape(strings.Join(paths, ", ")))
		return exitUsage
	case res.NeedsAction():
		return exitAction
	}
	return exitOK
}

// version is the module version iccheck was built from ("dev" for a
// source tree).
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// reason is an OS error without the repeated path.
// reason is an error's cause without its path, escaped for the terminal.
func reason(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return textsafe.Escape(pe.Err.Error())
	}
	return oneLine(err)
}

// oneLine is an error's text on one line, escaped for the terminal: it
// can hold names taken from the input.
func oneLine(err error) string {
	return textsafe.Escape(strings.Join(strings.Fields(err.Error()), " "))
}

// findSample locates testdata/sample at the module root: from the working
// directory upwards, then from this source file's directory (go run).
func findSample() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		starts = append(starts, filepath.Dir(file))
	}
	for _, dir := range starts {
		for {
			if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/hvic/hvic") {
				sample := filepath.Join(dir, "testdata", "sample")
				if st, err := os.Stat(sample); err == nil && st.IsDir() {
					if rel, err := filepath.Rel(mustWd(), sample); err == nil && !strings.HasPrefix(rel, "..") {
						return rel, nil
					}
					return sample, nil
				}
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", errors.New("the bundled sample (testdata/sample of github.com/hvic/hvic) was not found: run from the repository")
}

func mustWd() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	return wd
}

// bar draws a progress bar on a terminal.
type bar struct {
	w       io.Writer
	flag    progressFlag
	isTerm  bool
	shown   bool
	last    time.Time
	started time.Time
}

func newBar(w io.Writer, p progressFlag) *bar {
	b := &bar{w: w, flag: p, started: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			b.isTerm = true
		}
	}
	return b
}

// large is the input size above which the bar shows by default.
const (
	largeBytes = 256 << 20
	largeFiles = 500
)

func (b *bar) enabled(p hvic.Progress) bool {
	if b.flag.set {
		return b.flag.on
	}
	return b.isTerm && (p.BytesTotal >= largeBytes || p.FilesTotal >= largeFiles)
}

func (b *bar) update(p hvic.Progress) {
	if !b.enabled(p) {
		return
	}
	now := time.Now()
	if p.FilesDone < p.FilesTotal && now.Sub(b.last) < 100*time.Millisecond {
		return
	}
	b.last = now
	frac := 1.0
	if p.BytesTotal > 0 {
		frac = float64(p.BytesDone) / float64(p.BytesTotal)
	}
	const width = 30
	n := int(frac * width)
	fmt.Fprintf(b.w, "\r[%s%s] %3.0f%% %d/%d files %.1f/%.1f MiB", strings.Repeat("#", n), strings.Repeat(".", width-n),
		frac*100, p.FilesDone, p.FilesTotal, float64(p.BytesDone)/(1<<20), float64(p.BytesTotal)/(1<<20))
	b.shown = true
}

func (b *bar) done() {
	if b.shown {
		fmt.Fprintln(b.w)
	}
}
