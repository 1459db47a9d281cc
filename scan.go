package hvic

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hvic/hvic/evtx"
	"github.com/hvic/hvic/hive"
	"github.com/hvic/hvic/internal/collect"
	"github.com/hvic/hvic/kb"
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
	return scanSet(ctx, set, &o)
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
	return scanSet(ctx, set, &o)
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
	info      FileInfo
	dir       string
	facts     *hive.Facts
	ownName   string // the computer name the SOFTWARE hive records of itself, if any
	replayed  bool
	events    []kb.Event
	coverage  []kb.LogCoverage // Host may be empty: filled by co-location
	computers []string
	problems  []Problem
	dropped   int  // problems over MaxProblemsPerFile, counted only
	ok        bool // something was read
}

// innerWorkers is how many goroutines decode one event log when workers
// files are read at once out of files: the workers not needed for files
// go to the event logs, so that the scan keeps at most about workers CPUs
// busy (Options.Workers), never workers per file.
func innerWorkers(workers, files int) int {
	busy := min(workers, max(files, 1))
	return max(1, workers/busy)
}

func scanSet(ctx context.Context, set *collect.Set, o *Options) (*Result, error) {
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
	return assemble(set, outs, o), nil
}

func problem(file string, sev Severity, code result.ProblemCode, op string, err error) Problem {
	fe := &FileError{File: file, Op: op, Err: err}
	return Problem{File: file, Severity: sev, Code: code, Message: message(fe), Err: fe}
}

// message is a problem's one-line text: "FILE: [OP: ]what happened". The
// readers name the file in their own errors too (hive's and evtx's
// FormatError carry it, for callers that use them alone); that repetition
// is taken out here.
func message(fe *FileError) string {
	s := strings.Join(strings.Fields(fe.message()), " ")
	if fe.File == "" {
		return s
	}
	head := fe.File + ": "
	rest := strings.TrimPrefix(s, head)
	rest = strings.ReplaceAll(rest, " "+fe.File+": ", " ")
	return head + rest
}

// evtxCodes maps the evtx reader's problem kinds to problem codes; a kind
// not listed counts as damage.
var evtxCodes = map[evtx.ProblemKind]result.ProblemCode{
	evtx.ProblemHeaderCRC:      result.CodeEVTXHeaderCRC,
	evtx.ProblemHeader:         result.CodeEVTXHeader,
	evtx.ProblemChunkHeaderCRC: result.CodeEVTXChunkHeaderCRC,
	evtx.ProblemChunkDataCRC:   result.CodeEVTXChunkDataCRC,
	evtx.ProblemChunkSkipped:   result.CodeEVTXChunkSkipped,
	evtx.ProblemChunkTruncated: result.CodeEVTXChunkTruncated,
	evtx.ProblemRecordFailed:   result.CodeEVTXRecordFailed,
	evtx.ProblemRecordLimit:    result.CodeEVTXRecordLimit,
	evtx.ProblemDataLimit:      result.CodeEVTXDataLimit,
	evtx.ProblemRecordPartial:  result.CodeEVTXRecordPartial,
	evtx.ProblemChunkBudget:    result.CodeEVTXChunkBudget,
	evtx.ProblemDamagedRegions: result.CodeEVTXDamage,
}

func evtxCode(k evtx.ProblemKind) result.ProblemCode {
	if c, ok := evtxCodes[k]; ok {
		return c
	}
	return result.CodeEVTXDamage
}

