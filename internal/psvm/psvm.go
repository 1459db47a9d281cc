package psvm

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hvic/hvic/internal/textenc"
)

// Kind says which cmdlet's objects an input holds.
type Kind int

// Kinds of input.
const (
	KindUnknown            Kind = iota
	KindVM                      // Get-VM objects
	KindIntegrationService      // Get-VMIntegrationService objects
)

var kindNames = [...]string{"unknown", "vm", "integration-service"}

// String returns the stable name of k.
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Format says how the objects were written.
type Format int

// Formats of input.
const (
	FormatUnknown Format = iota
	FormatList           // Format-List (or the default list view)
	FormatTable          // Format-Table, default or -AutoSize
	FormatCSV            // Export-Csv / ConvertTo-Csv, with or without #TYPE
	FormatJSON           // ConvertTo-Json, one object or an array
)

var formatNames = [...]string{"unknown", "list", "table", "csv", "json"}

// String returns the stable name of f.
func (f Format) String() string {
	if f >= 0 && int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("format(%d)", int(f))
}

// ICState is the host's IntegrationServicesState, normalised.
type ICState int

// IntegrationServicesState values.
const (
	ICStateUnknown        ICState = iota // absent, empty, or not recognised (Raw keeps it)
	ICStateUpToDate                      // "Up to date"
	ICStateUpdateRequired                // "Update required"
)

var icStateNames = [...]string{"unknown", "up-to-date", "update-required"}

// String returns the stable name of s.
func (s ICState) String() string {
	if s >= 0 && int(s) < len(icStateNames) {
		return icStateNames[s]
	}
	return fmt.Sprintf("icstate(%d)", int(s))
}

// VM is one Get-VM object. Strings are as written, trimmed; a value that
// the output cut short ("6.3.96...") is kept with Truncated set.
type VM struct {
	Name         string
	VMID         string // VMId (or Id), as written: a GUID
	State        string // "Running", "Off", ... (a number from ConvertTo-Json is kept as its decimal text)
	ICVersion    string // IntegrationServicesVersion ("6.3.9600.16384")
	ICStateRaw   string // IntegrationServicesState as written
	ICState      ICState
	ComputerName string // the host the object came from
	// Truncated lists the properties whose value the table cut short
	// (ending in "..." or "…"); such a value is not evidence.
	Truncated []string
	Line      int // 1-based line (text forms) or item index (JSON) of the object
}

// Service is one Get-VMIntegrationService object.
type Service struct {
	VMName                     string
	Name                       string // "Heartbeat", "Key-Value Pair Exchange", ...
	Enabled                    string // "True" / "False" as written
	PrimaryStatusDescription   string // "OK", "No Contact", ...
	SecondaryStatusDescription string // "", "The protocol version of the component installed in the virtual machine does not match ...", ...
	ComputerName               string
	Truncated                  []string
	Line                       int
}

// EnabledKnown reports whether Enabled reads as a boolean, and its value.
func (s Service) EnabledKnown() (enabled, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s.Enabled)) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// Problem is one thing that could not be read, with where it is.
type Problem struct {
	Line int    // 1-based line or item index; 0 for the input as a whole
	What string // what was wrong
}

// Result is what Parse read from one input.
type Result struct {
	Kind     Kind
	Format   Format
	Encoding string // "utf-8", "utf-8-bom", "utf-16le", "utf-16be"
	VMs      []VM
	Services []Service
	// Problems lists rows that could not be read, values cut short, and
	// rows over Options.MaxRows (the rest are dropped).
	Problems []Problem
}

// Options bound Parse. The zero value (or nil) means the defaults.
type Options struct {
	// MaxSize is the largest input accepted, in bytes (default 16 MiB).
	MaxSize int64
	// MaxRows caps the objects read (default 100000); the rest are
	// dropped with a Problem.
	MaxRows int
}

// Defaults of Options.
const (
	DefaultMaxSize = 16 << 20
	DefaultMaxRows = 100000
)

func (o *Options) withDefaults() Options {
	var v Options
	if o != nil {
		v = *o
	}
	if v.MaxSize <= 0 {
		v.MaxSize = DefaultMaxSize
	}
	if v.MaxRows <= 0 {
		v.MaxRows = DefaultMaxRows
	}
	return v
}

// Sentinel errors.
var (
	// ErrNotPSVM: the input is none of the recognised forms, or holds no
	// Get-VM or Get-VMIntegrationService property.
	ErrNotPSVM = errors.New("psvm: not Get-VM or Get-VMIntegrationService output")
	// ErrTooLarge: the input exceeds Options.MaxSize.
	ErrTooLarge = errors.New("psvm: input exceeds limit")
)

// decode turns the input into text (see package textenc).
func decode(b []byte) (string, string) { return textenc.Decode(b) }
