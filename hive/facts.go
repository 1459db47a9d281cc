package hive

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Key paths of the facts, relative to the SOFTWARE hive root
// (domain.md §2).
const (
	PathGuestInstallerVersion = `Microsoft\Windows NT\CurrentVersion\Virtualization\GuestInstaller\Version`
	PathVirtualization        = `Microsoft\Windows NT\CurrentVersion\Virtualization`
	PathCurrentVersion        = `Microsoft\Windows NT\CurrentVersion`
	PathAuto                  = `Microsoft\Virtual Machine\Auto`
	PathGuestParameters       = `Microsoft\Virtual Machine\Guest\Parameters`
	PathVssRequestor          = `Microsoft\Virtualization\VssRequestor`
)

// Names of the host's GuestInstaller\Version values.
const (
	GuestInstallerWin6x = "Microsoft-Hyper-V-Guest-Installer-Win6x-Package"
	GuestInstallerWin5x = "Microsoft-Hyper-V-Guest-Installer-Win5x-Package"
	GuestInstallerWin60 = "Microsoft-Hyper-V-Guest-Installer-Win60-Package"
	GuestInstaller      = "Microsoft-Hyper-V-Guest-Installer"
)

// Side is which side of Hyper-V a registry source shows its machine to be
// on: host, guest, both or neither. It is the machine's side, not the
// file's role: the scan's result.Role ("host-registry", "integration-log",
// ...) names what each file of a collection is, and maps a registry
// source's Side to one of its four registry roles.
type Side int

// Sides, decided by content: a host has GuestInstaller\Version values, or
// (Windows 10 / Server 2016 and later, whose hosts record no offered
// version) an OS of major version 10 or later with Hyper-V's
// Virtualization key (its Version or default-path values); a guest has
// Virtual Machine\Auto or Virtual Machine\Guest\Parameters.
const (
	SideNone  Side = iota // neither (a SYSTEM or NTUSER hive, a plain machine)
	SideHost              // a Hyper-V host
	SideGuest             // a Hyper-V guest
	SideBoth              // a guest that is itself a host (nested virtualisation)
)

// String returns "none", "host", "guest" or "both".
func (s Side) String() string {
	switch s {
	case SideHost:
		return "host"
	case SideGuest:
		return "guest"
	case SideBoth:
		return "both"
	}
	return "none"
}

// MarshalText implements encoding.TextMarshaler with String.
func (s Side) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Source says where a fact was read.
type Source struct {
	File  string // file name given to ExtractFacts
	Key   string // key path relative to the SOFTWARE root, as stored
	Value string // value name ("" for the default value or a key's time)
	// FromLog is true when the key was read from a page restored by
	// transaction-log replay.
	FromLog bool
}

// Fact is one registry value as text: REG_SZ and REG_EXPAND_SZ as stored,
// DWORD/QWORD in decimal, MULTI_SZ joined by "\n"; NULs and surrounding
// spaces trimmed. Present is false when the value is missing.
type Fact struct {
	Value   string
	Type    ValueType
	Present bool
	Source  Source
}

// TimeFact is a key's last-write time. Present is false when the key is
// missing or its source records no time (.reg, reg query).
type TimeFact struct {
	Time    time.Time
	Present bool
	Source  Source
}

// OSFacts is the operating system's identity from
// Microsoft\Windows NT\CurrentVersion.
type OSFacts struct {
	ProductName      Fact
	CurrentVersion   Fact // "6.3" also on Windows 10 and later
	CurrentBuild     Fact // CurrentBuild, else CurrentBuildNumber
	MajorVersion     Fact // CurrentMajorVersionNumber (Windows 10 and later)
	MinorVersion     Fact // CurrentMinorVersionNumber
	UBR              Fact
	CSDVersion       Fact // service pack
	EditionID        Fact
	InstallationType Fact // "Server", "Server Core", "Client"
}

