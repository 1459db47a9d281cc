package kb

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Plain evidence values: no files.

const (
	idA = "6b5c3a1e-0f2d-4c1b-9a8e-1234567890ab"
	idB = "0d9a8b7c-1111-2222-3333-444455556666"
)

var (
	t0       = time.Date(2016, 7, 1, 8, 0, 0, 0, time.UTC) // an early event
	tChange  = time.Date(2016, 8, 1, 8, 0, 0, 0, time.UTC) // the guest's last IC change (Auto last-write)
	tLate    = time.Date(2016, 9, 1, 8, 0, 0, 0, time.UTC) // an event after the change
	tLogLast = time.Date(2016, 10, 1, 8, 0, 0, 0, time.UTC)
)

const (
	v2012R2RTM = "6.3.9600.16384"
	v2012R2Jul = "6.3.9600.18398"
	v2008R2RTM = "6.1.7600.16385"
)

func hostEv(name string, os OSInfo, win6x string) HostEvidence {
	h := HostEvidence{Name: name, OS: os, Registry: true,
		Refs: []Ref{{File: name + "/SOFTWARE", KeyPath: `Microsoft\Windows NT\CurrentVersion\Virtualization\GuestInstaller\Version`, Value: valueWin6x}}}
	if win6x != "" {
		h.GuestInstaller = map[string]string{valueWin6x: win6x + "\x00", valueWin5x: "6.3.9600.16384"}
	}
	return h
}

var (
	os2012R2 = OSInfo{Name: "Windows Server 2012 R2 Datacenter", Version: "6.3", Build: 9600, ProductType: 3}
	os2008R2 = OSInfo{Name: "Windows Server 2008 R2 Enterprise", Version: "6.1", Build: 7601, ProductType: 3}
	os2016   = OSInfo{Name: "Windows Server 2016 Datacenter", Version: "6.3", Major: 10, Build: 14393, ProductType: 3}
	os2012   = OSInfo{Name: "Windows Server 2012 Standard", Version: "6.2", Build: 9200, ProductType: 3}
	os2003   = OSInfo{Name: "Microsoft Windows Server 2003", Major: 5, Minor: 2, Build: 3790}
)

func guestEv(id, name, host, ic string, os OSInfo, auto time.Time) GuestEvidence {
	return GuestEvidence{VMID: id, VMName: name, HostNames: []string{host}, ICVersion: ic, OS: os, AutoWritten: auto,
		Refs: []Ref{{File: name + "/SOFTWARE", KeyPath: `Microsoft\Virtual Machine\Auto`, Value: "IntegrationServicesVersion", Time: auto}}}
}

func event(provider string, id uint32, vmID, vmName, host string, at time.Time, rec uint64) Event {
	return Event{Provider: provider, EventID: id, VMID: vmID, VMName: vmName, Host: host, Time: at,
		Ref: Ref{File: host + "/log.evtx", RecordID: rec}}
}

func cov(host, channel string) LogCoverage {
	return LogCoverage{Host: host, Channel: channel, File: host + "/" + channel + ".evtx", First: t0.Add(-24 * time.Hour), Last: tLogLast}
}

const (
	chInt    = "Microsoft-Windows-Hyper-V-Integration-Admin"
	chWorker = "Microsoft-Windows-Hyper-V-Worker-Admin"
	chSys    = "System"
	pInt     = "Microsoft-Windows-Hyper-V-Integration-Heartbeat"
	pSwitch  = "Microsoft-Windows-Hyper-V-VmSwitch"
)

// bothLogs is the coverage of a host whose System and Integration-Admin
// logs were read.
func bothLogs(host string) []LogCoverage {
	return []LogCoverage{cov(host, chSys), cov(host, chInt)}
}

type vmWant struct {
	cse      Case
	action   Action
	rules    []string
	missing  []Missing
	pkg      Package
	basis    PackageBasis
	resolved bool
	remedy   string // remediation row ID, "" for none
	params   map[string]string
	refs     int // evidence references on the assessment, -1 to skip
}

type caseScenario struct {
	name string
	ev   Evidence
	want vmWant
}

