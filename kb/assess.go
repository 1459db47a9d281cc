package kb

import (
	"sort"
	"strings"
	"time"
)

// vmState is one VM's assessment in progress: what each step found, for
// the next step, the findings and the explanation.
type vmState struct {
	vm    *vmInfo
	h     *hostInfo
	a     Assessment
	guest *GuestEvidence

	guestConflict    bool
	kernel           Version
	kernelKnown      bool
	hostOK, guestOK  bool             // a four-part version on that side
	hostNotRecorded  bool             // 2016+ host: no GuestInstaller value
	hostShort        bool             // the host value has fewer than four parts
	guestShort       bool             // IntegrationServicesVersion has fewer than four parts
	pkgAmbiguous     bool             // guest OS unknown, Win5x != Win6x, guest equals neither
	pkgGuessed       bool             // guest OS unknown, the guest equals the package chosen
	intCovered       bool             // the host's Integration-Admin (Worker-Admin) log read intact
	intDamaged       bool             // it was read, but lost records to damage
	cmp              int              // guest version compared with host version, when both known
	view             *VMView          // the host's Get-VM view of the VM, when listed
	guestFromView    bool             // the guest version is the view's IntegrationServicesVersion
	dataExchangeOff  bool             // the host lists the VM's Data Exchange as disabled
	dataExchangeRef  *Ref             // that row
	dataExchangeName string           // its service name as listed
	svcMismatch      []*ICServiceView // services whose status is a protocol mismatch

	ev       evSplit
	primary  string
	decisive []classified // the events that decided the case
	rules    []string
	missing  []Missing
	params   map[string]string
	notes    []Explanation
}

// evSplit sorts a VM's events by what they can mean.
type evSplit struct {
	latest    []classified // latest mismatch event per component, on the VM's host
	earlier   []classified // every mismatch event on the VM's host
	other     []classified // mismatch events logged by other hosts
	storageIO []classified
	kvp       []classified
	degraded  []classified // Hyper-V-Worker 23014
	harmless  []classified // harmless for Linux guests
}

func isIncompat(k EventKind) bool {
	return k == EventIncompatible || k == EventNetIncompatible || k == EventStorageIncompatible
}

func isCompat(k EventKind) bool {
	return k == EventCompatible || k == EventNetMismatch || k == EventStorageMismatch
}

// assess decides one VM, step by step, and records its assessment and
// findings.
func (e *evaluator) assess(vm *vmInfo) {
	s := &vmState{vm: vm, params: map[string]string{}}
	s.a = Assessment{VMID: vm.id, VMName: vm.displayName()}
	e.placeHost(s)
	s.pickGuest()
	e.detectLinux(s)
	s.useView()
	e.useServices(s)
	e.choosePackage(s)
	e.readVersions(s)
	e.splitEvents(s)
	e.noteMissing(s)
	e.decide(s)
	s.judgeView()
	s.judgeServices()
	e.advisories(s)
	e.emit(s)
}

func (s *vmState) miss(m Missing) {
	for _, x := range s.missing {
		if x == m {
			return
		}
	}
	s.missing = append(s.missing, m)
}

func (s *vmState) note(id, detail string, ref *Ref) {
	p := map[string]string{"note": id}
	if detail != "" {
		p["detail"] = detail
	}
	s.notes = append(s.notes, Explanation{Kind: ExplainNote, Ref: ref, Params: p})
}

// placeHost finds the VM's current host and its family.
func (e *evaluator) placeHost(s *vmState) {
	vm := s.vm
	s.h = e.hosts[vm.hostKey]
	if s.h != nil {
		s.a.Host, s.a.HostFamily = s.h.name, s.h.family
		return
	}
	if vm.hostKey == "" {
		return
	}
	s.a.Host = vm.hostKey
	for _, v := range vm.views {
		if n := strings.Trim(v.Host, " \t\r\n\x00"); HostKey(n) == vm.hostKey && (s.a.Host == vm.hostKey || n < s.a.Host) {
			s.a.Host = n
		}
	}
	if s.a.Host != vm.hostKey {
		return
	}
	for _, g := range vm.guests {
		if n := firstHost(g.HostNames); HostKey(n) == vm.hostKey {
			s.a.Host = n
			break
		}
	}
}

