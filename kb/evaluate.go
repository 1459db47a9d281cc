package kb

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Options tunes Evaluate. The zero value means the documented defaults.
type Options struct {
	// MaxRefs caps the evidence references attached to one assessment or
	// finding (the full count goes into the finding's "events" parameter);
	// 0 means 32.
	MaxRefs int
}

const defaultMaxRefs = 32

// Host package value names under GuestInstaller\Version.
const (
	valueWin6x   = "Microsoft-Hyper-V-Guest-Installer-Win6x-Package"
	valueWin5x   = "Microsoft-Hyper-V-Guest-Installer-Win5x-Package"
	valueWin60   = "Microsoft-Hyper-V-Guest-Installer-Win60-Package"
	valueNoSufix = "Microsoft-Hyper-V-Guest-Installer"
)

// kb975354IC is the IC version the KB975354 hotfix carries.
var kb975354IC = Version{Major: 6, Minor: 1, Build: 7600, Revision: 20542, Parts: 4}

// Evaluate decides, for every virtual machine in ev, the KB2894285 case,
// the action and the remediation, and returns the findings, with the
// default Options. It never panics and never modifies ev.
func (t *Table) Evaluate(ev Evidence) Result {
	return t.EvaluateWith(ev, Options{})
}

// EvaluateWith is Evaluate with explicit Options.
//
// Correlation: evidence is tied to a VM by VM ID first (a GUID, compared
// without braces and case), by VM name second; a name that belongs to two
// or more IDs is a conflict (HVIC-CONFLICT-NAME), and evidence carrying only
// that name is attributed only when its host singles out one of them.
//
// Per VM: the host package is Win6x for guests of Server 2008 / Vista and
// later, Win5x before, Win6x assumed when the guest OS is unknown (and said
// so). Incompatibility events (Integration 4000, VmSwitch/VMSMP 26, storvsp
// 5) older than the guest's Auto key last-write time are "stale": with
// versions now equal they mean resolved since; newer ones keep the case
// open, and with equal versions they mean the evidence disagrees
// (investigate). Without the host's Integration-Admin log (or Worker-Admin
// on 2016+ hosts) the absence of a 4000 proves nothing: differing versions
// are then mismatch-unclassified. An event without a time, or a guest
// without an Auto last-write time, counts as fresh: it keeps the case open.
func (t *Table) EvaluateWith(ev Evidence, o Options) (res Result) {
	if t == nil || t.byID == nil {
		t = Default() // a nil or zero Table: the embedded one
	}
	if o.MaxRefs <= 0 {
		o.MaxRefs = defaultMaxRefs
	}
	return (&evaluator{t: t, o: o, ev: &ev}).evaluate()
}

// evaluate runs the evaluation; a fault (a bug) keeps what was decided
// before it and adds an HVIC-INTERNAL finding.
func (e *evaluator) evaluate() (res Result) {
	defer func() {
		if r := recover(); r != nil {
			// Keep what was decided before the fault, and say so.
			res = e.res
			res.Findings = append(res.Findings, Finding{RuleID: RuleInternal, Action: ActionInvestigate,
				Severity: SeverityHigh, Params: map[string]string{"error": fmt.Sprint(r)}})
		}
	}()
	e.run()
	return e.res
}

func (e *evaluator) run() {
	e.indexHosts()
	e.collectVMs()
	for _, vm := range e.vms {
		e.assess(vm)
		if e.faultAfter > 0 && len(e.res.VMs) >= e.faultAfter {
			panic("kb: injected fault")
		}
	}
	e.hostFindings()
	e.sortResult()
}

type evaluator struct {
	t     *Table
	o     Options
	ev    *Evidence
	hosts map[string]*hostInfo // by hostKey
	vms   []*vmInfo
	res   Result
	// faultAfter, when positive, makes run panic after that many
	// assessments: the tests' way to prove a fault keeps partial results.
	faultAfter int
}

// hostInfo gathers what is known about one host.
type hostInfo struct {
	key      string
	name     string
	records  []*HostEvidence
	conflict bool // records disagree on the package versions
	family   HostFamily
	cover    []*LogCoverage
	vmCount  int
}

// vmInfo gathers what is known about one VM.
type vmInfo struct {
	id      string // normalised ID, "" when unknown
	name    string
	names   []string
	guests  []*GuestEvidence
	events  []classified
	hostKey string // from the guest's Parameters or the events
	linux   bool
	linuxBy string // "hint" or "guest-os"
}

type classified struct {
	ev   *Event
	rule EventRule
	kind EventKind
}

// NormalizeVMID returns a VM ID in the form Evaluate compares: white space,
// NULs and braces removed, lower case.
func NormalizeVMID(s string) string {
	s = strings.Trim(s, " \t\r\n\x00")
	s = strings.TrimPrefix(s, "{")
	s = strings.TrimSuffix(s, "}")
	return strings.ToLower(strings.TrimSpace(s))
}

// hostKey is the lower-case first label of a host name, so "HV01" and
// "hv01.contoso.local" are one host.
func hostKey(s string) string {
	s = strings.ToLower(strings.Trim(s, " \t\r\n\x00"))
	s = strings.TrimPrefix(s, `\\`)
	if i := strings.IndexByte(s, '.'); i > 0 {
		s = s[:i]
	}
	return s
}

func nameKey(s string) string { return strings.ToLower(strings.Trim(s, " \t\r\n\x00")) }