// HostFacts are a Hyper-V host's IC facts.
type HostFacts struct {
	// GuestInstallerVersions holds every value of GuestInstaller\Version
	// (Win6x, Win5x, Win60, unsuffixed...), keyed by value name as stored.
	GuestInstallerVersions map[string]Fact
	// VirtualizationVersion is Virtualization\Version (the Hyper-V stack).
	VirtualizationVersion Fact
	OS                    OSFacts
}

// GuestInstallerVersion returns the host's IC version for a guest: the
// Win6x value, else Win60, else the unsuffixed one (win5x false), or the
// Win5x value for guests older than Windows Server 2008 (win5x true).
func (h *HostFacts) GuestInstallerVersion(win5x bool) (Fact, bool) {
	if h == nil {
		return Fact{}, false
	}
	order := []string{GuestInstallerWin6x, GuestInstallerWin60, GuestInstaller}
	if win5x {
		order = []string{GuestInstallerWin5x}
	}
	for _, name := range order {
		for n, f := range h.GuestInstallerVersions {
			if equalFold(n, name) && f.Value != "" {
				return f, true
			}
		}
	}
	return Fact{}, false
}

// GuestFacts are a Hyper-V guest's IC facts.
type GuestFacts struct {
	// IntegrationServicesVersion is Virtual Machine\Auto's value.
	IntegrationServicesVersion Fact
	// Auto holds every value of Virtual Machine\Auto by stored name
	// (OSName, OSVersion, OSMajorVersion, OSMinorVersion, OSBuildNumber,
	// CSDVersion, ProductType, ProcessorArchitecture,
	// FullyQualifiedDomainName...).
	Auto map[string]Fact
	// From Virtual Machine\Guest\Parameters, written by the host.
	VirtualMachineID               Fact
	VirtualMachineName             Fact
	HostName                       Fact
	PhysicalHostName               Fact
	PhysicalHostNameFullyQualified Fact
	HostingSystemOsMajor           Fact
	HostingSystemOsMinor           Fact
	HostingSystemEditionID         Fact
	// BackupType is Virtualization\VssRequestor\BackupType (KB975354).
	BackupType Fact
	OS         OSFacts
	// Last-write times of Auto and Parameters (hives only).
	AutoLastWrite       TimeFact
	ParametersLastWrite TimeFact
}

// AutoValue returns the Auto value of that name (case-insensitive).
func (g *GuestFacts) AutoValue(name string) Fact {
	if g == nil {
		return Fact{}
	}
	for n, f := range g.Auto {
		if equalFold(n, name) {
			return f
		}
	}
	return Fact{}
}

// Facts is what ExtractFacts found in one source.
type Facts struct {
	File  string
	Side  Side
	Host  *HostFacts  // nil unless Side is SideHost or SideBoth
	Guest *GuestFacts // nil unless Side is SideGuest or SideBoth
	// Problems are keys that could not be read (other than missing ones),
	// values of an unexpected type, and the source's own problems when it
	// has a Problems() []error method. The damaged cells of one kind in a
	// key and the keys its damaged subkey list hides are one error (see
	// the package documentation, "No silent loss").
	Problems []error
}

