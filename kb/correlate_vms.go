package kb

import "strings"

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
