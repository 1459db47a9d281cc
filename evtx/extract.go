package evtx

import (
	"regexp"
	"strings"
)

// Providers whose data layout ExtractIC knows (compared case-insensitively).
const (
	providerIntegration = "Microsoft-Windows-Hyper-V-Integration"
	providerVmSwitch    = "Microsoft-Windows-Hyper-V-VmSwitch"
	providerVMSMP       = "VMSMP"
	providerStorvsp     = "storvsp"
	providerWorker      = "Microsoft-Windows-Hyper-V-Worker"
	providerStorageVSP  = "Microsoft-Windows-Hyper-V-StorageVSP"
)

var (
	reVersion    = regexp.MustCompile(`^\d+(\.\d+){1,3}$`)
	reNegotiated = regexp.MustCompile(`(?i)^\s*Negotiated\s*\(\s*([^)]*?)\s*\)\s*-\s*Expected\s*\(\s*([^)]*?)\s*\)\s*$`)
)

// ParseProtocolVersion reads a version as IC events log it: "3.0" or
// "Negotiated (3.0) - Expected (3.0)". ok is false when s is neither.
func ParseProtocolVersion(s string) (v ProtocolVersion, ok bool) {
	v.Raw = strings.TrimSpace(s)
	if m := reNegotiated.FindStringSubmatch(v.Raw); m != nil {
		v.Negotiated, v.Expected = m[1], m[2]
		return v, true
	}
	if reVersion.MatchString(v.Raw) {
		v.Negotiated = v.Raw
		return v, true
	}
	return v, false
}

func isVersion(s string) bool {
	_, ok := ParseProtocolVersion(s)
	return ok
}

func isGUID(s string) bool {
	_, ok := parseGUID(s)
	return ok
}

// ParseGUID parses a VM identifier as event data carries it (with or
// without braces, any case) into the form ICEvent.VMID uses: lower case, no
// braces. ok is false when s is not a GUID. It tells a GUID from other
// data; comparing VM IDs across sources is kb.NormalizeVMID's job, which
// gives the same string for every GUID ParseGUID accepts.
func ParseGUID(s string) (string, bool) { return parseGUID(s) }

func extractIC(r *Record, keys []EventKey) (ICEvent, bool) {
	shape := shapeOf(r.Provider)
	if keys != nil {
		if !selected(keys, r.Provider, r.EventID) {
			return ICEvent{}, false
		}
		if shape == ShapeNone {
			shape = ShapeOther
		}
	}
	if shape == ShapeNone {
		return ICEvent{}, false
	}
	ev := extractFields(r, shape)
	if r.Partial {
		addNote(&ev, "the record's end is damaged (Record.Partial): its data may be cut short")
	}
	return ev, true
}

// shapeOf returns the data layout of a provider's records, ShapeNone when
// none is known.
func shapeOf(p string) ICShape {
	switch {
	case hasPrefixFold(p, providerIntegration):
		return ShapeIntegration
	case strings.EqualFold(p, providerVmSwitch), strings.EqualFold(p, providerVMSMP):
		return ShapeNetwork
	case strings.EqualFold(p, providerStorvsp):
		return ShapeStorvsp
	case strings.EqualFold(p, providerWorker):
		return ShapeWorker
	case strings.EqualFold(p, providerStorageVSP):
		return ShapeStorageVSP
	}
	return ShapeNone
}

