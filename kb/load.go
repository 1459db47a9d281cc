package kb

import (
	"fmt"
	"sort"
	"strings"
)

// The JSON layout of a rule table. Enums are written by name ("match",
// "upgrade-required", "high"), versions as strings.
type rawTable struct {
	Schema       int              `json:"schema"`
	Revision     string           `json:"revision,omitempty"`
	Languages    []string         `json:"languages"`
	Rules        []rawRule        `json:"rules"`
	Events       []rawEvent       `json:"events"`
	Releases     []rawRelease     `json:"releases"`
	Remediations []rawRemediation `json:"remediations"`
	Services     []rawService     `json:"services"`
	Collect      []rawCommand     `json:"collect,omitempty"`
}

type rawRule struct {
	ID         string          `json:"id"`
	Source     string          `json:"source"`
	Case       *Case           `json:"case,omitempty"`
	Action     Action          `json:"action"`
	Severity   Severity        `json:"severity"`
	Needs      []Missing       `json:"needs,omitempty"`
	Unverified bool            `json:"unverified,omitempty"`
	Text       map[string]Text `json:"text"`
}

type rawEvent struct {
	ID               string          `json:"id"`
	Provider         string          `json:"provider"`
	Prefix           bool            `json:"prefix,omitempty"`
	EventID          uint32          `json:"eventId"`
	Kind             EventKind       `json:"kind"`
	Severity         Severity        `json:"severity"`
	HarmlessForLinux bool            `json:"harmlessForLinux,omitempty"`
	Confidence       Confidence      `json:"confidence"`
	Rule             string          `json:"rule,omitempty"` // the rule this event can trigger
	Text             map[string]Text `json:"text"`
}

type rawRelease struct {
	Version    string     `json:"version"`
	Name       string     `json:"name"`
	KB         string     `json:"kb,omitempty"`
	Confidence Confidence `json:"confidence"`
}

type rawRemediation struct {
	ID         string          `json:"id"`
	HostFamily HostFamily      `json:"hostFamily"`
	GuestMin   string          `json:"guestMin,omitempty"`
	GuestMax   string          `json:"guestMax,omitempty"`
	Linux      bool            `json:"linux,omitempty"`
	Method     Method          `json:"method"`
	Fallback   Method          `json:"fallback,omitempty"`
	Confidence Confidence      `json:"confidence"`
	Text       map[string]Text `json:"text"`
}

type rawService struct {
	ID             string          `json:"id"`
	ServiceName    string          `json:"serviceName"`
	Component      string          `json:"component,omitempty"`
	LinuxDaemon    string          `json:"linuxDaemon,omitempty"`
	DefaultEnabled string          `json:"defaultEnabled,omitempty"`
	HostNames      []string        `json:"hostNames,omitempty"`
	HostNamesUnv   []string        `json:"hostNamesUnverified,omitempty"`
	Text           map[string]Text `json:"text"`
}

// requiredLanguages are the languages every text must be written in.
var requiredLanguages = [...]string{"en", "ja"}

func invalid(path, format string, args ...any) error {
	return &TableError{Offset: -1, Path: path, Err: fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))}
}

// checkText verifies that t has every required language with a title and
// a description, and copies it.
func checkText(path string, t map[string]Text, needRemediation bool) (texts, error) {
	for _, lang := range requiredLanguages {
		x, ok := t[lang]
		if !ok {
			return nil, invalid(path, "no %q text", lang)
		}
		if strings.TrimSpace(x.Title) == "" || strings.TrimSpace(x.Description) == "" {
			return nil, invalid(path, "%q text lacks a title or a description", lang)
		}
		if needRemediation && strings.TrimSpace(x.Remediation) == "" {
			return nil, invalid(path, "%q text lacks a remediation", lang)
		}
	}
	out := make(texts, len(t))
	for k, v := range t {
		out[strings.ToLower(k)] = v
	}
	return out, nil
}

// builder builds a Table from its raw form, checking as it goes; ids maps
// every ID of the table to where it is defined.
type builder struct {
	t   *Table
	ids map[string]string
}

