package kb

import (
	"sort"
	"strings"
)

// ServiceStatus classes of Table.ServiceStatus.
const (
	// ServiceStatusProtocolMismatch: the component installed in the guest
	// speaks another protocol version than the host expects, a hint of an
	// IC version mismatch.
	ServiceStatusProtocolMismatch = "protocol-mismatch"
	// ServiceStatusNoContact: the host has no contact with the component
	// in the guest (ICs missing or not running, or the VM off).
	ServiceStatusNoContact = "no-contact"
)

// statusPatterns map status descriptions, lower case, to their class. The
// English ones are what Hyper-V writes (domain reference §7; the long
// protocol sentence is the CIM status description); the Japanese ones
// are [unverified] guesses at a localised host's wording.
var statusPatterns = []struct{ substr, class string }{
	{"protocol version mismatch", ServiceStatusProtocolMismatch},
	{"does not match the version expected", ServiceStatusProtocolMismatch},
	{"protocolmismatch", ServiceStatusProtocolMismatch},
	{"プロトコル バージョンが一致しません", ServiceStatusProtocolMismatch}, // [unverified]
	{"プロトコルのバージョンが一致しません", ServiceStatusProtocolMismatch}, // [unverified]
	{"no contact", ServiceStatusNoContact},
	{"nocontact", ServiceStatusNoContact},
	{"lost communication", ServiceStatusNoContact},
	{"接続なし", ServiceStatusNoContact},      // [unverified]
	{"通信が失われました", ServiceStatusNoContact}, // [unverified]
}

// ServiceStatus classes a Get-VMIntegrationService status (Primary- and
// SecondaryStatusDescription): ServiceStatusProtocolMismatch,
// ServiceStatusNoContact, or "" for OK and anything not recognised. A
// protocol mismatch in either description wins over no contact.
func ServiceStatus(primary, secondary string) string {
	s := strings.ToLower(primary + "\n" + secondary)
	class := ""
	for _, p := range statusPatterns {
		if strings.Contains(s, p.substr) && (class == "" || p.class == ServiceStatusProtocolMismatch) {
			class = p.class
		}
	}
	return class
}

// ServiceNamed returns the integration service Get-VMIntegrationService
// lists by this name (Service.HostNames, then HostNamesUnverified, then
// the service's titles), compared case-insensitively; unverified reports
// a match on an unverified name.
func (t *Table) ServiceNamed(name string) (s Service, unverified, ok bool) {
	n := strings.TrimSpace(name)
	if n == "" {
		return Service{}, false, false
	}
	for pass := 0; pass < 3; pass++ {
		for _, sv := range t.services {
			var names []string
			switch pass {
			case 0:
				names = sv.HostNames
			case 1:
				names = sv.HostNamesUnverified
			default:
				names = []string{sv.Text("en").Title, sv.Text("ja").Title}
			}
			for _, x := range names {
				if x != "" && strings.EqualFold(x, n) {
					return copyService(sv), pass > 0, true
				}
			}
		}
	}
	return Service{}, false, false
}

// collectServices files the hosts' service views with a VM ID under it;
// those with only a name are returned for attribution by name.
func (e *evaluator) collectServices(x *vmIndex) []pending {
	return collectHostRows(x, e.ev.ICServices,
		func(v *ICServiceView) (string, string) { return v.VMID, v.VMName },
		func(vm *vmInfo, v *ICServiceView) { vm.services = append(vm.services, v) },
		func(v *ICServiceView) pending { return pending{service: v, name: v.VMName, host: v.Host} })
}

// useServices reads the host's Get-VMIntegrationService rows of the VM,
// one per service (the VM's current host first): a disabled Data
// Exchange sets dataExchangeOff, as the guest's SYSTEM hive does; other
// disabled services are noted, the Guest Service Interface (off by
// default, seed 003) as information only; status descriptions are
// classed for judgeServices.
func (e *evaluator) useServices(s *vmState) {
	views := append([]*ICServiceView(nil), s.vm.services...)
	if len(views) == 0 {
		return
	}
	sort.SliceStable(views, func(i, j int) bool {
		a, b := views[i], views[j]
		if ha, hb := HostKey(a.Host) == s.vm.hostKey, HostKey(b.Host) == s.vm.hostKey; ha != hb {
			return ha
		}
		return a.Ref.File < b.Ref.File // stable: rows keep their order
	})
	seen := map[string]bool{}
	var disabled []string
	for _, v := range views {
		sv, unverified, known := e.t.ServiceNamed(v.Name)
		key := strings.ToLower(strings.TrimSpace(v.Name))
		if known {
			key = sv.ID
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		ref := v.Ref
		if unverified {
			s.params["serviceNamesUnverified"] = "true"
		}
		if v.Enabled != nil && !*v.Enabled {
			disabled = append(disabled, v.Name)
			switch {
			case known && sv.ID == "kvp":
				s.dataExchangeOff, s.dataExchangeRef, s.dataExchangeName = true, &ref, v.Name
			case known && sv.DefaultEnabled == "disabled":
				s.note("service-off-by-default", v.Name, &ref)
			default:
				s.note("service-disabled", v.Name, &ref)
			}
		}
		switch ServiceStatus(v.PrimaryStatus, v.SecondaryStatus) {
		case ServiceStatusProtocolMismatch:
			s.svcMismatch = append(s.svcMismatch, v)
		case ServiceStatusNoContact:
			if v.Enabled == nil || *v.Enabled {
				s.note("service-no-contact", v.Name, &ref)
			}
		}
	}
	if len(disabled) > 0 {
		s.params["servicesDisabled"] = strings.Join(disabled, ",")
	}
}

// noteDataExchangeOff notes the host's disabled Data Exchange when the
// remediation's fallback did not say it (no fallback applies to the
// host and guest, or no remediation).
func (s *vmState) noteDataExchangeOff(fallback bool) {
	if s.dataExchangeOff && !fallback {
		s.note("service-disabled", s.dataExchangeName, s.dataExchangeRef)
	}
}

// dataExchangeDisabled reports whether Data Exchange is known to be off
// for the VM: in the guest (its SYSTEM hive) or on the host
// (Get-VMIntegrationService), with the host row's reference.
func (s *vmState) dataExchangeDisabled() (bool, *Ref) {
	if g := s.guest; g != nil && g.DataExchangeDisabled != nil && *g.DataExchangeDisabled {
		return true, nil
	}
	return s.dataExchangeOff, s.dataExchangeRef
}

// judgeServices weighs the host's protocol-mismatch statuses against the
// decision, as judgeView does the IntegrationServicesState: they agree
// with a mismatch (cases 2, 3, unclassified), disagree with case 1 (a
// note), and are the only word on an open verdict (a note).
func (s *vmState) judgeServices() {
	if len(s.svcMismatch) == 0 {
		return
	}
	var names []string
	for _, v := range s.svcMismatch {
		names = append(names, v.Name)
	}
	detail := strings.Join(names, ",")
	s.params["serviceStatus"] = ServiceStatusProtocolMismatch
	s.params["serviceStatusServices"] = detail
	ref := s.svcMismatch[0].Ref
	switch s.primary {
	case RuleCase2, RuleCase3, RuleUnclassified:
		s.params["serviceStatusView"] = "agrees"
	case RuleCase1:
		s.params["serviceStatusView"] = "disagrees"
		s.note("service-status-disagrees", detail, &ref)
	case RuleUndetermined, RuleInvestigate, RuleHostUnversioned:
		s.params["serviceStatusView"] = "only-evidence"
		s.note("service-protocol-mismatch", detail, &ref)
	}
}
