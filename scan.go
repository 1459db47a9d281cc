package hvic

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hvic/hvic/evtx"
	"github.com/hvic/hvic/hive"
	"github.com/hvic/hvic/internal/collect"
	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report"
	"github.com/hvic/hvic/report/result"
)

// Scan analyses every file under the root of fsys: it walks folders and
// ZIP archives, classifies each file by content, reads event logs, hives
// (replaying their transaction logs), .reg exports and reg query text in
// parallel, correlates hosts, VMs and guests, and evaluates them with kb.
//
// A damaged, refused or unreadable file never stops the scan: it becomes a
// Problem and the Result's Status is StatusPartial (StatusFailed when
// nothing analysable could be read). The error is non-nil only when the
// root cannot be read (ErrNoInput) or ctx is done.
func Scan(ctx context.Context, fsys fs.FS, opts *Options) (*Result, error) {
	o := opts.withDefaults()
	set, err := collect.Walk(ctx, fsys, o.collectOptions())
	if err != nil {
		return nil, walkError(ctx, err)
	}
	defer set.Close()
	return scanSet(ctx, set, &o, o.Inputs)
}

// ScanPaths is Scan over OS paths: each may be a folder, a ZIP archive or
// a single file. Display paths keep the paths as given. A path that does
// not exist is a problem; the error is ErrNoInput only when none exists.
func ScanPaths(ctx context.Context, paths []string, opts *Options) (*Result, error) {
	o := opts.withDefaults()
	set, err := collect.WalkPaths(ctx, paths, o.collectOptions())
	if err != nil {
		return nil, walkError(ctx, err)
	}
	defer set.Close()
	return scanSet(ctx, set, &o, paths)
}

func walkError(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("hvic: scan cancelled: %w", cerr)
	}
	if errors.Is(err, collect.ErrNoInput) {
		return fmt.Errorf("hvic: %w", because(ErrNoInput, err))
	}
	return fmt.Errorf("hvic: %w", err)
}

func (o *Options) collectOptions() *collect.Options {
	return &collect.Options{
		MaxFileSize:       o.MaxFileSize,
		MaxArchiveBytes:   o.MaxArchiveBytes,
		MaxArchiveEntries: o.MaxArchiveEntries,
		MaxRatio:          o.MaxRatio,
		MaxDepth:          o.MaxArchiveDepth,
		MaxFiles:          o.MaxFiles,
		MemoryBudget:      o.MemoryBudget,
		MaxOpenFiles:      o.MaxOpenFiles,
		MaxRefusedListed:  o.MaxProblemsPerFile,
		FollowSymlinks:    o.FollowSymlinks,
		TempDir:           o.TempDir,
	}
}

// fileOut is what reading one file produced.
type fileOut struct {
	info       FileInfo
	dir        string
	facts      *hive.Facts
	system     *hive.SystemFacts // a SYSTEM hive's facts, nil for other files
	ownName    string            // the computer name the SOFTWARE hive records of itself, if any
	replayed   bool
	events     []kb.Event
	coverage   []kb.LogCoverage   // Host may be empty: filled by co-location
	views      []kb.VMView        // Get-VM rows; Host may be empty: filled by co-location
	services   []kb.ICServiceView // Get-VMIntegrationService rows; Host as views
	hintEvents map[string]int     // records of kb's hint providers (guest drivers), by provider
	computers  []string
	problems   []Problem
	dropped    int  // problems over MaxProblemsPerFile or dropped by a reader, counted only
	ok         bool // something was read
	noIC       bool // the file cannot hold IC evidence: its problems are at SeverityInfo
}

// innerWorkers is how many goroutines decode one event log when workers
// files are read at once out of files: the workers not needed for files
// go to the event logs, so that the scan keeps at most about workers CPUs
// busy (Options.Workers), never workers per file.
func innerWorkers(workers, files int) int {
	busy := min(workers, max(files, 1))
	return max(1, workers/busy)
}

