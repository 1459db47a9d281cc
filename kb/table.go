package kb

import (
	"bytes"
	"crypto/sha256"
	_ "embed" // the rule table
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// MaxTableSize is the largest rule table Load accepts, in bytes.
const MaxTableSize = 4 << 20

// Text is the human text of a rule, event, remediation or service in one
// language. Remediation is empty where it does not apply.
type Text struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Remediation string `json:"remediation,omitempty"`
	// Fallback is a remediation row's instruction when its Fallback
	// method applies (Remediation.FallbackApplies).
	Fallback string `json:"fallback,omitempty"`
}

// texts maps a language tag ("en", "ja") to a Text. It is never mutated
// after Load, so values sharing it stay immutable.
type texts map[string]Text

// pick returns the text in lang, falling back to English.
func (m texts) pick(lang string) Text {
	if t, ok := m[strings.ToLower(lang)]; ok {
		return t
	}
	if i := strings.IndexAny(lang, "-_"); i > 0 {
		if t, ok := m[strings.ToLower(lang[:i])]; ok {
			return t
		}
	}
	return m["en"]
}

func (m texts) languages() []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Rule is one rule of the table: what a finding with this ID means, kept
// apart from the instance data (Finding).
type Rule struct {
	ID       string   // stable ID ("KB2894285-CASE3")
	Source   string   // source article ("KB2894285", "KB975354", "hvic")
	Case     Case     // the case a VM is in when this rule decides it (0 for host-level rules)
	Action   Action   // what to do
	Severity Severity // how bad
	// Needs lists the evidence the rule rests on.
	Needs []Missing
	// Unverified is true when the rule rests on a fact the domain reference
	// tags [unverified]; the rule's text says which.
	Unverified bool
	texts      texts
}

// Text returns the rule's text in lang ("en", "ja"; "ja-JP" matches "ja"),
// falling back to English.
func (r Rule) Text(lang string) Text { return r.texts.pick(lang) }

// Languages lists the languages the rule's text is written in, sorted.
func (r Rule) Languages() []string { return r.texts.languages() }

// EventRule is one entry of the event catalogue: events of a provider
// (exact name, or prefix) and ID, with their meaning.
type EventRule struct {
	ID       string // stable ID ("EVENT-VMSWITCH-27")
	Provider string // provider or classic source name, compared case-insensitively
	// Prefix makes Provider match every provider name starting with it
	// ("Microsoft-Windows-Hyper-V-Integration" matches "...-Integration-KvpExchange").
	Prefix   bool
	EventID  uint32
	Kind     EventKind
	Severity Severity
	// HarmlessForLinux is true when the event is expected, and harmless,
	// for Linux guests (exclude from monitoring).
	HarmlessForLinux bool
	Confidence       Confidence
	Rule             string // the rule such an event can lead to, "" when none
	texts            texts
}

// Text returns the entry's meaning in lang, falling back to English.
func (e EventRule) Text(lang string) Text { return e.texts.pick(lang) }

