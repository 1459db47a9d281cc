package psvm

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/hvic/hvic/internal/textenc"
)

// jsonValue renders one ConvertTo-Json property value as text: strings as
// they are, numbers in decimal (enums: State, IntegrationServicesState),
// booleans as "True"/"False", null as "", a System.Version object as
// "Major.Minor.Build.Revision", a GUID object by its "Guid" or "value"
// member.
func jsonValue(key string, v json.RawMessage) (string, bool) {
	var x any
	if err := json.Unmarshal(v, &x); err != nil {
		return "", false
	}
	switch t := x.(type) {
	case nil:
		return "", true
	case string:
		return t, true
	case bool:
		if t {
			return "True", true
		}
		return "False", true
	case float64:
		return enumText(key, strconv.FormatFloat(t, 'f', -1, 64)), true
	case map[string]any:
		return objectText(t)
	}
	return "", false
}

// objectText reads the objects ConvertTo-Json writes for System.Version and
// System.Guid values.
func objectText(m map[string]any) (string, bool) {
	get := func(name string) (any, bool) {
		for k, v := range m {
			if strings.EqualFold(k, name) {
				return v, true
			}
		}
		return nil, false
	}
	parts := make([]string, 0, 4)
	for _, n := range []string{"Major", "Minor", "Build", "Revision"} {
		v, ok := get(n)
		f, isNum := v.(float64)
		if !ok || !isNum || f < 0 || f > 1<<32 || f != float64(int64(f)) {
			break
		}
		parts = append(parts, strconv.FormatInt(int64(f), 10))
	}
	if len(parts) >= 2 {
		return strings.Join(parts, "."), true
	}
	for _, n := range []string{"Guid", "value", "Value"} {
		if v, ok := get(n); ok {
			if s, ok := v.(string); ok {
				return s, true
			}
		}
	}
	return "", false
}

// vmStates are the VMState enum values ConvertTo-Json writes as numbers
// (Microsoft.HyperV.PowerShell.VMState; [unverified]: taken from the
// Msvm_ComputerSystem EnabledState values the enum mirrors).
var vmStates = map[string]string{"2": "Running", "3": "Off", "6": "Saved", "9": "Paused", "10": "Starting", "4": "Stopping"}

// icStates are IntegrationServicesState numbers ([unverified]: the
// Msvm_SummaryInformation IntegrationServicesVersionState values, 0
// unknown, 1 up to date, 2 mismatch).
var icStates = map[string]string{"1": "Up to date", "2": "Update required"}

func enumText(key, n string) string {
	var m map[string]string
	switch key {
	case pState:
		m = vmStates
	case pICState:
		m = icStates
	}
	if s, ok := m[n]; ok {
		return s
	}
	return n
}

// parseICState normalises IntegrationServicesState. The English strings
// are what Get-VM shows on every locale as far as known; the Japanese
// ones are [unverified] guesses at a localised module's wording, accepted
// only as exact matches.
func parseICState(s string) ICState {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "up to date", "uptodate", "最新", "最新の状態":
		return ICStateUpToDate
	case "update required", "updaterequired", "更新が必要", "更新が必要です":
		return ICStateUpdateRequired
	}
	return ICStateUnknown
}

// Parse reads Get-VM or Get-VMIntegrationService output in any of the
// forms of the package documentation. It never panics; a row it cannot
// read is a Problem, and an input of no recognised form is ErrNotPSVM.
func Parse(b []byte, opts *Options) (res *Result, err error) {
	o := opts.withDefaults()
	if int64(len(b)) > o.MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(b), o.MaxSize)
	}
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("%w: internal fault: %v", ErrNotPSVM, p)
		}
	}()
	text, enc := decode(b)
	text = textenc.BlankPrompts(text)
	res = &Result{Encoding: enc}
	ls := lines(text)
	res.Format = detect(text, ls)
	r := &reader{o: o, seen: map[string]bool{}}
	switch res.Format {
	case FormatJSON:
		r.jsonText(text)
	case FormatCSV:
		r.csvText(text)
	case FormatList:
		r.list(ls)
	case FormatTable:
		r.table(ls)
	default:
		return nil, ErrNotPSVM
	}
	res.Kind = kindOf(r.seen)
	if res.Kind == KindUnknown {
		return nil, fmt.Errorf("%w: %s form without a known property", ErrNotPSVM, res.Format)
	}
	res.Problems = r.problems
	r.build(res)
	return res, nil
}

// build turns the objects into VMs or Services.
func (r *reader) build(res *Result) {
	for _, ob := range r.objs {
		p := ob.props
		for _, k := range ob.truncated {
			res.Problems = append(res.Problems, Problem{Line: ob.line, What: "value of " + k + " cut short by the table"})
		}
		if res.Kind == KindVM {
			id := p[pVMID]
			if id == "" {
				id = p[pID]
			}
			res.VMs = append(res.VMs, VM{Name: p[pName], VMID: id, State: p[pState],
				ICVersion: p[pICVersion], ICStateRaw: p[pICState], ICState: parseICState(p[pICState]),
				ComputerName: p[pComputer], Truncated: ob.truncated, Line: ob.line})
			continue
		}
		res.Services = append(res.Services, Service{VMName: p[pVMName], Name: p[pName], Enabled: p[pEnabled],
			PrimaryStatusDescription: p[pPrimary], SecondaryStatusDescription: p[pSecondary],
			ComputerName: p[pComputer], Truncated: ob.truncated, Line: ob.line})
	}
}

// Sniff reports whether head, the first bytes of a file (4 KiB is
// enough), looks like Get-VM or Get-VMIntegrationService output in one of
// the forms Parse reads. Registry text (reg query, .reg) that names
// IntegrationServicesVersion is not.
func Sniff(head []byte) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	text, _ := decode(head)
	text = textenc.BlankPrompts(text)
	if reRegistry.MatchString(text) {
		return false
	}
	t := strings.TrimLeft(text, " \t\r\n\uFEFF")
	if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		return reJSONProp.MatchString(t)
	}
	if i := strings.LastIndexByte(text, '\n'); i >= 0 && len(head) >= 4096 {
		text = text[:i] // the last line may be cut
	}
	res, err := Parse([]byte(text), nil)
	return err == nil && res.Kind != KindUnknown
}
