package psvm

import (
	"regexp"
	"strings"
)

// Canonical property names, lower-cased as keys.
const (
	pName      = "name"
	pVMID      = "vmid"
	pID        = "id"
	pState     = "state"
	pICVersion = "integrationservicesversion"
	pICState   = "integrationservicesstate"
	pComputer  = "computername"
	pVMName    = "vmname"
	pEnabled   = "enabled"
	pPrimary   = "primarystatusdescription"
	pSecondary = "secondarystatusdescription"
)

// known are the properties read, in the order a truncated header is
// matched against them.
var known = []string{pName, pVMID, pID, pState, pICVersion, pICState, pComputer,
	pVMName, pEnabled, pPrimary, pSecondary}

// object is one object as read: property (lower case) to value.
type object struct {
	props     map[string]string
	truncated []string
	line      int
}

func (o *object) set(key, value string) {
	k := strings.ToLower(key)
	if o.props == nil {
		o.props = map[string]string{}
	}
	value = strings.TrimSpace(value)
	if v, cut := cutEllipsis(value); cut {
		value = v
		o.truncated = append(o.truncated, k)
	}
	o.props[k] = value
}

// cutEllipsis reports a value a table cut short: "..." (Windows
// PowerShell 5.1) or "…" (PowerShell 7).
func cutEllipsis(v string) (string, bool) {
	switch {
	case strings.HasSuffix(v, "..."):
		return strings.TrimSuffix(v, "..."), true
	case strings.HasSuffix(v, "…"):
		return strings.TrimSuffix(v, "…"), true
	}
	return v, false
}

// matchHeader maps a column header to a known property: exactly, or, for a
// header cut short, the only known property it starts.
func matchHeader(h string) (string, bool) {
	h = strings.ToLower(strings.TrimSpace(h))
	base, cut := cutEllipsis(h)
	if !cut {
		for _, k := range known {
			if k == h {
				return k, true
			}
		}
		return h, false
	}
	found := ""
	for _, k := range known {
		if base != "" && strings.HasPrefix(k, base) {
			if found != "" {
				return h, false
			}
			found = k
		}
	}
	return found, found != ""
}

// kindOf decides from the property names seen.
func kindOf(seen map[string]bool) Kind {
	switch {
	case seen[pICVersion] || seen[pICState]:
		return KindVM
	case seen[pPrimary] || seen[pSecondary] || (seen[pVMName] && seen[pEnabled]):
		return KindIntegrationService
	case seen[pVMID] || (seen[pName] && seen[pState]):
		return KindVM
	}
	return KindUnknown
}

var (
	reListLine = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_()%]*)\s*:(?:\s(.*))?$`)
	reDashes   = regexp.MustCompile(`^\s*-+(\s+-+)*\s*$`)
	reCSVHead  = regexp.MustCompile(`^\s*"?[A-Za-z][A-Za-z0-9_()%]*"?\s*[,;\t]`)
	reJSONProp = regexp.MustCompile(`(?i)"(IntegrationServicesVersion|IntegrationServicesState|PrimaryStatusDescription|SecondaryStatusDescription|VMId)"\s*:`)
	reRegistry = regexp.MustCompile(`(?i)REG_SZ|REG_DWORD|HKEY_|^\s*Windows Registry Editor|^\s*REGEDIT4`)
)

// lines splits text into lines without their CR.
func lines(text string) []string {
	ls := strings.Split(text, "\n")
	for i, l := range ls {
		ls[i] = strings.TrimSuffix(l, "\r")
	}
	return ls
}

// detect picks the form of text.
func detect(text string, ls []string) Format {
	t := strings.TrimLeft(text, " \t\r\n\uFEFF")
	if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		return FormatJSON
	}
	for i, l := range ls {
		s := strings.TrimSpace(l)
		switch {
		case s == "":
			continue
		case strings.HasPrefix(s, "#TYPE") || (strings.HasPrefix(s, `"`) && reCSVHead.MatchString(s)):
			return FormatCSV
		case reListLine.MatchString(s) && !strings.HasPrefix(l, " "):
			return FormatList
		case i+1 < len(ls) && reDashes.MatchString(ls[i+1]):
			return FormatTable
		case reCSVHead.MatchString(s):
			return FormatCSV
		}
		return FormatUnknown
	}
	return FormatUnknown
}
