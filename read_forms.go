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

// readGetVM reads a host's Get-VM output into kb.VMViews and its
// Get-VMIntegrationService output into kb.ICServiceViews. A row whose
// output has no ComputerName column gets its host in assemble, from the
// file's place in the collection (marked as a guess). A value a table cut
// short ("6.3.9600.1...") is not evidence: it is left empty (psvm reports
// it as a problem), and a row left with neither VM name nor ID is dropped.
func readGetVM(f *collect.File, data []byte, o *Options, out *fileOut) {
	res, err := psvm.Parse(data, &psvm.Options{MaxSize: readLimit(f, o)})
	if err != nil {
		out.problems = append(out.problems, problem(f.Path, SeverityError, result.CodeExportUnreadable, "", because(ErrUnreadable, err)))
		return
	}
	out.ok = true
	out.info.Role = RoleHostVMList
	for _, p := range res.Problems {
		out.addProblem(o, problem(f.Path, SeverityWarning, result.CodeFormProblem, "", because(ErrDamaged, lineError(p.Line, p.What))))
	}
	for _, v := range res.VMs {
		cut := truncated(v.Truncated)
		v.Name, v.VMID, v.ICVersion = cut("name", v.Name), cut("vmid", v.VMID), cut("integrationservicesversion", v.ICVersion)
		if cut("integrationservicesstate", "x") == "" {
			v.ICState = psvm.ICStateUnknown
		}
		if strings.TrimSpace(v.Name) == "" && strings.TrimSpace(v.VMID) == "" {
			continue
		}
		host := strings.TrimSpace(cut("computername", v.ComputerName))
		out.views = append(out.views, kb.VMView{Host: host, VMName: v.Name, VMID: v.VMID, State: v.State,
			ICVersion: v.ICVersion, ICState: hostICStates[v.ICState],
			Ref: kb.Ref{File: f.Path, What: fmt.Sprintf("Get-VM %s, line %d", res.Format, v.Line)}})
		if host != "" {
			out.computers = appendFold(out.computers, host)
		}
	}
	for _, s := range res.Services {
		if sv, ok := serviceView(f.Path, res.Format, s); ok {
			out.services = append(out.services, sv)
			if sv.Host != "" {
				out.computers = appendFold(out.computers, sv.Host)
			}
		}
	}
}

// serviceView turns one Get-VMIntegrationService row into kb's view of
// it; a row whose VM name or service name was cut short is no evidence.
func serviceView(file string, format psvm.Format, s psvm.Service) (kb.ICServiceView, bool) {
	cut := truncated(s.Truncated)
	vm, name := strings.TrimSpace(cut("vmname", s.VMName)), strings.TrimSpace(cut("name", s.Name))
	if vm == "" || name == "" {
		return kb.ICServiceView{}, false
	}
	sv := kb.ICServiceView{Host: strings.TrimSpace(cut("computername", s.ComputerName)), VMName: vm, Name: name,
		PrimaryStatus:   cut("primarystatusdescription", s.PrimaryStatusDescription),
		SecondaryStatus: cut("secondarystatusdescription", s.SecondaryStatusDescription),
		Ref:             kb.Ref{File: file, What: fmt.Sprintf("Get-VMIntegrationService %s, line %d", format, s.Line)}}
	if en, ok := s.EnabledKnown(); ok && cut("enabled", "x") != "" {
		sv.Enabled = &en
	}
	return sv, true
}

// truncated returns a function that empties the value of a property the
// table cut short (props, lower case, as psvm lists them).
func truncated(props []string) func(prop, value string) string {
	return func(prop, value string) string {
		for _, p := range props {
			if p == prop {
				return ""
			}
		}
		return value
	}
}

// readEventExport reads an event log export (XML, CSV or text) into the
// same kb.Events, coverage and hint provider counts as an .evtx file: the
// same selection (Options.events) and the same providers counted
// (Options.counts). Events recovered from a rendered message keep the
// reader's Ambiguous flag and Note.
func readEventExport(ctx context.Context, f *collect.File, data []byte, o *Options, events *atomic.Int64, out *fileOut) {
	res, err := export.Parse(data, &export.Options{Name: f.Path, MaxSize: readLimit(f, o), Events: o.events, Count: o.counts})
	if err != nil {
		out.problems = append(out.problems, problem(f.Path, SeverityError, result.CodeExportUnreadable, "", because(ErrUnreadable, err)))
		return
	}
	out.ok = true
	out.hintEvents = res.Counted
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

// addServices adds a Get-VMIntegrationService file's rows; a listing
// without ComputerName is the host's its folder names, as for Get-VM.
func addServices(ev *kb.Evidence, out *fileOut, nm *namer) {
	hosts := listingHosts{out: out, nm: nm, what: "Get-VMIntegrationService"}
	for _, s := range out.services {
		s.Host = hosts.fill(s.Host)
		ev.ICServices = append(ev.ICServices, s)
	}
}