func (e *evaluator) host(name string) *hostInfo {
	k := hostKey(name)
	if k == "" {
		return nil
	}
	h, ok := e.hosts[k]
	if !ok {
		h = &hostInfo{key: k, name: strings.Trim(name, " \t\r\n\x00")}
		e.hosts[k] = h
	}
	return h
}

func (e *evaluator) indexHosts() {
	e.hosts = map[string]*hostInfo{}
	for i := range e.ev.Hosts {
		hv := &e.ev.Hosts[i]
		h := e.host(hv.Name)
		if h == nil {
			continue
		}
		// Only two registry readings can disagree; a record known from the
		// logs alone carries no versions.
		if hv.Registry && len(hv.GuestInstaller) > 0 {
			for _, prev := range h.records {
				if prev.Registry && len(prev.GuestInstaller) > 0 && !sameHostIC(prev, hv) {
					h.conflict = true
				}
			}
		}
		h.records = append(h.records, hv)
		sort.SliceStable(h.records, func(i, j int) bool {
			a, b := h.records[i], h.records[j]
			if a.Name != b.Name {
				return a.Name < b.Name
			}
			return firstFile(a.Refs) < firstFile(b.Refs)
		})
		if f := hv.OS.Family(); f != FamilyUnknown {
			h.family = f
		}
	}
	for i := range e.ev.Coverage {
		c := &e.ev.Coverage[i]
		if h := e.host(c.Host); h != nil {
			h.cover = append(h.cover, c)
		}
	}
	// The display name does not depend on input order: the smallest name
	// a registry record gives, else the smallest name seen.
	for _, h := range e.hosts {
		best, fromReg := h.name, false
		for _, r := range h.records {
			n := strings.Trim(r.Name, " \t\r\n\x00")
			switch {
			case r.Registry && (!fromReg || n < best):
				best, fromReg = n, true
			case !fromReg && n < best:
				best = n
			}
		}
		for _, c := range h.cover {
			if n := strings.Trim(c.Host, " \t\r\n\x00"); !fromReg && n < best {
				best = n
			}
		}
		h.name = best
	}
}

func sameHostIC(a, b *HostEvidence) bool {
	for _, name := range []string{valueWin6x, valueWin5x} {
		va, _ := lookupValue(a.GuestInstaller, name)
		vb, _ := lookupValue(b.GuestInstaller, name)
		pa, ea := ParseVersion(va)
		pb, eb := ParseVersion(vb)
		if (ea == nil) != (eb == nil) || (ea == nil && !pa.Equal(pb)) {
			return false
		}
	}
	return true
}

// lookupValue finds a value by name as Windows does (case-insensitively);
// should a map hold several spellings, the exact one, else the smallest,
// wins, so the result does not depend on map order.
func lookupValue(m map[string]string, name string) (string, bool) {
	if v, ok := m[name]; ok {
		return v, true
	}
	best, found := "", false
	for k := range m {
		if strings.EqualFold(strings.TrimSpace(k), name) && (!found || k < best) {
			best, found = k, true
		}
	}
	if !found {
		return "", false
	}
	return m[best], true
}

