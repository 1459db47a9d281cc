package hvic

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/hvic/hvic/evtx/export"
	"github.com/hvic/hvic/internal/collect"
	"github.com/hvic/hvic/internal/psvm"
	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

// hostICStates maps Get-VM's IntegrationServicesState to kb's.
var hostICStates = map[psvm.ICState]kb.HostICState{
	psvm.ICStateUpToDate:       kb.HostICUpToDate,
	psvm.ICStateUpdateRequired: kb.HostICUpdateRequired,
}

// readGetVM reads a host's Get-VM output into kb.VMViews. A view whose
// output has no ComputerName column gets its host in assemble, from the
// file's place in the collection (marked as a guess).
func readGetVM(f *collect.File, data []byte, o *Options, out *fileOut) {
	res, err := psvm.Parse(data, &psvm.Options{MaxSize: readLimit(f, o)})
	if err != nil {
		out.problems = append(out.problems, problem(f.Path, SeverityError, result.CodeExportUnreadable, "parse", because(ErrUnreadable, err)))
		return
	}
	out.ok = true
	out.info.Role = RoleHostVMList
	for _, p := range res.Problems {
		out.addProblem(o, problem(f.Path, SeverityWarning, result.CodeFormProblem, "", because(ErrDamaged, lineError(p.Line, p.What))))
	}
	for _, v := range res.VMs {
		host := strings.TrimSpace(v.ComputerName)
		out.views = append(out.views, kb.VMView{Host: host, VMName: v.Name, VMID: v.VMID, State: v.State,
			ICVersion: v.ICVersion, ICState: hostICStates[v.ICState],
			Ref: kb.Ref{File: f.Path, What: fmt.Sprintf("Get-VM %s, line %d", res.Format, v.Line)}})
		if host != "" {
			out.computers = appendFold(out.computers, host)
		}
	}
}

// readEventExport reads an event log export (XML, CSV or text) into the
// same kb.Events and coverage as an .evtx file. Events recovered from a
// rendered message keep the reader's Ambiguous flag and Note.
func readEventExport(ctx context.Context, f *collect.File, data []byte, o *Options, events *atomic.Int64, out *fileOut) {
	res, err := export.Parse(data, &export.Options{Name: f.Path, MaxSize: readLimit(f, o)})
	if err != nil {
		out.problems = append(out.problems, problem(f.Path, SeverityError, result.CodeExportUnreadable, "parse", because(ErrUnreadable, err)))
		return
	}
	out.ok = true
	for _, p := range res.Problems {
		out.addProblem(o, problem(f.Path, SeverityWarning, result.CodeFormProblem, "", because(ErrDamaged, lineError(p.Line, p.What))))
	}
	channel := ""
	if len(res.Coverage) == 1 {
		channel = res.Coverage[0].Channel
	}
	dropped := 0
	for _, ic := range res.Events {
		if ctx.Err() != nil {
			return
		}
		if events.Add(1) > int64(o.MaxEvents) {
			dropped++
			continue
		}
		ch := ic.Channel
		if ch == "" {
			ch = channel
		}
		out.events = append(out.events, eventOf(ic, ch))
		if ic.Computer != "" {
			out.computers = appendFold(out.computers, ic.Computer)
		}
	}
	if dropped > 0 {
		out.addProblem(o, problem(f.Path, SeverityError, result.CodeEventsLimit, "", because(ErrDamaged, fmt.Errorf("%d IC events not kept (Options.MaxEvents = %d)", dropped, o.MaxEvents))))
	}
	out.info.Events = len(out.events)
	hasIntegration, hasSystem := false, false
	for _, c := range res.Coverage {
		out.info.Records += c.Records
		if c.Computer != "" {
			out.computers = appendFold(out.computers, c.Computer)
		}
		if c.Channel == "" {
			continue
		}
		out.coverage = append(out.coverage, kb.LogCoverage{Host: c.Computer, Channel: c.Channel, File: f.Path,
			First: c.First, Last: c.Last, Records: c.Records})
		switch {
		case kb.IntegrationChannel(c.Channel, kb.FamilyUnknown):
			hasIntegration = true
		case strings.EqualFold(c.Channel, channelSystem):
			hasSystem = true
		}
	}
	setLogRole(out, hasIntegration, hasSystem)
}

func lineError(line int, what string) error {
	if line > 0 {
		return fmt.Errorf("line %d: %s", line, what)
	}
	return fmt.Errorf("%s", what)
}
