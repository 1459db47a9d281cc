// Command iccheck analyses a folder or zip of files collected from Hyper-V
// hosts and guests (event logs, SOFTWARE hives with their transaction logs,
// .reg exports, reg query text) and reports, per VM, which case of
// Microsoft KB2894285 applies and what to do.
//
//	go run ./examples/iccheck [flags] [PATH...] [flags]
//
// With no PATH it analyses the bundled sample collection (testdata/sample).
// Flags may come before, between or after the paths; "--" ends them.
//
// Flags:
//
//	-format FORMAT                              output format (default text): text, json, markdown,
//	                                            csv (one row per VM), sarif, html, or timeline-csv
//	                                            (one row per IC event, in time order)
//	-lang en|ja                                 output language (default en; Japanese CSV starts
//	                                            with a UTF-8 byte-order mark for Excel)
//	-bom                                        start CSV with a byte-order mark in English too
//	-o FILE                                     write the report to FILE instead of standard output
//	-linux VM[,VM...]                           VMs (names or IDs) known to run Linux
//	-workers N                                  CPUs used (files read in parallel; default: the number of CPUs)
//	-progress                                   progress bar on standard error (default: only when
//	                                            standard error is a terminal and the input is large)
//	-fail-on required|recommended|any|never     which actions make the exit status 1 (default recommended)
//	-vm NAME[,NAME...]                          report only these VMs (names or IDs, any case)
//	-host NAME[,NAME...]                        report only the VMs of these hosts (any case, with or
//	                                            without the DNS suffix)
//	-min-action none|investigate|recommended|required
//	                                            report only the VMs needing at least this action
//	-version                                    print the version and exit
//
// The filters (-vm, -host, -min-action) restrict what is reported, not what
// is read: every file is still read, the report's header names the filter,
// the status and the list of files read stay those of the whole scan, and
// problems of files of the hosts -host excludes are hidden (counted in the
// header). The exit status 1 counts only the VMs reported.
//
// Exit status:
//
//	0  nothing to do (no VM reported needs action at or above the -fail-on threshold)
//	1  some VM needs action at or above the threshold: required = an IC upgrade
//	   is required; recommended = an upgrade is required or recommended; any =
//	   any action other than none and ignore (investigate counts); never = not 1
//	2  usage error, or nothing readable
//	3  the input was read but holds no Hyper-V evidence (no VM, no IC event, no
//	   host or guest IC registry facts, no Integration-Admin log)
//
// Under go run, a status other than 0 is also printed by go run itself
// ("exit status 1"): it is the answer, not a failure of the run.
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
	"strconv"
	"strings"
	"time"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/examples/internal/cliflag"
	"github.com/hvic/hvic/internal/textsafe"
	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report"
)

// maxProblemLines caps the problems echoed on standard error (all are in
// the report).
const maxProblemLines = 10

const (
	exitOK         = 0
	exitAction     = 1
	exitUsage      = 2
	exitNoEvidence = 3
)

// usageText is the head of -h; it documents the exit status.
const usageText = `usage: iccheck [flags] [PATH...] [flags]

Reports, per Hyper-V VM, the KB2894285 integration services case and what to do.
PATH is a folder, a zip or a file; with none, the bundled sample is analysed.
Flags may come before, between or after the paths; "--" ends them.
-vm, -host and -min-action filter what is reported, not what is read.

Exit status:
  0  nothing to do at or above the -fail-on threshold
  1  some VM reported needs action at or above the threshold
  2  usage error, or nothing readable
  3  input read, but no Hyper-V evidence in it (no VM, no IC event,
     no IC registry facts, no Integration-Admin log)
(go run prints "exit status N" itself for N > 0.)

flags:
`

// threshold is the -fail-on value: the least action that makes the exit
// status 1.
type threshold string

const (
	failRequired    threshold = "required"
	failRecommended threshold = "recommended"
	failAny         threshold = "any"
	failNever       threshold = "never"
)

