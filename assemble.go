package hvic

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hvic/hvic/internal/collect"
	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

// refusalCodes maps the collection walk's refusal reasons to problem
// codes; a reason not listed counts as unreadable.
var refusalCodes = map[collect.Reason]result.ProblemCode{
	collect.ReasonUnsafePath: result.CodeUnsafePath,
	collect.ReasonBomb:       result.CodeCompressionBomb,
	collect.ReasonOverlap:    result.CodeOverlappingEntry,
	collect.ReasonLimit:      result.CodeLimit,
	collect.ReasonDepth:      result.CodeNestingDepth,
	collect.ReasonTooLarge:   result.CodeTooLarge,
	collect.ReasonDamaged:    result.CodeDamagedArchive,
	collect.ReasonOutside:    result.CodeOutsideInput,
}

func refusalCode(r collect.Reason) result.ProblemCode {
	if c, ok := refusalCodes[r]; ok {
		return c
	}
	return result.CodeUnreadable
}

// addSkipped lists the walk's skipped files, and its refused ones as
// problems.
func addSkipped(res *Result, set *collect.Set) {
	for _, s := range set.Skipped {
		if !s.Refused {
			res.Inventory.Skipped = append(res.Inventory.Skipped, Skipped{Path: s.Path, Size: s.Size, Reason: string(s.Reason), Detail: s.Detail})
			continue
		}
		sentinel := ErrRefused
		if s.Reason == collect.ReasonUnreadable {
			sentinel = ErrUnreadable
		}
		res.Problems = append(res.Problems, problem(s.Path, SeverityError, refusalCode(s.Reason), "", because(sentinel, errors.New(s.Detail))))
	}
}

// statusOf is a scan's status: failed when nothing was read, partial when
// a problem lost data, else complete.
func statusOf(anyRead bool, problems []Problem) Status {
	switch {
	case !anyRead:
		return StatusFailed
	case hasErrors(problems):
		return StatusPartial
	}
	return StatusComplete
}

func assemble(set *collect.Set, outs []*fileOut, o *Options) *Result {
	res := &Result{Table: o.Table}
	inv := &res.Inventory
	for _, a := range set.Archives {
		inv.Archives = append(inv.Archives, Archive{Path: a.Path, Size: a.Size})
	}
	inv.Bytes = set.Bytes

	addSkipped(res, set)
	nm := newNamer(outs)

	ev := &res.Evidence
	ev.Hints.LinuxVMs = append([]string(nil), o.LinuxVMs...)
	anyRead := false
	for _, out := range outs {
		if out.ok {
			anyRead = true
		}
		if out.facts != nil {
			addFacts(ev, inv, out, nm)
		}
		for _, e := range out.events {
			if e.Host == "" {
				e.Host, _ = nm.hostFor(out.dir)
			}
			ev.Events = append(ev.Events, e)
		}
		addCoverage(ev, out, nm)
		addViews(ev, out, nm)
		addServices(ev, out, nm)
		if out.dropped > 0 {
			out.problems = append(out.problems, problem(out.info.Path, SeverityWarning, result.CodeMoreProblems, "",
				because(ErrDamaged, fmt.Errorf("%d not listed", out.dropped))))
		}
		out.demoteNoIC() // the problems added here too
		out.info.Problems = len(out.problems)
		res.Problems = append(res.Problems, out.problems...)
		inv.Files = append(inv.Files, out.info)
	}
	// Transaction logs are files read too.
	for i, f := range set.Files {
		for _, l := range f.Logs {
			inv.Files = append(inv.Files, FileInfo{Path: l.Path, Kind: l.Kind.String(), Role: RoleTransactionLog, Size: l.Size, Host: outs[i].info.Host})
		}
	}
	attributeBare(res)
	// Hyper-V hosts known from their logs only: computers that logged IC
	// events or whose Hyper-V Integration/Worker logs were read, or that a
	// guest names as its host. Other computers' logs (a desktop's System
	// log) make no host.
	for _, name := range hyperVComputers(nm, ev) {
		if !hasHost(ev.Hosts, name) {
			ev.Hosts = append(ev.Hosts, kb.HostEvidence{Name: name})
		}
	}
	promoteWorkerLogs(inv.Files, ev)
	evaluate(res, o)
	buildInventory(res)
	noHyperV(res, outs)

	sort.SliceStable(inv.Files, func(i, j int) bool { return inv.Files[i].Path < inv.Files[j].Path })
	sort.SliceStable(res.Problems, func(i, j int) bool { return res.Problems[i].File < res.Problems[j].File })
	res.Status = statusOf(anyRead, res.Problems)
	if res.VMs == nil {
		res.VMs = []kb.Assessment{}
	}
	if res.Findings == nil {
		res.Findings = []kb.Finding{}
	}
	if res.Events == nil {
		res.Events = []kb.Event{}
	}
	if res.Problems == nil {
		res.Problems = []Problem{}
	}
	return res
}

