package hive

import (
	"fmt"
	"sort"
	"strings"
)

// Key paths of a SYSTEM hive (domain.md §5), relative to its root; the
// last two are below the control set Select\Current names.
const (
	PathSelect       = `Select`
	PathComputerName = `Control\ComputerName\ComputerName`
	PathServices     = `Services`
	// exportSystemRoot is where a .reg export or reg query text keeps
	// SYSTEM keys (see ErrOutsideSoftware); there the control set is
	// usually CurrentControlSet.
	exportSystemRoot  = `HKEY_LOCAL_MACHINE\SYSTEM`
	currentControlSet = "CurrentControlSet"
	maxControlSet     = 999
)

// ICServiceNames are the Windows service names of the integration
// services in a guest (domain.md §5), in the order SystemFacts lists them.
var ICServiceNames = []string{
	"vmicheartbeat", "vmickvpexchange", "vmicshutdown", "vmictimesync",
	"vmicvss", "vmicguestinterface", "vmicvmsession", "vmicrdv",
}

// Service start types (the Start value of a service key).
const (
	StartBoot      = 0
	StartSystem    = 1
	StartAutomatic = 2
	StartManual    = 3
	StartDisabled  = 4
)

// ICService is one integration service of a guest's SYSTEM hive.
type ICService struct {
	// Name is the service key's name as stored, or the known name when
	// the key is missing.
	Name string
	// Present is true when the service key exists in the control set.
	Present bool
	// Start is the key's Start value (REG_DWORD).
	Start Fact
}

// Disabled reports a service whose Start value is 4 (disabled).
func (s ICService) Disabled() bool {
	return s.Start.Present && strings.TrimSpace(s.Start.Value) == fmt.Sprint(StartDisabled)
}

// StartMode names the Start value: "boot", "system", "automatic",
// "manual", "disabled", or "" when it is missing or not one of these.
func (s ICService) StartMode() string {
	if !s.Start.Present {
		return ""
	}
	modes := []string{"boot", "system", "automatic", "manual", "disabled"}
	for i, m := range modes {
		if s.Start.Value == fmt.Sprint(i) {
			return m
		}
	}
	return ""
}

// SystemFacts is what ExtractSystemFacts found in a SYSTEM hive (or in the
// SYSTEM keys of a .reg export or reg query text).
type SystemFacts struct {
	File string
	// IsSystem is true when the content shows a SYSTEM hive: a control set
	// (the one Select\Current names, or CurrentControlSet in an export)
	// with a Control or Services key. The other fields are empty
	// otherwise.
	IsSystem bool
	// ControlSet is the path of the control set read ("ControlSet001"; in
	// an export `HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet` or
	// `HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001`).
	ControlSet string
	// Current is Select\Current (hives).
	Current Fact
	// ComputerName is Control\ComputerName\ComputerName\ComputerName in
	// that control set: the machine's NetBIOS name.
	ComputerName Fact
	// Services holds every ICServiceNames entry, in that order, then any
	// other vmic* service of the control set by name.
	Services []ICService
	// Problems are keys that could not be read, values of an unexpected
	// type, a Select\Current naming no control set, and the source's own
	// problems.
	Problems []error
}

// Service returns the integration service of that name
// (case-insensitive).
func (s *SystemFacts) Service(name string) (ICService, bool) {
	if s == nil {
		return ICService{}, false
	}
	for _, svc := range s.Services {
		if equalFold(svc.Name, name) {
			return svc, true
		}
	}
	return ICService{}, false
}

// Disabled returns the names of the integration services present and
// disabled.
func (s *SystemFacts) Disabled() []string {
	var out []string
	for _, svc := range s.Services {
		if svc.Present && svc.Disabled() {
			out = append(out, svc.Name)
		}
	}
	return out
}

// ExtractSystemFacts reads a SYSTEM hive's facts: the control set that
// Select\Current names, the computer name in it, and the integration
// services' Start values. It never fails: what cannot be read is in
// Problems, and a source that is no SYSTEM hive gives IsSystem false.
func ExtractSystemFacts(src KeyReader, file string) SystemFacts {
	f := SystemFacts{File: file}
	if src == nil {
		f.Problems = []error{fmt.Errorf("%w: system facts: no source", ErrKeyNotFound)}
		return f
	}
	x := &extractor{src: src, file: file}
	if p, ok := src.(interface{ Problems() []error }); ok {
		x.sourceProblems(p)
	}
	set, current := x.controlSet()
	f.Current = current
	if set != "" {
		f.IsSystem = true
		f.ControlSet = set
		f.ComputerName = x.value(set+`\`+PathComputerName, "ComputerName", TypeString)
		f.Services = x.icServices(set + `\` + PathServices)
	}
	f.Problems = x.finish()
	return f
}

// controlSet finds the control set to read: the one Select\Current
// names, else CurrentControlSet (an export's usual path), at the hive root
// or under HKEY_LOCAL_MACHINE\SYSTEM (an export). A set is taken only
// when it has a Control or Services key.
func (x *extractor) controlSet() (string, Fact) {
	var first Fact
	for _, root := range []string{"", exportSystemRoot + `\`} {
		current := x.value(root+PathSelect, "Current", TypeDword)
		if !first.Present {
			first = current
		}
		if set := x.selected(root, current); set != "" {
			return set, current
		}
		if set := root + currentControlSet; x.isControlSet(set) {
			return set, current
		}
	}
	return "", first
}

// selected is the control set Select\Current names under root, or "" (a
// problem when Current is there but names no set).
func (x *extractor) selected(root string, current Fact) string {
	if !current.Present {
		return ""
	}
	var n int
	if _, err := fmt.Sscanf(current.Value, "%d", &n); err != nil || n < 1 || n > maxControlSet {
		x.problems = append(x.problems, &FormatError{File: x.file, Offset: -1, What: "value " + current.Source.Key + `\Current`,
			Err: fmt.Errorf("%w: %q names no control set", ErrCorrupt, current.Value)})
		return ""
	}
	set := root + fmt.Sprintf("ControlSet%03d", n)
	if !x.isControlSet(set) {
		x.problems = append(x.problems, &FormatError{File: x.file, Offset: -1, What: "value " + current.Source.Key + `\Current`,
			Err: fmt.Errorf("%w: %s is missing", ErrCorrupt, set)})
		return ""
	}
	return set
}

func (x *extractor) isControlSet(set string) bool {
	return x.key(set+`\Control`) != nil || x.key(set+`\`+PathServices) != nil
}

// icServices lists the known integration services (present or not), then
// the other vmic* subkeys of the Services key.
func (x *extractor) icServices(services string) []ICService {
	out := make([]ICService, 0, len(ICServiceNames))
	known := map[string]bool{}
	for _, name := range ICServiceNames {
		known[strings.ToLower(name)] = true
		out = append(out, x.icService(services, name))
	}
	k := x.key(services)
	if k == nil {
		return out
	}
	var extra []string
	for _, name := range k.Subkeys {
		if l := strings.ToLower(name); strings.HasPrefix(l, "vmic") && !known[l] {
			known[l] = true
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		out = append(out, x.icService(services, name))
	}
	return out
}

func (x *extractor) icService(services, name string) ICService {
	k := x.key(services + `\` + name)
	if k == nil {
		return ICService{Name: name}
	}
	return ICService{Name: k.Name, Present: true, Start: x.valueOf(k, "Start", TypeDword)}
}