// caseScenarios are one-VM situations and what KB2894285 (and its sister
// rules) make of them.
func caseScenarios() []caseScenario {
	return []caseScenario{
		{
			name: "case 1: versions equal",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2Jul, os2012R2, tChange)},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseMatch, action: ActionNone, rules: []string{RuleCase1}, pkg: PackageWin6x, basis: BasisGuestOS,
				params: map[string]string{"hostVersion": v2012R2Jul, "guestVersion": v2012R2Jul, "guestRelease": "Windows Server 2012 R2 July 2016 rollup", "comparison": "equal"}, refs: 2},
		},
		{
			name: "case 2: versions differ, Integration-Admin read, no 4000",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, tChange)},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseCompatibleMismatch, action: ActionUpgradeRecommended, rules: []string{RuleCase2}, pkg: PackageWin6x, basis: BasisGuestOS,
				remedy: "REM-2012R2-CURRENT", params: map[string]string{"comparison": "guest-older", "hostRelease": "Windows Server 2012 R2 July 2016 rollup", "guestRelease": "Windows Server 2012 R2 RTM"}, refs: 2},
		},
		{
			name: "case 2: a 4010 and a VmSwitch 27 show the mismatch",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2RTM, os2008R2, tChange)},
				Events:   []Event{event(pInt, 4010, idA, "web01", "HV01", tLate, 10), event(pSwitch, 27, idA, "web01", "HV01", tLate, 11)},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseCompatibleMismatch, action: ActionUpgradeRecommended, rules: []string{RuleCase2}, pkg: PackageWin6x, basis: BasisGuestOS,
				remedy: "REM-2012R2-DISK", params: map[string]string{"events": "2", "components": "Heartbeat,Network"}, refs: 4},
		},
		{
			name: "case 3: fresh 4000",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2008R2RTM, os2008R2, tChange)},
				Events:   []Event{event(pInt, 4000, idA, "web01", "HV01", tLate, 12)},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseIncompatibleMismatch, action: ActionUpgradeRequired, rules: []string{RuleCase3}, pkg: PackageWin6x, basis: BasisGuestOS,
				remedy: "REM-2012R2-DISK", params: map[string]string{"events": "1"}, refs: 3},
		},
		{
			name: "case 3: VmSwitch 26, only the System log read",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, tChange)},
				Events:   []Event{event(pSwitch, 26, idA, "web01", "HV01", tLate, 13)},
				Coverage: []LogCoverage{cov("HV01", chSys)}},
			want: vmWant{cse: CaseIncompatibleMismatch, action: ActionUpgradeRequired, rules: []string{RuleCase3}, pkg: PackageWin6x, basis: BasisGuestOS,
				missing: []Missing{MissingIntegrationLog}, remedy: "REM-2012R2-CURRENT", refs: 3},
		},
		{
			name: "case 3: storvsp 5, classic source",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, tChange)},
				Events:   []Event{event("storvsp", 5, "{"+idA+"}", "web01", "HV01", tLate, 14)},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseIncompatibleMismatch, action: ActionUpgradeRequired, rules: []string{RuleCase3}, pkg: PackageWin6x, basis: BasisGuestOS, remedy: "REM-2012R2-CURRENT",
				params: map[string]string{"components": "Storage"}, refs: 3},
		},
		{
			name: "unclassified: versions differ, Integration-Admin not read",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, tChange)},
				Coverage: []LogCoverage{cov("HV01", chSys)}},
			want: vmWant{cse: CaseMismatchUnclassified, action: ActionUpgradeRecommended, rules: []string{RuleUnclassified}, pkg: PackageWin6x, basis: BasisGuestOS,
				missing: []Missing{MissingIntegrationLog}, remedy: "REM-2012R2-CURRENT", refs: 2},
		},
		{
			name: "Integration-Admin read, ends before the Auto key write, quiet: case 2",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests: []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, tChange)},
				Coverage: []LogCoverage{cov("HV01", chSys),
					{Host: "HV01", Channel: chInt, First: t0.Add(-time.Hour), Last: tChange.Add(-time.Hour)}}},
			want: vmWant{cse: CaseCompatibleMismatch, action: ActionUpgradeRecommended, rules: []string{RuleCase2}, pkg: PackageWin6x, basis: BasisGuestOS,
				remedy: "REM-2012R2-CURRENT", refs: 2},
		},
		{
			name: "linux by hint (name): mismatch events harmless",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Events:   []Event{event(pSwitch, 27, idA, "lnx01", "HV01", tLate, 20), event("storvsp", 6, idA, "lnx01", "HV01", tLate, 21)},
				Coverage: bothLogs("HV01"), Hints: Hints{LinuxVMs: []string{"LNX01"}}},
			want: vmWant{cse: CaseLinuxGuest, action: ActionIgnore, rules: []string{RuleLinux}, pkg: PackageWin6x, basis: BasisGuestUnknown,
				remedy: "REM-2012R2-LINUX", params: map[string]string{"linuxBy": "hint", "events": "2", "components": "Network,Storage"}, refs: 2},
		},
		{
			name: "linux by hint (ID, braces and upper case)",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Events:   []Event{event("storvsp", 6, idA, "lnx01", "HV01", tLate, 21)},
				Coverage: bothLogs("HV01"), Hints: Hints{LinuxVMs: []string{"{6B5C3A1E-0F2D-4C1B-9A8E-1234567890AB}"}}},
			want: vmWant{cse: CaseLinuxGuest, action: ActionIgnore, rules: []string{RuleLinux}, pkg: PackageWin6x, basis: BasisGuestUnknown, remedy: "REM-2012R2-LINUX", refs: 1},
		},
		{
			name: "linux from the guest's OS name",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{{VMID: idA, VMName: "lnx01", HostNames: []string{"HV01"}, OS: OSInfo{Name: "Ubuntu 16.04 LTS"}}},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseLinuxGuest, action: ActionIgnore, rules: []string{RuleLinux}, pkg: PackageWin6x, basis: BasisGuestUnknown,
				remedy: "REM-2012R2-LINUX", params: map[string]string{"linuxBy": "guest-os"}, refs: 0},
		},
		{
			name: "resolved since: earlier 4000 and 4010, versions now equal",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2Jul, os2012R2, tChange)},
				Events:   []Event{event(pInt, 4000, idA, "web01", "HV01", t0, 30), event(pInt, 4010, idA, "web01", "HV01", t0, 31)},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseMatch, action: ActionNone, rules: []string{RuleCase1, RuleResolved}, pkg: PackageWin6x, basis: BasisGuestOS, resolved: true,
				params: map[string]string{"resolvedEvents": "2", "lastMismatchEvent": "2016-07-01T08:00:00Z"}, refs: 4},
		},
		{
			name: "versions equal, a 4000 after the Auto key write: case 1, resolved since",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2Jul, os2012R2, tChange)},
				Events:   []Event{event(pInt, 4000, idA, "web01", "HV01", t0, 30), event(pInt, 4000, idA, "web01", "HV01", tLate, 32)},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseMatch, action: ActionNone, rules: []string{RuleCase1, RuleResolved}, pkg: PackageWin6x, basis: BasisGuestOS, resolved: true,
				params: map[string]string{"resolvedEvents": "2", "lastMismatchEvent": "2016-09-01T08:00:00Z"}, refs: 4},
		},
		{
			name: "versions equal, 4000 present, Auto time unknown: case 1, resolved since",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2Jul, os2012R2, time.Time{})},
				Events:   []Event{event(pInt, 4000, idA, "web01", "HV01", t0, 30)},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseMatch, action: ActionNone, rules: []string{RuleCase1, RuleResolved}, pkg: PackageWin6x, basis: BasisGuestOS, resolved: true,
				params: map[string]string{"resolvedEvents": "1"}, refs: 3},
		},
		{
			name: "older 4000, versions still differ: case 3 (the Auto key write does not demote it)",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", "6.3.9600.17831", os2012R2, tChange)},
				Events:   []Event{event(pInt, 4000, idA, "web01", "HV01", t0, 30)},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseIncompatibleMismatch, action: ActionUpgradeRequired, rules: []string{RuleCase3}, pkg: PackageWin6x, basis: BasisGuestOS,
				remedy: "REM-2012R2-CURRENT", params: map[string]string{"events": "1", "guestRelease": "Windows Server 2012 R2 with KB3063283 (2015)"}, refs: 3},
		},
		{
			name: "no guest hive, a 4000: investigate, case 3 if Windows",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Events:   []Event{event(pInt, 4000, "{"+idA+"}", "web01", "hv01.contoso.local", tLate, 40)},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseUndetermined, action: ActionInvestigate, rules: []string{RuleInvestigate}, pkg: PackageWin6x, basis: BasisGuestUnknown,
				missing: []Missing{MissingGuestRegistry}, params: map[string]string{"ifWindows": "incompatible-mismatch", "ifLinux": "linux-guest"}, refs: 2},
		},
		{
			name: "no guest hive, a 4010, Integration-Admin read: investigate, case 2 if Windows",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Events:   []Event{event(pInt, 4010, idA, "web01", "HV01", tLate, 41)},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseUndetermined, action: ActionInvestigate, rules: []string{RuleInvestigate}, pkg: PackageWin6x, basis: BasisGuestUnknown,
				missing: []Missing{MissingGuestRegistry}, params: map[string]string{"ifWindows": "compatible-mismatch"}, refs: 2},
		},
		{
			name: "no guest hive, a storvsp 6, Integration-Admin not read: investigate, unclassified if Windows",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Events:   []Event{event("storvsp", 6, idA, "web01", "HV01", tLate, 42)},
				Coverage: []LogCoverage{cov("HV01", chSys)}},
			want: vmWant{cse: CaseUndetermined, action: ActionInvestigate, rules: []string{RuleInvestigate}, pkg: PackageWin6x, basis: BasisGuestUnknown,
				missing: []Missing{MissingGuestRegistry, MissingIntegrationLog}, params: map[string]string{"ifWindows": "mismatch-unclassified"}, refs: 2},
		},
		{
			name: "undetermined: guest only, host unknown",
			ev:   Evidence{Guests: []GuestEvidence{{VMID: idA, VMName: "web01", ICVersion: v2012R2RTM, OS: os2012R2}}},
			want: vmWant{cse: CaseUndetermined, action: ActionInvestigate, rules: []string{RuleUndetermined}, pkg: PackageWin6x, basis: BasisGuestOS,
				missing: []Missing{MissingHost, MissingIntegrationLog, MissingSystemLog}, refs: 0},
		},
		{
			name: "undetermined: host hive not read",
			ev:   Evidence{Guests: []GuestEvidence{guestEv(idA, "web01", "HV09", v2012R2RTM, os2012R2, tChange)}},
			want: vmWant{cse: CaseUndetermined, action: ActionInvestigate, rules: []string{RuleUndetermined}, pkg: PackageWin6x, basis: BasisGuestOS,
				missing: []Missing{MissingHostRegistry, MissingIntegrationLog, MissingSystemLog}, refs: 1},
		},
		{
			name: "undetermined: pre-2016 host without a Win6x value",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, "")},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, tChange)},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseUndetermined, action: ActionInvestigate, rules: []string{RuleUndetermined}, pkg: PackageWin6x, basis: BasisGuestOS,
				missing: []Missing{MissingHostICVersion}, remedy: "REM-2012R2-CURRENT", refs: 1},
		},
		{
			name: "undetermined: guest IC value unparseable",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", "garbage", os2012R2, tChange)},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseUndetermined, action: ActionInvestigate, rules: []string{RuleUndetermined}, pkg: PackageWin6x, basis: BasisGuestOS,
				missing: []Missing{MissingGuestICVersion}, remedy: "REM-2012R2-CURRENT", refs: 2},
		},
		{
			name: "2016+ host: no GuestInstaller, Worker-Admin read, no events",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV16", os2016, "")},
				Guests:   []GuestEvidence{guestEv(idA, "app01", "HV16", "10.0.14393.0", os2016, tChange)},
				Coverage: []LogCoverage{cov("HV16", chSys), cov("HV16", chWorker)}},
			want: vmWant{cse: CaseHostUnversioned, action: ActionNone, rules: []string{RuleHostUnversioned}, pkg: PackageUnknown, basis: BasisNotRecorded,
				remedy: "REM-2016-CURRENT", params: map[string]string{"hostFamily": "2016+"}, refs: 1},
		},
		{
			name: "2016+ host with a 4000 in Worker-Admin: case 3",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV16", os2016, "")},
				Guests:   []GuestEvidence{guestEv(idA, "app01", "HV16", "6.3.9600.16384", os2012, tChange)},
				Events:   []Event{event("Microsoft-Windows-Hyper-V-Integration-VSS", 4000, idA, "app01", "HV16", tLate, 50)},
				Coverage: []LogCoverage{cov("HV16", chSys), cov("HV16", chWorker)}},
			want: vmWant{cse: CaseIncompatibleMismatch, action: ActionUpgradeRequired, rules: []string{RuleCase3, RuleHost2016}, pkg: PackageUnknown, basis: BasisNotRecorded,
				remedy: "REM-2016-DATAEXCHANGE", params: map[string]string{"components": "VSS"}, refs: 2},
		},
		{
			name: "2016+ host, no logs: host-unversioned, the logs missing",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV16", os2016, "")},
				Guests: []GuestEvidence{guestEv(idA, "app01", "HV16", "10.0.14393.0", os2016, tChange)}},
			want: vmWant{cse: CaseHostUnversioned, action: ActionNone, rules: []string{RuleHostUnversioned}, pkg: PackageUnknown, basis: BasisNotRecorded,
				missing: []Missing{MissingIntegrationLog, MissingSystemLog}, remedy: "REM-2016-CURRENT", refs: 1},
		},
		{
			name: "damaged Integration-Admin log proves no absence: unclassified",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests: []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, tChange)},
				Coverage: []LogCoverage{cov("HV01", chSys),
					{Host: "HV01", Channel: chInt, First: t0, Last: tLogLast, Damaged: true}}},
			want: vmWant{cse: CaseMismatchUnclassified, action: ActionUpgradeRecommended, rules: []string{RuleUnclassified}, pkg: PackageWin6x, basis: BasisGuestOS,
				remedy: "REM-2012R2-CURRENT", params: map[string]string{"integrationLog": "damaged"}, refs: 2},
		},
		{
			name: "2016+ host known from the guest's Parameters only, Worker-Admin read",
			ev: func() Evidence {
				g := guestEv(idA, "app01", "HV16", "10.0.17763.1", OSInfo{Major: 10, Build: 17763}, tChange)
				g.HostOSMajor, g.HostOSMinor = 10, 0
				return Evidence{Guests: []GuestEvidence{g}, Coverage: []LogCoverage{cov("HV16", chSys), cov("HV16", chWorker)}}
			}(),
			want: vmWant{cse: CaseHostUnversioned, action: ActionNone, rules: []string{RuleHostUnversioned}, pkg: PackageUnknown, basis: BasisNotRecorded,
				remedy: "REM-2016-CURRENT", params: map[string]string{"hostFamily": "2016+"}, refs: 1},
		},
		{
			name: "Win5x package for a Server 2003 guest",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "old01", "HV01", v2012R2RTM, os2003, tChange)},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseMatch, action: ActionNone, rules: []string{RuleCase1}, pkg: PackageWin5x, basis: BasisGuestOS,
				params: map[string]string{"packageValue": valueWin5x, "hostVersion": v2012R2RTM}, refs: 2},
		},
		{
			name: "guest OS unknown: Win6x assumed and said",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2Jul, OSInfo{}, tChange)},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseMatch, action: ActionNone, rules: []string{RuleCase1}, pkg: PackageWin6x, basis: BasisGuestUnknown,
				missing: []Missing{MissingGuestOS}, refs: 2},
		},
		{
			name: "only the unsuffixed package value",
			ev: Evidence{Hosts: []HostEvidence{{Name: "HV01", OS: os2012, Registry: true, GuestInstaller: map[string]string{valueNoSufix: "6.2.9200.16433"}}},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", "6.2.9200.16433\x00", os2012, tChange)},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseMatch, action: ActionNone, rules: []string{RuleCase1}, pkg: PackageWin6x, basis: BasisOnlyValue,
				params: map[string]string{"hostRelease": "Windows Server 2012 IC update"}, refs: 1},
		},
		{
			name: "guest newer than host: its own outcome, no guest upgrade",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2RTM)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2Jul, os2012R2, tChange)},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseGuestNewer, action: ActionNone, rules: []string{RuleGuestNewer}, pkg: PackageWin6x, basis: BasisGuestOS,
				params: map[string]string{"comparison": "guest-newer"}, refs: 2},
		},
		{
			name: "KB975354: 2008 R2 host, old guest ICs, no BackupType",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV08", os2008R2, "6.1.7601.17514")},
				Guests:   []GuestEvidence{guestEv(idA, "sql01", "HV08", v2008R2RTM, os2008R2, tChange)},
				Coverage: bothLogs("HV08")},
			want: vmWant{cse: CaseCompatibleMismatch, action: ActionUpgradeRecommended, rules: []string{RuleCase2, RuleKB975354Backup, RuleKB975354Guest}, pkg: PackageWin6x, basis: BasisGuestOS,
				remedy: "REM-2008R2-DISK", params: map[string]string{"backupType": "absent", "hostFamily": "2008r2"}, refs: 2},
		},
		{
			name: "KB975354: BackupType 1 protects; current ICs",
			ev: func() Evidence {
				g := guestEv(idA, "sql01", "HV08", "6.1.7601.17514", os2008R2, tChange)
				one := uint32(1)
				g.BackupType = &one
				return Evidence{Hosts: []HostEvidence{hostEv("HV08", os2008R2, "6.1.7601.17514")}, Guests: []GuestEvidence{g}, Coverage: bothLogs("HV08")}
			}(),
			want: vmWant{cse: CaseMatch, action: ActionNone, rules: []string{RuleCase1}, pkg: PackageWin6x, basis: BasisGuestOS, refs: 2},
		},
		{
			name: "KB975354: BackupType 0 exposed",
			ev: func() Evidence {
				g := guestEv(idA, "sql01", "HV08", "6.1.7601.17514", os2008R2, tChange)
				zero := uint32(0)
				g.BackupType = &zero
				return Evidence{Hosts: []HostEvidence{hostEv("HV08", os2008R2, "6.1.7601.17514")}, Guests: []GuestEvidence{g}, Coverage: bothLogs("HV08")}
			}(),
			want: vmWant{cse: CaseMatch, action: ActionNone, rules: []string{RuleCase1, RuleKB975354Backup}, pkg: PackageWin6x, basis: BasisGuestOS,
				params: map[string]string{"backupType": "0"}, refs: 2},
		},
		{
			name: "KB975354: host unknown, 6.1 ICs, no BackupType",
			ev:   Evidence{Guests: []GuestEvidence{{VMID: idA, VMName: "sql01", ICVersion: v2008R2RTM, OS: os2008R2}}},
			want: vmWant{cse: CaseUndetermined, action: ActionInvestigate, rules: []string{RuleUndetermined, RuleKB975354Backup, RuleKB975354Guest}, pkg: PackageWin6x, basis: BasisGuestOS,
				missing: []Missing{MissingHost, MissingIntegrationLog, MissingSystemLog}, params: map[string]string{"guestRelease": "Windows Server 2008 R2 RTM"}, refs: 0},
		},
		{
			name: "host family from the guest's Parameters when the host hive is absent",
			ev: func() Evidence {
				g := guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, tChange)
				g.HostOSMajor, g.HostOSMinor = 6, 3
				return Evidence{Guests: []GuestEvidence{g}, Events: []Event{event(pInt, 4000, idA, "web01", "HV01", tLate, 60)}, Coverage: bothLogs("HV01")}
			}(),
			want: vmWant{cse: CaseIncompatibleMismatch, action: ActionUpgradeRequired, rules: []string{RuleCase3}, pkg: PackageWin6x, basis: BasisGuestOS,
				missing: []Missing{MissingHostRegistry}, remedy: "REM-2012R2-CURRENT", params: map[string]string{"hostFamily": "2012r2"}, refs: 2},
		},
		{
			name: "StorageVSP 6 is an I/O error, not a mismatch",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2Jul, os2012R2, tChange)},
				Events:   []Event{event("Microsoft-Windows-Hyper-V-StorageVSP", 6, idA, "web01", "HV01", tLate, 70)},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseMatch, action: ActionNone, rules: []string{RuleStorageIO, RuleCase1}, pkg: PackageWin6x, basis: BasisGuestOS, refs: 2},
		},
		{
			name: "Data Exchange 4096 noted, no effect on the case",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2Jul, os2012R2, tChange)},
				Events:   []Event{event("Microsoft-Windows-Hyper-V-Integration-KvpExchange", 4096, idA, "web01", "HV01", tLate, 71)},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseMatch, action: ActionNone, rules: []string{RuleKvpNotRunning, RuleCase1}, pkg: PackageWin6x, basis: BasisGuestOS, refs: 2},
		},
		{
			name: "Worker 23014 on a Windows guest does not decide",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2Jul, os2012R2, tChange)},
				Events:   []Event{event("Microsoft-Windows-Hyper-V-Worker", 23014, idA, "web01", "HV01", tLate, 72)},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseMatch, action: ActionNone, rules: []string{RuleCase1}, pkg: PackageWin6x, basis: BasisGuestOS, refs: 2},
		},
		{
			name: "a kind set by the caller is kept",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests: []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, tChange)},
				Events: []Event{{Kind: EventIncompatible, Provider: "Some-Other-Provider", EventID: 1, VMID: idA, Host: "HV01", Time: tLate,
					Ref: Ref{File: "x.evtx", RecordID: 3}}},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseIncompatibleMismatch, action: ActionUpgradeRequired, rules: []string{RuleCase3}, pkg: PackageWin6x, basis: BasisGuestOS, remedy: "REM-2012R2-CURRENT", refs: 3},
		},
		{
			name: "a caller-set mismatch kind is harmless for a Linux guest too",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Events: []Event{{Kind: EventStorageMismatch, Provider: "storvsp-renamed", EventID: 6, VMID: idA, Host: "HV01", Time: tLate,
					Ref: Ref{File: "x.evtx", RecordID: 4}}},
				Coverage: bothLogs("HV01"), Hints: Hints{LinuxVMs: []string{idA}}},
			want: vmWant{cse: CaseLinuxGuest, action: ActionIgnore, rules: []string{RuleLinux}, pkg: PackageWin6x, basis: BasisGuestUnknown,
				remedy: "REM-2012R2-LINUX", params: map[string]string{"events": "1", "components": "Storage"}, refs: 1},
		},
		{
			name: "events of providers outside the catalogue are ignored",
			ev: Evidence{Hosts: []HostEvidence{hostEv("HV01", os2012R2, v2012R2Jul)},
				Guests:   []GuestEvidence{guestEv(idA, "web01", "HV01", v2012R2Jul, os2012R2, tChange)},
				Events:   []Event{event("Service Control Manager", 4000, idA, "web01", "HV01", tLate, 73)},
				Coverage: bothLogs("HV01")},
			want: vmWant{cse: CaseMatch, action: ActionNone, rules: []string{RuleCase1}, pkg: PackageWin6x, basis: BasisGuestOS, refs: 2},
		},
	}
}

