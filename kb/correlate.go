package kb

import (
	"sort"
	"strconv"
	"strings"
)

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
	id       string // normalised ID, "" when unknown
	name     string
	names    []string
	guests   []*GuestEvidence
	events   []classified
	views    []*VMView        // the hosts' Get-VM listings of the VM
	services []*ICServiceView // the hosts' Get-VMIntegrationService rows of the VM
	hostKey  string           // from the guest's Parameters or the events
	linux    bool
	linuxBy  string // "hint" or "guest-os"
}

type classified struct {
	ev   *Event
	rule EventRule
	kind EventKind
}

// NormalizeVMID returns a VM ID in the form Evaluate compares: white space,
// NULs and braces removed, lower case. It is the one VM-ID normaliser:
// every package compares VM IDs through it (evtx.ParseGUID, which only
// tells a GUID from other data, gives the same string for a GUID).
func NormalizeVMID(s string) string {
	s = strings.Trim(s, " \t\r\n\x00")
	s = strings.TrimPrefix(s, "{")
	s = strings.TrimSuffix(s, "}")
	return strings.ToLower(strings.TrimSpace(s))
}

// HostKey is the key two computer names are compared by: white space and
// NULs trimmed, a leading \\ dropped, lower case, the DNS suffix cut
// ("\\HV01.contoso.local\x00" and "hv01" have the same key). Every
// package compares host names through it.
func HostKey(s string) string {
	s = strings.ToLower(strings.Trim(s, " \t\r\n\x00"))
	s = strings.TrimPrefix(s, `\\`)
	if i := strings.IndexByte(s, '.'); i > 0 {
		s = s[:i]
	}
	return s
}

func nameKey(s string) string { return strings.ToLower(strings.Trim(s, " \t\r\n\x00")) }

func (e *evaluator) host(name string) *hostInfo {
	k := HostKey(name)
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

// pending is a guest or an event known by VM name only, waiting for the
// name to be resolved to a VM.
type pending struct {
	guest   *GuestEvidence
	event   *classified
	view    *VMView
	service *ICServiceView
	name    string
	host    string
}

// vmIndex collects VMs by normalised ID, in first-seen order.
type vmIndex struct {
	byID  map[string]*vmInfo
	order []*vmInfo
}

func (x *vmIndex) get(id string) *vmInfo {
	vm, ok := x.byID[id]
	if !ok {
		vm = &vmInfo{id: id}
		x.byID[id] = vm
		x.order = append(x.order, vm)
	}
	return vm
}

// collectVMs correlates guests and events into VMs: by ID, then by name.
func (e *evaluator) collectVMs() {
	x := &vmIndex{byID: map[string]*vmInfo{}}
	byName := e.collectGuests(x)
	more, unattributed := e.collectEvents(x)
	byName = append(byName, more...)
	byName = append(byName, e.collectViews(x)...)
	byName = append(byName, e.collectServices(x)...)
	idsByName := map[string][]*vmInfo{}
	for _, vm := range x.order {
		for _, n := range vm.names {
			k := nameKey(n)
			if !containsVM(idsByName[k], vm) {
				idsByName[k] = append(idsByName[k], vm)
			}
		}
	}
	conflictRefs := e.attributeByName(x, byName, idsByName)
	e.nameConflicts(idsByName, conflictRefs)
	e.unattributedFindings(unattributed)
	for _, vm := range x.order {
		vm.hostKey = e.vmHostKey(vm)
		if vm.hostKey != "" {
			if h := e.hosts[vm.hostKey]; h != nil {
				h.vmCount++
			}
		}
	}
	e.vms = x.order
}

// collectGuests files guest hives with a VM ID under it; those with only
// a name are returned for attribution by name.
func (e *evaluator) collectGuests(x *vmIndex) []pending {
	var byName []pending
	for i := range e.ev.Guests {
		g := &e.ev.Guests[i]
		id := NormalizeVMID(g.VMID)
		switch {
		case id != "":
			vm := x.get(id)
			vm.guests = append(vm.guests, g)
			vm.addName(g.VMName)
		case nameKey(g.VMName) != "":
			byName = append(byName, pending{guest: g, name: g.VMName, host: firstHost(g.HostNames)})
		default:
			// A guest hive that names no VM: assessed on its own.
			x.order = append(x.order, &vmInfo{guests: []*GuestEvidence{g}})
		}
	}
	return byName
}

// collectEvents files catalogued events with a VM ID; those with only a
// name are returned for attribution by name, those with neither apart.
func (e *evaluator) collectEvents(x *vmIndex) (byName []pending, unattributed []classified) {
	for i := range e.ev.Events {
		ev := &e.ev.Events[i]
		c := e.classify(ev)
		if c.kind == EventUnknown {
			continue
		}
		id := NormalizeVMID(ev.VMID)
		switch {
		case id != "":
			vm := x.get(id)
			vm.events = append(vm.events, c)
			vm.addName(ev.VMName)
		case nameKey(ev.VMName) != "":
			cc := c
			byName = append(byName, pending{event: &cc, name: ev.VMName, host: ev.Host})
		default:
			unattributed = append(unattributed, c)
		}
	}
	return byName, unattributed
}

// collectViews files the hosts' VM views with a VM ID under it; those with
// only a name are returned for attribution by name.
func (e *evaluator) collectViews(x *vmIndex) []pending {
	var byName []pending
	for i := range e.ev.VMViews {
		v := &e.ev.VMViews[i]
		id := NormalizeVMID(v.VMID)
		switch {
		case id != "":
			vm := x.get(id)
			vm.views = append(vm.views, v)
			vm.addName(v.VMName)
		case nameKey(v.VMName) != "":
			byName = append(byName, pending{view: v, name: v.VMName, host: v.Host})
		}
	}
	return byName
}

// attributeByName ties name-only evidence to the one VM carrying the name
// (or the one its host singles out); evidence it cannot tie is returned,
// by name, for the conflict finding.
func (e *evaluator) attributeByName(x *vmIndex, byName []pending, idsByName map[string][]*vmInfo) map[string][]Ref {
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
			target = e.singleOnHost(cands, p.host) // only the host may single one out; never guess
		default:
			target = nameOnly[k]
			if target == nil {
				target = &vmInfo{}
				nameOnly[k] = target
				x.order = append(x.order, target)
			}
		}
		if target == nil {
			switch {
			case p.guest != nil:
				conflictRefs[k] = append(conflictRefs[k], p.guest.Refs...)
			case p.view != nil:
				conflictRefs[k] = append(conflictRefs[k], p.view.Ref)
			case p.service != nil:
				conflictRefs[k] = append(conflictRefs[k], p.service.Ref)
			default:
				conflictRefs[k] = append(conflictRefs[k], p.event.ev.Ref)
			}
			continue
		}
		target.addName(p.name)
		switch {
		case p.guest != nil:
			target.guests = append(target.guests, p.guest)
		case p.view != nil:
			target.views = append(target.views, p.view)
		case p.service != nil:
			target.services = append(target.services, p.service)
		default:
			target.events = append(target.events, *p.event)
		}
	}
	return conflictRefs
}

