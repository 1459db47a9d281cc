package kb

import (
	"sort"
	"strings"
)

// useView picks the host's view of the VM (Get-VM) and, when no guest hive
// or export gave a guest, takes the view's IntegrationServicesVersion as
// the guest version (a four-part version other than 0.0.0.0, which hosts
// show for guests without ICs), with a note saying so.
func (s *vmState) useView() {
	views := append([]*VMView(nil), s.vm.views...)
	if len(views) == 0 {
		return
	}
	// Deterministic: the VM's current host first, then file and name.
	sort.SliceStable(views, func(i, j int) bool {
		a, b := views[i], views[j]
		if ha, hb := HostKey(a.Host) == s.vm.hostKey, HostKey(b.Host) == s.vm.hostKey; ha != hb {
			return ha
		}
		if a.Ref.File != b.Ref.File {
			return a.Ref.File < b.Ref.File
		}
		return a.VMName < b.VMName
	})
	s.view = views[0]
	if s.guest != nil || s.vm.linux {
		return
	}
	v, err := ParseVersion(strings.Trim(s.view.ICVersion, " \x00"))
	if err != nil || v.Parts < 4 || v.Equal(Version{Parts: 4}) {
		return
	}
	ref := s.view.Ref
	ref.Value, ref.Data = "IntegrationServicesVersion", s.view.ICVersion
	if ref.What == "" {
		ref.What = "Get-VM IntegrationServicesVersion"
	}
	s.guest = &GuestEvidence{VMID: s.view.VMID, VMName: s.view.VMName, ICVersion: s.view.ICVersion, Refs: []Ref{ref}}
	if s.view.Host != "" {
		s.guest.HostNames = []string{s.view.Host}
	}
	s.guestFromView = true
	s.params["guestVersionSource"] = "host-view"
	s.note("guest-version-from-host-view", s.view.ICVersion, &ref)
}

// judgeView compares the host's IntegrationServicesState with the
// decision: "Update required" agrees with a mismatch (cases 2, 3 and an
// unclassified mismatch), "Up to date" with case 1. A disagreement is a
// note and the "hostView" parameter; a view that is the only word on an
// undetermined VM is noted too.
func (s *vmState) judgeView() {
	if s.view == nil || s.view.ICState == HostICUnknown {
		return
	}
	st := s.view.ICState
	s.params["hostViewState"] = st.String()
	ref := s.view.Ref
	mismatch := s.primary == RuleCase2 || s.primary == RuleCase3 || s.primary == RuleUnclassified
	switch {
	case mismatch || s.primary == RuleCase1:
		if (st == HostICUpdateRequired) == mismatch {
			s.params["hostView"] = "agrees"
			return
		}
		s.params["hostView"] = "disagrees"
		s.note("host-view-disagrees", st.String(), &ref)
	case s.primary == RuleUndetermined || s.primary == RuleInvestigate || s.primary == RuleHostUnversioned:
		s.params["hostView"] = "only-evidence"
		s.note("host-view-state", st.String(), &ref)
	}
}