func scanSet(ctx context.Context, set *collect.Set, o *Options, inputs []string) (*Result, error) {
	outs := make([]*fileOut, len(set.Files))
	var events atomic.Int64 // IC events kept, against MaxEvents
	var (
		mu       sync.Mutex
		progress = Progress{FilesTotal: len(set.Files), BytesTotal: set.Bytes}
	)
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	o.evtxWorkers = innerWorkers(workers, len(set.Files))
	errs := collect.Parallel(ctx, len(set.Files), workers, func(i int) error {
		f := set.Files[i]
		out := &fileOut{}
		outs[i] = out
		readFile(ctx, f, o, &events, out)
		if o.Progress != nil {
			mu.Lock()
			defer mu.Unlock()
			progress.FilesDone++
			progress.BytesDone += f.Size
			for _, l := range f.Logs {
				progress.BytesDone += l.Size
			}
			progress.File = f.Path
			o.Progress(progress)
		}
		return nil
	})
	if cerr := ctx.Err(); cerr != nil {
		return nil, fmt.Errorf("hvic: scan cancelled: %w", cerr)
	}
	for i, err := range errs {
		if err == nil {
			continue
		}
		f := set.Files[i]
		out := &fileOut{info: FileInfo{Path: f.Path, Kind: f.Kind.String(), Role: RoleUnreadable, Size: f.Size}}
		out.problems = append(out.problems, problem(f.Path, SeverityError, result.CodeInternal, "", because(ErrInternal, err)))
		outs[i] = out
	}
	res := assemble(set, outs, o)
	res.Run = result.Run{GeneratedAt: time.Now().UTC(), Inputs: append([]string{}, inputs...),
		Tool: o.Tool, ToolVersion: o.ToolVersion, Rules: o.Table.Revision()}
	// The Result carries its text in English, so that its JSON encoding is
	// the JSON report (report.Localize words it in another language).
	return report.Localize(res, &report.Options{Table: o.Table})
}

func problem(file string, sev Severity, code result.ProblemCode, op string, err error) Problem {
	fe := &FileError{File: file, Op: op, Err: err}
	return Problem{File: file, Severity: sev, Code: code, Message: message(fe), Err: fe}
}

// message is a problem's one-line text: what happened to the file, "[OP:
// ]cause", without the file (Problem.File names it, and renderers group by
// it) and without the kind's word (the code says it). Each layer names
// what it knows once (see FileError.detail); white space is folded so that
// a message stays one line.
func message(fe *FileError) string {
	return strings.Join(strings.Fields(fe.detail(false)), " ")
}

// readFile reads one file, recovering any panic from the readers on this
// goroutine so that one file cannot stop the scan.
func readFile(ctx context.Context, f *collect.File, o *Options, events *atomic.Int64, out *fileOut) {
	out.info = FileInfo{Path: f.Path, Kind: f.Kind.String(), Size: f.Size, Role: RoleUnreadable}
	out.dir = path.Dir(f.Path)
	defer func() {
		if !out.ok && !out.noIC {
			out.noIC = noICByName(f)
		}
		out.demoteNoIC()
	}()
	defer func() {
		if r := recover(); r != nil {
			out.ok = false
			out.info.Role = RoleUnreadable
			out.problems = append(out.problems, problem(f.Path, SeverityError, result.CodeInternal, "read", because(ErrInternal, fmt.Errorf("panic: %v", r))))
		}
	}()
	if f.Kind == collect.KindEVTX {
		// Event logs are read in place (chunk by chunk), at any size: a
		// 1 GiB System log costs no 1 GiB buffer. A compressed one in an
		// archive is read from a temporary copy.
		ra, err := f.Open(ctx)
		if err != nil {
			out.problems = append(out.problems, problem(f.Path, SeverityError, result.CodeUnreadable, "open", because(ErrUnreadable, err)))
			return
		}
		defer ra.Close()
		readEVTX(ctx, f, func(eo *evtx.Options) (*evtx.File, error) {
			if eo.MaxFileSize <= 0 {
				eo.MaxFileSize = DefaultMaxEventLogSize
			}
			return evtx.NewReader(ra, f.Size, eo)
		}, o, events, out)
		return
	}
	// Hives (with their logs) and exports are held whole, or as an image:
	// charged to the shared memory budget first.
	release, err := f.Reserve(ctx)
	if err != nil {
		return // cancelled: the scan returns ctx's error
	}
	defer release()
	if f.Kind == collect.KindHive {
		readHive(ctx, f, o, out)
		return
	}
	data, err := f.ReadAll(readLimit(f, o))
	if err != nil {
		code := result.CodeUnreadable
		if errors.Is(err, collect.ErrTooLarge) {
			code = result.CodeTooLarge
		}
		out.problems = append(out.problems, problem(f.Path, SeverityError, code, "read", because(ErrUnreadable, err)))
		return
	}
	switch f.Kind {
	case collect.KindRegExport, collect.KindRegQuery:
		readExport(ctx, f, data, o, out)
	case collect.KindGetVM:
		readGetVM(f, data, o, out)
	case collect.KindEventExport:
		readEventExport(ctx, f, data, o, events, out)
	}
}

// addProblem keeps at most MaxProblemsPerFile problems per file and
// counts the rest (reported once, as "more-problems", by assemble).
func (out *fileOut) addProblem(o *Options, p Problem) {
	for _, q := range out.problems {
		if q.File == p.File && q.Message == p.Message {
			return // the same damage reported by two layers (hive and facts)
		}
	}
	if len(out.problems) < o.MaxProblemsPerFile {
		out.problems = append(out.problems, p)
		return
	}
	out.dropped++
}

func appendFold(list []string, s string) []string {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return list
		}
	}
	return append(list, s)
}
