package kb

import (
	"sort"
	"strconv"
	"strings"
)

// explain builds the VM's explanation, in order: the decisive evidence,
// the versions, the period of each host log read, the guest's KVP refresh,
// earlier mismatch events resolved since, what was missing, notes.
func (e *evaluator) explain(s *vmState) []Explanation {
	out := s.decisiveLines(e.o.MaxRefs)
	if v, ok := s.versionsLine(); ok {
		out = append(out, v)
	}
	out = append(out, s.logLines()...)
	if s.guest != nil && !s.guest.AutoWritten.IsZero() {
		x := Explanation{Kind: ExplainGuestRefresh, Time: s.guest.AutoWritten}
		if r := s.autoRef(); r != nil {
			x.Ref = r
		}
		out = append(out, x)
	}
	if s.primary == RuleCase1 {
		for i, c := range s.ev.earlier {
			if i >= e.o.MaxRefs {
				break
			}
			out = append(out, eventLine(ExplainResolved, c))
		}
	}
	for _, m := range s.missing {
		out = append(out, Explanation{Kind: ExplainMissing, Params: map[string]string{"missing": m.String()}})
	}
	out = append(out, s.notes...)
	for _, c := range s.decisive {
		if c.ev.Ambiguous {
			r := eventRef(c)
			out = append(out, Explanation{Kind: ExplainNote, Time: c.ev.Time, Ref: &r,
				Params: map[string]string{"note": "ambiguous-event", "detail": strings.TrimSpace(c.ev.Note)}})
		}
	}
	if s.hostNotRecorded && len(s.decisive) > 0 && !s.vm.linux {
		out = append(out, Explanation{Kind: ExplainNote, Params: map[string]string{"note": "host-2016-events"}})
	}
	return out
}

// eventLine is one event as an explanation line.
func eventLine(kind ExplainKind, c classified) Explanation {
	r := eventRef(c)
	p := map[string]string{
		"what":      r.What,
		"eventId":   strconv.FormatUint(uint64(c.ev.EventID), 10),
		"provider":  c.ev.Provider,
		"component": componentOf(c),
		"kind":      c.kind.String(),
	}
	if h := strings.TrimSpace(c.ev.Host); h != "" {
		p["host"] = h
	}
	if c.ev.Ambiguous {
		p["ambiguous"] = "true"
		if n := strings.TrimSpace(c.ev.Note); n != "" {
			p["ambiguousNote"] = n
		}
	}
	return Explanation{Kind: kind, Time: c.ev.Time, Ref: &r, Params: p}
}

// decisiveLines: the events that decided, else the value that did.
func (s *vmState) decisiveLines(max int) []Explanation {
	var out []Explanation
	for i, c := range s.decisive {
		if i >= max {
			break
		}
		out = append(out, eventLine(ExplainDecisive, c))
	}
	if len(out) > 0 {
		return out
	}
	p := map[string]string{}
	var ref *Ref
	switch s.primary {
	case RuleLinux:
		p["what"], p["basis"] = "linux", s.vm.linuxBy
	case RuleCase1, RuleCase2, RuleGuestNewer, RuleUnclassified, RuleHostUnversioned:
		if !s.guestOK {
			return nil
		}
		p["what"], p["value"] = "IntegrationServicesVersion", s.a.GuestIC.Version.String()
		ref = s.a.GuestIC.Ref
		switch s.primary {
		case RuleCase2:
			p["basis"] = "no-event-in-log-read"
		case RuleUnclassified:
			p["basis"] = "integration-log-not-read"
			if s.intDamaged {
				p["basis"] = "integration-log-damaged"
			}
		case RuleHostUnversioned:
			p["basis"] = "host-records-no-version"
		default:
			p["basis"] = "comparison-" + comparisonName(s.cmp)
		}
	default:
		return nil
	}
	return []Explanation{{Kind: ExplainDecisive, Ref: ref, Params: p}}
}

// versionsLine states both versions with their release names.
func (s *vmState) versionsLine() (Explanation, bool) {
	p := map[string]string{"package": s.a.Package.String()}
	if s.hostOK || s.hostShort {
		p["hostVersion"] = s.a.HostIC.Raw
		if s.hostOK {
			p["hostVersion"] = s.a.HostIC.Version.String()
		}
		if s.a.HostIC.Release != nil && s.hostOK {
			p["hostRelease"] = s.a.HostIC.Release.Name
		}
	}
	if s.guestOK || s.guestShort {
		p["guestVersion"] = s.a.GuestIC.Raw
		if s.guestOK {
			p["guestVersion"] = s.a.GuestIC.Version.String()
		}
		if s.a.GuestIC.Release != nil && s.guestOK {
			p["guestRelease"] = s.a.GuestIC.Release.Name
		}
	}
	if s.hostNotRecorded {
		p["hostVersion"] = "not-recorded"
	}
	if c, ok := s.params["comparison"]; ok {
		p["comparison"] = c
	}
	if len(p) == 1 {
		return Explanation{}, false
	}
	return Explanation{Kind: ExplainVersions, Params: p}, true
}

// logLines: one line per log read of the VM's host, ordered by channel,
// then file.
func (s *vmState) logLines() []Explanation {
	if s.h == nil {
		return nil
	}
	cover := append([]*LogCoverage(nil), s.h.cover...)
	sort.SliceStable(cover, func(i, j int) bool {
		if cover[i].Channel != cover[j].Channel {
			return cover[i].Channel < cover[j].Channel
		}
		return cover[i].File < cover[j].File
	})
	out := make([]Explanation, 0, len(cover))
	for _, c := range cover {
		x := Explanation{Kind: ExplainLogPeriod, From: c.First, To: c.Last, Params: map[string]string{
			"channel": c.Channel, "records": strconv.Itoa(c.Records), "host": c.Host,
		}}
		if c.Damaged {
			x.Params["damaged"] = "true"
		}
		if c.File != "" {
			x.Ref = &Ref{File: c.File}
		}
		out = append(out, x)
	}
	return out
}

// autoRef is the guest's Auto key reference.
func (s *vmState) autoRef() *Ref {
	for i := range s.guest.Refs {
		if strings.HasSuffix(strings.ToLower(s.guest.Refs[i].KeyPath), `virtual machine\auto`) {
			r := s.guest.Refs[i]
			r.Value, r.Data, r.Time = "", "", s.guest.AutoWritten
			return &r
		}
	}
	return nil
}
