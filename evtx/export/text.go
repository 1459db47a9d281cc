package export

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/hvic/hvic/evtx"
)

// Event Viewer's column headers ("Save as CSV" and "Save as Text"): Level,
// Date and Time, Source, Event ID, Task Category, then the message in a
// sixth column without a header. The Japanese headers are [unverified]
// (the wording of the Japanese Event Viewer's columns, not seen in an
// export).
var viewerHeaders = [][]string{
	{"level", "date and time", "source", "event id"},
	{"レベル", "日付と時刻", "ソース", "イベント id"},
}

// Get-WinEvent | Export-Csv columns read (EventLogRecord properties).
const (
	wMessage  = "message"
	wID       = "id"
	wQual     = "qualifiers"
	wRecordID = "recordid"
	wProvider = "providername"
	wLogName  = "logname"
	wMachine  = "machinename"
	wTime     = "timecreated"
)

// headerCells splits a header line on its delimiter and normalises the
// names (quotes, spaces, case).
func headerCells(line string, comma rune) []string {
	cells := strings.Split(line, string(comma))
	for i, c := range cells {
		cells[i] = strings.ToLower(strings.Join(strings.Fields(strings.Trim(strings.TrimSpace(c), `"`)), " "))
	}
	return cells
}

// firstLine returns the first non-empty line that is not a "#TYPE" line.
func firstLine(t string) string {
	for _, l := range strings.Split(t, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#TYPE") {
			return l
		}
	}
	return ""
}

// detectTable recognises the rendered forms from their header line.
func detectTable(t string) Form {
	l := firstLine(t)
	for _, comma := range []rune{'\t', ','} {
		cells := headerCells(l, comma)
		if len(cells) < 4 {
			continue
		}
		for _, want := range viewerHeaders {
			if equalPrefix(cells, want) {
				if comma == '\t' {
					return FormViewerText
				}
				return FormViewerCSV
			}
		}
		if comma == ',' && hasAll(cells, wMessage, wID, wProvider, wTime) {
			return FormWinEventCSV
		}
	}
	return FormUnknown
}

func equalPrefix(cells, want []string) bool {
	for i, w := range want {
		if cells[i] != w {
			return false
		}
	}
	return true
}

func hasAll(cells []string, names ...string) bool {
	for _, n := range names {
		if index(cells, n) < 0 {
			return false
		}
	}
	return true
}

func index(cells []string, name string) int {
	for i, c := range cells {
		if c == name {
			return i
		}
	}
	return -1
}

// row is one rendered event.
type row struct {
	provider, channel, computer, message string
	id, qualifiers                       uint64
	hasQualifiers                        bool
	recordID                             uint64
	time                                 time.Time
	line                                 int
}

// table reads the rendered forms.
func (p *parser) table(text string, form Form) error {
	ls := strings.Split(text, "\n")
	skip := 0
	for skip < len(ls) && (strings.TrimSpace(ls[skip]) == "" || strings.HasPrefix(strings.TrimSpace(ls[skip]), "#TYPE")) {
		skip++
	}
	cr := csv.NewReader(strings.NewReader(strings.Join(ls[skip:], "\n")))
	cr.Comma, cr.FieldsPerRecord, cr.LazyQuotes = comma(form), -1, true
	head, err := cr.Read()
	if err != nil {
		return errors.Join(ErrNotExport, err)
	}
	cells := make([]string, len(head))
	for i, h := range head {
		cells[i] = strings.ToLower(strings.Join(strings.Fields(h), " "))
	}
	rows := []row{}
	for {
		rec, err := cr.Read()
		line, _ := cr.FieldPos(0)
		if err == io.EOF {
			break
		}
		if err != nil {
			p.problem(skip+line, "csv: %v", err)
			if errors.Is(err, csv.ErrFieldCount) {
				continue
			}
			break
		}
		if !p.take(skip + line) {
			break
		}
		r, ok := p.readRow(form, cells, rec, skip+line)
		if ok {
			rows = append(rows, r)
		}
	}
	p.rendered(rows)
	return nil
}

// comma is the form's delimiter.
func comma(form Form) rune {
	if form == FormViewerText {
		return '\t'
	}
	return ','
}