// ExtractFacts reads the host and guest IC facts from a SOFTWARE hive, a
// .reg export or reg query text, and classifies the source by content.
// file names the source in each fact's Source. It never fails: what cannot
// be read is reported in Problems.
func ExtractFacts(src KeyReader, file string) Facts {
	x := &extractor{src: src, file: file}
	f := Facts{File: file}
	if src == nil {
		f.Problems = []error{fmt.Errorf("%w: facts: no source", ErrKeyNotFound)}
		return f
	}
	if p, ok := src.(interface{ Problems() []error }); ok {
		x.sourceProblems(p)
	}

	host := x.hostFacts()

	var guest *GuestFacts
	auto := x.key(PathAuto)
	params := x.key(PathGuestParameters)
	if (auto != nil && len(auto.Values) > 0) || (params != nil && len(params.Values) > 0) {
		guest = &GuestFacts{Auto: map[string]Fact{}}
		if auto != nil {
			for _, v := range auto.Values {
				guest.Auto[v.Name] = x.fact(auto, v, 0)
			}
			guest.IntegrationServicesVersion = x.valueOf(auto, "IntegrationServicesVersion", TypeString)
			guest.AutoLastWrite = x.lastWrite(auto)
		}
		if params != nil {
			guest.VirtualMachineID = x.valueOf(params, "VirtualMachineId", TypeString)
			guest.VirtualMachineName = x.valueOf(params, "VirtualMachineName", TypeString)
			guest.HostName = x.valueOf(params, "HostName", TypeString)
			guest.PhysicalHostName = x.valueOf(params, "PhysicalHostName", TypeString)
			guest.PhysicalHostNameFullyQualified = x.valueOf(params, "PhysicalHostNameFullyQualified", TypeString)
			guest.HostingSystemOsMajor = x.valueOf(params, "HostingSystemOsMajor", 0)
			guest.HostingSystemOsMinor = x.valueOf(params, "HostingSystemOsMinor", 0)
			guest.HostingSystemEditionID = x.valueOf(params, "HostingSystemEditionId", 0)
			guest.ParametersLastWrite = x.lastWrite(params)
		}
		guest.BackupType = x.value(PathVssRequestor, "BackupType", TypeDword)
	}

	if host != nil || guest != nil {
		os := x.osFacts()
		if host != nil {
			host.OS = os
		}
		if guest != nil {
			guest.OS = os
		}
	}
	switch {
	case host != nil && guest != nil:
		f.Side = SideBoth
	case host != nil:
		f.Side = SideHost
	case guest != nil:
		f.Side = SideGuest
	}
	f.Host, f.Guest, f.Problems = host, guest, x.finish()
	return f
}

// hostFacts reads the host side: GuestInstaller\Version values, or a
// 2016+ host with Hyper-V and no GuestInstaller key (GuestInstallerVersions
// then empty); nil when the source is not a host.
func (x *extractor) hostFacts() *HostFacts {
	gi := x.key(PathGuestInstallerVersion)
	if gi != nil && len(gi.Values) > 0 {
		host := &HostFacts{GuestInstallerVersions: map[string]Fact{}}
		for _, v := range gi.Values {
			host.GuestInstallerVersions[v.Name] = x.fact(gi, v, TypeString)
		}
		host.VirtualizationVersion = x.value(PathVirtualization, "Version", TypeString)
		return host
	}
	if gi != nil || !x.hyperV2016() {
		return nil
	}
	return &HostFacts{GuestInstallerVersions: map[string]Fact{}, VirtualizationVersion: x.value(PathVirtualization, "Version", TypeString)}
}

// hyperVMarkers are values of the Virtualization key that Hyper-V's
// management service writes on a host.
var hyperVMarkers = []string{"Version", "DefaultVirtualHardDiskPath", "DefaultExternalDataRoot"}

// hyperV2016 reports a Windows 10 / Server 2016 or later OS
// (CurrentMajorVersionNumber >= 10) with Hyper-V present.
func (x *extractor) hyperV2016() bool {
	cv := x.key(PathCurrentVersion)
	if cv == nil {
		return false
	}
	major, ok := cv.Value("CurrentMajorVersionNumber")
	if n, isNum := major.Uint64(); !ok || !isNum || n < 10 {
		return false
	}
	virt := x.key(PathVirtualization)
	for _, name := range hyperVMarkers {
		if _, ok := virt.Value(name); ok {
			return true
		}
	}
	return false
}

func (x *extractor) sourceProblems(p interface{ Problems() []error }) {
	defer func() {
		if r := recover(); r != nil {
			x.problems = append(x.problems, fmt.Errorf("%w: facts: source problems: panic: %v", ErrCorrupt, r))
		}
	}()
	x.problems = append(x.problems, p.Problems()...)
}

type extractor struct {
	src      KeyReader
	file     string
	cache    map[string]*Key
	problems []error               // in order met; *keyDamage until finish
	groups   map[string]*keyDamage // by cause, see keyDamage
}

