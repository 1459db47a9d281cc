package kb

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// splitEvents sorts the VM's events: mismatch events of its current host
// (the latest per component apart), mismatch events of other hosts, and
// the rest by kind.
func (e *evaluator) splitEvents(s *vmState) {
	latest := map[string]classified{}
	var comps []string
	for _, c := range s.vm.events {
		switch {
		case isIncompat(c.kind) || isCompat(c.kind):
			if hk := HostKey(c.ev.Host); hk != "" && s.vm.hostKey != "" && hk != s.vm.hostKey {
				s.ev.other = append(s.ev.other, c)
				break
			}
			s.ev.earlier = append(s.ev.earlier, c)
			k := strings.ToLower(componentOf(c))
			prev, ok := latest[k]
			if !ok {
				comps = append(comps, k)
			}
			if !ok || laterEvent(c, prev) {
				latest[k] = c
			}
		case c.kind == EventStorageIO:
			s.ev.storageIO = append(s.ev.storageIO, c)
		case c.kind == EventKvpNotRunning:
			s.ev.kvp = append(s.ev.kvp, c)
		case c.kind == EventDegraded:
			s.ev.degraded = append(s.ev.degraded, c)
		}
		if c.rule.HarmlessForLinux {
			s.ev.harmless = append(s.ev.harmless, c)
		}
	}
	for _, k := range comps {
		s.ev.latest = append(s.ev.latest, latest[k])
	}
	sortClassified(s.ev.latest)
	sortClassified(s.ev.earlier)
	if n := len(s.ev.other); n > 0 {
		s.params["otherHostEvents"] = strconv.Itoa(n)
		s.note("other-host-events", strconv.Itoa(n), nil)
	}
}

// laterEvent orders one component's negotiations: the later time wins; at
// the same time an incompatibility wins, then the higher record ID.
func laterEvent(c, than classified) bool {
	if !c.ev.Time.Equal(than.ev.Time) {
		return c.ev.Time.After(than.ev.Time)
	}
	if isIncompat(c.kind) != isIncompat(than.kind) {
		return isIncompat(c.kind)
	}
	return c.ev.Ref.RecordID > than.ev.Ref.RecordID
}

func sortClassified(cs []classified) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i].ev, cs[j].ev
		switch {
		case !a.Time.Equal(b.Time):
			return a.Time.Before(b.Time)
		case a.Ref.File != b.Ref.File:
			return a.Ref.File < b.Ref.File
		case a.Ref.RecordID != b.Ref.RecordID:
			return a.Ref.RecordID < b.Ref.RecordID
		}
		return a.EventID < b.EventID
	})
}

// byEvents is the case the latest negotiations show: case 3 when any
// component's latest event is an incompatibility (4000, 26, storvsp 5),
// else case 2 when any is a compatible mismatch (4010, 27, storvsp 6).
// A compatible mismatch seen only in the System log, with the
// Integration-Admin log not read intact, leaves case 3 open. "" when no
// mismatch event was seen.
func (s *vmState) byEvents() (string, []classified) {
	var inc, compat []classified
	integ := false
	for _, c := range s.ev.latest {
		switch {
		case isIncompat(c.kind):
			inc = append(inc, c)
		case isCompat(c.kind):
			compat = append(compat, c)
			integ = integ || c.kind == EventCompatible
		}
	}
	switch {
	case len(inc) > 0:
		return RuleCase3, inc
	case len(compat) > 0 && (integ || s.intCovered):
		return RuleCase2, compat
	case len(compat) > 0:
		return RuleUnclassified, compat
	}
	return "", nil
}

// byEventsOr decides by the events, else by fallback.
func (s *vmState) byEventsOr(fallback string) {
	if r, dec := s.byEvents(); r != "" {
		s.primary, s.decisive = r, dec
		return
	}
	s.primary = fallback
}

// decide picks the rule that decides the VM's case.
func (e *evaluator) decide(s *vmState) {
	switch {
	case s.guestConflict:
		e.guestConflictFinding(s)
	case s.vm.linux:
		s.primary = RuleLinux
		s.params["linuxBy"] = s.vm.linuxBy
		s.decisive = s.ev.harmless
	case s.guest == nil:
		s.decideNoGuest()
	case s.hostOK && s.guestOK && !s.pkgAmbiguous:
		s.decideCompare()
	case s.hostNotRecorded:
		s.byEventsOr(RuleHostUnversioned)
	case s.pkgAmbiguous:
		s.byEventsOr(RuleUndetermined)
		s.params["reason"] = "package-ambiguous"
	default:
		s.byEventsOr(RuleUndetermined)
	}
	if s.hostNotRecorded && !s.vm.linux && s.primary != RuleHostUnversioned {
		s.rules = append(s.rules, RuleHost2016)
	}
	if evs := s.evidenceEvents(); len(evs) > 0 && s.primary != RuleCase1 {
		s.params["events"] = strconv.Itoa(len(evs))
		setComponents(s.params, s.decisive)
	}
	pr, _ := e.t.Rule(s.primary)
	s.a.Case, s.a.Action, s.a.Severity = pr.Case, pr.Action, pr.Severity
	switch s.primary {
	case RuleConflictGuest:
		s.a.Case = CaseUndetermined
	case RuleGuestNewer:
		if r, _ := s.byEvents(); r == RuleCase3 {
			// An incompatibility logged for a guest newer than its host:
			// the pair may not be supported at all.
			s.a.Action, s.a.Severity = ActionInvestigate, SeverityMedium
			s.params["reason"] = "incompatible-event"
		}
	}
	s.rules = append(s.rules, s.primary)
	s.a.RuleID = s.primary
	for _, c := range s.decisive {
		if c.ev.Ambiguous {
			s.params["ambiguous"] = "true"
			if n := strings.TrimSpace(c.ev.Note); n != "" {
				s.params["ambiguousNote"] = n
			}
		}
	}
}