// pickGuest takes the newest guest hive; hives that disagree on the IC
// version are a conflict.
func (s *vmState) pickGuest() {
	vm := s.vm
	// Oldest first, whatever the input order.
	sort.SliceStable(vm.guests, func(i, j int) bool { return newerGuest(vm.guests[j], vm.guests[i]) })
	if len(vm.guests) == 0 {
		return
	}
	s.guest = vm.guests[0]
	for _, g := range vm.guests[1:] {
		v1, e1 := ParseVersion(s.guest.ICVersion)
		v2, e2 := ParseVersion(g.ICVersion)
		if (e1 == nil) != (e2 == nil) || (e1 == nil && !v1.Equal(v2)) {
			s.guestConflict = true
		}
		if newerGuest(g, s.guest) {
			s.guest = g
		}
	}
	if s.a.HostFamily == FamilyUnknown && s.guest.HostOSMajor > 0 {
		s.a.HostFamily = familyOf(s.guest.HostOSMajor, s.guest.HostOSMinor)
	}
	s.a.GuestOS = s.guest.OS
	if s.guest.Replayed {
		s.params["guestReplayed"] = "true"
		s.a.GuestReplayed = true
	}
	if !s.guest.AutoWritten.IsZero() {
		s.params["guestKvpRefreshed"] = s.guest.AutoWritten.UTC().Format(time.RFC3339)
	}
}

// detectLinux: a caller hint or the guest's own OS name.
func (e *evaluator) detectLinux(s *vmState) {
	vm := s.vm
	for _, hnt := range e.ev.Hints.LinuxVMs {
		if (vm.id != "" && NormalizeVMID(hnt) == vm.id) || vm.hasName(hnt) {
			vm.linux, vm.linuxBy = true, "hint"
		}
	}
	if !vm.linux && s.guest != nil && s.guest.OS.IsLinux() {
		vm.linux, vm.linuxBy = true, "guest-os"
	}
	s.a.Linux = vm.linux
}

// guestRef is the reference of the guest's IntegrationServicesVersion.
func (s *vmState) guestRef() *Ref {
	if s.guest == nil {
		return nil
	}
	for i := range s.guest.Refs {
		if strings.EqualFold(s.guest.Refs[i].Value, "IntegrationServicesVersion") {
			r := s.guest.Refs[i]
			return &r
		}
	}
	if len(s.guest.Refs) > 0 {
		r := s.guest.Refs[0]
		return &r
	}
	return nil
}

// choosePackage picks the host package the guest compares with: Win5x for
// guests before Server 2008 / Vista, Win6x after; with the guest OS
// unknown, Win6x unless the host's Win5x and Win6x differ, when the guest's
// version decides (equal to one: that one, with a note; neither: open).
func (e *evaluator) choosePackage(s *vmState) {
	if s.guest != nil {
		s.kernel, s.kernelKnown = s.guest.OS.Kernel()
	}
	switch {
	case s.kernelKnown && s.kernel.Major < 6:
		s.a.Package, s.a.PackageBasis = PackageWin5x, BasisGuestOS
	case s.kernelKnown:
		s.a.Package, s.a.PackageBasis = PackageWin6x, BasisGuestOS
	default:
		s.a.Package, s.a.PackageBasis = PackageWin6x, BasisGuestUnknown
		if !s.vm.linux && s.guest != nil {
			s.miss(MissingGuestOS)
		}
		e.guessPackage(s)
	}
}

