package evtx

import (
	"fmt"
	"time"
)

// ICKind says what an ICEvent is evidence of.
type ICKind int

// IC event kinds, keyed on (provider, event ID); see ExtractIC.
const (
	// ICNone is the zero value; ExtractIC never returns it with ok == true.
	ICNone ICKind = iota
	// ICCompatibleMismatch: Microsoft-Windows-Hyper-V-Integration-* 4010,
	// the guest's component version differs but works (KB2894285 case 2).
	ICCompatibleMismatch
	// ICIncompatibleMismatch: Microsoft-Windows-Hyper-V-Integration-* 4000,
	// the versions are incompatible (KB2894285 case 3).
	ICIncompatibleMismatch
	// ICNotRunning: Integration-* 4096, data exchange not enabled or not
	// running in the guest. Not a mismatch.
	ICNotRunning
	// ICNetworkVersionDiffers: Microsoft-Windows-Hyper-V-VmSwitch or VMSMP
	// 27, the guest's network driver version differs from the server's.
	ICNetworkVersionDiffers
	// ICNetworkIncompatible: VmSwitch or VMSMP 26, no common protocol.
	ICNetworkIncompatible
	// ICStorageVersionDiffers: classic storvsp 6.
	ICStorageVersionDiffers
	// ICStorageIncompatible: classic storvsp 5.
	ICStorageIncompatible
	// ICDegraded: Microsoft-Windows-Hyper-V-Worker 23014, degraded
	// integration services (harmless for non-Windows guests, KB2956569).
	ICDegraded
	// ICRelated: any other record of a Hyper-V Integration provider:
	// related, not recognised.
	ICRelated
)

var icNames = [...]string{
	ICNone:                  "none",
	ICCompatibleMismatch:    "compatible_mismatch",
	ICIncompatibleMismatch:  "incompatible_mismatch",
	ICNotRunning:            "data_exchange_not_running",
	ICNetworkVersionDiffers: "network_version_differs",
	ICNetworkIncompatible:   "network_incompatible",
	ICStorageVersionDiffers: "storage_version_differs",
	ICStorageIncompatible:   "storage_incompatible",
	ICDegraded:              "degraded",
	ICRelated:               "related_unrecognised",
}

// String returns the stable snake_case name of k.
func (k ICKind) String() string {
	if k >= 0 && int(k) < len(icNames) {
		return icNames[k]
	}
	return fmt.Sprintf("ickind(%d)", int(k))
}

// MarshalText implements encoding.TextMarshaler with String.
func (k ICKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Mismatch reports whether k says a guest component's version differs from
// the host's (compatible or not).
func (k ICKind) Mismatch() bool {
	switch k {
	case ICCompatibleMismatch, ICIncompatibleMismatch, ICNetworkVersionDiffers,
		ICNetworkIncompatible, ICStorageVersionDiffers, ICStorageIncompatible:
		return true
	}
	return false
}

// Incompatible reports whether k says the versions cannot work together
// (an upgrade is required).
func (k ICKind) Incompatible() bool {
	switch k {
	case ICIncompatibleMismatch, ICNetworkIncompatible, ICStorageIncompatible:
		return true
	}
	return false
}

// ProtocolVersion is a version as an IC event logs it: either "3.0" or, on
// 2012 R2 hosts, "Negotiated (3.0) - Expected (3.0)".
type ProtocolVersion struct {
	Raw        string // as logged, trimmed
	Negotiated string // "3.0" in both shapes; "" when no version was found
	Expected   string // the Expected part; "" in the plain shape
}

// ICEvent is one piece of IC evidence taken from a Record.
type ICEvent struct {
	Kind      ICKind
	Provider  string
	EventID   uint16
	Component string // provider suffix for Integration-* ("KvpExchange"), "Network", "Storage", "Worker"
	VMName    string
	// VMID is the VM's GUID normalised to lower case without braces
	// ("6f9619ff-8b86-d011-b42d-00c04fc964ff"); "" when absent or not a GUID.
	VMID             string
	FrameworkVersion ProtocolVersion // Integration 4000/4010 %3
	MessageVersion   ProtocolVersion // Integration 4000/4010 %4
	ServerVersion    string          // VmSwitch/VMSMP/storvsp: the host side
	ClientVersion    string          // VmSwitch/VMSMP/storvsp: the guest side
	Time             time.Time       // Record.TimeCreated
	Computer         string          // Record.Computer: the host that logged it
	File             string          // Record.File
	RecordID         uint64
	Chunk            int
	Offset           int64
	// Ambiguous is true when a field was taken by position from data that
	// may have lost empty strings, or recovered by pattern; Note says which.
	Ambiguous bool
	Note      string
}

// ExtractIC returns the IC evidence in r, and false when r is none.
func ExtractIC(r Record) (ICEvent, bool) {
	return extractIC(&r)
}
