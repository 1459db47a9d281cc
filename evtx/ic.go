package evtx

import (
	"fmt"
	"strings"
	"time"
)

// ICShape is the data layout an ICEvent was read with. It says how the
// record's fields were taken, not what the event means: which (provider,
// event ID) pairs count, and what each one is evidence of, is the caller's
// catalogue (package kb's event table), handed to ScanIC as
// ScanOptions.Events.
type ICShape int

// Data layouts, chosen by provider name (compared case-insensitively).
const (
	// ShapeNone is the zero value; ExtractIC never returns it with ok == true.
	ShapeNone ICShape = iota
	// ShapeIntegration: Microsoft-Windows-Hyper-V-Integration-<Component>,
	// data %1 VM name, %2 VM ID, then (4000/4010) %3 framework and %4
	// message version, by position.
	ShapeIntegration
	// ShapeNetwork: Microsoft-Windows-Hyper-V-VmSwitch or VMSMP, named data
	// VMName, VMId, ServerVersion, ClientVersion.
	ShapeNetwork
	// ShapeStorvsp: the classic storvsp source, unnamed data %2 VM name, %3
	// VM ID, %4 server version, %5 client version.
	ShapeStorvsp
	// ShapeWorker: Microsoft-Windows-Hyper-V-Worker, VM name and ID by
	// name, else the first GUID.
	ShapeWorker
	// ShapeStorageVSP: Microsoft-Windows-Hyper-V-StorageVSP (its 6 is an
	// I/O failure, not storvsp 6), VM name and ID by name, else the first
	// GUID.
	ShapeStorageVSP
	// ShapeOther: a record ScanOptions.Events selects whose provider has
	// none of the layouts above; VM name and ID by name, else the first
	// GUID.
	ShapeOther
)

var shapeNames = [...]string{
	ShapeNone:        "none",
	ShapeIntegration: "integration",
	ShapeNetwork:     "network",
	ShapeStorvsp:     "storvsp",
	ShapeWorker:      "worker",
	ShapeStorageVSP:  "storagevsp",
	ShapeOther:       "other",
}

// String returns the stable lower-case name of s.
func (s ICShape) String() string {
	if s >= 0 && int(s) < len(shapeNames) {
		return shapeNames[s]
	}
	return fmt.Sprintf("icshape(%d)", int(s))
}

// MarshalText implements encoding.TextMarshaler with String.
func (s ICShape) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// EventKey selects the records of one provider and event ID, for
// ScanOptions.Events and ExtractICFor. Provider is compared with
// strings.EqualFold, as a whole name or, with Prefix, as the start of the
// name ("Microsoft-Windows-Hyper-V-Integration" selects
// "...-Integration-KvpExchange"). AnyID selects every event ID of the
// provider (ScanOptions.Count uses it: records counted per provider).
type EventKey struct {
	Provider string
	Prefix   bool
	ID       uint16
	AnyID    bool
}

// Matches reports whether a record of this provider and event ID is
// selected by k.
func (k EventKey) Matches(provider string, id uint16) bool {
	if id != k.ID && !k.AnyID {
		return false
	}
	if k.Prefix {
		return hasPrefixFold(provider, k.Provider)
	}
	return strings.EqualFold(provider, k.Provider)
}

func selected(keys []EventKey, provider string, id uint16) bool {
	for _, k := range keys {
		if k.Matches(provider, id) {
			return true
		}
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
	Shape     ICShape
	Provider  string
	EventID   uint16
	Component string // provider suffix for Integration-* ("KvpExchange"), "Network", "Storage", "Worker", "StorageVSP"; "" for ShapeOther
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
	Channel          string          // Record.Channel
	File             string          // Record.File
	RecordID         uint64
	Chunk            int
	Offset           int64
	// Ambiguous is true when a field was taken by position from data that
	// may have lost empty strings, or recovered by pattern; Note says which.
	Ambiguous bool
	Note      string
}

// ExtractIC returns the fields of r read with its provider's layout (see
// ICShape), whatever its event ID, and false when no layout is known for
// the provider. It does not judge what the event means: select the (provider,
// event ID) pairs that count with ExtractICFor.
func ExtractIC(r Record) (ICEvent, bool) {
	return extractIC(&r, nil)
}

// ExtractICFor is ExtractIC for the records keys selects: false for any
// other record; a selected record of a provider with no known layout is
// returned as ShapeOther. A nil keys selects what ExtractIC accepts.
func ExtractICFor(r Record, keys []EventKey) (ICEvent, bool) {
	return extractIC(&r, keys)
}
