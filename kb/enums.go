package kb

import (
	"fmt"
	"strings"
)

// Case is the KB2894285 case a VM falls in.
type Case uint8

// Cases. The zero value is not a case; it marks a field left unset.
const (
	CaseMatch                Case = iota + 1 // case 1: host and guest IC versions equal
	CaseCompatibleMismatch                   // case 2: versions differ, no event 4000
	CaseIncompatibleMismatch                 // case 3: event 4000 (or a device that could not load)
	CaseMismatchUnclassified                 // versions differ but the host's Integration-Admin log was not read
	CaseLinuxGuest                           // Linux guest: no IC package; mismatch events harmless
	CaseUndetermined                         // not enough evidence (or the evidence disagrees)
	CaseGuestNewer                           // the guest's ICs are newer than the host offers: nothing to upgrade in the guest
	CaseHostUnversioned                      // 2016+ host: it records no offered version, so "versions match" cannot be established
)

var caseNames = []string{"unset", "match", "compatible-mismatch", "incompatible-mismatch", "mismatch-unclassified", "linux-guest", "undetermined", "guest-newer", "host-unversioned"}

// Action is what to do about a VM.
type Action uint8

// Actions. The zero value is not an action; it marks a field left unset.
const (
	ActionNone               Action = iota + 1 // nothing to do
	ActionUpgradeRecommended                   // update the guest ICs (supported as is)
	ActionUpgradeRequired                      // update the guest ICs (unsupported as is)
	ActionIgnore                               // the messages are harmless; exclude them from monitoring
	ActionInvestigate                          // the evidence disagrees or is incomplete: look by hand
)

var actionNames = []string{"unset", "none", "upgrade-recommended", "upgrade-required", "ignore", "investigate"}

// Severity ranks findings, and the problems of a scan: it is the one
// severity type of the module (result.Severity is this type). Problems use
// three levels: info (damage in a file that cannot hold IC evidence),
// medium (nothing lost, or a guess) and high (evidence may be lost).
type Severity uint8

// Severities, in increasing order. The zero value marks a field left unset.
const (
	SeverityInfo   Severity = iota + 1 // informational
	SeverityLow                        // supported, improvement advised
	SeverityMedium                     // needs a look
	SeverityHigh                       // unsupported or at risk
)

var severityNames = []string{"unset", "info", "low", "medium", "high"}

// Package is the host IC package a guest is compared with.
type Package uint8

// Packages.
const (
	PackageUnknown Package = iota // no package could be chosen
	PackageWin6x                  // Microsoft-Hyper-V-Guest-Installer-Win6x-Package: Server 2008 / Vista and later
	PackageWin5x                  // Microsoft-Hyper-V-Guest-Installer-Win5x-Package: XP / Server 2003
)

var packageNames = []string{"unknown", "win6x", "win5x"}

// PackageBasis says why a Package was chosen.
type PackageBasis uint8

// Package bases.
const (
	BasisNone         PackageBasis = iota // no package chosen
	BasisGuestOS                          // from the guest's OS version
	BasisGuestUnknown                     // guest OS unknown: Win6x assumed (every supported guest since 2008)
	BasisOnlyValue                        // the host records a single, unsuffixed package value
	BasisNotRecorded                      // the host records no GuestInstaller key (2016+): nothing to compare
)

var basisNames = []string{"none", "guest-os", "guest-os-unknown", "only-value", "not-recorded"}

// HostFamily is the Windows release family of a Hyper-V host.
type HostFamily uint8

// Host families.
const (
	FamilyUnknown  HostFamily = iota
	Family2008                // Windows Server 2008 (6.0)
	Family2008R2              // Windows Server 2008 R2 / Windows 7 (6.1)
	Family2012                // Windows Server 2012 / Windows 8 (6.2)
	Family2012R2              // Windows Server 2012 R2 / Windows 8.1 (6.3)
	Family2016Plus            // Windows Server 2016 / Windows 10 and later (10.0)
)

var familyNames = []string{"unknown", "2008", "2008r2", "2012", "2012r2", "2016+"}

// EventKind is the meaning of an event in the catalogue.
type EventKind uint8

