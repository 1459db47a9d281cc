package kb

// EventKey is one (provider, event ID) pair of the event catalogue, for a
// log reader that must filter and classify records without importing kb's
// evaluation: the rule table is the one list of the events that matter.
type EventKey struct {
	Provider string    // provider or classic source name, compared case-insensitively
	Prefix   bool      // Provider matches every provider name starting with it
	EventID  uint32    // without qualifiers
	Kind     EventKind // the event's meaning
}

// EventKeys returns the catalogue's (provider, event ID) pairs, in table
// order. A provider written with "Microsoft-Windows-" also matches the
// name without it (see EventRule.Matches).
func (t *Table) EventKeys() []EventKey {
	out := make([]EventKey, len(t.events))
	for i, e := range t.events {
		out[i] = EventKey{Provider: e.Provider, Prefix: e.Prefix, EventID: e.EventID, Kind: e.Kind}
	}
	return out
}

// Classify returns the kind of an event of this provider and ID:
// EventUnknown when the catalogue does not list it. Exact provider entries
// win over prefix entries, so Microsoft-Windows-Hyper-V-StorageVSP 6 is an
// I/O failure and storvsp 6 a version mismatch.
func (t *Table) Classify(provider string, id uint32) EventKind {
	if r, ok := t.ClassifyEvent(provider, id); ok {
		return r.Kind
	}
	return EventUnknown
}
