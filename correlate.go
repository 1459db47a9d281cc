package hvic

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/hvic/hvic/hive"
	"github.com/hvic/hvic/internal/collect"
	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

// namer ties files with no computer name of their own (a host's SOFTWARE
// hive, an empty log) to a host, by where they sit in the collection.
type namer struct {
	logs  []*fileOut // event logs that name computers
	known []string   // every computer name seen (events, guests' Parameters)
}

func within(dir, ancestor string) bool {
	return ancestor == "." || ancestor == "" || dir == ancestor || strings.HasPrefix(dir, ancestor+"/")
}

func parentDir(d string) string { return path.Dir(d) }

// hostFor names the host a file in dir belongs to: the only computer that
// the event logs in the nearest enclosing folder name; else a known computer
// whose name is a folder on the path; else the only computer in the
// collection; else "" (unknown). guessed is true when the name rests on
// the collection as a whole (logs found more than two folders up, or the
// only computer known) rather than on the file's own place.
func (n *namer) hostFor(dir string) (name string, guessed bool) {
	up := 0
	for a := dir; ; a, up = parentDir(a), up+1 {
		var found []string
		for _, l := range n.logs {
			if within(l.dir, a) {
				for _, c := range l.computers {
					found = appendKey(found, c)
				}
			}
		}
		if len(found) == 1 {
			return found[0], up > 2 || a == "." || a == "/" || a == ""
		}
		if len(found) > 1 || a == "." || a == "/" || a == "" || parentDir(a) == a {
			break
		}
	}
	parts := strings.FieldsFunc(dir, func(r rune) bool { return r == '/' || r == '!' })
	for i := len(parts) - 1; i >= 0; i-- {
		for _, k := range n.known {
			if kb.HostKey(parts[i]) == kb.HostKey(k) {
				return k, false
			}
		}
	}
	if len(n.known) == 1 {
		return n.known[0], true
	}
	return "", false
}

// appendKey appends s unless a name of the same host is there; a fully
// qualified name replaces a short one.
func appendKey(list []string, s string) []string {
	s = strings.Trim(s, " \t\r\n\x00")
	if s == "" {
		return list
	}
	for i, x := range list {
		if kb.HostKey(x) == kb.HostKey(s) {
			if len(s) > len(x) {
				list[i] = s
			}
			return list
		}
	}
	return append(list, s)
}

// promoteWorkerLogs labels as integration logs the logs read at first as
// other or System logs that hold a channel kb takes as the integration log
// of their host's family (Worker-Admin on a 2016+ host), through
// kb.IntegrationChannel: a file is labelled as the log kb reads for the
// VMs, or not at all.
func promoteWorkerLogs(files []FileInfo, ev *kb.Evidence) {
	family := map[string]kb.HostFamily{}
	for _, h := range ev.Hosts {
		if f := h.OS.Family(); f != kb.FamilyUnknown {
			family[kb.HostKey(h.Name)] = f
		}
	}
	promote := map[string]bool{}
	for _, c := range ev.Coverage {
		if kb.IntegrationChannel(c.Channel, family[kb.HostKey(c.Host)]) {
			promote[c.File] = true
		}
	}
	for i := range files {
		f := &files[i]
		if promote[f.Path] && (f.Role == RoleOtherLog || f.Role == RoleSystemLog) {
			f.Role = RoleIntegrationLog
		}
	}
}

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

func assemble(set *collect.Set, outs []*fileOut, o *Options) *Result {
	res := &Result{Table: o.Table}
	inv := &res.Inventory
	inv.Archives = set.Archives
	inv.Bytes = set.Bytes

	// Skipped and refused files.
	for _, s := range set.Skipped {
		if !s.Refused {
			inv.Skipped = append(inv.Skipped, Skipped{Path: s.Path, Size: s.Size, Reason: string(s.Reason), Detail: s.Detail})
			continue
		}
		sentinel := ErrRefused
		if s.Reason == collect.ReasonUnreadable {
			sentinel = ErrUnreadable
		}
		res.Problems = append(res.Problems, problem(s.Path, SeverityError, refusalCode(s.Reason), "", because(sentinel, errors.New(s.Detail))))
	}

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
		if out.dropped > 0 {
			out.problems = append(out.problems, problem(out.info.Path, SeverityWarning, result.CodeMoreProblems, "",
				because(ErrDamaged, fmt.Errorf("%d more problems not listed", out.dropped))))
		}
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

	sort.SliceStable(inv.Files, func(i, j int) bool { return inv.Files[i].Path < inv.Files[j].Path })
	sort.SliceStable(res.Problems, func(i, j int) bool { return res.Problems[i].File < res.Problems[j].File })
	switch {
	case !anyRead:
		res.Status = StatusFailed
	case len(res.Problems) > 0 && hasErrors(res.Problems):
		res.Status = StatusPartial
	default:
		res.Status = StatusComplete
	}
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
					because(ErrDamaged, fmt.Errorf("the %s log names no computer and no host could be told from its place in the collection: it counts for no host", c.Channel))))
				continue
			}
			if out.info.Host == "" {
				out.info.Host = c.Host
			}
		}
		ev.Coverage = append(ev.Coverage, c)
	}
}