// Event kinds.
const (
	EventUnknown             EventKind = iota // not classified
	EventIncompatible                         // Integration 4000: incompatible version (case 3)
	EventCompatible                           // Integration 4010: compatible version mismatch (case 2)
	EventKvpNotRunning                        // Integration 4096: data exchange not enabled / not running
	EventNetIncompatible                      // VmSwitch / VMSMP 26: network driver could not load
	EventNetMismatch                          // VmSwitch / VMSMP 27: network driver loaded, different version
	EventStorageIncompatible                  // storvsp 5: storage device could not load
	EventStorageMismatch                      // storvsp 6: storage device loaded, different version
	EventStorageIO                            // Hyper-V-StorageVSP 6: I/O failure, not a mismatch
	EventDegraded                             // Hyper-V-Worker 23014: degraded integration services
	EventRelated                              // from a relevant provider, not in the catalogue
)

var eventKindNames = []string{"unknown", "incompatible", "compatible", "kvp-not-running", "net-incompatible", "net-mismatch", "storage-incompatible", "storage-mismatch", "storage-io", "degraded", "related"}

// Missing names a piece of evidence that was not available.
type Missing uint8

// Missing evidence.
const (
	MissingHost           Missing = iota + 1 // the VM's host is not known
	MissingHostRegistry                      // the host's SOFTWARE hive was not read
	MissingHostICVersion                     // the host's GuestInstaller package value is absent
	MissingGuestRegistry                     // the guest's SOFTWARE hive was not read
	MissingGuestICVersion                    // the guest's IntegrationServicesVersion is absent or unparseable
	MissingGuestOS                           // the guest's OS version is unknown
	MissingIntegrationLog                    // the host's Hyper-V-Integration-Admin (2016+: Worker-Admin) log was not read (a log read with damage is a note, not missing)
	MissingSystemLog                         // the host's System log was not read
	MissingAutoTime                          // the guest's Auto key last-write time is unknown (Evaluate no longer needs it)
	MissingVMID                              // the VM ID is unknown
)

var missingNames = []string{"unset", "host", "host-registry", "host-ic-version", "guest-registry", "guest-ic-version", "guest-os", "integration-log", "system-log", "auto-time", "vm-id"}

// Method is how a guest gets its ICs updated.
type Method uint8

// Update methods.
const (
	MethodUnknown        Method = iota // no method known for this pair
	MethodWindowsUpdate                // Windows Update (host 2016+, or current guests)
	MethodSetupDisk                    // Hyper-V Manager: Action, Insert Integration Services Setup Disk
	MethodCab                          // the IC cab from the Microsoft download centre
	MethodPackageManager               // the Linux distribution's package manager (ICs are in the kernel)
	MethodHotfix                       // a host hotfix first, then the guest ICs
	MethodUnsupported                  // the guest is not supported on this host
)

var methodNames = []string{"unknown", "windows-update", "setup-disk", "cab", "package-manager", "hotfix", "unsupported"}

// Confidence says how well a fact of the table is established (tags of the
// domain reference).
type Confidence uint8

// Confidences.
const (
	ConfidenceUnverified Confidence = iota // plausible, not confirmed
	ConfidenceVerified                     // read in a public source
	ConfidenceSeed                         // stated by the source KB article
)

// ExplainKind says what one Explanation line is about. The Params keys
// each kind fills are listed with it.
type ExplainKind uint8