// fails reports whether action a is at or above t.
func (t threshold) fails(a kb.Action) bool {
	switch t {
	case failRequired:
		return a == kb.ActionUpgradeRequired
	case failRecommended:
		return a == kb.ActionUpgradeRequired || a == kb.ActionUpgradeRecommended
	case failAny:
		return a == kb.ActionUpgradeRequired || a == kb.ActionUpgradeRecommended || a == kb.ActionInvestigate
	}
	return false
}

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
	c, code, done := parseArgs(args, stdout, stderr)
	if done {
		return code
	}
	opts := &hvic.Options{Workers: c.workers, LinuxVMs: c.linux, Tool: "iccheck", ToolVersion: cliflag.Version()}
	paths := c.paths
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
	bar := newBar(stderr, c.progress)
	opts.Progress = bar.update
	res, err := hvic.ScanPaths(ctx, paths, opts)
	bar.done()
	if err != nil {
		fmt.Fprintf(stderr, "iccheck: %s\n", oneLine(err))
		return exitUsage
	}
	if err := c.write(res, stdout); err != nil {
		name := c.out
		if name == "" {
			name = "standard output"
		}
		fmt.Fprintf(stderr, "iccheck: %s: %s\n", textsafe.Escape(name), oneLine(err))
		return exitUsage
	}
	echoProblems(res, stderr)
	return exitStatus(res, c.filter.Apply(res), c.failOn, paths, stderr)
}

// config is the parsed command line.
type config struct {
	format   report.Format
	lang     string
	out      string
	linux    []string
	workers  int
	progress progressFlag
	failOn   threshold
	filter   report.Filter
	bom      bool
	paths    []string
}

// formatList names the -format values.
const formatList = "text, json, markdown, csv, sarif, html or timeline-csv"

// parseArgs parses the command line; done is true when the command ends
// here (usage error, -h, -version) with status code.
func parseArgs(args []string, stdout, stderr io.Writer) (c config, code int, done bool) {
	fs := flag.NewFlagSet("iccheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: "+formatList+" (one row per IC event, in time order)")
	fs.StringVar(&c.lang, "lang", "en", "output language: en or ja")
	fs.StringVar(&c.out, "o", "", "write the report to this file instead of standard output")
	linux := fs.String("linux", "", "comma-separated VMs (names or IDs) known to run Linux")
	fs.IntVar(&c.workers, "workers", runtime.GOMAXPROCS(0), "CPUs used: files read in parallel, event logs decoded")
	fs.Var(&c.progress, "progress", "show a progress bar on standard error (default: when standard error is a terminal and the input is large)")
	failOn := fs.String("fail-on", string(failRecommended), "least action that makes the exit status 1: required, recommended, any (investigate counts) or never")
	vms := fs.String("vm", "", "comma-separated VMs (names or IDs, any case) to report; the others are read but not reported")
	hosts := fs.String("host", "", "comma-separated hosts to report (any case, with or without the DNS suffix)")
	minAction := fs.String("min-action", "none", "report only VMs needing at least this action: none, investigate, recommended or required")
	showVersion := fs.Bool("version", false, "print the version and exit")
	fs.BoolVar(&c.bom, "bom", false, "start CSV output with a UTF-8 byte-order mark (always with -lang ja)")
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	paths, err := cliflag.Parse(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return c, exitOK, true
	case err != nil:
		return c, exitUsage, true
	case *showVersion:
		fmt.Fprintf(stdout, "iccheck %s\n", cliflag.Version())
		return c, exitOK, true
	}
	c.paths = paths
	c.failOn = threshold(strings.ToLower(*failOn))
	c.format, err = report.ParseFormat(*format)
	var levelErr error
	c.filter.MinAction, levelErr = report.ParseActionLevel(*minAction)
	switch {
	case c.failOn != failRequired && c.failOn != failRecommended && c.failOn != failAny && c.failOn != failNever:
		fmt.Fprintf(stderr, "iccheck: -fail-on %q: want required, recommended, any or never\n", *failOn)
	case err != nil:
		fmt.Fprintf(stderr, "iccheck: -format %q: want %s\n", *format, formatList)
	case !strings.EqualFold(c.lang, "en") && !strings.EqualFold(c.lang, "ja"):
		fmt.Fprintf(stderr, "iccheck: -lang %q: want en or ja\n", c.lang)
	case c.workers < 1:
		fmt.Fprintf(stderr, "iccheck: -workers %d: want 1 or more\n", c.workers)
	case levelErr != nil:
		fmt.Fprintf(stderr, "iccheck: -min-action %q: want none, investigate, recommended or required\n", textsafe.Escape(*minAction))
	default:
		c.linux = list(*linux)
		c.filter.VMs, c.filter.Hosts = list(*vms), list(*hosts)
		return c, exitOK, false
	}
	return c, exitUsage, true
}