// key reads a key; nil when missing (silently) or unreadable (reported).
func (x *extractor) key(path string) (k *Key) {
	if x.cache == nil {
		x.cache = map[string]*Key{}
	}
	if k, ok := x.cache[path]; ok {
		return k
	}
	defer func() {
		if r := recover(); r != nil {
			x.problems = append(x.problems, fmt.Errorf("%w: reading %s: panic: %v", ErrCorrupt, path, r))
			k = nil
		}
		x.cache[path] = k
	}()
	k, err := x.src.Key(path)
	if err != nil {
		if !errors.Is(err, ErrKeyNotFound) {
			x.keyUnreadable(path, err)
		}
		return nil
	}
	// Damage inside the key (a value too large or unreadable, a cut
	// subkey list) may hide a fact: it is the source's problem too.
	for _, p := range k.Problems {
		x.keyDamaged(path, p)
	}
	return k
}

// keyProblem is err met reading the key at path, which it names once: as
// it is when it names the key itself (a lookup's error), else after "key
// PATH".
func keyProblem(path string, err error) error {
	var fe *FormatError
	if errors.As(err, &fe) && strings.EqualFold(fe.What, "key "+strings.Join(splitPath(path), `\`)) {
		return err
	}
	return &nestedError{what: "key " + path, inner: err}
}

func (x *extractor) value(path, name string, want ValueType) Fact {
	k := x.key(path)
	if k == nil {
		return Fact{}
	}
	return x.valueOf(k, name, want)
}

func (x *extractor) valueOf(k *Key, name string, want ValueType) Fact {
	v, ok := k.Value(name)
	if !ok {
		return Fact{}
	}
	return x.fact(k, v, want)
}

// fact turns a value into text; want (non-zero) is the type expected: a
// different type is reported and still decoded when it can be.
func (x *extractor) fact(k *Key, v Value, want ValueType) Fact {
	f := Fact{Type: v.Type, Present: true, Source: Source{File: x.file, Key: k.Path, Value: v.Name, FromLog: k.FromLog}}
	s, ok := v.Text()
	if !ok {
		s = fmt.Sprintf("%X", v.Data)
	}
	f.Value = strings.Trim(s, "\x00 \t\r\n")
	compatible := want == 0 || v.Type == want ||
		(want == TypeString && v.Type == TypeExpandString) ||
		(want == TypeDword && (v.Type == TypeDwordBigEndian || v.Type == TypeQword))
	if !compatible {
		x.problems = append(x.problems, &FormatError{File: x.file, Offset: -1, What: "value " + k.Path + `\` + v.Name,
			Err: fmt.Errorf("%w: value is %s, want %s", ErrCorrupt, v.Type, want)})
	}
	return f
}

func (x *extractor) lastWrite(k *Key) TimeFact {
	if k.LastWrite.IsZero() {
		return TimeFact{}
	}
	return TimeFact{Time: k.LastWrite, Present: true, Source: Source{File: x.file, Key: k.Path, FromLog: k.FromLog}}
}

func (x *extractor) osFacts() OSFacts {
	k := x.key(PathCurrentVersion)
	if k == nil {
		return OSFacts{}
	}
	build := x.valueOf(k, "CurrentBuild", TypeString)
	if !build.Present {
		build = x.valueOf(k, "CurrentBuildNumber", TypeString)
	}
	return OSFacts{
		ProductName:      x.valueOf(k, "ProductName", TypeString),
		CurrentVersion:   x.valueOf(k, "CurrentVersion", TypeString),
		CurrentBuild:     build,
		MajorVersion:     x.valueOf(k, "CurrentMajorVersionNumber", TypeDword),
		MinorVersion:     x.valueOf(k, "CurrentMinorVersionNumber", TypeDword),
		UBR:              x.valueOf(k, "UBR", TypeDword),
		CSDVersion:       x.valueOf(k, "CSDVersion", TypeString),
		EditionID:        x.valueOf(k, "EditionID", TypeString),
		InstallationType: x.valueOf(k, "InstallationType", TypeString),
	}
}

// SortedNames returns the keys of a fact map (such as
// HostFacts.GuestInstallerVersions) in name order, for stable output.
func SortedNames(m map[string]Fact) []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