func TestEvaluateCases(t *testing.T) {
	for _, tt := range caseScenarios() {
		t.Run(tt.name, func(t *testing.T) {
			res := Default().Evaluate(tt.ev)
			require.Len(t, res.VMs, 1)
			a := res.VMs[0]
			assert.Equal(t, tt.want.cse, a.Case, "case")
			assert.Equal(t, tt.want.action, a.Action, "action")
			assert.Equal(t, tt.want.rules, a.RuleIDs, "rules")
			assert.Equal(t, tt.want.missing, a.Missing, "missing")
			assert.Equal(t, tt.want.pkg, a.Package, "package")
			assert.Equal(t, tt.want.basis, a.PackageBasis, "basis")
			assert.Equal(t, tt.want.resolved, a.Resolved, "resolved")
			if tt.want.remedy == "" {
				assert.Nil(t, a.Remediation, "remediation")
			} else if assert.NotNil(t, a.Remediation, "remediation") {
				assert.Equal(t, tt.want.remedy, a.Remediation.ID)
			}
			if tt.want.refs >= 0 {
				assert.Len(t, a.Refs, tt.want.refs, "refs")
			}
			// The case, severity and action come from the deciding rule.
			primary := a.RuleID
			assert.Contains(t, a.RuleIDs, primary)
			r, ok := Default().Rule(primary)
			require.True(t, ok)
			assert.Equal(t, r.Severity, a.Severity)
			assert.Equal(t, r.Action, a.Action)
			if primary != RuleConflictGuest {
				assert.Equal(t, r.Case, a.Case)
			}
			// One finding per rule of the VM, carrying the parameters.
			var found []string
			for _, f := range res.Findings {
				if f.VMID == a.VMID && f.VMName == a.VMName && f.Host == a.Host && a.VMID != "" {
					found = append(found, f.RuleID)
					if f.RuleID == primary {
						assert.Equal(t, a.Case, f.Case)
						for k, v := range tt.want.params {
							assert.Equal(t, v, f.Params[k], "param %s", k)
						}
					}
				}
			}
			assert.ElementsMatch(t, a.RuleIDs, found)
		})
	}
}