// readFile reads one file, recovering any panic from the readers on this
// goroutine so that one file cannot stop the scan.
func readFile(ctx context.Context, f *collect.File, o *Options, events *atomic.Int64, out *fileOut) {
	out.info = FileInfo{Path: f.Path, Kind: f.Kind.String(), Size: f.Size, Role: RoleUnreadable}
	out.dir = path.Dir(f.Path)
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

const (
	channelSystem      = "System"
	channelIntegration = "Microsoft-Windows-Hyper-V-Integration-Admin"
	channelWorker      = "Microsoft-Windows-Hyper-V-Worker-Admin"
)

// readEVTX reads one event log opened by open (from bytes or in place).
//
// evtx.File.Survey does the reading and its accounting (coverage per
// computer and channel, IC events, problems, the mixed-log fallback); this
// turns its answer into kb evidence, naming the channel from the file name
// when no record decoded.
func readEVTX(ctx context.Context, f *collect.File, open func(*evtx.Options) (*evtx.File, error), o *Options, events *atomic.Int64, out *fileOut) {
	var eo evtx.Options
	if o.EVTX != nil {
		eo = *o.EVTX
	}
	eo.Name = f.Path
	ef, err := open(&eo)
	if err != nil {
		out.problems = append(out.problems, problem(f.Path, SeverityError, result.CodeEVTXUnreadable, "open evtx", because(ErrUnreadable, err)))
		return
	}
	out.ok = true
	sv, err := ef.Survey(ctx, &evtx.ScanOptions{Events: o.events, Workers: o.evtxWorkers})
	if err != nil {
		return // cancelled
	}
	if !sv.Mixed && sv.Coverage[0].Channel == "" {
		// Nothing decoded: the channel can only come from the file name
		// Windows gives the log.
		sv.Coverage[0].Channel = channelFromName(f.Name())
	}
	dropped := 0
	for _, ic := range sv.Events {
		if events.Add(1) > int64(o.MaxEvents) {
			dropped++
			continue
		}
		channel := ic.Channel
		if channel == "" && !sv.Mixed {
			channel = sv.Coverage[0].Channel
		}
		out.events = append(out.events, eventOf(ic, channel))
		if ic.Computer != "" {
			out.computers = appendFold(out.computers, ic.Computer)
		}
	}
	if dropped > 0 {
		out.addProblem(o, problem(f.Path, SeverityError, result.CodeEventsLimit, "", because(ErrDamaged, fmt.Errorf("%d IC events not kept (Options.MaxEvents = %d)", dropped, o.MaxEvents))))
	}
	for _, p := range sv.Problems {
		sev := SeverityError
		if p.Kind.Warning() {
			sev = SeverityWarning
		}
		out.addProblem(o, problem(f.Path, sev, evtxCode(p.Kind), "", because(ErrDamaged, p.Err)))
	}
	out.info.Records = sv.Records
	out.info.Events = len(out.events)
	hasIntegration, hasSystem := false, false
	for _, c := range sv.Coverage {
		if c.Computer != "" {
			out.computers = appendFold(out.computers, c.Computer)
		}
		if c.Channel == "" {
			continue
		}
		out.coverage = append(out.coverage, kb.LogCoverage{Host: c.Computer, Channel: c.Channel, File: f.Path,
			First: c.First, Last: c.Last, Records: c.Records, Damaged: sv.Damaged})
		switch {
		case kb.IntegrationChannel(c.Channel, kb.FamilyUnknown):
			hasIntegration = true
		case strings.EqualFold(c.Channel, channelSystem):
			hasSystem = true
		}
	}
	setLogRole(out, hasIntegration, hasSystem)
}

// setLogRole sets an event log's role and, when its records name one
// computer, its host.
// setLogRole labels an event log by the channels it holds. At read time
// only Integration-Admin makes an integration log: a Worker-Admin log is
// one on 2016+ hosts only, which assemble tells once hosts are known
// (promoteWorkerLogs).
func setLogRole(out *fileOut, hasIntegration, hasSystem bool) {
	switch {
	case hasIntegration:
		out.info.Role = RoleIntegrationLog
	case hasSystem:
		out.info.Role = RoleSystemLog
	default:
		out.info.Role = RoleOtherLog
	}
	if len(out.computers) == 1 {
		out.info.Host = out.computers[0]
	}
}

// isHyperVLog reports whether ch is a log only a Hyper-V host writes
// (Integration-Admin, Worker-Admin): its computer is a host. Which of them
// holds the IC negotiations is kb.IntegrationChannel's question.
func isHyperVLog(ch string) bool {
	return strings.EqualFold(ch, channelIntegration) || strings.EqualFold(ch, channelWorker)
}

// channelFromName maps Windows' log file names ("System.evtx",
// "Microsoft-Windows-Hyper-V-Integration-Admin.evtx" as exported,
// "Microsoft-Windows-Hyper-V-Integration%4Admin.evtx" as on disk) to the
// channel; "" when the name says nothing.
func channelFromName(name string) string {
	n := strings.ToLower(strings.TrimSuffix(strings.ToLower(name), ".evtx"))
	n = strings.ReplaceAll(n, "%4", "-")
	n = strings.ReplaceAll(n, "/", "-")
	switch n {
	case "system":
		return channelSystem
	case strings.ToLower(channelIntegration):
		return channelIntegration
	case strings.ToLower(channelWorker):
		return channelWorker
	}
	return ""
}

func appendFold(list []string, s string) []string {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return list
		}
	}
	return append(list, s)
}

// eventOf is an IC event as kb takes it. Kind is left unset: kb classifies
// it from (provider, event ID) with its catalogue.
func eventOf(ic evtx.ICEvent, channel string) kb.Event {
	return kb.Event{
		Provider:         ic.Provider,
		Channel:          channel,
		EventID:          uint32(ic.EventID),
		Component:        ic.Component,
		VMName:           ic.VMName,
		VMID:             ic.VMID,
		ServerVersion:    ic.ServerVersion,
		ClientVersion:    ic.ClientVersion,
		FrameworkVersion: ic.FrameworkVersion.Raw,
		MessageVersion:   ic.MessageVersion.Raw,
		Time:             ic.Time,
		Host:             ic.Computer,
		Ref:              kb.Ref{File: ic.File, RecordID: ic.RecordID, Time: ic.Time, What: fmt.Sprintf("%s %d", ic.Provider, ic.EventID)},
		Ambiguous:        ic.Ambiguous,
		Note:             ic.Note,
	}
}