// Matches reports whether an event of this provider and ID falls under e.
// Names compare case-insensitively, and a provider written without the
// "Microsoft-Windows-" prefix (as Event Viewer shows it: "Hyper-V-VmSwitch")
// matches an entry written with it.
func (e EventRule) Matches(provider string, id uint32) bool {
	if id != e.EventID {
		return false
	}
	p := strings.TrimSpace(provider)
	want := e.Provider
	const ms = "microsoft-windows-"
	if !hasPrefixFold(p, ms) && hasPrefixFold(want, ms) {
		want = want[len(ms):]
	}
	if e.Prefix {
		return hasPrefixFold(p, want)
	}
	return strings.EqualFold(p, want)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// Release is a known IC version and what shipped it (domain reference §3).
type Release struct {
	Version    Version    `json:"version,omitzero"`
	Name       string     `json:"name"`         // "Server 2012 R2 RTM"
	KB         string     `json:"kb,omitempty"` // the update that shipped it ("KB3172614")
	Confidence Confidence `json:"confidence"`
}

// Remediation is one row of the remediation table: for a host family and a
// range of guest OS versions (or Linux guests), how the guest gets its ICs.
type Remediation struct {
	ID         string     `json:"id"`
	HostFamily HostFamily `json:"host_family"`
	// GuestMin and GuestMax bound the guest's OS version (major.minor),
	// inclusive; zero means unbounded. Unused for Linux rows.
	GuestMin Version `json:"guest_min,omitzero"`
	GuestMax Version `json:"guest_max,omitzero"`
	Linux    bool    `json:"linux,omitempty"`
	Method   Method  `json:"method"`
	// Fallback is the method to use when Method cannot be (for Windows
	// Update: the IC cab when Data Exchange cannot be enabled).
	Fallback Method `json:"fallback,omitempty"`
	// FallbackApplies is set by Evaluate when the evidence shows Method
	// cannot be used (Windows Update with the guest's Data Exchange
	// disabled): Fallback is the method, and Text's Fallback the
	// instruction.
	FallbackApplies bool       `json:"fallback_applies,omitempty"`
	Confidence      Confidence `json:"confidence"`
	texts           texts
}

// Text returns the row's instructions and notes in lang, falling back to
// English.
func (r Remediation) Text(lang string) Text { return r.texts.pick(lang) }

// Service is one integration service (domain reference §5).
type Service struct {
	ID          string // "shutdown", "timesync", "kvp", ...
	ServiceName string // Windows service name ("vmickvpexchange")
	Component   string // event provider suffix ("KvpExchange"), when known
	LinuxDaemon string // "hv_kvp_daemon"; "" when provided by hv_utils itself
	// DefaultEnabled is the default state on a 2012 / 2012 R2 host: "enabled",
	// "disabled", or "" when the reference does not say.
	DefaultEnabled string
	// HostNames are the names Get-VMIntegrationService lists the service
	// by ("Key-Value Pair Exchange"); HostNamesUnverified are localised
	// names accepted as unverified guesses (Japanese).
	HostNames           []string
	HostNamesUnverified []string
	texts               texts
}

// Text returns the service's display name (Title) and notes in lang,
// falling back to English.
func (s Service) Text(lang string) Text { return s.texts.pick(lang) }

// Table is an immutable rule table. Build one with Default or Load; the
// accessors return copies, so a Table is safe for concurrent use.
type Table struct {
	rules        []Rule
	byID         map[string]int
	events       []EventRule
	releases     []Release
	remediations []Remediation
	services     []Service
	commands     []Command
	revision     string
}

//go:embed rules.json
var embedded []byte

// defaultTable holds the parsed embedded table; it is written once, by
// sync.Once, and never mutated afterwards.
var defaultTable struct {
	once sync.Once
	t    *Table
	err  error
}

// Default returns the embedded rule table (KB2894285, KB975354 and the
// hvic rules), parsed once. It never fails: the embedded table is validated
// by the package tests; should it still not load, Default returns an empty
// table and defaultErr says why.
func Default() *Table {
	defaultTable.once.Do(func() {
		defaultTable.t, defaultTable.err = Load(bytes.NewReader(embedded))
		if defaultTable.err != nil {
			defaultTable.t = &Table{byID: map[string]int{}}
		}
	})
	return defaultTable.t
}

// defaultErr returns the error from loading the embedded table, nil when it
// loaded (which the package tests guarantee).
func defaultErr() error {
	Default()
	return defaultTable.err
}

// Load reads and validates a rule table in the JSON layout of the embedded
// one (see rules.json). It reads at most MaxTableSize bytes.
func Load(r io.Reader) (*Table, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxTableSize+1))
	if err != nil {
		return nil, fmt.Errorf("kb: read table: %w", err)
	}
	if len(data) > MaxTableSize {
		return nil, &TableError{Offset: MaxTableSize, Err: ErrTooLarge}
	}
	var raw rawTable
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		off := int64(-1)
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			off = se.Offset
		case errors.As(err, &te):
			off = te.Offset
		}
		return nil, &TableError{Offset: off, Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
	}
	if dec.More() {
		return nil, &TableError{Offset: dec.InputOffset(), Err: fmt.Errorf("%w: data after the table", ErrSyntax)}
	}
	t, err := build(&raw)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	t.revision = hex.EncodeToString(sum[:6])
	if raw.Revision != "" {
		t.revision = raw.Revision + "+" + t.revision
	}
	return t, nil
}

