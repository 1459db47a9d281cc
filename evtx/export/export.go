package export

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hvic/hvic/evtx"
	"github.com/hvic/hvic/internal/textenc"
)

// Form says which kind of export an input is.
type Form int

// Export forms.
const (
	FormUnknown     Form = iota
	FormEventsXML        // Event Viewer "Save as XML": <Events> root
	FormEventXML         // wevtutil qe /f:xml: concatenated <Event> elements, no root
	FormViewerCSV        // Event Viewer "Save as CSV": Level,Date and Time,Source,Event ID,Task Category + message
	FormViewerText       // Event Viewer "Save as Text": the same columns separated by tabs
	FormWinEventCSV      // Get-WinEvent | Export-Csv (or ConvertTo-Csv)
)

var formNames = [...]string{"unknown", "events-xml", "event-xml", "viewer-csv", "viewer-text", "winevent-csv"}

// String returns the stable name of f.
func (f Form) String() string {
	if f >= 0 && int(f) < len(formNames) {
		return formNames[f]
	}
	return fmt.Sprintf("form(%d)", int(f))
}

// Rendered reports whether the form keeps only the rendered message, so
// that VM names, IDs and versions are recovered from text by pattern.
func (f Form) Rendered() bool {
	return f == FormViewerCSV || f == FormViewerText || f == FormWinEventCSV
}

// NoteRendered is the ICEvent.Note of every event read from a rendered
// message.
const NoteRendered = "taken from rendered text"

// Coverage is the span of one computer's channel in one export: the
// export covers that log from First to Last (all records, IC or not).
// Computer or Channel is "" when the form does not carry it (Event Viewer
// CSV and text: neither; Channel is then inferred from the providers seen
// when all of them belong to one log, see Parse).
type Coverage struct {
	Computer string
	Channel  string
	First    time.Time
	Last     time.Time
	Records  int
	// LocalTime is true when the times are the exporting machine's local
	// time read as UTC (Event Viewer CSV and text, Get-WinEvent CSV carry
	// no time zone).
	LocalTime bool
}

// Problem is one record or row that could not be read.
type Problem struct {
	Line int    // 1-based line of the row or of the <Event> element; 0 for the input as a whole
	What string // what was wrong
}

// Result is what Parse read from one export.
type Result struct {
	Form     Form
	Encoding string
	// Records are the decoded records of the XML forms, in file order
	// (nil for the rendered forms, which hold no event data).
	Records []evtx.Record
	// Events are the IC events: evtx.ExtractICFor of each record with
	// Options.Events (XML forms),
	// or recovered from the rendered message with Ambiguous set and Note
	// NoteRendered (the other forms).
	Events []evtx.ICEvent
	// Counted is the number of records each Options.Count key selected
	// that are no IC event, by provider name as recorded (Event Viewer's
	// Source with its "Microsoft-Windows-" prefix restored); nil when none.
	Counted  map[string]int
	Coverage []Coverage
	Problems []Problem
}

// Options bound Parse. The zero value (or nil) means the defaults.
type Options struct {
	// Name labels records and events (Record.File, ICEvent.File).
	Name string
	// MaxSize is the largest input accepted, in bytes (default 256 MiB).
	MaxSize int64
	// MaxRecords caps the records or rows read (default 1,000,000); the
	// rest are dropped with a Problem.
	MaxRecords int
	// MaxDataFields caps the event data fields kept per record (default
	// evtx.DefaultMaxDataFields); the rest are dropped with a Problem.
	MaxDataFields int
	// Events selects the (provider, event ID) pairs that are IC events, as
	// evtx.ScanOptions.Events does (the caller's catalogue, kb's event
	// table); nil means what evtx.ExtractIC accepts.
	Events []evtx.EventKey
	// Count selects records counted per provider (Result.Counted) instead
	// of being returned as IC events, as evtx.ScanOptions.Count does: the
	// caller's hint providers (package hvic passes kb's Hyper-V guest
	// driver providers), usually with AnyID. A record that is an IC event
	// is not counted.
	Count []evtx.EventKey
}

// Defaults of Options.
const (
	DefaultMaxSize    = 256 << 20
	DefaultMaxRecords = 1_000_000
)

