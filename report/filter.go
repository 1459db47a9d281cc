package report

import (
	"fmt"
	"strings"

	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

// ActionLevel is the least action a VM must need to be reported
// (Filter.MinAction): the actions ranked none and ignore, then
// investigate, then upgrade recommended, then upgrade required.
type ActionLevel uint8

// Action levels. The zero value reports every VM.
const (
	LevelNone        ActionLevel = iota // every VM
	LevelInvestigate                    // investigate, upgrade recommended or required
	LevelRecommended                    // upgrade recommended or required
	LevelRequired                       // upgrade required
)

var levelNames = [...]string{"none", "investigate", "recommended", "required"}

// String returns "none", "investigate", "recommended" or "required".
func (l ActionLevel) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return fmt.Sprintf("level(%d)", uint8(l))
}

// ErrActionLevel: ParseActionLevel was given an unknown level.
var ErrActionLevel = fmt.Errorf("report: unknown action level")

// ParseActionLevel maps "none", "investigate", "recommended", "required"
// (any case; also the action names "upgrade-recommended" and
// "upgrade-required") to an ActionLevel.
func ParseActionLevel(s string) (ActionLevel, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "none", "all", "":
		return LevelNone, nil
	case "investigate", "any":
		return LevelInvestigate, nil
	case "recommended", "upgrade-recommended":
		return LevelRecommended, nil
	case "required", "upgrade-required":
		return LevelRequired, nil
	}
	return LevelNone, fmt.Errorf("%w: %q (want none, investigate, recommended or required)", ErrActionLevel, s)
}

// actionLevel ranks an action against the levels.
func actionLevel(a kb.Action) ActionLevel {
	switch a {
	case kb.ActionInvestigate:
		return LevelInvestigate
	case kb.ActionUpgradeRecommended:
		return LevelRecommended
	case kb.ActionUpgradeRequired:
		return LevelRequired
	}
	return LevelNone
}

// Filter restricts what a report shows, not what was read: the VMs (by
// name or ID), their hosts, and the least action they need. Every format
// applies it the same way (Options.Filter), and says in its header that
// it did.
//
// What a filtered report keeps:
//   - the VMs that pass all three tests, their findings and events;
//   - host-level findings, conflicts and unattributed events of the hosts
//     kept that name a VM of the filter (or any VM, without a VM filter),
//     when the level admits them (a conflict asks for investigation);
//   - the hosts kept that hold a VM shown (every host kept, when only a
//     host filter is given);
//   - the problems, but those of files belonging to a host the host filter
//     excludes (they are counted as hidden): a damaged file of the VM
//     looked for may be why it is missing, so problems are not filtered
//     by VM or level;
//   - the files read, the files skipped, the status and the Run unchanged:
//     they describe the reading, which the filter does not change.
type Filter struct {
	// VMs are VM names or IDs (braces optional), compared without regard
	// to case; empty: every VM.
	VMs []string
	// Hosts are host names, compared by kb.HostKey (case, a DNS suffix and
	// a leading \\ do not matter); empty: every host.
	Hosts []string
	// MinAction is the least action a VM must need.
	MinAction ActionLevel
}

// IsZero reports whether f lets everything through.
func (f Filter) IsZero() bool {
	return len(f.VMs) == 0 && len(f.Hosts) == 0 && f.MinAction == LevelNone
}

// filterStats says what a Filter hid: the header shows it.
type filterStats struct {
	Filter
	vmsTotal, vmsShown int
	problemsHidden     int
}

// Apply returns a copy of res restricted by f (res itself when f is zero):
// the Result every renderer gets when Options.Filter is set.
func (f Filter) Apply(res *result.Result) *result.Result {
	out, _ := f.apply(res)
	return out
}

func (f Filter) hostOK(name string) bool {
	if len(f.Hosts) == 0 {
		return true
	}
	k := kb.HostKey(name)
	if k == "" {
		return false
	}
	for _, h := range f.Hosts {
		if kb.HostKey(h) == k {
			return true
		}
	}
	return false
}

// vmOK reports whether a VM named name with ID id is one the filter names.
func (f Filter) vmOK(name, id string) bool {
	if len(f.VMs) == 0 {
		return true
	}
	name = strings.TrimSpace(name)
	id = kb.NormalizeVMID(id)
	for _, w := range f.VMs {
		w = strings.TrimSpace(w)
		if w == "" {
			continue
		}
		if (name != "" && strings.EqualFold(w, name)) || (id != "" && strings.EqualFold(kb.NormalizeVMID(w), id)) {
			return true
		}
	}
	return false
}

