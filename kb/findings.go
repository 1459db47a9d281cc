package kb

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// is61Family reports whether v is a 6.1 (Server 2008 R2) version.
func is61Family(v Version) bool { return v.Major == 6 && v.Minor == 1 }

// advisories adds the rules that do not decide the case: KB975354 for
// 2008 R2-era VMs, StorageVSP I/O failures, Data Exchange not running.
func (e *evaluator) advisories(s *vmState) {
	vm := s.vm
	era := s.a.HostFamily == Family2008R2 || s.a.HostFamily == FamilyUnknown
	if !vm.linux && !s.guestConflict && s.primary != RuleGuestNewer && era {
		// KB975354 is for 2008 R2 hosts and for guests whose ICs are of
		// the 6.1 family below the hotfix's level.
		if s.guestOK && is61Family(s.a.GuestIC.Version) && s.a.GuestIC.Version.Compare(kb975354IC) < 0 {
			s.rules = append(s.rules, RuleKB975354Guest)
		}
		family61 := (s.guestOK && is61Family(s.a.GuestIC.Version)) ||
			(!s.guestOK && s.kernelKnown && is61Family(s.kernel))
		if family61 && (s.guest.BackupType == nil || *s.guest.BackupType != 1) {
			s.rules = append(s.rules, RuleKB975354Backup)
			if s.guest.BackupType == nil {
				s.params["backupType"] = "absent"
			} else {
				s.params["backupType"] = strconv.FormatUint(uint64(*s.guest.BackupType), 10)
			}
		}
	}
	if len(s.ev.storageIO) > 0 {
		s.rules = append(s.rules, RuleStorageIO)
	}
	if len(s.ev.kvp) > 0 && !vm.linux {
		s.rules = append(s.rules, RuleKvpNotRunning)
	}
}

// versionParams records both versions, the package and the host family.
func (s *vmState) versionParams() {
	a, p := &s.a, s.params
	if s.hostOK {
		p["hostVersion"] = a.HostIC.Version.String()
		if a.HostIC.Release != nil {
			p["hostRelease"] = a.HostIC.Release.Name
		}
	}
	if s.guestOK {
		p["guestVersion"] = a.GuestIC.Version.String()
		if a.GuestIC.Release != nil {
			p["guestRelease"] = a.GuestIC.Release.Name
		}
	} else if s.guestShort {
		p["guestVersion"] = a.GuestIC.Raw
		p["guestVersionProblem"] = "fewer-than-four-parts"
	}
	p["package"] = a.Package.String()
	p["packageBasis"] = a.PackageBasis.String()
	if a.PackageValue != "" {
		p["packageValue"] = a.PackageValue
	}
	if a.HostFamily != FamilyUnknown {
		p["hostFamily"] = a.HostFamily.String()
	}
	if s.kernelKnown {
		p["guestKernel"] = s.kernel.String()
	}
}

// remediation attaches the update method for this host and guest.
func (e *evaluator) remediation(s *vmState) {
	fallback := false
	defer func() { s.noteDataExchangeOff(fallback) }()
	if s.primary == RuleGuestNewer {
		return // nothing to update in the guest
	}
	switch s.a.Action {
	case ActionUpgradeRecommended, ActionUpgradeRequired, ActionInvestigate, ActionIgnore:
	default:
		if s.primary != RuleHostUnversioned {
			return
		}
	}
	r, ok := e.t.RemediationFor(s.a.HostFamily, s.a.GuestOS, s.vm.linux)
	if !ok && s.primary == RuleHostUnversioned {
		// The guest's OS unknown: the host's Windows Update row.
		r, ok = e.t.windowsUpdateRow(s.a.HostFamily)
	}
	if !ok {
		return
	}
	if off, ref := s.dataExchangeDisabled(); off && r.Method == MethodWindowsUpdate && r.Fallback != MethodUnknown {
		r.FallbackApplies, fallback = true, true
		s.params["remediationFallback"] = r.Fallback.String()
		id := "data-exchange-disabled"
		if ref != nil {
			id = "data-exchange-disabled-host" // the host's Get-VMIntegrationService row
		}
		s.note(id, r.Fallback.String(), ref)
	}
	s.a.Remediation = &r
	s.params["remediation"] = r.ID
}

