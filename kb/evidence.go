package kb

import "time"

// Evidence is everything known about a set of hosts and their virtual
// machines, as plain values: the caller (the collection scan) fills it from
// registry hives, exports and event logs; kb knows no file format.
//
// Strings are taken as read: versions may keep a trailing NUL or a build-lab
// suffix, VM IDs may carry braces and any case. Evaluate normalises them.
type Evidence struct {
	Hosts    []HostEvidence  `json:"hosts,omitempty"`    // one entry per Hyper-V host whose SOFTWARE hive or logs were read
	Guests   []GuestEvidence `json:"guests,omitempty"`   // one entry per guest SOFTWARE hive (or export) read
	Events   []Event         `json:"events,omitempty"`   // IC-related events from the hosts' logs
	Coverage []LogCoverage   `json:"coverage,omitempty"` // which logs were read, so that an absent event can mean something
	VMViews  []VMView        `json:"vm_views,omitempty"` // the hosts' own view of their VMs (Get-VM output)
	// ICServices are the hosts' view of each VM's integration services
	// (Get-VMIntegrationService output).
	ICServices []ICServiceView `json:"ic_services,omitempty"`
	Hints      Hints           `json:"hints,omitzero"` // what the caller knows beyond the files
}

// Ref points at one piece of evidence: an event record or a registry key or
// value, in a file the caller names.
type Ref struct {
	File     string    `json:"file,omitempty"`      // file as the caller names it (path inside the collection)
	RecordID uint64    `json:"record_id,omitempty"` // EVTX event record identifier; 0 for registry evidence
	KeyPath  string    `json:"key_path,omitempty"`  // registry key path relative to the hive root
	Value    string    `json:"value,omitempty"`     // registry value name, when the evidence is one value
	Data     string    `json:"data,omitempty"`      // the value's data as read, as text, when the evidence is one value
	Time     time.Time `json:"time,omitzero"`       // event time, or key last-write time; zero when unknown
	What     string    `json:"what,omitempty"`      // short label ("IntegrationServicesVersion", "event 4000")
}

// OSInfo identifies a Windows installation, from
// Microsoft\Windows NT\CurrentVersion (host or guest) or from the guest's
// Microsoft\Virtual Machine\Auto values (OSName, OSVersion, OSMajorVersion,
// OSMinorVersion, OSBuildNumber, ProductType). Numeric zero means unknown.
type OSInfo struct {
	Name        string `json:"name,omitempty"`         // ProductName or OSName ("Windows Server 2012 R2 Datacenter")
	Version     string `json:"version,omitempty"`      // CurrentVersion ("6.3", also on 10+) or OSVersion ("6.3.9600")
	Major       uint32 `json:"major,omitempty"`        // CurrentMajorVersionNumber or OSMajorVersion
	Minor       uint32 `json:"minor,omitempty"`        // CurrentMinorVersionNumber or OSMinorVersion
	Build       uint32 `json:"build,omitempty"`        // CurrentBuild or OSBuildNumber
	UBR         uint32 `json:"ubr,omitempty"`          // update build revision (10+)
	CSDVersion  string `json:"csd_version,omitempty"`  // service pack ("Service Pack 1")
	ProductType uint32 `json:"product_type,omitempty"` // 1 workstation, 2 domain controller, 3 server; 0 unknown
}

// HostEvidence is what one Hyper-V host's SOFTWARE hive says.
type HostEvidence struct {
	// Name is the host's computer name (NetBIOS or fully qualified), as
	// events record it in their Computer field and guests in HostName.
	Name string `json:"name"`
	OS   OSInfo `json:"os,omitzero"`
	// Registry is true when the host's SOFTWARE hive (or an export of it)
	// was read, so that an absent GuestInstaller key is a fact rather than
	// a gap in the evidence.
	Registry bool `json:"registry"`
	// GuestInstaller maps each value name under
	// Microsoft\Windows NT\CurrentVersion\Virtualization\GuestInstaller\Version
	// ("Microsoft-Hyper-V-Guest-Installer-Win6x-Package", "...-Win5x-Package",
	// "Microsoft-Hyper-V-Guest-Installer", "...-Win60-Package") to its data.
	GuestInstaller map[string]string `json:"guest_installer,omitempty"`
	// VirtualizationVersion is Microsoft\Windows NT\CurrentVersion\Virtualization
	// value Version: the Hyper-V stack version.
	VirtualizationVersion string `json:"virtualization_version,omitempty"`
	// Replayed is true when these facts come from a hive whose transaction
	// logs were replayed.
	Replayed bool  `json:"replayed,omitempty"`
	Refs     []Ref `json:"refs,omitempty"` // where the facts above were read
}