// collectVMs correlates guests and events into VMs: by ID, then by name.
func (e *evaluator) collectVMs() {
	byID := map[string]*vmInfo{}
	var order []*vmInfo
	get := func(id string) *vmInfo {
		vm, ok := byID[id]
		if !ok {
			vm = &vmInfo{id: id}
			byID[id] = vm
			order = append(order, vm)
		}
		return vm
	}
	type pending struct {
		guest *GuestEvidence
		event *classified
		name  string
		host  string
	}
	var byName []pending

	for i := range e.ev.Guests {
		g := &e.ev.Guests[i]
		id := NormalizeVMID(g.VMID)
		switch {
		case id != "":
			vm := get(id)
			vm.guests = append(vm.guests, g)
			vm.addName(g.VMName)
		case nameKey(g.VMName) != "":
			byName = append(byName, pending{guest: g, name: g.VMName, host: firstHost(g.HostNames)})
		default:
			// A guest hive that names no VM: assessed on its own.
			vm := &vmInfo{guests: []*GuestEvidence{g}}
			order = append(order, vm)
		}
	}
	var unattributed []classified
	for i := range e.ev.Events {
		ev := &e.ev.Events[i]
		c := e.classify(ev)
		if c.kind == EventUnknown {
			continue
		}
		id := NormalizeVMID(ev.VMID)
		switch {
		case id != "":
			vm := get(id)
			vm.events = append(vm.events, c)
			vm.addName(ev.VMName)
		case nameKey(ev.VMName) != "":
			cc := c
			byName = append(byName, pending{event: &cc, name: ev.VMName, host: ev.Host})
		default:
			unattributed = append(unattributed, c)
		}
	}

	// Names → the IDs that carry them.
	idsByName := map[string][]*vmInfo{}
	for _, vm := range order {
		for _, n := range vm.names {
			k := nameKey(n)
			if !containsVM(idsByName[k], vm) {
				idsByName[k] = append(idsByName[k], vm)
			}
		}
	}
	nameOnly := map[string]*vmInfo{}
	conflictRefs := map[string][]Ref{}
	for _, p := range byName {
		k := nameKey(p.name)
		cands := idsByName[k]
		var target *vmInfo
		switch {
		case len(cands) == 1:
			target = cands[0]
		case len(cands) > 1:
			// Only the host may single one out; never guess.
			var same []*vmInfo
			for _, c := range cands {
				if p.host != "" && hostKey(p.host) == e.vmHostKey(c) {
					same = append(same, c)
				}
			}
			if len(same) == 1 {
				target = same[0]
			}
		default:
			target = nameOnly[k]
			if target == nil {
				target = &vmInfo{}
				nameOnly[k] = target
				order = append(order, target)
			}
		}
		if target == nil {
			if p.guest != nil {
				conflictRefs[k] = append(conflictRefs[k], p.guest.Refs...)
			} else {
				conflictRefs[k] = append(conflictRefs[k], p.event.ev.Ref)
			}
			continue
		}
		target.addName(p.name)
		if p.guest != nil {
			target.guests = append(target.guests, p.guest)
		} else {
			target.events = append(target.events, *p.event)
		}
	}
	for k, vms := range idsByName {
		if len(vms) < 2 {
			continue
		}
		c := Conflict{RuleID: RuleConflictName, VMName: vms[0].displayName()}
		for _, vm := range vms {
			if n := vm.displayName(); n < c.VMName {
				c.VMName = n
			}
			c.VMIDs = append(c.VMIDs, vm.id)
			if hk := e.vmHostKey(vm); hk != "" {
				c.Hosts = appendUnique(c.Hosts, e.hostName(hk))
			}
		}
		sort.Strings(c.VMIDs)
		sort.Strings(c.Hosts)
		sortRefs(conflictRefs[k])
		c.Refs = capRefs(conflictRefs[k], e.o.MaxRefs)
		e.res.Conflicts = append(e.res.Conflicts, c)
		e.res.Findings = append(e.res.Findings, e.finding(RuleConflictName, nil, map[string]string{
			"vmIds": strings.Join(c.VMIDs, ","), "hosts": strings.Join(c.Hosts, ","),
			"unattributed": strconv.Itoa(len(conflictRefs[k])),
		}, c.Refs, c.VMName, "", ""))
	}
	if len(unattributed) > 0 {
		perHost := map[string][]Ref{}
		var keys []string
		for _, c := range unattributed {
			k := hostKey(c.ev.Host)
			if _, ok := perHost[k]; !ok {
				keys = append(keys, k)
			}
			perHost[k] = append(perHost[k], c.ev.Ref)
		}
		for _, k := range keys {
			sortRefs(perHost[k])
			e.res.Findings = append(e.res.Findings, e.finding(RuleUnattributed, nil,
				map[string]string{"events": strconv.Itoa(len(perHost[k]))}, capRefs(perHost[k], e.o.MaxRefs), "", "", e.hostName(k)))
		}
	}
	for _, vm := range order {
		vm.hostKey = e.vmHostKey(vm)
		if vm.hostKey != "" {
			if h := e.hosts[vm.hostKey]; h != nil {
				h.vmCount++
			}
		}
	}
	e.vms = order
}