// Explanation kinds, in the order an Assessment lists them.
//
// ExplainDecisive and ExplainResolved lines about an event also fill
// "host" (the record's Computer), and "ambiguous" ("true") with
// "ambiguousNote" (Event.Note) when the event's fields may be shifted.
// An ExplainDecisive line about a value instead of an event fills "what"
// ("IntegrationServicesVersion", or "linux"), "value" (the version) and
// "basis": "comparison-equal", "comparison-guest-newer",
// "no-event-in-log-read" (case 2 from a quiet or empty log),
// "integration-log-not-read", "integration-log-damaged",
// "host-records-no-version" (2016+ host), or for "linux" the LinuxBy
// ("hint", "guest-os"). ExplainVersions "hostVersion" is "not-recorded" on
// a 2016+ host. ExplainNote "note" IDs: "data-exchange-disabled" (the
// guest's Data Exchange service is disabled, so the remediation's fallback
// applies; "detail" is the fallback method), "package-guessed" (guest OS
// unknown, the guest equals the package in "detail"), "package-ambiguous"
// (it equals neither; "detail" is "win5x,win6x"), "guest-version-short"
// and "host-version-short" (fewer than four parts; "detail" is the value
// as read), "other-host-events" (mismatch events from other hosts, not
// used; "detail" is their count), "linux-hint" (Worker 23014; "detail"
// names it), "ambiguous-event" (a decisive event's fields may be shifted;
// "detail" is Event.Note, Ref the record), "host-2016-events" (events
// decided on a 2016+ host, whose providers are unverified),
// "integration-log-damaged" (the Integration-Admin or Worker-Admin log was
// read but lost records, so it cannot prove a 4000 absent; its period is
// in the log-period line marked "damaged"), "guest-version-from-host-view"
// (no guest hive or export gave the guest's version: the host's Get-VM
// IntegrationServicesVersion stands in; "detail" is the value, Ref the
// file), "host-view-disagrees" (the host's IntegrationServicesState,
// "detail", says the opposite of the verdict), "host-view-state" (the
// verdict is open and the host's IntegrationServicesState, "detail", is
// the only word on it). With a Get-VM view, the primary finding carries
// "hostViewState" (a HostICState name), "hostView" ("agrees",
// "disagrees", "only-evidence") and, when its version stood in,
// "guestVersionSource" ("host-view"). From Get-VMIntegrationService rows
// (Evidence.ICServices): "service-off-by-default" (a service off by
// default, the Guest Service Interface, is disabled: information only;
// "detail" names it), "service-disabled" (another service is disabled, or Data Exchange
// where no remediation fallback applies),
// "service-no-contact" (the host has no contact with an enabled
// service's guest component), "service-status-disagrees" (a protocol
// mismatch status, services in "detail", against case 1),
// "service-protocol-mismatch" (such a status is the only word on an open
// verdict), "data-exchange-disabled-host" (as "data-exchange-disabled",
// from the host's Key-Value Pair Exchange row, its Ref). The primary
// finding carries "servicesDisabled" (names, comma-separated),
// "serviceStatus" ("protocol-mismatch"), "serviceStatusServices",
// "serviceStatusView" ("agrees", "disagrees", "only-evidence") and
// "serviceNamesUnverified" ("true" when a service was known only by an
// unverified name).
const (
	ExplainUnset        ExplainKind = iota
	ExplainDecisive                 // the event or value that decided the case; Params: "what" (event or value label), "eventId", "provider", "component", "kind"
	ExplainVersions                 // host and guest IC versions; Params: "hostVersion", "hostRelease", "guestVersion", "guestRelease", "package", "comparison"
	ExplainLogPeriod                // one host log read, From..To; Params: "channel", "records", "host", "damaged" ("true" when records were lost)
	ExplainGuestRefresh             // guest KVP last refreshed (the Auto key's last-write time) in Time; Params: none required
	ExplainResolved                 // an earlier mismatch event, resolved since (versions equal now); Params as ExplainDecisive
	ExplainMissing                  // evidence that was not available; Params: "missing" (a Missing name)
	ExplainNote                     // anything else the reader must know; Params: "note" (a note ID), "detail"
)

var explainNames = []string{"unset", "decisive", "versions", "log-period", "guest-refresh", "resolved", "missing", "note"}

// String returns the name used in JSON (e.g. "log-period"); unknown values print as "kind(N)".
func (k ExplainKind) String() string { return enumString(explainNames, int(k), "explanation") }

// MarshalText implements encoding.TextMarshaler.
func (k ExplainKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *ExplainKind) UnmarshalText(b []byte) error {
	v, err := enumParse(explainNames, b, "explanation")
	*k = ExplainKind(v)
	return err
}

var confidenceNames = []string{"unverified", "verified", "seed"}

func enumString(names []string, v int, kind string) string {
	if v >= 0 && v < len(names) && names[v] != "" {
		return names[v]
	}
	return fmt.Sprintf("%s(%d)", kind, v)
}

func enumParse(names []string, text []byte, kind string) (int, error) {
	s := strings.TrimSpace(string(text))
	for i, n := range names {
		if n != "" && strings.EqualFold(n, s) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("kb: unknown %s %q: %w", kind, s, ErrSyntax)
}

// String returns the name used in JSON and in the rule table (e.g. "incompatible-mismatch"); unknown values print as "kind(N)".
func (c Case) String() string { return enumString(caseNames, int(c), "case") }

// MarshalText implements encoding.TextMarshaler.
func (c Case) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Case) UnmarshalText(b []byte) error {
	v, err := enumParse(caseNames, b, "case")
	*c = Case(v)
	return err
}