// windowsUpdateRow is the first Windows Update row of the host family.
func (t *Table) windowsUpdateRow(f HostFamily) (Remediation, bool) {
	for _, r := range t.remediations {
		if r.HostFamily == f && !r.Linux && r.Method == MethodWindowsUpdate {
			return r, true
		}
	}
	return Remediation{}, false
}

// eventRefs returns the events' references, with time and label filled,
// sorted.
func eventRefs(cs ...[]classified) []Ref {
	var out []Ref
	for _, list := range cs {
		for _, c := range list {
			out = append(out, eventRef(c))
		}
	}
	sortRefs(out)
	return out
}

func eventRef(c classified) Ref {
	r := c.ev.Ref
	if r.Time.IsZero() {
		r.Time = c.ev.Time
	}
	if r.What == "" {
		r.What = fmt.Sprintf("%s %d", c.ev.Provider, c.ev.EventID)
	}
	return r
}

// emit records the assessment and its findings.
func (e *evaluator) emit(s *vmState) {
	a := &s.a
	s.versionParams()
	e.remediation(s)
	a.Missing = s.missing
	if len(s.missing) > 0 {
		ms := make([]string, len(s.missing))
		for i, m := range s.missing {
			ms[i] = m.String()
		}
		s.params["missing"] = strings.Join(ms, ",")
	}
	var refs []Ref
	if s.primary == RuleConflictGuest {
		for _, g := range s.vm.guests {
			refs = append(refs, g.Refs...)
		}
	} else {
		if a.HostIC.Ref != nil && s.primary != RuleLinux {
			refs = append(refs, *a.HostIC.Ref)
		}
		if a.GuestIC.Ref != nil && s.primary != RuleLinux {
			refs = append(refs, *a.GuestIC.Ref)
		}
		refs = append(refs, eventRefs(s.evidenceEvents())...)
	}
	a.Refs = capRefs(refs, e.o.MaxRefs)
	sort.Strings(s.rules)
	a.RuleIDs = s.rules
	a.Explanation = e.explain(s)
	n := len(e.res.VMs) + 1 // the 1-based index of this VM, before sorting
	for _, id := range s.rules {
		f := e.vmFinding(s, id)
		f.VM = n
		e.res.Findings = append(e.res.Findings, f)
	}
	e.res.VMs = append(e.res.VMs, *a)
	if e.eventVM == nil {
		e.eventVM = map[*Event]int{}
	}
	for _, c := range s.vm.events {
		e.eventVM[c.ev] = n
	}
}

// vmFinding builds the finding of rule id for the VM.
func (e *evaluator) vmFinding(s *vmState, id string) Finding {
	a := &s.a
	fr, p := a.Refs, s.params
	switch id {
	case RuleStorageIO:
		fr = capRefs(eventRefs(s.ev.storageIO), e.o.MaxRefs)
		p = map[string]string{"events": strconv.Itoa(len(s.ev.storageIO))}
	case RuleKvpNotRunning:
		fr = capRefs(eventRefs(s.ev.kvp), e.o.MaxRefs)
		p = map[string]string{"events": strconv.Itoa(len(s.ev.kvp))}
	case RuleKB975354Backup:
		fr = nil
		for _, r := range s.guest.Refs {
			if strings.Contains(strings.ToLower(r.KeyPath), "vssrequestor") {
				fr = append(fr, r)
			}
		}
	}
	f := e.finding(id, a, p, fr, a.VMName, a.VMID, a.Host)
	if id == s.primary {
		f.Case, f.Action, f.Severity = a.Case, a.Action, a.Severity
	}
	return f
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
		if h.vmCount > 0 && !h.covered(func(ch string) bool { return IntegrationChannel(ch, h.family) }, false) {
			e.res.Findings = append(e.res.Findings, e.finding(RuleMissingIntLog, nil,
				map[string]string{"vms": strconv.Itoa(h.vmCount)}, nil, "", "", h.name))
		}
	}
}