func containsVM(list []*vmInfo, vm *vmInfo) bool {
	for _, v := range list {
		if v == vm {
			return true
		}
	}
	return false
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func firstHost(names []string) string {
	for _, n := range names {
		if hostKey(n) != "" {
			return n
		}
	}
	return ""
}

func (vm *vmInfo) addName(n string) {
	n = strings.Trim(n, " \t\r\n\x00")
	if n == "" {
		return
	}
	for _, x := range vm.names {
		if strings.EqualFold(x, n) {
			return
		}
	}
	vm.names = append(vm.names, n)
}

// displayName does not depend on input order: the newest guest hive's
// VirtualMachineName, else the newest event's VM name, else the smallest
// name seen.
func (vm *vmInfo) displayName() string {
	var best *GuestEvidence
	for _, g := range vm.guests {
		if strings.Trim(g.VMName, " \t\r\n\x00") != "" && (best == nil || newerGuest(g, best)) {
			best = g
		}
	}
	if best != nil {
		return strings.Trim(best.VMName, " \t\r\n\x00")
	}
	var newest *Event
	for _, c := range vm.events {
		n := strings.Trim(c.ev.VMName, " \t\r\n\x00")
		if n == "" {
			continue
		}
		if newest == nil || c.ev.Time.After(newest.Time) || (c.ev.Time.Equal(newest.Time) && n < strings.Trim(newest.VMName, " \t\r\n\x00")) {
			newest = c.ev
		}
	}
	if newest != nil {
		return strings.Trim(newest.VMName, " \t\r\n\x00")
	}
	name := ""
	for _, n := range vm.names {
		if name == "" || n < name {
			name = n
		}
	}
	return name
}

// newerGuest orders guest hives of one VM: the later Auto last-write time
// wins; ties go to the smaller VM name, then the smaller first file name,
// then the smaller IC version, so the choice does not depend on input order.
func newerGuest(g, than *GuestEvidence) bool {
	if !g.AutoWritten.Equal(than.AutoWritten) {
		return g.AutoWritten.After(than.AutoWritten)
	}
	if g.VMName != than.VMName {
		return g.VMName < than.VMName
	}
	if f, t := firstFile(g.Refs), firstFile(than.Refs); f != t {
		return f < t
	}
	return g.ICVersion < than.ICVersion
}

func firstFile(refs []Ref) string {
	if len(refs) == 0 {
		return ""
	}
	return refs[0].File
}

// vmHostKey picks the VM's host: a host the guest's Parameters name and the
// evidence knows, else the host of the newest event, else the first host
// the guest names.
func (e *evaluator) vmHostKey(vm *vmInfo) string {
	for _, g := range vm.guests {
		for _, n := range g.HostNames {
			if k := hostKey(n); k != "" {
				if _, ok := e.hosts[k]; ok {
					return k
				}
			}
		}
	}
	var newest *Event
	for _, c := range vm.events {
		if hostKey(c.ev.Host) == "" {
			continue
		}
		if newest == nil || c.ev.Time.After(newest.Time) {
			newest = c.ev
		}
	}
	if newest != nil {
		return hostKey(newest.Host)
	}
	for _, g := range vm.guests {
		if k := hostKey(firstHost(g.HostNames)); k != "" {
			return k
		}
	}
	return ""
}

func (e *evaluator) hostName(k string) string {
	if h, ok := e.hosts[k]; ok {
		return h.name
	}
	return k
}

func (e *evaluator) classify(ev *Event) classified {
	r, ok := e.t.ClassifyEvent(ev.Provider, ev.EventID)
	c := classified{ev: ev}
	if ok {
		c.rule, c.kind = r, r.Kind
	}
	if ev.Kind != EventUnknown {
		c.kind = ev.Kind
		if !ok || r.Kind != ev.Kind {
			// A kind the caller set: take its traits (harmless for Linux)
			// from the catalogue entry of that kind.
			c.rule = EventRule{Kind: ev.Kind}
			for _, cr := range e.t.events {
				if cr.Kind == ev.Kind {
					c.rule = cr
					break
				}
			}
		}
	}
	return c
}

// channel classes of LogCoverage.
func isIntegrationChannel(ch string, family HostFamily) bool {
	c := strings.ToLower(ch)
	if strings.Contains(c, "hyper-v-integration") {
		return true
	}
	return family == Family2016Plus && strings.Contains(c, "hyper-v-worker")
}

func isSystemChannel(ch string) bool { return strings.EqualFold(strings.TrimSpace(ch), "System") }

// covered reports whether h's logs of the class cover the time after
// since (zero since: any coverage will do). With intact, a log that lost
// records to damage does not count: it cannot prove an event absent.
func (h *hostInfo) covered(match func(string) bool, since time.Time, intact bool) bool {
	if h == nil {
		return false
	}
	for _, c := range h.cover {
		if !match(c.Channel) || (intact && c.Damaged) {
			continue
		}
		if since.IsZero() || c.Last.IsZero() || !c.Last.Before(since) {
			return true
		}
	}
	return false
}

func (h *hostInfo) hasRegistry() bool {
	if h == nil {
		return false
	}
	for _, r := range h.records {
		if r.Registry {
			return true
		}
	}
	return false
}

// packageValue finds the host's IC version for pkg, with the value name used.
func (h *hostInfo) packageValue(pkg Package) (raw, value string, basisOnly bool, ref *Ref) {
	if h == nil || h.conflict {
		return "", "", false, nil
	}
	var names []string
	switch pkg {
	case PackageWin6x:
		names = []string{valueWin6x, valueWin60}
	case PackageWin5x:
		names = []string{valueWin5x}
	}
	for _, r := range h.records {
		for _, n := range names {
			if v, ok := lookupValue(r.GuestInstaller, n); ok {
				return v, n, false, refFor(r.Refs, n)
			}
		}
		if v, ok := lookupValue(r.GuestInstaller, valueNoSufix); ok {
			return v, valueNoSufix, true, refFor(r.Refs, valueNoSufix)
		}
	}
	return "", "", false, nil
}

// refFor returns the ref naming value, else the first ref whose key is the
// GuestInstaller key, else nil.
func refFor(refs []Ref, value string) *Ref {
	for i := range refs {
		if strings.EqualFold(refs[i].Value, value) {
			r := refs[i]
			return &r
		}
	}
	for i := range refs {
		if strings.Contains(strings.ToLower(refs[i].KeyPath), "guestinstaller") {
			r := refs[i]
			return &r
		}
	}
	return nil
}

func (h *hostInfo) guestInstallerEmpty() bool {
	if h == nil {
		return false
	}
	for _, r := range h.records {
		if len(r.GuestInstaller) > 0 {
			return false
		}
	}
	return true
}

func (e *evaluator) icVersion(raw string, ref *Ref) (ICVersion, bool) {
	ic := ICVersion{Raw: strings.TrimRight(raw, "\x00"), Ref: ref}
	v, err := ParseVersion(raw)
	if err != nil {
		return ic, false
	}
	ic.Version = v
	if r, ok := e.t.Release(v); ok {
		ic.Release = &r
	}
	return ic, true
}

func isIncompat(k EventKind) bool {
	return k == EventIncompatible || k == EventNetIncompatible || k == EventStorageIncompatible
}

func isCompat(k EventKind) bool {
	return k == EventCompatible || k == EventNetMismatch || k == EventStorageMismatch
}

func (e *evaluator) assess(vm *vmInfo) {
	a := Assessment{VMID: vm.id, VMName: vm.displayName()}
	h := e.hosts[vm.hostKey]
	if h != nil {
		a.Host = h.name
		a.HostFamily = h.family
	} else if vm.hostKey != "" {
		a.Host = vm.hostKey
		for _, g := range vm.guests {
			if n := firstHost(g.HostNames); hostKey(n) == vm.hostKey {
				a.Host = n
				break
			}
		}
	}
	var missing []Missing
	miss := func(m Missing) {
		for _, x := range missing {
			if x == m {
				return
			}
		}
		missing = append(missing, m)
	}
	var rules []string
	params := map[string]string{}
	var refs []Ref

	// The guest: one hive, or several that must agree.
	var guest *GuestEvidence
	guestConflict := false
	// Oldest first, whatever the input order.
	sort.SliceStable(vm.guests, func(i, j int) bool { return newerGuest(vm.guests[j], vm.guests[i]) })
	if len(vm.guests) > 0 {
		guest = vm.guests[0]
		for _, g := range vm.guests[1:] {
			v1, e1 := ParseVersion(guest.ICVersion)
			v2, e2 := ParseVersion(g.ICVersion)
			if (e1 == nil) != (e2 == nil) || (e1 == nil && !v1.Equal(v2)) {
				guestConflict = true
			}
			if newerGuest(g, guest) {
				guest = g
			}
		}
	}
	if a.HostFamily == FamilyUnknown && guest != nil && guest.HostOSMajor > 0 {
		a.HostFamily = familyOf(guest.HostOSMajor, guest.HostOSMinor)
	}
	if guest != nil {
		a.GuestOS = guest.OS
		if guest.Replayed {
			params["guestReplayed"] = "true"
		}
	}

	// Linux: a hint or the guest's own facts.
	for _, hnt := range e.ev.Hints.LinuxVMs {
		if (vm.id != "" && NormalizeVMID(hnt) == vm.id) || vm.hasName(hnt) {
			vm.linux, vm.linuxBy = true, "hint"
		}
	}
	if !vm.linux && guest != nil && guest.OS.IsLinux() {
		vm.linux, vm.linuxBy = true, "guest-os"
	}
	a.Linux = vm.linux

	// The package to compare.
	kernel, kernelKnown := Version{}, false
	if guest != nil {
		kernel, kernelKnown = guest.OS.Kernel()
	}
	switch {
	case kernelKnown && kernel.Major < 6:
		a.Package, a.PackageBasis = PackageWin5x, BasisGuestOS
	case kernelKnown:
		a.Package, a.PackageBasis = PackageWin6x, BasisGuestOS
	default:
		a.Package, a.PackageBasis = PackageWin6x, BasisGuestUnknown
		if !vm.linux {
			miss(MissingGuestOS)
		}
	}
	hostRaw, value, only, hostRef := h.packageValue(a.Package)
	a.PackageValue = value
	if only {
		a.PackageBasis = BasisOnlyValue
	}
	// A 2016+ host records no package version (known from its hive, or
	// from what the host told the guest).
	hostNotRecorded := a.HostFamily == Family2016Plus && hostRaw == "" && (h == nil || !h.conflict)
	if hostNotRecorded {
		a.Package, a.PackageBasis, a.PackageValue = PackageUnknown, BasisNotRecorded, ""
	}
	hostOK, guestOK := false, false
	if hostRaw != "" {
		a.HostIC, hostOK = e.icVersion(hostRaw, hostRef)
	}
	if guest != nil && !guestConflict {
		var gref *Ref
		for i := range guest.Refs {
			if strings.EqualFold(guest.Refs[i].Value, "IntegrationServicesVersion") {
				r := guest.Refs[i]
				gref = &r
			}
		}
		if gref == nil && len(guest.Refs) > 0 {
			r := guest.Refs[0]
			gref = &r
		}
		if strings.Trim(guest.ICVersion, " \x00") != "" {
			a.GuestIC, guestOK = e.icVersion(guest.ICVersion, gref)
		}
	}
	switch {
	case vm.hostKey == "":
		miss(MissingHost)
	case h == nil || !h.hasRegistry():
		if !vm.linux && !hostNotRecorded {
			miss(MissingHostRegistry)
		}
	case !hostOK && !hostNotRecorded && !vm.linux:
		miss(MissingHostICVersion)
	}
	if guest == nil && !vm.linux {
		miss(MissingGuestRegistry)
	} else if guest != nil && !guestOK && !guestConflict && !vm.linux {
		miss(MissingGuestICVersion)
	}
	if vm.id == "" {
		miss(MissingVMID)
	}

	// Events, split by freshness against the guest's last IC change.
	var lastChange time.Time
	if guest != nil {
		lastChange = guest.AutoWritten
	}
	var freshInc, staleInc, freshCompat, staleCompat, storageIO, kvp, harmless []classified
	for _, c := range vm.events {
		fresh := lastChange.IsZero() || c.ev.Time.IsZero() || c.ev.Time.After(lastChange)
		switch {
		case isIncompat(c.kind) && fresh:
			freshInc = append(freshInc, c)
		case isIncompat(c.kind):
			staleInc = append(staleInc, c)
		case isCompat(c.kind) && fresh:
			freshCompat = append(freshCompat, c)
		case isCompat(c.kind):
			staleCompat = append(staleCompat, c)
		case c.kind == EventStorageIO:
			storageIO = append(storageIO, c)
		case c.kind == EventKvpNotRunning:
			kvp = append(kvp, c)
		}
		if c.rule.HarmlessForLinux {
			harmless = append(harmless, c)
		}
	}
	mismatchEvents := len(freshInc) + len(staleInc) + len(freshCompat) + len(staleCompat)
	if mismatchEvents > 0 && lastChange.IsZero() && guest != nil && !vm.linux {
		miss(MissingAutoTime)
	}
	intLog := func(ch string) bool { return isIntegrationChannel(ch, a.HostFamily) }
	intCovered := h.covered(intLog, lastChange, true)
	if !intCovered && !vm.linux {
		miss(MissingIntegrationLog)
		if h.covered(intLog, lastChange, false) {
			params["integrationLog"] = "damaged"
		}
	}
	if !h.covered(isSystemChannel, time.Time{}, false) && !vm.linux {
		miss(MissingSystemLog)
	}

	if hostOK {
		params["hostVersion"] = a.HostIC.Version.String()
		if a.HostIC.Release != nil {
			params["hostRelease"] = a.HostIC.Release.Name
		}
	}
	if guestOK {
		params["guestVersion"] = a.GuestIC.Version.String()
		if a.GuestIC.Release != nil {
			params["guestRelease"] = a.GuestIC.Release.Name
		}
	}
	params["package"] = a.Package.String()
	params["packageBasis"] = a.PackageBasis.String()
	if a.PackageValue != "" {
		params["packageValue"] = a.PackageValue
	}
	if a.HostFamily != FamilyUnknown {
		params["hostFamily"] = a.HostFamily.String()
	}
	if kernelKnown {
		params["guestKernel"] = kernel.String()
	}
	if !lastChange.IsZero() {
		params["guestIcChanged"] = lastChange.UTC().Format(time.RFC3339)
	}

	eventRefs := func(cs ...[]classified) []Ref {
		var out []Ref
		for _, list := range cs {
			for _, c := range list {
				r := c.ev.Ref
				if r.Time.IsZero() {
					r.Time = c.ev.Time
				}
				if r.What == "" {
					r.What = fmt.Sprintf("%s %d", c.ev.Provider, c.ev.EventID)
				}
				out = append(out, r)
			}
		}
		sortRefs(out)
		return out
	}
	versionRefs := func() []Ref {
		var out []Ref
		if a.HostIC.Ref != nil {
			out = append(out, *a.HostIC.Ref)
		}
		if a.GuestIC.Ref != nil {
			out = append(out, *a.GuestIC.Ref)
		}
		return out
	}

	// The decision.
	var primary string
	cmp := 0
	if hostOK && guestOK {
		cmp = a.GuestIC.Version.Compare(a.HostIC.Version)
		if cmp > 0 {
			params["comparison"] = "guest-newer"
		} else if cmp < 0 {
			params["comparison"] = "guest-older"
		} else {
			params["comparison"] = "equal"
		}
	}
	switch {
	case guestConflict:
		primary = RuleConflictGuest
		c := Conflict{RuleID: RuleConflictGuest, VMName: a.VMName}
		if vm.id != "" {
			c.VMIDs = []string{vm.id}
		}
		if a.Host != "" {
			c.Hosts = []string{a.Host}
		}
		for _, g := range vm.guests {
			c.Values = appendUnique(c.Values, strings.Trim(g.ICVersion, " \x00"))
			c.Refs = append(c.Refs, g.Refs...)
		}
		c.Refs = capRefs(c.Refs, e.o.MaxRefs)
		params["values"] = strings.Join(c.Values, ",")
		e.res.Conflicts = append(e.res.Conflicts, c)
		refs = c.Refs
	case vm.linux:
		primary = RuleLinux
		params["linuxBy"] = vm.linuxBy
		refs = eventRefs(harmless)
		if len(harmless) > 0 {
			params["events"] = strconv.Itoa(len(harmless))
			setComponents(params, harmless)
		}
	case hostOK && guestOK && cmp == 0:
		switch {
		case len(freshInc) > 0 || len(freshCompat) > 0:
			primary = RuleInvestigate
			refs = append(versionRefs(), eventRefs(freshInc, freshCompat)...)
			params["events"] = strconv.Itoa(len(freshInc) + len(freshCompat))
			setComponents(params, freshInc, freshCompat)
			if lastChange.IsZero() {
				params["reason"] = "event-order-unknown"
			} else {
				params["reason"] = "events-after-ic-change"
			}
		default:
			primary = RuleCase1
			refs = versionRefs()
			if len(staleInc)+len(staleCompat) > 0 {
				rules = append(rules, RuleResolved)
				a.Resolved, a.ResolvedAt = true, lastChange
				refs = append(refs, eventRefs(staleInc, staleCompat)...)
				params["resolvedAt"] = lastChange.UTC().Format(time.RFC3339)
				params["staleEvents"] = strconv.Itoa(len(staleInc) + len(staleCompat))
			}
		}
	case len(freshInc) > 0:
		primary = RuleCase3
		refs = append(versionRefs(), eventRefs(freshInc)...)
		params["events"] = strconv.Itoa(len(freshInc))
		setComponents(params, freshInc)
	case hostOK && guestOK: // versions differ, no fresh incompatibility event
		if intCovered {
			primary = RuleCase2
		} else {
			primary = RuleUnclassified
		}
		refs = append(versionRefs(), eventRefs(freshCompat)...)
		if len(freshCompat) > 0 {
			params["events"] = strconv.Itoa(len(freshCompat))
			setComponents(params, freshCompat)
		}
		if len(staleInc) > 0 {
			params["staleIncompatibleEvents"] = strconv.Itoa(len(staleInc))
		}
	case len(freshCompat) > 0: // versions unknown, but events show a difference
		if intCovered {
			primary = RuleCase2
		} else {
			primary = RuleUnclassified
		}
		refs = append(versionRefs(), eventRefs(freshCompat)...)
		params["events"] = strconv.Itoa(len(freshCompat))
		setComponents(params, freshCompat)
	case hostNotRecorded && intCovered && len(staleInc)+len(staleCompat) == 0:
		primary = RuleCase1
		refs = versionRefs()
		params["basis"] = "no-mismatch-events"
	default:
		primary = RuleUndetermined
		refs = append(versionRefs(), eventRefs(staleInc, staleCompat)...)
	}
	if hostNotRecorded {
		rules = append(rules, RuleHost2016)
	}
	pr, _ := e.t.Rule(primary)
	a.Case, a.Action, a.Severity = pr.Case, pr.Action, pr.Severity
	if primary == RuleConflictGuest {
		a.Case = CaseUndetermined
	}
	rules = append(rules, primary)
	a.RuleID = primary

	// KB975354, for VMs on 2008 R2 hosts (or guests with 6.1-era ICs).
	if !vm.linux && !guestConflict {
		on2008R2 := a.HostFamily == Family2008R2
		if on2008R2 && guestOK && a.GuestIC.Version.Compare(kb975354IC) < 0 {
			rules = append(rules, RuleKB975354Guest)
		}
		// 2008 R2 era: on a 2008 R2 host, or, the host's family unknown,
		// with 6.1 integration services.
		era := on2008R2 || (a.HostFamily == FamilyUnknown && guestOK && a.GuestIC.Version.Major == 6 && a.GuestIC.Version.Minor == 1)
		if era && guest != nil && (guest.BackupType == nil || *guest.BackupType != 1) {
			rules = append(rules, RuleKB975354Backup)
			if guest.BackupType == nil {
				params["backupType"] = "absent"
			} else {
				params["backupType"] = strconv.FormatUint(uint64(*guest.BackupType), 10)
			}
		}
	}
	if len(storageIO) > 0 {
		rules = append(rules, RuleStorageIO)
	}
	if len(kvp) > 0 && !vm.linux {
		rules = append(rules, RuleKvpNotRunning)
	}

	// Remediation for this pair.
	switch a.Action {
	case ActionUpgradeRecommended, ActionUpgradeRequired, ActionInvestigate, ActionIgnore:
		if r, ok := e.t.RemediationFor(a.HostFamily, a.GuestOS, vm.linux); ok {
			a.Remediation = &r
			params["remediation"] = r.ID
		}
	}
	a.Missing = missing
	if len(missing) > 0 {
		ms := make([]string, len(missing))
		for i, m := range missing {
			ms[i] = m.String()
		}
		params["missing"] = strings.Join(ms, ",")
	}
	sort.Strings(rules)
	a.RuleIDs = rules
	a.Refs = capRefs(refs, e.o.MaxRefs)

	for _, id := range rules {
		fr := a.Refs
		p := params
		switch id {
		case RuleStorageIO:
			fr = capRefs(eventRefs(storageIO), e.o.MaxRefs)
			p = map[string]string{"events": strconv.Itoa(len(storageIO))}
		case RuleKvpNotRunning:
			fr = capRefs(eventRefs(kvp), e.o.MaxRefs)
			p = map[string]string{"events": strconv.Itoa(len(kvp))}
		case RuleKB975354Backup:
			fr = nil
			for _, r := range guest.Refs {
				if strings.Contains(strings.ToLower(r.KeyPath), "vssrequestor") {
					fr = append(fr, r)
				}
			}
		}
		f := e.finding(id, &a, p, fr, a.VMName, a.VMID, a.Host)
		if id == primary {
			f.Case, f.Action, f.Severity = a.Case, a.Action, a.Severity
		}
		e.res.Findings = append(e.res.Findings, f)
	}
	e.res.VMs = append(e.res.VMs, a)
}

func (vm *vmInfo) hasName(n string) bool {
	k := nameKey(n)
	if k == "" {
		return false
	}
	for _, x := range vm.names {
		if nameKey(x) == k {
			return true
		}
	}
	return false
}

// finding builds a Finding for rule id; Case, Action and Severity come from
// the rule. Params are copied.
func (e *evaluator) finding(id string, a *Assessment, params map[string]string, refs []Ref, vmName, vmID, host string) Finding {
	r, _ := e.t.Rule(id)
	f := Finding{RuleID: id, Case: r.Case, Action: r.Action, Severity: r.Severity,
		VMName: vmName, VMID: vmID, Host: host}
	if len(refs) > 0 {
		f.Refs = append([]Ref(nil), refs...)
	}
	if len(params) > 0 {
		f.Params = make(map[string]string, len(params))
		for k, v := range params {
			f.Params[k] = v
		}
	}
	return f
}

func capRefs(refs []Ref, n int) []Ref {
	if len(refs) > n {
		refs = refs[:n]
	}
	if len(refs) == 0 {
		return nil
	}
	return append([]Ref(nil), refs...)
}

// hostFindings emits the per-host rules: KB975354 host level, a missing
// GuestInstaller value on a pre-2016 host, a missing Integration-Admin
// log, conflicting host records.
func (e *evaluator) hostFindings() {
	keys := make([]string, 0, len(e.hosts))
	for k := range e.hosts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		h := e.hosts[k]
		var refs []Ref
		for _, r := range h.records {
			refs = append(refs, r.Refs...)
		}
		refs = capRefs(refs, e.o.MaxRefs)
		if h.conflict {
			c := Conflict{RuleID: RuleConflictHost, Hosts: []string{h.name}, Refs: refs}
			for _, r := range h.records {
				v, _ := lookupValue(r.GuestInstaller, valueWin6x)
				c.Values = appendUnique(c.Values, strings.Trim(v, " \x00"))
			}
			e.res.Conflicts = append(e.res.Conflicts, c)
			e.res.Findings = append(e.res.Findings, e.finding(RuleConflictHost, nil,
				map[string]string{"values": strings.Join(c.Values, ",")}, refs, "", "", h.name))
			continue
		}
		if h.hasRegistry() && h.family != Family2016Plus {
			raw, value, _, ref := h.packageValue(PackageWin6x)
			if raw == "" {
				p := map[string]string{}
				if h.family != FamilyUnknown {
					p["hostFamily"] = h.family.String()
				}
				e.res.Findings = append(e.res.Findings, e.finding(RuleMissingHostIC, nil, p, refs, "", "", h.name))
			} else if v, err := ParseVersion(raw); err == nil && h.family == Family2008R2 && v.Compare(kb975354IC) < 0 {
				var fr []Ref
				if ref != nil {
					fr = []Ref{*ref}
				}
				e.res.Findings = append(e.res.Findings, e.finding(RuleKB975354Host, nil,
					map[string]string{"hostVersion": v.String(), "packageValue": value, "required": kb975354IC.String()}, fr, "", "", h.name))
			}
		}
		if h.vmCount > 0 && !h.covered(func(ch string) bool { return isIntegrationChannel(ch, h.family) }, time.Time{}, false) {
			e.res.Findings = append(e.res.Findings, e.finding(RuleMissingIntLog, nil,
				map[string]string{"vms": strconv.Itoa(h.vmCount)}, nil, "", "", h.name))
		}
	}
}