// singleOnHost returns the one candidate on host, nil when none or several.
func (e *evaluator) singleOnHost(cands []*vmInfo, host string) *vmInfo {
	var same []*vmInfo
	for _, c := range cands {
		if host != "" && HostKey(host) == e.vmHostKey(c) {
			same = append(same, c)
		}
	}
	if len(same) == 1 {
		return same[0]
	}
	return nil
}

// nameConflicts reports every name carried by several VM IDs.
func (e *evaluator) nameConflicts(idsByName map[string][]*vmInfo, conflictRefs map[string][]Ref) {
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
}

// unattributedFindings reports, per host, the events that name no VM.
func (e *evaluator) unattributedFindings(unattributed []classified) {
	perHost := map[string][]Ref{}
	var keys []string
	for _, c := range unattributed {
		k := HostKey(c.ev.Host)
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
		if HostKey(n) != "" {
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
// evidence knows, else the smallest host whose Get-VM lists the VM, else
// the host of the newest event, else the first host the guest names.
func (e *evaluator) vmHostKey(vm *vmInfo) string {
	for _, g := range vm.guests {
		for _, n := range g.HostNames {
			if k := HostKey(n); k != "" {
				if _, ok := e.hosts[k]; ok {
					return k
				}
			}
		}
	}
	viewHost := ""
	for _, v := range vm.views {
		if k := HostKey(v.Host); k != "" && (viewHost == "" || k < viewHost) {
			viewHost = k
		}
	}
	for _, v := range vm.services {
		if k := HostKey(v.Host); k != "" && (viewHost == "" || k < viewHost) {
			viewHost = k
		}
	}
	if viewHost != "" {
		return viewHost
	}
	var newest *Event
	for _, c := range vm.events {
		if HostKey(c.ev.Host) == "" {
			continue
		}
		if newest == nil || c.ev.Time.After(newest.Time) {
			newest = c.ev
		}
	}
	if newest != nil {
		return HostKey(newest.Host)
	}
	for _, g := range vm.guests {
		if k := HostKey(firstHost(g.HostNames)); k != "" {
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

// IntegrationChannel reports whether ch is the log a host of family
// records its IC negotiations in, the one whose absence Evaluate reports
// as MissingIntegrationLog: Microsoft-Windows-Hyper-V-Integration-Admin on
// every host, Microsoft-Windows-Hyper-V-Worker-Admin on 2016+ hosts only
// (not on an older host, nor on one whose family is unknown). It is the
// one copy of the rule: a caller labelling files uses it too.
func IntegrationChannel(ch string, family HostFamily) bool {
	c := strings.ToLower(ch)
	if strings.Contains(c, "hyper-v-integration") {
		return true
	}
	return family == Family2016Plus && strings.Contains(c, "hyper-v-worker")
}

func isSystemChannel(ch string) bool { return strings.EqualFold(strings.TrimSpace(ch), "System") }

// covered reports whether h has a log of the class that was read. With
// intact, a log that lost records to damage does not count: it cannot
// prove an event absent. A log read covers its host from its first record
// on; an empty log and a quiet one say the same thing.
func (h *hostInfo) covered(match func(string) bool, intact bool) bool {
	if h == nil {
		return false
	}
	for _, c := range h.cover {
		if match(c.Channel) && (!intact || !c.Damaged) {
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