// readRow reads one row of either rendered layout.
func (p *parser) readRow(form Form, cells, rec []string, line int) (row, bool) {
	get := func(name string) string {
		if i := index(cells, name); i >= 0 && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	r := row{line: line}
	var ts, id string
	if form == FormWinEventCSV {
		r.provider, r.channel, r.computer, r.message = get(wProvider), get(wLogName), get(wMachine), get(wMessage)
		ts, id = get(wTime), get(wID)
		if q := get(wQual); q != "" {
			r.qualifiers, r.hasQualifiers = num(q, 16, "Qualifiers", p.badNum(line)), true
		}
		r.recordID = num(get(wRecordID), 64, "RecordId", p.badNum(line))
	} else {
		if len(rec) < 5 {
			p.problem(line, "row has %d columns, want at least 5", len(rec))
			return r, false
		}
		ts, r.provider, id = strings.TrimSpace(rec[1]), fullProvider(strings.TrimSpace(rec[2])), rec[3]
		if len(rec) > 5 {
			r.message = strings.Join(rec[5:], string(comma(form))) // a message with the delimiter in it, unquoted
		}
	}
	r.id = num(id, 16, "Event ID", p.badNum(line))
	if t, ok := parseLocalTime(ts); ok {
		r.time = t
	} else if ts != "" {
		p.problem(line, "time %q not understood", ts)
	}
	return r, r.provider != ""
}

func (p *parser) badNum(line int) func(what, v string) {
	return func(what, v string) { p.problem(line, "%s %q is not a number", what, v) }
}

// fullProvider restores the "Microsoft-Windows-" prefix Event Viewer's
// Source column leaves out ("Hyper-V-VmSwitch", as KB2894285 shows it).
func fullProvider(s string) string {
	if hasPrefixFold(s, "Hyper-V-") {
		return "Microsoft-Windows-" + s
	}
	return s
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// localTimeLayouts are the date and time shapes of the en-US, ja-JP and
// ISO cultures; the zone is unknown (the exporting machine's).
var localTimeLayouts = []string{
	"1/2/2006 3:04:05 PM",
	"2006/01/02 15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"1/2/2006 15:04:05",
	"02.01.2006 15:04:05",
}

func parseLocalTime(s string) (time.Time, bool) {
	s = strings.Join(strings.Fields(s), " ")
	for _, l := range localTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// channelOf infers the log a provider writes IC events to: the
// Integration-Admin channel for Integration-*, System for the network and
// storage version events.
func channelOf(provider string) string {
	switch {
	case hasPrefixFold(provider, "Microsoft-Windows-Hyper-V-Integration"):
		return "Microsoft-Windows-Hyper-V-Integration-Admin"
	case strings.EqualFold(provider, "Microsoft-Windows-Hyper-V-VmSwitch"), strings.EqualFold(provider, "VMSMP"),
		strings.EqualFold(provider, "storvsp"), strings.EqualFold(provider, "Service Control Manager"),
		strings.EqualFold(provider, "EventLog"):
		return "System"
	}
	return ""
}

// rendered turns rows into coverage, IC events and counts. Event Viewer forms
// carry no channel: the log is inferred from the providers seen when all
// that name one agree; otherwise the coverage channel is "".
func (p *parser) rendered(rows []row) {
	channel, agree := "", true
	for _, r := range rows {
		if c := channelOf(r.provider); c != "" && r.channel == "" {
			if channel != "" && c != channel {
				agree = false
			}
			channel = c
		}
	}
	if !agree {
		channel = ""
	}
	for _, r := range rows {
		if r.channel == "" {
			r.channel = channel
		}
		p.span(r.computer, r.channel, r.time, true)
		rec := evtx.Record{File: p.o.Name, Provider: r.provider, EventID: uint16(r.id), Qualifiers: uint16(r.qualifiers),
			HasQualifiers: r.hasQualifiers, TimeCreated: r.time, Computer: r.computer, Channel: r.channel,
			RecordID: r.recordID, Chunk: -1, Offset: -1}
		ev, ok := p.extract(rec)
		if !ok {
			continue
		}
		fromMessage(&ev, r.message)
		ev.Ambiguous, ev.Note = true, NoteRendered+"; time is the exporting machine's local time"
		p.res.Events = append(p.res.Events, ev)
	}
}