func (e *evaluator) sortResult() {
	sort.SliceStable(e.res.VMs, func(i, j int) bool {
		a, b := e.res.VMs[i], e.res.VMs[j]
		return lessKeys([]string{nameKey(a.Host), nameKey(a.VMName), a.VMID}, []string{nameKey(b.Host), nameKey(b.VMName), b.VMID})
	})
	sort.SliceStable(e.res.Findings, func(i, j int) bool {
		a, b := e.res.Findings[i], e.res.Findings[j]
		return lessKeys([]string{nameKey(a.Host), nameKey(a.VMName), a.VMID, a.RuleID}, []string{nameKey(b.Host), nameKey(b.VMName), b.VMID, b.RuleID})
	})
	sort.SliceStable(e.res.Conflicts, func(i, j int) bool {
		a, b := e.res.Conflicts[i], e.res.Conflicts[j]
		return lessKeys([]string{a.RuleID, nameKey(a.VMName), strings.Join(a.Hosts, ",")}, []string{b.RuleID, nameKey(b.VMName), strings.Join(b.Hosts, ",")})
	})
	if e.res.VMs == nil {
		e.res.VMs = []Assessment{}
	}
	if e.res.Findings == nil {
		e.res.Findings = []Finding{}
	}
}

func lessKeys(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// RemediationFor returns the remediation row for a guest on a host of
// family host: Linux guests get the Linux row, Windows guests the row whose
// range holds the guest's kernel version. ok is false when the host family
// or the guest OS is unknown, or no row applies.
func (t *Table) RemediationFor(host HostFamily, guest OSInfo, linux bool) (Remediation, bool) {
	if host == FamilyUnknown {
		return Remediation{}, false
	}
	k, known := guest.Kernel()
	for _, r := range t.remediations {
		if r.HostFamily != host {
			continue
		}
		if linux || r.Linux {
			if linux && r.Linux {
				return r, true
			}
			continue
		}
		if !known {
			continue
		}
		if (r.GuestMin.IsZero() || k.Compare(r.GuestMin) >= 0) && (r.GuestMax.IsZero() || k.Compare(r.GuestMax) <= 0) {
			return r, true
		}
	}
	return Remediation{}, false
}

// componentOf names the IC component an event speaks for: the Event's own
// Component, else the suffix of a Microsoft-Windows-Hyper-V-Integration-*
// provider ("Heartbeat"), "Network" for VmSwitch / VMSMP, "Storage" for
// storvsp, else the provider.
func componentOf(c classified) string {
	if s := strings.TrimSpace(c.ev.Component); s != "" {
		return s
	}
	p := strings.TrimSpace(c.ev.Provider)
	const integ = "microsoft-windows-hyper-v-integration-"
	switch {
	case hasPrefixFold(p, integ) && len(p) > len(integ):
		return p[len(integ):]
	case c.kind == EventNetIncompatible || c.kind == EventNetMismatch:
		return "Network"
	case c.kind == EventStorageIncompatible || c.kind == EventStorageMismatch:
		return "Storage"
	}
	return p
}

// setComponents records, sorted and once each, the components the events
// speak for, in params["components"].
func setComponents(params map[string]string, lists ...[]classified) {
	var names []string
	for _, l := range lists {
		for _, c := range l {
			if n := componentOf(c); n != "" {
				names = appendUnique(names, n)
			}
		}
	}
	if len(names) > 0 {
		sort.Strings(names)
		params["components"] = strings.Join(names, ",")
	}
}

// sortRefs orders references by time, then file, record ID, key path and
// value, so that output does not depend on input order.
func sortRefs(refs []Ref) {
	sort.SliceStable(refs, func(i, j int) bool {
		a, b := refs[i], refs[j]
		switch {
		case !a.Time.Equal(b.Time):
			return a.Time.Before(b.Time)
		case a.File != b.File:
			return a.File < b.File
		case a.RecordID != b.RecordID:
			return a.RecordID < b.RecordID
		case a.KeyPath != b.KeyPath:
			return a.KeyPath < b.KeyPath
		}
		return a.Value < b.Value
	})
}