func (b *builder) claim(id, path string) error {
	if strings.TrimSpace(id) == "" || id != strings.TrimSpace(id) {
		return invalid(path, "empty or padded ID %q", id)
	}
	if prev, dup := b.ids[id]; dup {
		return invalid(path, "duplicate ID %q (also %s)", id, prev)
	}
	b.ids[id] = path
	return nil
}

func build(raw *rawTable) (*Table, error) {
	if raw.Schema != 1 {
		return nil, invalid("schema", "schema %d, want 1", raw.Schema)
	}
	b := &builder{t: &Table{byID: make(map[string]int, len(raw.Rules))}, ids: map[string]string{}}
	for _, step := range []func() error{
		func() error { return b.rules(raw.Rules) },
		func() error { return b.events(raw.Events) },
		func() error { return b.releases(raw.Releases) },
		func() error { return b.remediations(raw.Remediations) },
		func() error { return b.services(raw.Services) },
		func() error { return b.commands(raw.Collect) },
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return b.t, nil
}

// rules checks and adds the table's rules.
func (b *builder) rules(list []rawRule) error {
	for i, r := range list {
		path := fmt.Sprintf("rules[%d]", i)
		if err := b.claim(r.ID, path); err != nil {
			return err
		}
		path = fmt.Sprintf("rules[%s]", r.ID)
		if r.Source == "" {
			return invalid(path, "no source article")
		}
		if r.Action == 0 || r.Severity == 0 {
			return invalid(path, "no action or severity")
		}
		tx, err := checkText(path, r.Text, true)
		if err != nil {
			return err
		}
		if r.Unverified {
			for _, lang := range requiredLanguages {
				d := strings.ToLower(tx[lang].Description)
				if !strings.Contains(d, "unverified") && !strings.Contains(d, "未確認") {
					return invalid(path, "unverified rule whose %q text does not say so", lang)
				}
			}
		}
		rule := Rule{ID: r.ID, Source: r.Source, Action: r.Action, Severity: r.Severity,
			Needs: append([]Missing(nil), r.Needs...), Unverified: r.Unverified, texts: tx}
		if r.Case != nil {
			rule.Case = *r.Case
		}
		b.t.rules = append(b.t.rules, rule)
	}
	rules := b.t.rules
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	for i, r := range b.t.rules {
		b.t.byID[r.ID] = i
	}
	for _, id := range requiredRules {
		if _, ok := b.t.byID[id]; !ok {
			return invalid("rules", "rule %q, which the evaluator emits, is not defined", id)
		}
	}

	return nil
}

// events checks and adds the table's events.
func (b *builder) events(list []rawEvent) error {
	for i, e := range list {
		path := fmt.Sprintf("events[%d]", i)
		if err := b.claim(e.ID, path); err != nil {
			return err
		}
		path = fmt.Sprintf("events[%s]", e.ID)
		if strings.TrimSpace(e.Provider) == "" || e.Kind == EventUnknown || e.Severity == 0 {
			return invalid(path, "no provider, kind or severity")
		}
		if e.Rule != "" {
			if _, ok := b.t.byID[e.Rule]; !ok {
				return invalid(path, "rule %q does not exist", e.Rule)
			}
		}
		tx, err := checkText(path, e.Text, false)
		if err != nil {
			return err
		}
		for _, prev := range b.t.events {
			if prev.EventID == e.EventID && prev.Prefix == e.Prefix && strings.EqualFold(prev.Provider, e.Provider) {
				return invalid(path, "same provider and ID as %s", prev.ID)
			}
		}
		b.t.events = append(b.t.events, EventRule{ID: e.ID, Provider: e.Provider, Prefix: e.Prefix, EventID: e.EventID,
			Kind: e.Kind, Severity: e.Severity, HarmlessForLinux: e.HarmlessForLinux, Confidence: e.Confidence, Rule: e.Rule, texts: tx})
	}

	return nil
}

// releases checks and adds the table's releases.
func (b *builder) releases(list []rawRelease) error {
	for i, r := range list {
		path := fmt.Sprintf("releases[%d]", i)
		v, err := ParseVersion(r.Version)
		if err != nil {
			return &TableError{Offset: -1, Path: path, Err: fmt.Errorf("%w: %w", ErrInvalid, err)}
		}
		if r.Name == "" {
			return invalid(path, "no name")
		}
		for _, prev := range b.t.releases {
			if prev.Version.Equal(v) {
				return invalid(path, "version %s listed twice", v)
			}
		}
		b.t.releases = append(b.t.releases, Release{Version: v, Name: r.Name, KB: r.KB, Confidence: r.Confidence})
	}
	rels := b.t.releases
	sort.SliceStable(rels, func(i, j int) bool { return rels[i].Version.Compare(rels[j].Version) < 0 })

	return nil
}

// remediations checks and adds the table's remediations.
func (b *builder) remediations(list []rawRemediation) error {
	for i, r := range list {
		path := fmt.Sprintf("remediations[%d]", i)
		if err := b.claim(r.ID, path); err != nil {
			return err
		}
		path = fmt.Sprintf("remediations[%s]", r.ID)
		var lo, hi Version
		var err error
		if r.GuestMin != "" {
			if lo, err = ParseVersion(r.GuestMin); err != nil {
				return &TableError{Offset: -1, Path: path + ".guestMin", Err: fmt.Errorf("%w: %w", ErrInvalid, err)}
			}
		}
		if r.GuestMax != "" {
			if hi, err = ParseVersion(r.GuestMax); err != nil {
				return &TableError{Offset: -1, Path: path + ".guestMax", Err: fmt.Errorf("%w: %w", ErrInvalid, err)}
			}
		}
		if !lo.IsZero() && !hi.IsZero() && lo.Compare(hi) > 0 {
			return invalid(path, "guestMin %s above guestMax %s", lo, hi)
		}
		if r.Method == MethodUnknown {
			return invalid(path, "no method")
		}
		tx, err := checkText(path, r.Text, false)
		if err != nil {
			return err
		}
		if r.Fallback != MethodUnknown {
			for _, lang := range requiredLanguages {
				if strings.TrimSpace(tx[lang].Fallback) == "" {
					return invalid(path, "%q text lacks the fallback instruction", lang)
				}
			}
		}
		for _, prev := range b.t.remediations {
			if prev.HostFamily != r.HostFamily || prev.Linux != r.Linux {
				continue
			}
			if r.Linux || overlaps(prev.GuestMin, prev.GuestMax, lo, hi) {
				return invalid(path, "overlaps %s for the same host family: the row to use would be ambiguous", prev.ID)
			}
		}
		b.t.remediations = append(b.t.remediations, Remediation{ID: r.ID, HostFamily: r.HostFamily, GuestMin: lo, GuestMax: hi,
			Linux: r.Linux, Method: r.Method, Fallback: r.Fallback, Confidence: r.Confidence, texts: tx})
	}

	return nil
}

// services checks and adds the table's services.
func (b *builder) services(list []rawService) error {
	for i, s := range list {
		path := fmt.Sprintf("services[%d]", i)
		if err := b.claim("service:"+s.ID, path); err != nil {
			return err
		}
		if s.ServiceName == "" {
			return invalid(path, "no service name")
		}
		switch s.DefaultEnabled {
		case "", "enabled", "disabled":
		default:
			return invalid(path, "defaultEnabled %q", s.DefaultEnabled)
		}
		tx, err := checkText(path, s.Text, false)
		if err != nil {
			return err
		}
		b.t.services = append(b.t.services, Service{ID: s.ID, ServiceName: s.ServiceName, Component: s.Component,
			LinuxDaemon: s.LinuxDaemon, DefaultEnabled: s.DefaultEnabled,
			HostNames: append([]string(nil), s.HostNames...), HostNamesUnverified: append([]string(nil), s.HostNamesUnv...), texts: tx})
	}
	return nil
}

// overlaps reports whether the inclusive ranges [a1, a2] and [b1, b2]
// intersect; a zero bound is open.
func overlaps(a1, a2, b1, b2 Version) bool {
	// a ends before b starts, or b ends before a starts.
	if !a2.IsZero() && !b1.IsZero() && a2.Compare(b1) < 0 {
		return false
	}
	if !b2.IsZero() && !a1.IsZero() && b2.Compare(a1) < 0 {
		return false
	}
	return true
}