func (o *Options) withDefaults() Options {
	var v Options
	if o != nil {
		v = *o
	}
	if v.MaxSize <= 0 {
		v.MaxSize = DefaultMaxSize
	}
	if v.MaxRecords <= 0 {
		v.MaxRecords = DefaultMaxRecords
	}
	if v.MaxDataFields <= 0 {
		v.MaxDataFields = evtx.DefaultMaxDataFields
	}
	return v
}

// Sentinel errors.
var (
	// ErrNotExport: the input is none of the export forms.
	ErrNotExport = errors.New("export: not an event export")
	// ErrTooLarge: the input exceeds Options.MaxSize.
	ErrTooLarge = errors.New("export: input exceeds limit")
)

// Parse reads one event export in any of the forms of the package
// documentation. It never panics; a record or row it cannot read is a
// Problem, and an input of no known form is ErrNotExport.
func Parse(b []byte, opts *Options) (res *Result, err error) {
	o := opts.withDefaults()
	if int64(len(b)) > o.MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(b), o.MaxSize)
	}
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("%w: internal fault: %v", ErrNotExport, p)
		}
	}()
	text, enc := textenc.Decode(b)
	text = textenc.BlankPrompts(text)
	form := detect(text)
	if form == FormUnknown {
		return nil, ErrNotExport
	}
	p := &parser{o: o, res: &Result{Form: form, Encoding: enc}, cover: map[[2]string]*Coverage{}}
	switch form {
	case FormEventsXML, FormEventXML:
		p.xmlText(text)
	default:
		if err := p.table(text, form); err != nil {
			return nil, err
		}
	}
	p.finish()
	return p.res, nil
}

// Sniff returns the form of an export from its first bytes (4 KiB is
// enough), FormUnknown when it is none.
func Sniff(head []byte) (f Form) {
	defer func() {
		if recover() != nil {
			f = FormUnknown
		}
	}()
	text, _ := textenc.Decode(head)
	return detect(textenc.BlankPrompts(text))
}

// parser accumulates one export's result.
type parser struct {
	o     Options
	res   *Result
	cover map[[2]string]*Coverage
	n     int
	full  bool
}

func (p *parser) problem(line int, format string, args ...any) {
	if len(p.res.Problems) < 1000 {
		p.res.Problems = append(p.res.Problems, Problem{Line: line, What: fmt.Sprintf(format, args...)})
	}
}

// take counts one record against MaxRecords; false once the cap is met.
func (p *parser) take(line int) bool {
	if p.n >= p.o.MaxRecords {
		if !p.full {
			p.full = true
			p.problem(line, "more than %d records: the rest are not read", p.o.MaxRecords)
		}
		return false
	}
	p.n++
	return true
}

// span adds one record's time to its computer's channel coverage.
func (p *parser) span(computer, channel string, t time.Time, local bool) {
	k := [2]string{strings.ToLower(computer), strings.ToLower(channel)}
	c := p.cover[k]
	if c == nil {
		c = &Coverage{Computer: computer, Channel: channel, LocalTime: local}
		p.cover[k] = c
	}
	c.Records++
	if t.IsZero() {
		return
	}
	if c.First.IsZero() || t.Before(c.First) {
		c.First = t
	}
	if t.After(c.Last) {
		c.Last = t
	}
}

// extract returns the IC event of r, or counts r when an Options.Count
// key selects it.
func (p *parser) extract(r evtx.Record) (evtx.ICEvent, bool) {
	if ev, ok := evtx.ExtractICFor(r, p.o.Events); ok {
		return ev, true
	}
	for _, k := range p.o.Count {
		if k.Matches(r.Provider, r.EventID) {
			if p.res.Counted == nil {
				p.res.Counted = map[string]int{}
			}
			p.res.Counted[r.Provider]++
			break
		}
	}
	return evtx.ICEvent{}, false
}

// finish orders the coverage.
func (p *parser) finish() {
	for _, c := range p.cover {
		p.res.Coverage = append(p.res.Coverage, *c)
	}
	sort.Slice(p.res.Coverage, func(i, j int) bool {
		a, b := p.res.Coverage[i], p.res.Coverage[j]
		if a.Computer != b.Computer {
			return a.Computer < b.Computer
		}
		return a.Channel < b.Channel
	})
}
