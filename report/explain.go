package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hvic/hvic/kb"
)

// explanation words an assessment's Explanation, one line per entry, in
// kb's order (decisive evidence, versions, log periods and guest KVP
// refresh, what was missing, notes).
func (v *view) explanation(vm *vmView) []string {
	var out []string
	for _, e := range vm.a.Explanation {
		if s := v.explainLine(vm, e); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (v *view) explainLine(vm *vmView, e kb.Explanation) string {
	l := v.lang
	p := e.Params
	switch e.Kind {
	case kb.ExplainDecisive:
		if p["eventId"] == "" && p["provider"] == "" {
			return fmt.Sprintf(tr(l, "expl.decisive"), v.valueText(e))
		}
		return fmt.Sprintf(tr(l, "expl.decisive"), v.eventText(e))
	case kb.ExplainResolved:
		return fmt.Sprintf(tr(l, "expl.resolved"), v.eventText(e))
	case kb.ExplainVersions:
		s := fmt.Sprintf(tr(l, "expl.versions"), v.versionText(p["hostVersion"], p["hostRelease"]), v.versionText(p["guestVersion"], p["guestRelease"]))
		if pk := p["package"]; pk != "" && pk != kb.PackageUnknown.String() {
			s += fmt.Sprintf(tr(l, "expl.package"), pk)
		}
		if c := p["comparison"]; c != "" {
			s += tr(l, "expl.sep2") + v.label("cmp.", c)
		}
		return s
	case kb.ExplainLogPeriod:
		return v.logPeriodText(e, vm.host)
	case kb.ExplainGuestRefresh:
		if e.Time.IsZero() {
			return ""
		}
		return fmt.Sprintf(tr(l, "expl.refresh"), fmtTime(e.Time))
	case kb.ExplainMissing:
		var m kb.Missing
		if err := m.UnmarshalText([]byte(p["missing"])); err != nil {
			return fmt.Sprintf(tr(l, "expl.missing"), p["missing"])
		}
		return fmt.Sprintf(tr(l, "expl.missing"), v.missingText(vm.a, m))
	case kb.ExplainNote:
		s := v.noteText(p["note"], p["detail"])
		if s == "" {
			return ""
		}
		if e.Ref != nil {
			if w := v.refWhere(*e.Ref); w != "" {
				s += " (" + w + ")"
			}
		}
		return fmt.Sprintf(tr(l, "expl.note"), s)
	}
	return ""
}

// noteText words a note: its text with the detail in place of its verb
// (%s, %q), or followed by it.
//
// Input-derived strings reach these sentences already escaped: Text,
// Markdown, HTML and CSV render a copy of the Result passed through
// escaped (textsafe.Escape), the report's one escaping helper.
func (v *view) noteText(id, detail string) string {
	key := "note." + id
	if _, ok := msg[key]; ok && strings.Contains(tr(v.lang, key), "%") {
		return fmt.Sprintf(tr(v.lang, key), orDash(detail))
	}
	s := v.label("note.", id)
	if detail != "" {
		if s != "" {
			s += ": "
		}
		s += detail
	}
	return s
}

// valueText words a decisive line about a value rather than an event:
// the guest's IC version and why it decided, or how the guest is known to
// run Linux.
func (v *view) valueText(e kb.Explanation) string {
	p := e.Params
	var s string
	switch p["what"] {
	case "linux":
		s = tr(v.lang, "expl.linux")
	case "":
		s = "-"
	default:
		s = p["what"]
		if val := p["value"]; val != "" {
			s += " = " + val
		}
	}
	if b := p["basis"]; b != "" {
		s += ": " + v.label("basis.", b)
	}
	if e.Ref != nil {
		if w := v.refWhere(*e.Ref); w != "" {
			s += " (" + w + ")"
		}
	}
	return s
}

// label is the localised text of prefix+id, or id itself when there is
// none.
func (v *view) label(prefix, id string) string {
	if id == "" {
		return ""
	}
	if _, ok := msg[prefix+id]; ok {
		return tr(v.lang, prefix+id)
	}
	return id
}

// versionText is "6.3.9600.18692 (Windows Server 2012 R2 June 2017
// rollup)", or "unknown".
func (v *view) versionText(ver, release string) string {
	if strings.TrimSpace(ver) == "" {
		return tr(v.lang, "unknown")
	}
	if ver == "not-recorded" {
		return tr(v.lang, "expl.not-recorded")
	}
	s := strings.Trim(ver, " \x00")
	if release != "" {
		s += " (" + release + ")"
	}
	return s
}

// eventText names the event or value an explanation is about: the
// catalogue's title for an event, its component, time and place.
func (v *view) eventText(e kb.Explanation) string {
	p := e.Params
	what := ""
	if id, err := strconv.ParseUint(p["eventId"], 10, 32); err == nil && p["provider"] != "" {
		if r, ok := v.t.ClassifyEvent(p["provider"], uint32(id)); ok {
			what = r.Text(v.lang).Title
		}
		if what == "" {
			what = strings.TrimPrefix(p["provider"], "Microsoft-Windows-") + " " + strconv.FormatUint(id, 10)
		}
	}
	if what == "" {
		what = p["what"]
	}
	if what == "" && e.Ref != nil {
		what = e.Ref.What
	}
	parts := []string{orDash(what)}
	if c := p["component"]; c != "" {
		parts[0] += " [" + c + "]"
	}
	if h := p["host"]; h != "" {
		parts[0] += " " + fmt.Sprintf(tr(v.lang, "expl.on"), h)
	}
	t := e.Time
	if t.IsZero() && e.Ref != nil {
		t = e.Ref.Time
	}
	if s := fmtTime(t); s != "" {
		parts = append(parts, s)
	}
	if e.Ref != nil {
		if w := v.refWhere(*e.Ref); w != "" {
			parts = append(parts, w)
		}
	}
	if p["ambiguous"] == "true" {
		parts = append(parts, fmt.Sprintf(tr(v.lang, "expl.ambiguous"), orDash(p["ambiguousNote"])))
	}
	return strings.Join(parts, tr(v.lang, "expl.sep"))
}

// logPeriodText states the period of one host log read; a log with no
// record is stated as read and empty, never as not read.
func (v *view) logPeriodText(e kb.Explanation, vmHost string) string {
	p := e.Params
	host := p["host"]
	if host == "" {
		host = vmHost
	}
	channel := orDash(p["channel"])
	records := p["records"]
	var s string
	if records == "0" || (e.From.IsZero() && e.To.IsZero()) {
		s = fmt.Sprintf(tr(v.lang, "expl.log.empty"), channel, orDash(host))
	} else {
		s = fmt.Sprintf(tr(v.lang, "expl.log"), channel, orDash(host), fmtTime(e.From), fmtTime(e.To), orDash(records))
	}
	if p["damaged"] == "true" {
		s += ", " + tr(v.lang, "damaged")
	}
	return s
}

// missingText words one missing piece of evidence. The host's
// Integration-Admin (or Worker-Admin) log is never said to be unread when
// a log of that channel was read for the host: the period read is stated
// instead.
func (v *view) missingText(a *kb.Assessment, m kb.Missing) string {
	if m == kb.MissingIntegrationLog {
		if periods := v.integrationPeriods(a); periods != "" {
			return fmt.Sprintf(tr(v.lang, "missing.integration-log.read"), periods)
		}
	}
	return missingLabel(v.lang, m)
}

// integrationPeriods lists the Integration-Admin and Worker-Admin logs read
// for a's host, as "channel first – last", "" when there is none.
func (v *view) integrationPeriods(a *kb.Assessment) string {
	var parts []string
	host := v.vmKey[a]
	for i, h := range v.res.Inventory.Hosts {
		if host == "" || v.invKey[i] != host {
			continue
		}
		for _, c := range h.Logs {
			if !strings.EqualFold(c.Channel, "Microsoft-Windows-Hyper-V-Integration-Admin") && !strings.EqualFold(c.Channel, "Microsoft-Windows-Hyper-V-Worker-Admin") {
				continue
			}
			parts = append(parts, v.logLine(c))
		}
	}
	return strings.Join(parts, "; ")
}