// readHive opens a hive in place when its file allows (read once, its
// logs read only as far as replay needs), else from its bytes.
func readHive(ctx context.Context, f *collect.File, o *Options, out *fileOut) {
	ho := o.hiveOptions()
	var logs []hive.LogFile
	for _, l := range f.Logs {
		out.info.Logs = append(out.info.Logs, l.Path)
		lf, closeLog, err := openHiveLog(l, hive.MaxLogBytes(f.Size, &ho))
		if err != nil {
			out.addProblem(o, problem(l.Path, SeverityWarning, result.CodeLogUnreadable, "read transaction log", because(ErrUnreadable, err)))
			continue
		}
		defer closeLog()
		logs = append(logs, lf)
	}
	h, err := openHive(ctx, f, logs, &ho)
	if err != nil {
		if ctx.Err() == nil {
			code := result.CodeHiveUnreadable
			if errors.Is(err, hive.ErrTooLarge) || errors.Is(err, collect.ErrTooLarge) {
				code = result.CodeTooLarge
			}
			out.problems = append(out.problems, problem(f.Path, SeverityError, code, "open hive", because(ErrUnreadable, err)))
		}
		return
	}
	hiveProblems(h, o, f, out)
	facts := hive.ExtractFacts(h, f.Path)
	factsDone(facts, o, out)
	out.ownName = ownName(h)
}

// hiveOptions are the hive reader's limits within MaxFileSize.
func (o *Options) hiveOptions() hive.Options {
	var ho hive.Options
	if o.Hive != nil {
		ho = *o.Hive
	}
	if ho.MaxHiveSize <= 0 || ho.MaxHiveSize > o.MaxFileSize {
		ho.MaxHiveSize = min(o.MaxFileSize, hive.DefaultMaxHiveSize)
	}
	if ho.MaxLogSize <= 0 || ho.MaxLogSize > o.MaxFileSize {
		ho.MaxLogSize = min(o.MaxFileSize, hive.DefaultMaxLogSize)
	}
	return ho
}

func openHive(ctx context.Context, f *collect.File, logs []hive.LogFile, ho *hive.Options) (*hive.Hive, error) {
	ra, ok, err := f.OpenReaderAt()
	if err != nil {
		return nil, err
	}
	if ok {
		defer ra.Close()
		return hive.FromReader(ctx, f.Path, io.NewSectionReader(ra, 0, f.Size), f.Size, logs, ho)
	}
	data, err := f.ReadAll(ho.MaxHiveSize)
	if err != nil {
		return nil, err
	}
	return hive.FromBytes(ctx, data, logs, ho)
}

// openHiveLog gives a transaction log in place when its file allows, else
// its bytes up to limit.
func openHiveLog(l *collect.File, limit int64) (hive.LogFile, func(), error) {
	ra, ok, err := l.OpenReaderAt()
	if err != nil {
		return hive.LogFile{}, nil, err
	}
	if ok {
		return hive.LogFile{Name: l.Path, Reader: ra, Size: l.Size}, func() { ra.Close() }, nil
	}
	data, err := l.ReadAll(limit)
	if err != nil {
		return hive.LogFile{}, nil, err
	}
	return hive.LogFile{Name: l.Path, Data: data}, func() {}, nil
}

// hiveProblems reports what opening the hive found: refused logs, a stale
// image, damage.
func hiveProblems(h *hive.Hive, o *Options, f *collect.File, out *fileOut) {
	rec := h.Recovery()
	out.info.Dirty = rec.Dirty
	out.replayed = rec.Recovered && len(rec.Applied) > 0
	out.info.Replayed = out.replayed
	for _, r := range rec.Refused {
		sev := SeverityWarning
		if rec.Dirty && !rec.Recovered {
			sev = SeverityError
		}
		out.addProblem(o, problem(r.Name, sev, result.CodeLogRefused, "replay transaction log", because(ErrDamaged, r.Err)))
	}
	if rec.Dirty && !rec.Recovered {
		out.addProblem(o, problem(f.Path, SeverityError, result.CodeHiveStale, "replay", because(ErrDamaged, errors.New("dirty hive read without its transaction logs: values may be stale"))))
	}
	for _, err := range h.Problems() {
		if isLogProblem(err, rec) {
			continue
		}
		out.addProblem(o, problem(f.Path, SeverityError, result.CodeHiveDamage, "", because(ErrDamaged, err)))
	}
}

