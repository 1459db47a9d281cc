package kb

import (
	"fmt"
	"sort"
	"strings"
)

// Options tunes Evaluate. The zero value means the documented defaults.
type Options struct {
	// MaxRefs caps the evidence references attached to one assessment or
	// finding (the full count goes into the finding's "events" parameter);
	// 0 means 32.
	MaxRefs int

	// faultAfter, when positive, makes the evaluation panic after that
	// many assessments: the tests' way to prove that a fault keeps partial
	// results. Only the package's tests set it.
	faultAfter int
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
	return t.EvaluateWith(ev, nil)
}

// EvaluateWith is Evaluate with explicit Options (nil: the defaults), taken
// by pointer like every Options of the module.
//
// Correlation: evidence is tied to a VM by VM ID first (a GUID, compared
// without braces and case), by VM name second; a name that belongs to two
// or more IDs is a conflict (HVIC-CONFLICT-NAME), and evidence carrying only
// that name is attributed only when its host singles out one of them.
//
// Per VM: the host package is Win6x for guests of Server 2008 / Vista and
// later, Win5x before; with the guest OS unknown, Win6x, unless the host's
// Win5x and Win6x differ: then the package the guest's version equals
// (with a note), or none (undetermined unless events decide). A version of
// fewer than four parts is malformed, never padded: that side is unknown.
//
// Events: on the VM's current host, the latest negotiation per component
// decides. Any component whose latest event is an incompatibility
// (Integration 4000, VmSwitch/VMSMP 26, storvsp 5) makes differing
// versions case 3, however old; otherwise a compatible mismatch (4010, 27,
// storvsp 6) makes them case 2. Equal versions are case 1 whatever the
// events, which are then listed as resolved since. The guest's Auto key
// last-write time is only "guest KVP last refreshed": it never orders,
// demotes or discards an event. A host log that was read covers the VM
// from its first record on, an empty log like a quiet one; only without
// the host's Integration-Admin log (Worker-Admin on 2016+ hosts), or with
// one that lost records to damage, do differing versions with no deciding
// event stay mismatch-unclassified.
//
// Outcomes beyond the KB's three cases: guest ICs newer than the host
// offers (guest-newer: no guest upgrade); a 2016+ host that records no
// version and no event decides (host-unversioned, with the Windows Update
// row); a VM known only from the host's events, which may run Linux
// (investigate, with the case its events would mean for Windows). Every
// Assessment carries its Explanation.
func (t *Table) EvaluateWith(ev Evidence, opts *Options) (res Result) {
	if t == nil || t.byID == nil {
		t = Default() // a nil or zero Table: the embedded one
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.MaxRefs <= 0 {
		o.MaxRefs = defaultMaxRefs
	}
	return (&evaluator{t: t, o: o, ev: &ev, eventVM: map[*Event]int{}}).evaluate()
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
			res.Events = e.events(nil)
		}
	}()
	e.run()
	return e.res
}

// events copies the evidence's events with VM set through vmAt (the
// 1-based index an assessment had when emitted to the one it has after
// sorting); nil vmAt sets none.
func (e *evaluator) events(vmAt []int) []Event {
	out := make([]Event, len(e.ev.Events))
	for i := range e.ev.Events {
		out[i] = e.ev.Events[i]
		out[i].VM = 0
		if n := e.eventVM[&e.ev.Events[i]]; n > 0 && n <= len(vmAt) {
			out[i].VM = vmAt[n-1]
		}
	}
	sortEvents(out)
	return out
}

// sortEvents puts events in time order, then file and record, then the
// rest of their identity: a total order, whatever the input order.
func sortEvents(evs []Event) {
	sort.SliceStable(evs, func(i, j int) bool {
		a, b := evs[i], evs[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		if a.Ref.File != b.Ref.File {
			return a.Ref.File < b.Ref.File
		}
		if a.Ref.RecordID != b.Ref.RecordID {
			return a.Ref.RecordID < b.Ref.RecordID
		}
		if a.EventID != b.EventID {
			return a.EventID < b.EventID
		}
		return lessKeys([]string{a.Host, a.Provider, a.VMID, a.VMName}, []string{b.Host, b.Provider, b.VMID, b.VMName})
	})
}

func (e *evaluator) run() {
	e.indexHosts()
	e.collectVMs()
	for _, vm := range e.vms {
		e.assess(vm)
		if e.o.faultAfter > 0 && len(e.res.VMs) >= e.o.faultAfter {
			panic("kb: injected fault")
		}
	}
	e.hostFindings()
	e.sortResult()
}

type evaluator struct {
	t       *Table
	o       Options
	ev      *Evidence
	hosts   map[string]*hostInfo // by hostKey
	vms     []*vmInfo
	res     Result
	eventVM map[*Event]int // the 1-based index of the VM an event went to, before sorting
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

func (e *evaluator) sortResult() {
	order := make([]int, len(e.res.VMs)) // order[new] = old
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := e.res.VMs[order[i]], e.res.VMs[order[j]]
		return lessKeys([]string{nameKey(a.Host), nameKey(a.VMName), a.VMID}, []string{nameKey(b.Host), nameKey(b.VMName), b.VMID})
	})
	vms := make([]Assessment, len(order))
	vmAt := make([]int, len(order)) // vmAt[old] = new, both 1-based
	for i, old := range order {
		vms[i] = e.res.VMs[old]
		vmAt[old] = i + 1
	}
	e.res.VMs = vms
	for i := range e.res.Findings {
		if n := e.res.Findings[i].VM; n > 0 {
			e.res.Findings[i].VM = vmAt[n-1]
		}
	}
	e.res.Events = e.events(vmAt)
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
