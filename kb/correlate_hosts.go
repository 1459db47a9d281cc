package kb

import (
	"sort"
	"strings"
)

// hostInfo gathers what is known about one host.
type hostInfo struct {
	key      string
	name     string
	records  []*HostEvidence
	conflict bool // records disagree on the package versions
	family   HostFamily
	cover    []*LogCoverage
	vmCount  int
}

// HostKey is the key two computer names are compared by: white space and
// NULs trimmed, a leading \\ dropped, lower case, the DNS suffix cut
// ("\\HV01.contoso.local\x00" and "hv01" have the same key). Every
// package compares host names through it.
func HostKey(s string) string {
	s = strings.ToLower(strings.Trim(s, " \t\r\n\x00"))
	s = strings.TrimPrefix(s, `\\`)
	if i := strings.IndexByte(s, '.'); i > 0 {
		s = s[:i]
	}
	return s
}

func (e *evaluator) host(name string) *hostInfo {
	k := HostKey(name)
	if k == "" {
		return nil
	}
	h, ok := e.hosts[k]
	if !ok {
		h = &hostInfo{key: k, name: strings.Trim(name, " \t\r\n\x00")}
		e.hosts[k] = h
	}
	return h
}

func (e *evaluator) indexHosts() {
	e.hosts = map[string]*hostInfo{}
	for i := range e.ev.Hosts {
		hv := &e.ev.Hosts[i]
		h := e.host(hv.Name)
		if h == nil {
			continue
		}
		// Only two registry readings can disagree; a record known from the
		// logs alone carries no versions.
		if hv.Registry && len(hv.GuestInstaller) > 0 {
			for _, prev := range h.records {
				if prev.Registry && len(prev.GuestInstaller) > 0 && !sameHostIC(prev, hv) {
					h.conflict = true
				}
			}
		}
		h.records = append(h.records, hv)
		sort.SliceStable(h.records, func(i, j int) bool {
			a, b := h.records[i], h.records[j]
			if a.Name != b.Name {
				return a.Name < b.Name
			}
			return firstFile(a.Refs) < firstFile(b.Refs)
		})
		if f := hv.OS.Family(); f != FamilyUnknown {
			h.family = f
		}
	}
	for i := range e.ev.Coverage {
		c := &e.ev.Coverage[i]
		if h := e.host(c.Host); h != nil {
			h.cover = append(h.cover, c)
		}
	}
	// The display name does not depend on input order: the smallest name
	// a registry record gives, else the smallest name seen.
	for _, h := range e.hosts {
		best, fromReg := h.name, false
		for _, r := range h.records {
			n := strings.Trim(r.Name, " \t\r\n\x00")
			switch {
			case r.Registry && (!fromReg || n < best):
				best, fromReg = n, true
			case !fromReg && n < best:
				best = n
			}
		}
		for _, c := range h.cover {
			if n := strings.Trim(c.Host, " \t\r\n\x00"); !fromReg && n < best {
				best = n
			}
		}
		h.name = best
	}
}

func sameHostIC(a, b *HostEvidence) bool {
	for _, name := range []string{valueWin6x, valueWin5x} {
		va, _ := lookupValue(a.GuestInstaller, name)
		vb, _ := lookupValue(b.GuestInstaller, name)
		pa, ea := ParseVersion(va)
		pb, eb := ParseVersion(vb)
		if (ea == nil) != (eb == nil) || (ea == nil && !pa.Equal(pb)) {
			return false
		}
	}
	return true
}

// lookupValue finds a value by name as Windows does (case-insensitively);
// should a map hold several spellings, the exact one, else the smallest,
// wins, so the result does not depend on map order.
func lookupValue(m map[string]string, name string) (string, bool) {
	if v, ok := m[name]; ok {
		return v, true
	}
	best, found := "", false
	for k := range m {
		if strings.EqualFold(strings.TrimSpace(k), name) && (!found || k < best) {
			best, found = k, true
		}
	}
	if !found {
		return "", false
	}
	return m[best], true
}

func (e *evaluator) hostName(k string) string {
	if h, ok := e.hosts[k]; ok {
		return h.name
	}
	return k
}

// IntegrationChannel reports whether ch is the log a host of family
// records its IC negotiations in, the one whose absence Evaluate reports
// as MissingIntegrationLog: Microsoft-Windows-Hyper-V-Integration-Admin on
// every host, Microsoft-Windows-Hyper-V-Worker-Admin on 2016+ hosts only
// (not on an older host, nor on one whose family is unknown). It is the
// one copy of the rule: a caller labelling files uses it too.
func IntegrationChannel(ch string, family HostFamily) bool {
	c := strings.ToLower(ch)
	if strings.Contains(c, "hyper-v-integration") {
		return true
	}
	return family == Family2016Plus && strings.Contains(c, "hyper-v-worker")
}

func isSystemChannel(ch string) bool { return strings.EqualFold(strings.TrimSpace(ch), "System") }

// covered reports whether h has a log of the class that was read. With
// intact, a log that lost records to damage does not count: it cannot
// prove an event absent. A log read covers its host from its first record
// on; an empty log and a quiet one say the same thing.
func (h *hostInfo) covered(match func(string) bool, intact bool) bool {
	if h == nil {
		return false
	}
	for _, c := range h.cover {
		if match(c.Channel) && (!intact || !c.Damaged) {
			return true
		}
	}
	return false
}

func (h *hostInfo) hasRegistry() bool {
	if h == nil {
		return false
	}
	for _, r := range h.records {
		if r.Registry {
			return true
		}
	}
	return false
}

// packageValue finds the host's IC version for pkg, with the value name used.
func (h *hostInfo) packageValue(pkg Package) (raw, value string, basisOnly bool, ref *Ref) {
	if h == nil || h.conflict {
		return "", "", false, nil
	}
	var names []string
	switch pkg {
	case PackageWin6x:
		names = []string{valueWin6x, valueWin60}
	case PackageWin5x:
		names = []string{valueWin5x}
	}
	for _, r := range h.records {
		for _, n := range names {
			if v, ok := lookupValue(r.GuestInstaller, n); ok {
				return v, n, false, refFor(r.Refs, n)
			}
		}
		if v, ok := lookupValue(r.GuestInstaller, valueNoSufix); ok {
			return v, valueNoSufix, true, refFor(r.Refs, valueNoSufix)
		}
	}
	return "", "", false, nil
}

// refFor returns the ref naming value, else the first ref whose key is the
// GuestInstaller key, else nil.
func refFor(refs []Ref, value string) *Ref {
	for i := range refs {
		if strings.EqualFold(refs[i].Value, value) {
			r := refs[i]
			return &r
		}
	}
	for i := range refs {
		if strings.Contains(strings.ToLower(refs[i].KeyPath), "guestinstaller") {
			r := refs[i]
			return &r
		}
	}
	return nil
}

func (h *hostInfo) guestInstallerEmpty() bool {
	if h == nil {
		return false
	}
	for _, r := range h.records {
		if len(r.GuestInstaller) > 0 {
			return false
		}
	}
	return true
}

func (e *evaluator) icVersion(raw string, ref *Ref) (ICVersion, bool) {
	ic := ICVersion{Raw: strings.TrimRight(raw, "\x00"), Ref: ref}
	v, err := ParseVersion(raw)
	if err != nil {
		return ic, false
	}
	ic.Version = v
	if r, ok := e.t.Release(v); ok {
		ic.Release = &r
	}
	return ic, true
}