// isLogProblem reports whether err is already reported as a refused log.
func isLogProblem(err error, rec hive.Recovery) bool {
	for _, r := range rec.Refused {
		if r.Err != nil && (errors.Is(err, r.Err) || err.Error() == r.Err.Error()) {
			return true
		}
	}
	return false
}

// readLimit is the most read into memory for f: MaxFileSize, and for a
// text export the export parser's own MaxSize.
func readLimit(f *collect.File, o *Options) int64 {
	if f.Kind == collect.KindRegExport || f.Kind == collect.KindRegQuery {
		return o.exportOptions().MaxSize
	}
	return o.MaxFileSize
}

// exportOptions are the export parsers' limits within MaxFileSize: their
// own defaults (64 MiB of text) apply inside a scan.
func (o *Options) exportOptions() hive.ExportOptions {
	var eo hive.ExportOptions
	if o.Export != nil {
		eo = *o.Export
	}
	if eo.MaxSize <= 0 {
		eo.MaxSize = hive.DefaultMaxExportSize
	}
	eo.MaxSize = min(eo.MaxSize, o.MaxFileSize)
	return eo
}

func readExport(ctx context.Context, f *collect.File, data []byte, o *Options, out *fileOut) {
	eo := o.exportOptions()
	eo.File = f.Path
	var (
		ex  *hive.Export
		err error
	)
	if f.Kind == collect.KindRegExport {
		ex, err = hive.ParseReg(ctx, data, &eo)
	} else {
		ex, err = hive.ParseRegQuery(ctx, data, &eo)
	}
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		out.problems = append(out.problems, problem(f.Path, SeverityError, result.CodeExportUnreadable, "parse", because(ErrUnreadable, err)))
		return
	}
	facts := hive.ExtractFacts(ex, f.Path)
	factsDone(facts, o, out)
	out.ownName = ownName(ex)
}

func factsDone(facts hive.Facts, o *Options, out *fileOut) {
	out.ok = true
	out.facts = &facts
	switch facts.Role {
	case hive.RoleHost:
		out.info.Role = RoleHostRegistry
	case hive.RoleGuest:
		out.info.Role = RoleGuestRegistry
	case hive.RoleBoth:
		out.info.Role = RoleHostGuestRegistry
	default:
		out.info.Role = RoleOtherRegistry
	}
	for _, err := range facts.Problems {
		sev := SeverityWarning
		if errors.Is(err, hive.ErrCorrupt) || errors.Is(err, hive.ErrTruncated) || errors.Is(err, hive.ErrTooLarge) {
			// Damage or a limit: evidence may be missing.
			sev = SeverityError
		}
		out.addProblem(o, problem(out.info.Path, sev, result.CodeRegistryProblem, "", because(ErrDamaged, err)))
	}
}

// pathGPMachine holds, on a domain member, the computer's own distinguished
// name as Group Policy last saw it ("CN=HV01,OU=Hosts,DC=contoso,DC=local").
const pathGPMachine = `Microsoft\Windows\CurrentVersion\Group Policy\State\Machine`

// ownName is the computer name a SOFTWARE hive records of itself: from the
// Group Policy state's Distinguished-Name (CN=name + the DC= labels), or
// "" when the machine is not a domain member or the key is absent.
func ownName(src hive.KeyReader) string {
	k, err := src.Key(pathGPMachine)
	if err != nil {
		return ""
	}
	v, ok := k.Value("Distinguished-Name")
	if !ok {
		return ""
	}
	dn, ok := v.Text()
	if !ok {
		return ""
	}
	return nameFromDN(dn)
}

// nameFromDN turns "CN=HV01,OU=Hosts,DC=contoso,DC=local" into
// "HV01.contoso.local"; "" when there is no CN. Names with escaped commas
// or characters a computer name cannot hold are refused.
func nameFromDN(dn string) string {
	if strings.Contains(dn, `\`) || len(dn) > 1024 {
		return ""
	}
	var cn string
	var dcs []string
	for _, part := range strings.Split(dn, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ""
		}
		switch strings.ToUpper(strings.TrimSpace(k)) {
		case "CN":
			if cn == "" {
				cn = strings.TrimSpace(v)
			}
		case "DC":
			dcs = append(dcs, strings.TrimSpace(v))
		}
	}
	if cn == "" || len(cn) > 63 || strings.ContainsAny(cn, " ./\\:*?\"<>|") {
		return ""
	}
	for _, dc := range dcs {
		if dc == "" || strings.ContainsAny(dc, " /\\:*?\"<>|") {
			return cn
		}
	}
	if len(dcs) == 0 {
		return cn
	}
	return cn + "." + strings.Join(dcs, ".")
}