// evidenceEvents are the events the assessment cites: the harmless ones
// for a Linux guest; otherwise, once events took part in the decision (or
// the versions match), every mismatch event of the VM's host, and the
// Worker 23014 hints of a VM known from the host's side only.
func (s *vmState) evidenceEvents() []classified {
	switch {
	case s.primary == RuleLinux:
		return s.ev.harmless
	case s.primary == RuleInvestigate:
		return append(append([]classified(nil), s.ev.earlier...), s.ev.degraded...)
	case len(s.decisive) > 0 || s.primary == RuleCase1:
		return s.ev.earlier
	}
	return nil
}

// decideCompare decides a VM whose two versions are known.
func (s *vmState) decideCompare() {
	switch {
	case s.cmp == 0:
		s.primary = RuleCase1
		if len(s.ev.earlier) > 0 {
			s.rules = append(s.rules, RuleResolved)
			last := s.ev.earlier[len(s.ev.earlier)-1].ev.Time
			s.a.Resolved, s.a.ResolvedAt = true, last
			s.params["resolvedEvents"] = strconv.Itoa(len(s.ev.earlier))
			if !last.IsZero() {
				s.params["lastMismatchEvent"] = last.UTC().Format(time.RFC3339)
			}
		}
	case s.cmp > 0:
		s.primary = RuleGuestNewer
		if r, dec := s.byEvents(); r == RuleCase3 {
			s.decisive = dec
		}
	default:
		fallback := RuleUnclassified
		if s.intCovered {
			fallback = RuleCase2
		}
		s.byEventsOr(fallback)
	}
}

// decideNoGuest decides a VM known from the host's side only: its OS is
// unknown, so it may be Linux. Events still say which case a Windows guest
// would be in; the verdict is to look, with both branches.
func (s *vmState) decideNoGuest() {
	r, dec := s.byEvents()
	if r == "" && len(s.ev.degraded) == 0 {
		s.primary = RuleUndetermined
		return
	}
	s.primary = RuleInvestigate
	s.decisive = append(append([]classified(nil), dec...), s.ev.degraded...)
	sortClassified(s.decisive)
	ifWindows := CaseUndetermined
	if r != "" {
		pr, _ := s.ruleCase(r)
		ifWindows = pr
	}
	s.params["ifWindows"] = ifWindows.String()
	s.params["ifLinux"] = CaseLinuxGuest.String()
	s.params["confirm"] = "linux-hint,guest-hive,guest-reg-query"
	s.params["reason"] = "guest-os-unknown"
	if len(s.ev.degraded) > 0 {
		s.params["linuxHint"] = "worker-23014"
		s.note("linux-hint", "Microsoft-Windows-Hyper-V-Worker 23014", nil)
	}
}

// ruleCase maps a deciding rule to its case without a table lookup.
func (s *vmState) ruleCase(rule string) (Case, bool) {
	switch rule {
	case RuleCase3:
		return CaseIncompatibleMismatch, true
	case RuleCase2:
		return CaseCompatibleMismatch, true
	case RuleUnclassified:
		return CaseMismatchUnclassified, true
	}
	return CaseUndetermined, false
}

// guestConflictFinding records guest hives of one VM that disagree.
func (e *evaluator) guestConflictFinding(s *vmState) {
	s.primary = RuleConflictGuest
	c := Conflict{RuleID: RuleConflictGuest, VMName: s.a.VMName}
	if s.vm.id != "" {
		c.VMIDs = []string{s.vm.id}
	}
	if s.a.Host != "" {
		c.Hosts = []string{s.a.Host}
	}
	for _, g := range s.vm.guests {
		c.Values = appendUnique(c.Values, strings.Trim(g.ICVersion, " \x00"))
		c.Refs = append(c.Refs, g.Refs...)
	}
	c.Refs = capRefs(c.Refs, e.o.MaxRefs)
	s.params["values"] = strings.Join(c.Values, ",")
	e.res.Conflicts = append(e.res.Conflicts, c)
}