// Revision names the rule table's content: the table's declared revision
// (a date, "2026-12-05") and the first 12 hex digits of the SHA-256 of the
// bytes it was loaded from, "2026-12-05+3f2a1b9c0d1e". Two tables with the
// same Revision hold the same rules; reports carry it so that a verdict
// can be traced to the rules that gave it. Empty for a table that failed
// to load.
func (t *Table) Revision() string { return t.revision }

// Rule returns the rule with this ID.
func (t *Table) Rule(id string) (Rule, bool) {
	i, ok := t.byID[id]
	if !ok {
		return Rule{}, false
	}
	return copyRule(t.rules[i]), true
}

// Rules returns every rule, sorted by ID.
func (t *Table) Rules() []Rule {
	out := make([]Rule, len(t.rules))
	for i, r := range t.rules {
		out[i] = copyRule(r)
	}
	return out
}

// Events returns the event catalogue, in table order.
func (t *Table) Events() []EventRule {
	return append([]EventRule(nil), t.events...)
}

// ClassifyEvent returns the catalogue entry for an event of this provider
// and ID. Exact provider entries win over prefix entries.
func (t *Table) ClassifyEvent(provider string, id uint32) (EventRule, bool) {
	var best EventRule
	found := false
	for _, e := range t.events {
		if !e.Matches(provider, id) {
			continue
		}
		if !e.Prefix {
			return e, true
		}
		if !found || len(e.Provider) > len(best.Provider) {
			best, found = e, true
		}
	}
	return best, found
}

// Releases returns the known IC versions, in ascending version order.
func (t *Table) Releases() []Release {
	return append([]Release(nil), t.releases...)
}

// Release returns the known release with exactly version v (missing parts
// counting as 0).
func (t *Table) Release(v Version) (Release, bool) {
	if v.IsZero() {
		return Release{}, false
	}
	for _, r := range t.releases {
		if r.Version.Equal(v) {
			return r, true
		}
	}
	return Release{}, false
}

// Remediations returns the remediation table, in table order.
func (t *Table) Remediations() []Remediation {
	return append([]Remediation(nil), t.remediations...)
}

// Remediation returns the remediation row with this ID: how a renderer
// finds the text of an Assessment's Remediation read back from JSON, which
// carries the row's data but not its text.
func (t *Table) Remediation(id string) (Remediation, bool) {
	for _, r := range t.remediations {
		if r.ID == id {
			return r, true
		}
	}
	return Remediation{}, false
}

// Services returns the services table, in table order.
func (t *Table) Services() []Service {
	out := make([]Service, len(t.services))
	for i, s := range t.services {
		out[i] = copyService(s)
	}
	return out
}

func copyService(s Service) Service {
	s.HostNames = append([]string(nil), s.HostNames...)
	s.HostNamesUnverified = append([]string(nil), s.HostNamesUnverified...)
	return s
}

func copyRule(r Rule) Rule {
	r.Needs = append([]Missing(nil), r.Needs...)
	return r
}

// ServiceFor returns the integration service an event component names
// ("KvpExchange", "Heartbeat", or a whole provider name such as
// "Microsoft-Windows-Hyper-V-Integration-VSS"), compared case-insensitively.
func (t *Table) ServiceFor(component string) (Service, bool) {
	c := strings.TrimSpace(component)
	const integ = "Microsoft-Windows-Hyper-V-Integration-"
	if hasPrefixFold(c, integ) {
		c = c[len(integ):]
	}
	if c == "" {
		return Service{}, false
	}
	for _, s := range t.services {
		if s.Component != "" && strings.EqualFold(s.Component, c) {
			return copyService(s), true
		}
	}
	return Service{}, false
}
