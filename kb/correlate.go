package kb

import (
	"sort"
	"strconv"
	"strings"
)

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

func nameKey(s string) string { return strings.ToLower(strings.Trim(s, " \t\r\n\x00")) }

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
	return collectHostRows(x, e.ev.VMViews,
		func(v *VMView) (string, string) { return v.VMID, v.VMName },
		func(vm *vmInfo, v *VMView) { vm.views = append(vm.views, v) },
		func(v *VMView) pending { return pending{view: v, name: v.VMName, host: v.Host} })
}

// collectHostRows files host-side rows naming a VM (Get-VM views,
// Get-VMIntegrationService rows) under the VM of their ID, with file
// adding the row to the VM; rows with only a name are returned, made
// pending by pend, for attribution by name. id gives a row's VM ID and
// VM name.
func collectHostRows[T any](x *vmIndex, rows []T, id func(*T) (vmID, vmName string),
	file func(*vmInfo, *T), pend func(*T) pending) []pending {
	var byName []pending
	for i := range rows {
		r := &rows[i]
		vmID, vmName := id(r)
		switch {
		case NormalizeVMID(vmID) != "":
			vm := x.get(NormalizeVMID(vmID))
			file(vm, r)
			vm.addName(vmName)
		case nameKey(vmName) != "":
			byName = append(byName, pend(r))
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