// String returns the name used in JSON and in the rule table (e.g. "upgrade-required"); unknown values print as "kind(N)".
func (a Action) String() string { return enumString(actionNames, int(a), "action") }

// MarshalText implements encoding.TextMarshaler.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (a *Action) UnmarshalText(b []byte) error {
	v, err := enumParse(actionNames, b, "action")
	*a = Action(v)
	return err
}

// String returns the name used in JSON and in the rule table (e.g. "high"); unknown values print as "kind(N)".
func (s Severity) String() string { return enumString(severityNames, int(s), "severity") }

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := enumParse(severityNames, b, "severity")
	*s = Severity(v)
	return err
}

// String returns the name used in JSON and in the rule table (e.g. "win6x"); unknown values print as "kind(N)".
func (p Package) String() string { return enumString(packageNames, int(p), "package") }

// MarshalText implements encoding.TextMarshaler.
func (p Package) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Package) UnmarshalText(b []byte) error {
	v, err := enumParse(packageNames, b, "package")
	*p = Package(v)
	return err
}

// String returns the name used in JSON and in the rule table (e.g. "guest-os"); unknown values print as "kind(N)".
func (b PackageBasis) String() string { return enumString(basisNames, int(b), "basis") }

// MarshalText implements encoding.TextMarshaler.
func (b PackageBasis) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (b *PackageBasis) UnmarshalText(t []byte) error {
	v, err := enumParse(basisNames, t, "basis")
	*b = PackageBasis(v)
	return err
}

// String returns the name used in JSON and in the rule table (e.g. "2012r2"); unknown values print as "kind(N)".
func (f HostFamily) String() string { return enumString(familyNames, int(f), "family") }

// MarshalText implements encoding.TextMarshaler.
func (f HostFamily) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (f *HostFamily) UnmarshalText(b []byte) error {
	v, err := enumParse(familyNames, b, "family")
	*f = HostFamily(v)
	return err
}

// String returns the name used in JSON and in the rule table (e.g. "net-mismatch"); unknown values print as "kind(N)".
func (k EventKind) String() string { return enumString(eventKindNames, int(k), "event kind") }

// MarshalText implements encoding.TextMarshaler.
func (k EventKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *EventKind) UnmarshalText(b []byte) error {
	v, err := enumParse(eventKindNames, b, "event kind")
	*k = EventKind(v)
	return err
}

// String returns the name used in JSON and in the rule table (e.g. "integration-log"); unknown values print as "kind(N)".
func (m Missing) String() string { return enumString(missingNames, int(m), "missing") }

// MarshalText implements encoding.TextMarshaler.
func (m Missing) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *Missing) UnmarshalText(b []byte) error {
	v, err := enumParse(missingNames, b, "missing")
	*m = Missing(v)
	return err
}

// String returns the name used in JSON and in the rule table (e.g. "setup-disk"); unknown values print as "kind(N)".
func (m Method) String() string { return enumString(methodNames, int(m), "method") }

// MarshalText implements encoding.TextMarshaler.
func (m Method) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *Method) UnmarshalText(b []byte) error {
	v, err := enumParse(methodNames, b, "method")
	*m = Method(v)
	return err
}

// String returns the name used in JSON and in the rule table (e.g. "verified"); unknown values print as "kind(N)".
func (c Confidence) String() string { return enumString(confidenceNames, int(c), "confidence") }

// MarshalText implements encoding.TextMarshaler.
func (c Confidence) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Confidence) UnmarshalText(b []byte) error {
	v, err := enumParse(confidenceNames, b, "confidence")
	*c = Confidence(v)
	return err
}

// HostICState is a host's IntegrationServicesState for one VM (Get-VM).
type HostICState uint8

// Host IC states.
const (
	HostICUnknown        HostICState = iota // absent, empty or not recognised
	HostICUpToDate                          // "Up to date"
	HostICUpdateRequired                    // "Update required"
)

var hostICStateNames = []string{"unknown", "up-to-date", "update-required"}

// String returns the name used in JSON ("update-required").
func (s HostICState) String() string { return enumString(hostICStateNames, int(s), "hosticstate") }

// MarshalText implements encoding.TextMarshaler with String.
func (s HostICState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler for the names String returns.
func (s *HostICState) UnmarshalText(b []byte) error {
	v, err := enumParse(hostICStateNames, b, "host IC state")
	*s = HostICState(v)
	return err
}