// GuestEvidence is what one guest's SOFTWARE hive says.
type GuestEvidence struct {
	// VMID is Microsoft\Virtual Machine\Guest\Parameters VirtualMachineId.
	VMID string `json:"vm_id,omitempty"`
	// VMName is Parameters VirtualMachineName.
	VMName string `json:"vm_name,omitempty"`
	// HostNames are Parameters HostName, PhysicalHostName and
	// PhysicalHostNameFullyQualified (the host that last ran the VM).
	HostNames []string `json:"host_names,omitempty"`
	// HostOSMajor, HostOSMinor and HostEdition are Parameters
	// HostingSystemOsMajor, HostingSystemOsMinor and HostingSystemEditionId:
	// the host's OS as the host told the guest (0 when absent).
	HostOSMajor uint32 `json:"host_os_major,omitempty"`
	HostOSMinor uint32 `json:"host_os_minor,omitempty"`
	HostEdition uint32 `json:"host_edition,omitempty"`
	// ICVersion is Microsoft\Virtual Machine\Auto IntegrationServicesVersion.
	ICVersion string `json:"ic_version,omitempty"`
	// OS is the guest's own CurrentVersion key or, failing that, the Auto
	// key's OS* values.
	OS OSInfo `json:"os,omitzero"`
	// AutoWritten and ParametersWritten are the last-write times of the
	// Auto and Guest\Parameters keys (zero when the source has none, as in a
	// .reg export). The guest's Data Exchange (KVP) service rewrites the
	// Auto key when it starts and when a published value changes, so
	// AutoWritten is "guest KVP last refreshed", about the guest's last
	// boot: it is shown as such and never orders, demotes or discards an
	// event.
	AutoWritten       time.Time `json:"auto_written,omitzero"`
	ParametersWritten time.Time `json:"parameters_written,omitzero"`
	// BackupType is Microsoft\Virtualization\VssRequestor BackupType, nil
	// when the value is absent (KB975354 problem 3).
	BackupType *uint32 `json:"backup_type,omitempty"`
	// DataExchangeDisabled says whether the guest's Data Exchange service
	// (vmickvpexchange) is disabled, from the guest's SYSTEM hive (its
	// Start value); nil when unknown. Disabled, Windows Update cannot bring
	// integration services to the guests that need it on 2016+ hosts, and
	// the remediation is the row's fallback (the cab).
	DataExchangeDisabled *bool `json:"data_exchange_disabled,omitempty"`
	// Replayed is true when these facts come from a hive whose transaction
	// logs were replayed.
	Replayed bool  `json:"replayed,omitempty"`
	Refs     []Ref `json:"refs,omitempty"`
}

// Event is one IC-related event record from a host's log.
type Event struct {
	// Kind is the event's meaning. Leave it EventUnknown and Evaluate
	// classifies the event from (Provider, EventID) through the table's
	// event catalogue; a kind set by the caller is kept.
	Kind      EventKind `json:"kind,omitempty"`
	Provider  string    `json:"provider"`            // provider or classic source name
	Channel   string    `json:"channel,omitempty"`   // log channel ("System", "Microsoft-Windows-Hyper-V-Integration-Admin")
	EventID   uint32    `json:"event_id"`            // without qualifiers
	Component string    `json:"component,omitempty"` // IC component (Heartbeat, KvpExchange, ...), from the provider name when empty
	VMName    string    `json:"vm_name,omitempty"`
	VMID      string    `json:"vm_id,omitempty"`
	// ServerVersion and ClientVersion: VmSwitch / VMSMP / storvsp events.
	ServerVersion string `json:"server_version,omitempty"`
	ClientVersion string `json:"client_version,omitempty"`
	// FrameworkVersion and MessageVersion: Integration 4000 / 4010 (%3, %4).
	FrameworkVersion string    `json:"framework_version,omitempty"`
	MessageVersion   string    `json:"message_version,omitempty"`
	Time             time.Time `json:"time,omitzero"`
	Host             string    `json:"host,omitempty"` // the record's Computer field
	Ref              Ref       `json:"ref"`            // file and record ID
	// Ambiguous is true when a field was taken by position from data that
	// may have lost empty strings, recovered by pattern, or read from a
	// record whose end is damaged; Note says which. A verdict resting on
	// such an event says so.
	Ambiguous bool   `json:"ambiguous,omitempty"`
	Note      string `json:"note,omitempty"`
	// VM is set by Evaluate in Result.Events: the 1-based index in
	// Result.VMs of the VM the event was attributed to, 0 for none. It is
	// ignored on input.
	VM int `json:"vm,omitempty"`
}