// newNamer gathers the computer names the files give: the event logs'
// computers and the hosts guests name in their Parameters.
func newNamer(outs []*fileOut) *namer {
	nm := &namer{}
	for _, out := range outs {
		if len(out.computers) > 0 {
			nm.logs = append(nm.logs, out)
			for _, c := range out.computers {
				nm.known = appendKey(nm.known, c)
			}
		}
	}
	for _, out := range outs {
		if out.facts != nil && out.facts.Guest != nil {
			g := out.facts.Guest
			for _, f := range []hive.Fact{g.PhysicalHostNameFullyQualified, g.HostName, g.PhysicalHostName} {
				if f.Present {
					nm.known = appendKey(nm.known, f.Value)
				}
			}
		}
	}
	return nm
}

func hasErrors(ps []Problem) bool {
	for _, p := range ps {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}

// hyperVComputers lists the computers of the logs read that are Hyper-V
// hosts by their logs' content or by a guest's word.
func hyperVComputers(nm *namer, ev *kb.Evidence) []string {
	var out []string
	isHost := map[string]bool{}
	for _, e := range ev.Events {
		isHost[kb.HostKey(e.Host)] = true
	}
	for _, c := range ev.Coverage {
		if isHyperVLog(c.Channel) {
			isHost[kb.HostKey(c.Host)] = true
		}
	}
	for _, g := range ev.Guests {
		for _, n := range g.HostNames {
			isHost[kb.HostKey(n)] = true
		}
	}
	for _, l := range nm.logs {
		for _, c := range l.computers {
			if isHost[kb.HostKey(c)] {
				out = appendKey(out, c)
			}
		}
	}
	return out
}

func hasHost(hosts []kb.HostEvidence, name string) bool {
	for _, h := range hosts {
		if kb.HostKey(h.Name) == kb.HostKey(name) {
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

func refOf(file string, s hive.Source, what string) kb.Ref {
	return kb.Ref{File: file, KeyPath: s.Key, Value: s.Value, What: what}
}

func atoi(f hive.Fact) uint32 {
	if !f.Present {
		return 0
	}
	n, err := strconv.ParseUint(strings.TrimSpace(f.Value), 0, 32)
	if err != nil {
		return 0
	}
	return uint32(n)
}

func osOf(f hive.OSFacts) kb.OSInfo {
	return kb.OSInfo{
		Name:       f.ProductName.Value,
		Version:    f.CurrentVersion.Value,
		Major:      atoi(f.MajorVersion),
		Minor:      atoi(f.MinorVersion),
		Build:      atoi(f.CurrentBuild),
		UBR:        atoi(f.UBR),
		CSDVersion: f.CSDVersion.Value,
	}
}

func guestOS(g *hive.GuestFacts) kb.OSInfo {
	os := kb.OSInfo{
		Name:        g.AutoValue("OSName").Value,
		Version:     g.AutoValue("OSVersion").Value,
		Major:       atoi(g.AutoValue("OSMajorVersion")),
		Minor:       atoi(g.AutoValue("OSMinorVersion")),
		Build:       atoi(g.AutoValue("OSBuildNumber")),
		CSDVersion:  g.AutoValue("CSDVersion").Value,
		ProductType: atoi(g.AutoValue("ProductType")),
	}
	own := osOf(g.OS)
	if own.Name != "" || own.Version != "" {
		own.ProductType = os.ProductType
		return own
	}
	return os
}

func addFacts(ev *kb.Evidence, inv *Inventory, out *fileOut, nm *namer) {
	f := out.facts
	file := out.info.Path
	if f.Host != nil {
		name, guessed := nm.hostFor(out.dir)
		if out.ownName != "" && (name == "" || guessed) {
			// The hive's own record of its name beats a guess.
			name, guessed = out.ownName, false
			for _, k := range nm.known {
				if kb.HostKey(k) == kb.HostKey(name) && len(k) > len(name) {
					name = k
				}
			}
		}
		switch {
		case name == "":
			name = unknownHost(out.dir, file)
			out.problems = append(out.problems, problem(file, SeverityWarning, result.CodeHostUnnamed, "",
				because(ErrDamaged, fmt.Errorf("no event log names this host's computer; it is called %q", name))))
		case guessed:
			out.problems = append(out.problems, problem(file, SeverityWarning, result.CodeHostGuessed, "",
				because(ErrDamaged, fmt.Errorf("no log beside this host hive names its computer; taken to be %q, the only host in the collection", name))))
		}
		out.info.Host = name
		h := kb.HostEvidence{Name: name, OS: osOf(f.Host.OS), Registry: true, Replayed: out.replayed,
			VirtualizationVersion: f.Host.VirtualizationVersion.Value, GuestInstaller: map[string]string{}}
		for _, k := range hive.SortedNames(f.Host.GuestInstallerVersions) {
			v := f.Host.GuestInstallerVersions[k]
			if v.Present {
				h.GuestInstaller[k] = v.Value
				h.Refs = append(h.Refs, refOf(file, v.Source, k))
				if err := checkICVersion(k, v.Value); err != nil {
					out.problems = append(out.problems, problem(file, SeverityWarning, result.CodeICVersionMalformed, "", err))
				}
			}
		}
		if f.Host.VirtualizationVersion.Present {
			h.Refs = append(h.Refs, refOf(file, f.Host.VirtualizationVersion.Source, "Virtualization Version"))
		}
		ev.Hosts = append(ev.Hosts, h)
	}
	if f.Guest != nil {
		addGuest(ev, inv, out)
	}
}

// addGuest adds a guest hive's or export's facts as guest evidence and to
// the inventory.
func addGuest(ev *kb.Evidence, inv *Inventory, out *fileOut) {
	f := out.facts
	file := out.info.Path
	g := f.Guest
	ge := kb.GuestEvidence{
		VMID:        g.VirtualMachineID.Value,
		VMName:      g.VirtualMachineName.Value,
		HostOSMajor: atoi(g.HostingSystemOsMajor),
		HostOSMinor: atoi(g.HostingSystemOsMinor),
		HostEdition: atoi(g.HostingSystemEditionID),
		ICVersion:   g.IntegrationServicesVersion.Value,
		OS:          guestOS(g),
		Replayed:    out.replayed,
	}
	for _, hf := range []hive.Fact{g.HostName, g.PhysicalHostName, g.PhysicalHostNameFullyQualified} {
		if hf.Present && hf.Value != "" {
			ge.HostNames = append(ge.HostNames, hf.Value)
		}
	}
	if g.AutoLastWrite.Present {
		ge.AutoWritten = g.AutoLastWrite.Time
	}
	if g.ParametersLastWrite.Present {
		ge.ParametersWritten = g.ParametersLastWrite.Time
	}
	if g.BackupType.Present {
		n := atoi(g.BackupType)
		ge.BackupType = &n
	}
	if g.IntegrationServicesVersion.Present {
		ge.Refs = append(ge.Refs, refOf(file, g.IntegrationServicesVersion.Source, "IntegrationServicesVersion"))
		if err := checkICVersion("IntegrationServicesVersion", ge.ICVersion); err != nil {
			out.problems = append(out.problems, problem(file, SeverityWarning, result.CodeICVersionMalformed, "", err))
		}
	}
	if g.VirtualMachineID.Present {
		ge.Refs = append(ge.Refs, refOf(file, g.VirtualMachineID.Source, "VirtualMachineId"))
	}
	ev.Guests = append(ev.Guests, ge)
	host := ""
	if len(ge.HostNames) > 0 {
		host = ge.HostNames[0]
	}
	if f.Host == nil {
		out.info.Host = host
	}
	inv.Guests = append(inv.Guests, Guest{File: file, Kind: out.info.Kind, VMName: ge.VMName, VMID: kb.NormalizeVMID(ge.VMID),
		Host: host, ICVersion: ge.ICVersion, OS: ge.OS.Name, Replayed: out.replayed})
}

// checkICVersion reports an IC version value (the guest's
// IntegrationServicesVersion, a host's GuestInstaller package) that is not
// four numeric parts: malformed evidence, never padded into a version
// (domain reference §2). The value still reaches kb as read, which marks
// the VM undetermined.
func checkICVersion(name, s string) error {
	v, err := kb.ParseVersion(s)
	if err != nil {
		return because(ErrDamaged, fmt.Errorf("%s %q is not a version", name, s))
	}
	if v.Parts != 4 {
		return because(ErrDamaged, fmt.Errorf("%s %q has %d parts, not four: the IC version is unknown", name, s, v.Parts))
	}
	return nil
}

// unknownHost names a host hive no log names: after its folder.
func unknownHost(dir, file string) string {
	if dir == "." || dir == "" {
		return "(" + file + ")"
	}
	return "(" + path.Base(strings.TrimSuffix(dir, "!")) + ")"
}

func buildInventory(res *Result) {
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
	// Index guests and events by VM ID and by name (events can be many).
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