func (f Filter) apply(res *result.Result) (*result.Result, *filterStats) {
	if res == nil || f.IsZero() {
		return res, nil
	}
	st := &filterStats{Filter: f, vmsTotal: len(res.VMs)}
	out := *res
	index := map[int]int{} // 1-based old index -> new
	out.VMs = nil
	kept := map[string]bool{} // host keys holding a VM shown
	for i, a := range res.VMs {
		if f.hostOK(a.Host) && f.vmOK(a.VMName, a.VMID) && actionLevel(a.Action) >= f.MinAction {
			out.VMs = append(out.VMs, a)
			index[i+1] = len(out.VMs)
			kept[kb.HostKey(a.Host)] = true
		}
	}
	st.vmsShown = len(out.VMs)
	out.Findings = nil
	for _, x := range res.Findings {
		if n, ok := index[x.VM]; ok {
			x.VM = n
			out.Findings = append(out.Findings, x)
		} else if x.VM == 0 && f.hostOK(x.Host) && f.vmOK(x.VMName, x.VMID) && actionLevel(x.Action) >= f.MinAction {
			out.Findings = append(out.Findings, x)
		}
	}
	out.Events = nil
	for _, e := range res.Events {
		if n, ok := index[e.VM]; ok {
			e.VM = n
			out.Events = append(out.Events, e)
		} else if e.VM == 0 && f.MinAction == LevelNone && f.hostOK(e.Host) && f.vmOK(e.VMName, e.VMID) {
			out.Events = append(out.Events, e)
		}
	}
	out.Conflicts = nil
	for _, c := range res.Conflicts {
		if f.MinAction <= LevelInvestigate && f.conflictOK(c) {
			out.Conflicts = append(out.Conflicts, c)
		}
	}
	out.Inventory = f.inventory(res.Inventory, out.VMs, kept)
	out.Problems = nil
	hidden := f.hiddenFiles(res.Inventory)
	for _, p := range res.Problems {
		if hidden[p.File] {
			st.problemsHidden++
			continue
		}
		out.Problems = append(out.Problems, p)
	}
	return &out, st
}

func (f Filter) conflictOK(c kb.Conflict) bool {
	host := len(f.Hosts) == 0
	for _, h := range c.Hosts {
		host = host || f.hostOK(h)
	}
	vm := f.vmOK(c.VMName, "")
	for _, id := range c.VMIDs {
		vm = vm || f.vmOK("", id)
	}
	return host && vm
}

// inventory keeps the hosts, VMs and guests of the VMs shown; files and
// skipped files stay.
func (f Filter) inventory(inv result.Inventory, vms []kb.Assessment, kept map[string]bool) result.Inventory {
	hostsOnly := len(f.VMs) == 0 && f.MinAction == LevelNone
	shown := func(name, id string) bool {
		for _, a := range vms {
			if (id != "" && strings.EqualFold(kb.NormalizeVMID(id), kb.NormalizeVMID(a.VMID))) ||
				(id == "" && name != "" && strings.EqualFold(strings.TrimSpace(name), strings.TrimSpace(a.VMName))) {
				return true
			}
		}
		return false
	}
	out := inv
	out.Hosts, out.VMs, out.Guests = nil, nil, nil
	for _, h := range inv.Hosts {
		if f.hostOK(h.Name) && (hostsOnly || kept[kb.HostKey(h.Name)]) {
			out.Hosts = append(out.Hosts, h)
		}
	}
	for _, vm := range inv.VMs {
		if shown(vm.Name, vm.ID) {
			out.VMs = append(out.VMs, vm)
		}
	}
	for _, g := range inv.Guests {
		if shown(g.VMName, g.VMID) || (hostsOnly && f.hostOK(g.Host)) {
			out.Guests = append(out.Guests, g)
		}
	}
	return out
}

// hiddenFiles are the files of the hosts the host filter excludes.
func (f Filter) hiddenFiles(inv result.Inventory) map[string]bool {
	hidden := map[string]bool{}
	if len(f.Hosts) == 0 {
		return hidden
	}
	for _, h := range inv.Hosts {
		if !f.hostOK(h.Name) {
			for _, file := range h.Files {
				hidden[file] = true
			}
		}
	}
	for _, fi := range inv.Files {
		if fi.Host != "" && !f.hostOK(fi.Host) {
			hidden[fi.Path] = true
		}
	}
	return hidden
}

// jsonFilter is the filter applied, as data (JSON "filter", SARIF run
// property "filter"); nil without a filter.
func (v *view) jsonFilter() *result.Filtered {
	st := v.filter
	if st == nil {
		return nil
	}
	return &result.Filtered{VMs: st.VMs, Hosts: st.Hosts, MinAction: st.MinAction.String(),
		VMsTotal: st.vmsTotal, VMsShown: st.vmsShown, ProblemsHidden: st.problemsHidden}
}