// LogCoverage says that one log of one host was read, and which period it
// covers. Evaluate only draws conclusions from an absent event when the log
// that would hold it is covered.
type LogCoverage struct {
	Host    string    `json:"host"`    // host computer name
	Channel string    `json:"channel"` // "System", "Microsoft-Windows-Hyper-V-Integration-Admin", "Microsoft-Windows-Hyper-V-Worker-Admin", ...
	File    string    `json:"file,omitempty"`
	First   time.Time `json:"first,omitzero"` // time of the oldest record read
	Last    time.Time `json:"last,omitzero"`  // time of the newest record read
	Records int       `json:"records,omitempty"`
	// Damaged is true when records were lost to damage (partial coverage).
	Damaged bool `json:"damaged,omitempty"`
}

// VMView is one VM as its host lists it (Get-VM: Name, VMId, State,
// IntegrationServicesVersion, IntegrationServicesState). It is host-side
// evidence: ICState "Update required" agrees with a version mismatch and
// "Up to date" with a match, and where it disagrees with the other
// evidence the assessment says so. ICVersion is the host's view of the
// guest's IC version; Evaluate uses it as the guest version when no guest
// hive (or export) names one, and says so.
type VMView struct {
	Host      string      `json:"host,omitempty"`       // the host that listed the VM (Get-VM ComputerName, or the file's host)
	VMName    string      `json:"vm_name,omitempty"`    // Name
	VMID      string      `json:"vm_id,omitempty"`      // VMId
	State     string      `json:"state,omitempty"`      // "Running", "Off", ... as written
	ICVersion string      `json:"ic_version,omitempty"` // IntegrationServicesVersion
	ICState   HostICState `json:"ic_state,omitempty"`   // IntegrationServicesState
	Ref       Ref         `json:"ref"`                  // the file (and line, in What) it was read from
}

// ICServiceView is one integration service of a VM as its host lists it
// (Get-VMIntegrationService: VMName, Name, Enabled,
// PrimaryStatusDescription, SecondaryStatusDescription). It is host-side
// evidence: a disabled Key-Value Pair Exchange (Data Exchange) keeps
// Windows Update from updating the guest's ICs on 2016+ hosts, as a
// disabled vmickvpexchange in the guest does; a disabled Guest Service
// Interface is the default and information only; a status saying the
// component's protocol version does not match is a hint of a version
// mismatch, weighed against the verdict (Table.ServiceStatus).
type ICServiceView struct {
	Host   string `json:"host,omitempty"`    // the host that listed it (ComputerName, or the file's host)
	VMName string `json:"vm_name,omitempty"` // VMName
	VMID   string `json:"vm_id,omitempty"`   // VMId, when the output has it
	Name   string `json:"name"`              // the service's name as listed ("Key-Value Pair Exchange")
	// Enabled is the host's setting for the VM; nil when not read.
	Enabled         *bool  `json:"enabled,omitempty"`
	PrimaryStatus   string `json:"primary_status,omitempty"`   // PrimaryStatusDescription ("OK", "No Contact")
	SecondaryStatus string `json:"secondary_status,omitempty"` // SecondaryStatusDescription
	Ref             Ref    `json:"ref"`                        // the file (and line, in What)
}

// Hints carries what the caller knows beyond the files.
type Hints struct {
	// LinuxVMs lists VMs known to run Linux, by name or VM ID.
	LinuxVMs []string `json:"linux_vms,omitempty"`
}