// guessPackage handles an unknown guest OS on a host whose Win5x and Win6x
// packages differ.
func (e *evaluator) guessPackage(s *vmState) {
	raw6, _, only6, _ := s.h.packageValue(PackageWin6x)
	raw5, _, only5, _ := s.h.packageValue(PackageWin5x)
	v6, err6 := ParseVersion(raw6)
	v5, err5 := ParseVersion(raw5)
	if err6 != nil || err5 != nil || only6 || only5 || v6.Equal(v5) || s.guest == nil {
		return
	}
	g, err := ParseVersion(s.guest.ICVersion)
	switch {
	case err != nil || g.Parts < 4:
		s.pkgAmbiguous = true
	case g.Equal(v6):
		s.pkgGuessed = true
	case g.Equal(v5):
		s.a.Package, s.pkgGuessed = PackageWin5x, true
	default:
		s.pkgAmbiguous = true
	}
	if s.pkgGuessed {
		s.note("package-guessed", s.a.Package.String(), nil)
		s.params["packageNote"] = "guessed-" + s.a.Package.String()
	}
	if s.pkgAmbiguous {
		s.note("package-ambiguous", raw5+","+raw6, nil)
		s.params["packageNote"] = "ambiguous"
	}
}

// readVersions reads both sides' versions. A version of fewer than four
// parts is malformed evidence: it is not padded, the side counts as
// unknown, and a note says so.
func (e *evaluator) readVersions(s *vmState) {
	hostRaw, value, only, hostRef := s.h.packageValue(s.a.Package)
	s.a.PackageValue = value
	if only {
		s.a.PackageBasis = BasisOnlyValue
	}
	// A 2016+ host records no package version (known from its hive, or
	// from what the host told the guest).
	s.hostNotRecorded = s.a.HostFamily == Family2016Plus && hostRaw == "" && (s.h == nil || !s.h.conflict)
	if s.hostNotRecorded {
		s.a.Package, s.a.PackageBasis, s.a.PackageValue = PackageUnknown, BasisNotRecorded, ""
	}
	if hostRaw != "" {
		s.a.HostIC, s.hostOK = e.icVersion(hostRaw, hostRef)
		if s.hostOK && s.a.HostIC.Version.Parts < 4 {
			s.hostOK, s.hostShort = false, true
			s.note("host-version-short", s.a.HostIC.Raw, hostRef)
		}
	}
	if s.guest != nil && !s.guestConflict && strings.Trim(s.guest.ICVersion, " \x00") != "" {
		ref := s.guestRef()
		s.a.GuestIC, s.guestOK = e.icVersion(s.guest.ICVersion, ref)
		if s.guestOK && s.a.GuestIC.Version.Parts < 4 {
			s.guestOK, s.guestShort = false, true
			s.a.GuestIC.Release = nil
			s.note("guest-version-short", s.a.GuestIC.Raw, ref)
		}
	}
	if s.hostOK && s.guestOK {
		s.cmp = s.a.GuestIC.Version.Compare(s.a.HostIC.Version)
		s.params["comparison"] = comparisonName(s.cmp)
	}
}

func comparisonName(cmp int) string {
	switch {
	case cmp > 0:
		return "guest-newer"
	case cmp < 0:
		return "guest-older"
	}
	return "equal"
}

// noteMissing lists the evidence that was not available.
func (e *evaluator) noteMissing(s *vmState) {
	vm, h := s.vm, s.h
	switch {
	case vm.hostKey == "":
		s.miss(MissingHost)
	case h == nil || !h.hasRegistry():
		if !vm.linux && !s.hostNotRecorded {
			s.miss(MissingHostRegistry)
		}
	case !s.hostOK && !s.hostNotRecorded && !vm.linux:
		s.miss(MissingHostICVersion)
	}
	if s.guest == nil && !vm.linux {
		s.miss(MissingGuestRegistry)
	} else if s.guest != nil && !s.guestOK && !s.guestConflict && !vm.linux {
		s.miss(MissingGuestICVersion)
	}
	if vm.id == "" {
		s.miss(MissingVMID)
	}
	intLog := func(ch string) bool { return IntegrationChannel(ch, s.a.HostFamily) }
	s.intCovered = h.covered(intLog, true)
	switch {
	case s.intCovered || vm.linux:
	case h.covered(intLog, false):
		// Read, but records were lost: never "not read".
		s.intDamaged = true
		s.params["integrationLog"] = "damaged"
		s.note("integration-log-damaged", "", nil)
	default:
		s.miss(MissingIntegrationLog)
	}
	if !h.covered(isSystemChannel, false) && !vm.linux {
		s.miss(MissingSystemLog)
	}
}