// list splits a comma-separated flag value, dropping empty items.
func list(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// write renders the report to -o or stdout.
func (c *config) write(res *hvic.Result, stdout io.Writer) error {
	w := stdout
	var file *os.File
	if c.out != "" {
		f, err := os.Create(c.out)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				return pe.Err
			}
			return err
		}
		file, w = f, f
	}
	bw := bufio.NewWriter(w)
	// Japanese CSV opens in Excel only with a byte-order mark.
	csv := c.format == report.FormatCSV || c.format == report.FormatTimelineCSV
	bom := csv && (c.bom || strings.EqualFold(c.lang, "ja"))
	wd, _ := os.Getwd() // SARIF: relative inputs as file: URIs (none if unknown)
	err := report.Render(bw, c.format, res, &report.Options{Lang: c.lang, BOM: bom, Filter: c.filter, WorkDir: wd})
	if err == nil {
		err = bw.Flush()
	}
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// echoProblems repeats the first error-level problems on stderr (all are
// in the report).
func echoProblems(res *hvic.Result, stderr io.Writer) {
	shown, hidden := 0, 0
	for _, p := range res.Problems {
		if p.Severity != hvic.SeverityError {
			continue
		}
		if shown == maxProblemLines {
			hidden++
			continue
		}
		if p.File != "" {
			fmt.Fprintf(stderr, "iccheck: %s: %s\n", textsafe.Escape(p.File), textsafe.Escape(p.Message))
		} else {
			fmt.Fprintf(stderr, "iccheck: %s\n", textsafe.Escape(p.Message))
		}
		shown++
	}
	if hidden > 0 {
		fmt.Fprintf(stderr, "iccheck: %d more problems: see the report\n", hidden)
	}
}

// exitStatus is the exit status for a scan's result (see the package
// documentation), with its one-line explanation on stderr for 2 and 3:
// those judge the whole scan, the threshold only the VMs reported.
func exitStatus(res, reported *hvic.Result, th threshold, paths []string, stderr io.Writer) int {
	switch {
	case res.Status == hvic.StatusFailed:
		fmt.Fprintf(stderr, "iccheck: %s: nothing readable (no event log or export of one, hive, .reg export, reg query text or Get-VM output could be read)\n", textsafe.Escape(strings.Join(paths, ", ")))
		return exitUsage
	case !hasHyperVEvidence(res):
		fmt.Fprintf(stderr, "iccheck: %s: no Hyper-V evidence (no VM, no IC event, no IC registry facts, no Integration-Admin log)\n", textsafe.Escape(strings.Join(paths, ", ")))
		return exitNoEvidence
	}
	for _, a := range reported.VMs {
		if th.fails(a.Action) {
			return exitAction
		}
	}
	return exitOK
}

// hasHyperVEvidence reports whether the result holds anything about
// Hyper-V integration services: an assessed VM, an IC event, a host that
// offers IC versions, or a file read as a host or guest IC registry or as
// an Integration-Admin (or Worker-Admin) log. A System log without IC
// events, or a hive without IC facts, is not evidence.
func hasHyperVEvidence(res *hvic.Result) bool {
	if len(res.VMs) > 0 || len(res.Events) > 0 || len(res.Inventory.Guests) > 0 {
		return true
	}
	for _, h := range res.Inventory.Hosts {
		if len(h.GuestInstaller) > 0 {
			return true
		}
	}
	for _, f := range res.Inventory.Files {
		switch f.Role {
		case hvic.RoleHostRegistry, hvic.RoleGuestRegistry, hvic.RoleHostGuestRegistry, hvic.RoleIntegrationLog:
			return true
		}
	}
	return false
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
