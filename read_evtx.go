package hvic

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/hvic/hvic/evtx"
	"github.com/hvic/hvic/internal/collect"
	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

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
		out.problems = append(out.problems, problem(f.Path, SeverityError, result.CodeEVTXUnreadable, "", because(ErrUnreadable, err)))
		return
	}
	out.ok = true
	sv, err := ef.Survey(ctx, &evtx.ScanOptions{Events: o.events, Count: o.counts, Workers: o.evtxWorkers})
	if err != nil {
		return // cancelled
	}
	out.hintEvents = sv.Counted
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
	// The problems the reader did not keep (evtx.Options.MaxProblems) are
	// counted with those over MaxProblemsPerFile, in one "more-problems".
	out.dropped += sv.ProblemsDropped
	// A damaged stretch of chunks is one problem (chunkRuns).
	for _, p := range chunkRuns(sv.Problems) {
		if p.Kind == evtx.ProblemsDropped {
			continue
		}
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
	out.noIC = logHoldsNoIC(sv, f.Name())
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

// EventOf converts an IC event read by package evtx into the event kb
// evaluates: the one mapping between the two packages (which know nothing
// of each other). Kind is left unset: kb classifies the event from
// (provider, event ID) with its catalogue. Ref.File is ic.File (the
// evtx.Options.Name the log was opened with).
func EventOf(ic evtx.ICEvent) kb.Event {
	return eventOf(ic, ic.Channel)
}

// eventOf is EventOf with the channel the log is known by when the record
// did not decode one.
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