// addCoverage adds a log's coverage, naming its host by the log's place
// when its records name none (an empty log). A log no host can be told
// for is a problem rather than coverage that vanishes.
func addCoverage(ev *kb.Evidence, out *fileOut, nm *namer) {
	for _, c := range out.coverage {
		if c.Host == "" {
			c.Host, _ = nm.hostFor(out.dir)
			if c.Host == "" {
				out.problems = append(out.problems, problem(out.info.Path, SeverityWarning, result.CodeLogUnattributed, "",
					because(ErrDamaged, fmt.Errorf("the %s log names no computer and no host could be told from its place in the collection", c.Channel))))
				continue
			}
			if out.info.Host == "" {
				out.info.Host = c.Host
			}
		}
		ev.Coverage = append(ev.Coverage, c)
	}
}

// addViews adds a Get-VM file's VMs; a listing without ComputerName is
// the host's its folder names, a guess said in a problem.
func addViews(ev *kb.Evidence, out *fileOut, nm *namer) {
	hosts := listingHosts{out: out, nm: nm, what: "Get-VM"}
	for _, v := range out.views {
		v.Host = hosts.fill(v.Host)
		ev.VMViews = append(ev.VMViews, v)
	}
}

// listingHosts names the host of a host-side listing's rows (Get-VM,
// Get-VMIntegrationService): a row's own ComputerName, else the host the
// file's folder names, which is a guess said once per file in a problem
// (host-guessed), or none, also said once (host-unnamed).
type listingHosts struct {
	out    *fileOut
	nm     *namer
	what   string // the listing's command, for the problem text
	warned bool
}

// fill returns the host of a row whose ComputerName is host, and makes it
// the file's host when the file has none yet.
func (h *listingHosts) fill(host string) string {
	if host == "" {
		name, guessed := h.nm.hostFor(h.out.dir)
		switch {
		case h.warned:
		case name == "":
			h.out.problems = append(h.out.problems, problem(h.out.info.Path, SeverityWarning, result.CodeHostUnnamed, "",
				because(ErrDamaged, fmt.Errorf("the %s output has no ComputerName column and no host could be told from its place in the collection", h.what))))
			h.warned = true
		case guessed:
			h.out.problems = append(h.out.problems, problem(h.out.info.Path, SeverityWarning, result.CodeHostGuessed, "",
				because(ErrGuessed, fmt.Errorf("the %s output has no ComputerName column: its VMs are taken to be %s's, from the folder", h.what, name))))
			h.warned = true
		}
		host = name
	}
	if h.out.info.Host == "" {
		h.out.info.Host = host
	}
	return host
}