func extractFields(r *Record, shape ICShape) ICEvent {
	ev := ICEvent{
		Shape:    shape,
		Provider: r.Provider,
		EventID:  r.EventID,
		Time:     r.TimeCreated,
		Computer: r.Computer,
		Channel:  r.Channel,
		File:     r.File,
		RecordID: r.RecordID,
		Chunk:    r.Chunk,
		Offset:   r.Offset,
	}
	switch shape {
	case ShapeIntegration:
		ev.Component = strings.TrimLeft(r.Provider[len(providerIntegration):], "-")
		integrationFields(&ev, r)
	case ShapeNetwork:
		ev.Component = "Network"
		namedVersionFields(&ev, r)
	case ShapeStorvsp:
		ev.Component = "Storage"
		storvspFields(&ev, r)
	case ShapeWorker, ShapeStorageVSP:
		ev.Component = "Worker"
		if shape == ShapeStorageVSP {
			ev.Component = "StorageVSP"
		}
		vmByPattern(&ev, r.Data)
	default:
		vmByPattern(&ev, r.Data)
	}
	return ev
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// named returns the value of the first field whose name equals one of names
// (case-insensitive).
func named(data []Field, names ...string) (string, bool) {
	for _, f := range data {
		for _, n := range names {
			if f.Name != "" && strings.EqualFold(f.Name, n) {
				return f.Value, true
			}
		}
	}
	return "", false
}

var (
	namesVMName = []string{"VmName", "VirtualMachineName", "VMName"}
	namesVMID   = []string{"VmId", "VirtualMachineId", "VMID", "VmGuid"}
)

func setVMID(ev *ICEvent, s string) bool {
	if id, ok := parseGUID(s); ok {
		ev.VMID = id
		return true
	}
	return false
}

func addNote(ev *ICEvent, note string) {
	ev.Ambiguous = true
	if ev.Note != "" {
		ev.Note += "; "
	}
	ev.Note += note
}

// integrationFields fills the Integration-* layout: %1 VM name, %2 VM ID,
// then (4000/4010) %3 framework version, %4 message version; a record of
// two values (4096) has no versions. No public manifest names these
// fields, so the order of the data is used (named or not), checked by
// pattern, and recovered by pattern when it does not fit.
func integrationFields(ev *ICEvent, r *Record) {
	vals := values(r.Data)
	if n, ok := named(r.Data, namesVMName...); ok {
		ev.VMName = strings.TrimSpace(n)
	}
	if id, ok := named(r.Data, namesVMID...); ok {
		setVMID(ev, id)
	}
	if len(vals) >= 2 && isGUID(vals[1]) && !r.DataMayBeShifted {
		if ev.VMName == "" {
			ev.VMName = strings.TrimSpace(vals[0])
		}
		if ev.VMID == "" {
			setVMID(ev, vals[1])
		}
		if len(vals) == 2 {
			return // no versions logged (4096)
		}
		if len(vals) >= 4 && isVersion(vals[2]) && isVersion(vals[3]) {
			ev.FrameworkVersion, _ = ParseProtocolVersion(vals[2])
			ev.MessageVersion, _ = ParseProtocolVersion(vals[3])
			return
		}
	}
	patternFields(ev, r, true)
}

// patternFields recovers VM name, VM ID and two versions from data whose
// positions cannot be trusted: the ID is the first GUID, the name the
// non-empty non-GUID non-version value just before it, the versions the
// version-shaped values after it, in order.
func patternFields(ev *ICEvent, r *Record, integration bool) {
	vals := values(r.Data)
	gi := -1
	for i, v := range vals {
		if isGUID(v) {
			gi = i
			break
		}
	}
	var vers []string
	start := 0
	if gi >= 0 {
		start = gi + 1
		if ev.VMID == "" {
			setVMID(ev, vals[gi])
		}
		if ev.VMName == "" && gi > 0 && !isVersion(vals[gi-1]) && strings.TrimSpace(vals[gi-1]) != "" {
			ev.VMName = strings.TrimSpace(vals[gi-1])
		}
	}
	for _, v := range vals[start:] {
		if isVersion(v) {
			vers = append(vers, v)
		}
	}
	why := "data positions do not fit the documented layout"
	if r.DataMayBeShifted {
		why = "unnamed data may have lost empty strings"
	}
	if integration {
		if len(vers) > 0 {
			ev.FrameworkVersion, _ = ParseProtocolVersion(vers[0])
		}
		if len(vers) > 1 {
			ev.MessageVersion, _ = ParseProtocolVersion(vers[1])
		}
	} else {
		if ev.ServerVersion == "" && len(vers) > 0 {
			ev.ServerVersion = strings.TrimSpace(vers[0])
		}
		if ev.ClientVersion == "" && len(vers) > 1 {
			ev.ClientVersion = strings.TrimSpace(vers[1])
		}
	}
	addNote(ev, why+": values recovered by pattern (GUID, version)")
}

// namedVersionFields fills the VmSwitch/VMSMP layout (26/27) from the
// names VMName, VMId, ServerVersion, ClientVersion; by pattern otherwise.
func namedVersionFields(ev *ICEvent, r *Record) {
	n1, ok1 := named(r.Data, namesVMName...)
	n2, ok2 := named(r.Data, namesVMID...)
	s, ok3 := named(r.Data, "ServerVersion")
	c, ok4 := named(r.Data, "ClientVersion")
	ev.VMName = strings.TrimSpace(n1)
	if ok2 {
		setVMID(ev, n2)
	}
	ev.ServerVersion = strings.TrimSpace(s)
	ev.ClientVersion = strings.TrimSpace(c)
	if ok1 && ok2 && ok3 && ok4 {
		return
	}
	patternFields(ev, r, false)
}

// storvspFields fills classic storvsp 5/6: insertion strings %2 VM name,
// %3 VM ID, %4 server version, %5 client version.
func storvspFields(ev *ICEvent, r *Record) {
	vals := values(r.Data)
	if !r.DataMayBeShifted && len(vals) >= 5 && isGUID(vals[2]) && isVersion(vals[3]) && isVersion(vals[4]) {
		ev.VMName = strings.TrimSpace(vals[1])
		setVMID(ev, vals[2])
		ev.ServerVersion = strings.TrimSpace(vals[3])
		ev.ClientVersion = strings.TrimSpace(vals[4])
		return
	}
	patternFields(ev, r, false)
}

// vmByPattern fills VM ID (first GUID) and VM name (a named VM name field)
// for records whose layout is unknown.
func vmByPattern(ev *ICEvent, data []Field) {
	if n, ok := named(data, namesVMName...); ok {
		ev.VMName = strings.TrimSpace(n)
	}
	if id, ok := named(data, namesVMID...); ok && setVMID(ev, id) {
		return
	}
	for _, f := range data {
		if setVMID(ev, f.Value) {
			return
		}
	}
}

func values(data []Field) []string {
	out := make([]string, len(data))
	for i, f := range data {
		out[i] = strings.TrimSpace(f.Value)
	}
	return out
}