func hasErrors(ps []Problem) bool {
	for _, p := range ps {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}

func evaluate(res *Result, o *Options) {
	defer func() {
		if r := recover(); r != nil {
			res.Problems = append(res.Problems, problem("", SeverityError, result.CodeInternal, "evaluate", because(ErrInternal, fmt.Errorf("panic: %v", r))))
			res.Events = append([]kb.Event(nil), res.Evidence.Events...)
		}
	}()
	out := o.Table.Evaluate(res.Evidence)
	res.VMs, res.Findings, res.Conflicts, res.Events = out.VMs, out.Findings, out.Conflicts, out.Events
}

func buildInventory(res *Result) {
	inv := &res.Inventory
	inventoryHosts(res)
	inventoryVMs(res)
	if inv.Hosts == nil {
		inv.Hosts = []Host{}
	}
	if inv.VMs == nil {
		inv.VMs = []VM{}
	}
	if inv.Guests == nil {
		inv.Guests = []Guest{}
	}
	if inv.Files == nil {
		inv.Files = []FileInfo{}
	}
	if inv.Skipped == nil {
		inv.Skipped = []Skipped{}
	}
}

// inventoryHosts lists the hosts: from the evidence, the VMs' hosts, with
// the logs read for each and the files that belong to it.
func inventoryHosts(res *Result) {
	inv := &res.Inventory
	ev := &res.Evidence
	byKey := map[string]*Host{}
	var order []string
	host := func(name string) *Host {
		k := kb.HostKey(name)
		h, ok := byKey[k]
		if !ok {
			h = &Host{Name: name, Files: []string{}}
			byKey[k] = h
			order = append(order, k)
		} else if len(name) > len(h.Name) {
			h.Name = name
		}
		return h
	}
	for _, he := range ev.Hosts {
		h := host(he.Name)
		if he.Registry {
			h.OS = he.OS.Name
			h.GuestInstaller = he.GuestInstaller
		}
	}
	for _, a := range res.VMs {
		if a.Host != "" {
			host(a.Host)
		}
	}
	for _, c := range ev.Coverage {
		if h, ok := byKey[kb.HostKey(c.Host)]; ok {
			h.Logs = append(h.Logs, c)
		}
	}
	for _, f := range inv.Files {
		if _, ok := byKey[kb.HostKey(f.Host)]; !ok {
			continue
		}
		if f.Host == "" || (f.Role != RoleHostRegistry && f.Role != RoleHostGuestRegistry && f.Role != RoleIntegrationLog &&
			f.Role != RoleSystemLog && f.Role != RoleOtherLog && f.Role != RoleTransactionLog) {
			continue
		}
		if f.Role == RoleTransactionLog && !isHostFile(inv.Files, f.Path) {
			continue
		}
		h := host(f.Host)
		h.Files = append(h.Files, f.Path)
	}
	sort.Strings(order)
	for _, k := range order {
		h := byKey[k]
		sort.Strings(h.Files)
		inv.Hosts = append(inv.Hosts, *h)
	}
}

// inventoryVMs lists the VMs with their guest files and the number of IC
// events kb attributed to each.
func inventoryVMs(res *Result) {
	inv := &res.Inventory
	// Guests by VM ID, else by name; events by kb's VM index.
	guestsByID, guestsByName := map[string][]string{}, map[string][]string{}
	for _, g := range inv.Guests {
		if g.VMID != "" {
			guestsByID[g.VMID] = append(guestsByID[g.VMID], g.File)
		} else if g.VMName != "" {
			k := strings.ToLower(g.VMName)
			guestsByName[k] = append(guestsByName[k], g.File)
		}
	}
	eventsOf := make([]int, len(res.VMs)+1) // by kb's 1-based VM index
	for _, e := range res.Events {
		if e.VM > 0 && e.VM < len(eventsOf) {
			eventsOf[e.VM]++
		}
	}
	for i, a := range res.VMs {
		vm := VM{Name: a.VMName, ID: a.VMID, Host: a.Host, Events: eventsOf[i+1]}
		if a.VMID != "" {
			vm.Guests = append(vm.Guests, guestsByID[a.VMID]...)
		}
		if a.VMName != "" {
			vm.Guests = append(vm.Guests, guestsByName[strings.ToLower(a.VMName)]...)
		}
		inv.VMs = append(inv.VMs, vm)
	}
}

// isHostFile reports whether the transaction log at p belongs to a host
// hive (its hive is the path without the .LOG* suffix).
func isHostFile(files []FileInfo, p string) bool {
	u := strings.ToUpper(p)
	for _, f := range files {
		if f.Role != RoleHostRegistry && f.Role != RoleHostGuestRegistry {
			continue
		}
		if strings.HasPrefix(u, strings.ToUpper(f.Path)+".LOG") {
			return true
		}
	}
	return false
}
