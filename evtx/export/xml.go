package export

import (
	"encoding/xml"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hvic/hvic/evtx"
)

// xEvent is the event schema's <Event> element
// (http://schemas.microsoft.com/win/2004/08/events/event).
type xEvent struct {
	System struct {
		Provider struct {
			Name            string `xml:"Name,attr"`
			GUID            string `xml:"Guid,attr"`
			EventSourceName string `xml:"EventSourceName,attr"`
		} `xml:"Provider"`
		EventID struct {
			Qualifiers string `xml:"Qualifiers,attr"`
			Value      string `xml:",chardata"`
		} `xml:"EventID"`
		Version     string `xml:"Version"`
		Level       string `xml:"Level"`
		Task        string `xml:"Task"`
		Opcode      string `xml:"Opcode"`
		Keywords    string `xml:"Keywords"`
		TimeCreated struct {
			SystemTime string `xml:"SystemTime,attr"`
		} `xml:"TimeCreated"`
		EventRecordID string `xml:"EventRecordID"`
		Execution     struct {
			ProcessID string `xml:"ProcessID,attr"`
			ThreadID  string `xml:"ThreadID,attr"`
		} `xml:"Execution"`
		Channel  string `xml:"Channel"`
		Computer string `xml:"Computer"`
		Security struct {
			UserID string `xml:"UserID,attr"`
		} `xml:"Security"`
	} `xml:"System"`
	EventData *struct {
		Data []struct {
			Name  string `xml:"Name,attr"`
			Value string `xml:",chardata"`
		} `xml:"Data"`
		Binary string `xml:"Binary"`
	} `xml:"EventData"`
	UserData *struct {
		Inner string `xml:",innerxml"`
	} `xml:"UserData"`
}

// detect decides the form from the text's start.
func detect(text string) Form {
	t := strings.TrimLeft(text, " \t\r\n\uFEFF")
	if strings.HasPrefix(t, "<?xml") {
		if i := strings.Index(t, "?>"); i >= 0 {
			t = strings.TrimLeft(t[i+2:], " \t\r\n")
		}
	}
	switch {
	case hasTag(t, "Events"):
		return FormEventsXML
	case hasTag(t, "Event"):
		return FormEventXML
	case strings.HasPrefix(t, "<"):
		return FormUnknown
	}
	return detectTable(t)
}

// hasTag reports whether t starts with the start tag of name.
func hasTag(t, name string) bool {
	if !strings.HasPrefix(t, "<"+name) {
		return false
	}
	if len(t) == len(name)+1 {
		return true
	}
	c := t[len(name)+1]
	return c == ' ' || c == '>' || c == '\t' || c == '\r' || c == '\n' || c == '/'
}

// xmlText reads every <Event> element, wherever it is (under <Events> or
// at the top level). After a malformed element, reading resumes at the
// next "<Event" start tag.
func (p *parser) xmlText(text string) {
	base, lineBase := 0, 0
	for guard := 0; base < len(text) && guard < p.o.MaxRecords+1000; guard++ {
		next, done := p.xmlFrom(text, base, lineBase)
		if done {
			return
		}
		// Lines are counted over the skipped part only: linear overall.
		lineBase += strings.Count(text[base:next], "\n")
		base = next
	}
}

// xmlFrom decodes events from text[base:]; on a syntax error it returns
// where to resume.
func (p *parser) xmlFrom(text string, base, lineBase int) (next int, done bool) {
	d := xml.NewDecoder(strings.NewReader(blankDeclaration(text[base:])))
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil } // already decoded
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return 0, true
		}
		if err != nil {
			return p.resync(text, base, d, lineBase, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Event" {
			continue
		}
		line, _ := d.InputPos()
		var xe xEvent
		if err := d.DecodeElement(&xe, &se); err != nil {
			return p.resync(text, base, d, lineBase, err)
		}
		if !p.take(lineBase + line) {
			return 0, true
		}
		p.addRecord(p.record(&xe, lineBase+line))
	}
}

// blankDeclaration replaces a leading XML declaration by spaces (keeping
// offsets and lines): python-evtx declares version 1.1, which
// encoding/xml refuses, and the encoding it names is already decoded.
func blankDeclaration(t string) string {
	i := len(t) - len(strings.TrimLeft(t, " \t\r\n\uFEFF"))
	if !strings.HasPrefix(t[i:], "<?xml") {
		return t
	}
	j := strings.Index(t[i:], "?>")
	if j < 0 || j > 4096 {
		return t
	}
	return t[:i] + strings.Repeat(" ", j+2) + t[i+j+2:]
}

// resync records a syntax error and finds the next event start tag.
func (p *parser) resync(text string, base int, d *xml.Decoder, lineBase int, err error) (int, bool) {
	line, _ := d.InputPos()
	p.problem(lineBase+line, "xml: %v", err)
	from := base + int(d.InputOffset())
	if from <= base {
		from = base + 1
	}
	if from >= len(text) {
		return 0, true
	}
	i := strings.Index(text[from:], "<Event")
	if i < 0 {
		return 0, true
	}
	return from + i, false
}

// addRecord keeps the record, its coverage and its IC event, or counts
// it (Options.Count).
func (p *parser) addRecord(r evtx.Record) {
	p.res.Records = append(p.res.Records, r)
	p.span(r.Computer, r.Channel, r.TimeCreated, false)
	if ev, ok := p.extract(r); ok {
		p.res.Events = append(p.res.Events, ev)
	}
}

// record builds an evtx.Record from the element, as the binary reader
// would: upper-case braced provider GUID, qualifiers apart, UTC time.
func (p *parser) record(xe *xEvent, line int) evtx.Record {
	s := &xe.System
	r := evtx.Record{
		File:            p.o.Name,
		Provider:        strings.TrimSpace(s.Provider.Name),
		EventSourceName: strings.TrimSpace(s.Provider.EventSourceName),
		Channel:         strings.TrimSpace(s.Channel),
		Computer:        strings.TrimSpace(s.Computer),
		UserID:          strings.TrimSpace(s.Security.UserID),
		Chunk:           -1,
		Offset:          -1,
	}
	if g := strings.Trim(strings.TrimSpace(s.Provider.GUID), "{}"); g != "" {
		r.ProviderGUID = "{" + strings.ToUpper(g) + "}"
	}
	bad := func(what, v string) { p.problem(line, "%s %q is not a number", what, v) }
	r.EventID = uint16(num(s.EventID.Value, 16, "EventID", bad))
	if q := strings.TrimSpace(s.EventID.Qualifiers); q != "" {
		r.Qualifiers, r.HasQualifiers = uint16(num(q, 16, "Qualifiers", bad)), true
	}
	r.Version = uint8(num(s.Version, 8, "Version", bad))
	r.Level = uint8(num(s.Level, 8, "Level", bad))
	r.Task = uint16(num(s.Task, 16, "Task", bad))
	r.Opcode = uint8(num(s.Opcode, 8, "Opcode", bad))
	r.Keywords = num(s.Keywords, 64, "Keywords", bad)
	r.RecordID = num(s.EventRecordID, 64, "EventRecordID", bad)
	r.ProcessID = uint32(num(s.Execution.ProcessID, 32, "ProcessID", bad))
	r.ThreadID = uint32(num(s.Execution.ThreadID, 32, "ThreadID", bad))
	if ts := strings.TrimSpace(s.TimeCreated.SystemTime); ts != "" {
		t, ok := parseSystemTime(ts)
		if !ok {
			p.problem(line, "TimeCreated %q is not a time", ts)
		}
		r.TimeCreated = t
	}
	p.eventData(&r, xe, line)
	return r
}

// eventData fills Data (and Binary) in document order.
func (p *parser) eventData(r *evtx.Record, xe *xEvent, line int) {
	if xe.EventData != nil {
		for _, d := range xe.EventData.Data {
			if items, ok := stringArray(d.Name, d.Value); ok {
				r.Data = append(r.Data, items...)
				r.DataMayBeShifted = true
				continue
			}
			r.Data = append(r.Data, evtx.Field{Name: d.Name, Value: d.Value})
		}
		r.Binary = strings.ToUpper(strings.TrimSpace(xe.EventData.Binary))
	}
	if xe.UserData != nil {
		r.Data = append(r.Data, userData(xe.UserData.Inner)...)
	}
	if len(r.Data) > p.o.MaxDataFields {
		p.problem(line, "%d data fields, %d kept", len(r.Data), p.o.MaxDataFields)
		r.Data = r.Data[:p.o.MaxDataFields]
	}
}

// reStringItem is one item of python-evtx's rendering of a classic string
// array: a single unnamed <Data> whose text is "<string>a</string>
// <string>b</string>...".
var (
	reStringItem  = regexp.MustCompile(`(?s)<string>(.*?)</string>`)
	reStringArray = regexp.MustCompile(`(?s)^\s*(<string>.*?</string>\s*)+$`)
)

// stringArray expands python-evtx's string array into one unnamed Field
// per non-empty string. python-evtx does not keep empty strings in place,
// so they are dropped and the record is marked DataMayBeShifted, exactly
// like the binary reader's fallback list: extraction then goes by pattern
// and flags the event.
func stringArray(name, value string) ([]evtx.Field, bool) {
	if name != "" || !strings.HasPrefix(strings.TrimSpace(value), "<string>") || !reStringArray.MatchString(value) {
		return nil, false
	}
	var out []evtx.Field
	for _, m := range reStringItem.FindAllStringSubmatch(value, -1) {
		if m[1] != "" {
			out = append(out, evtx.Field{Value: m[1]})
		}
	}
	return out, true
}

// userData returns the leaf elements of UserData's content, in order.
func userData(inner string) []evtx.Field {
	d := xml.NewDecoder(strings.NewReader(inner))
	var out []evtx.Field
	var name string
	var text strings.Builder
	leaf := false
	for {
		tok, err := d.Token()
		if err != nil {
			return out
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name, leaf = t.Name.Local, true
			text.Reset()
		case xml.CharData:
			if leaf {
				text.Write(t)
			}
		case xml.EndElement:
			if leaf && t.Name.Local == name {
				out = append(out, evtx.Field{Name: name, Value: text.String()})
			}
			leaf = false
		}
	}
}

// num parses a decimal or 0x-hexadecimal unsigned number of the given bit
// size; "" is 0.
func num(s string, bits int, what string, bad func(what, v string)) uint64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	v, err := strconv.ParseUint(s, 0, bits)
	if err != nil {
		bad(what, s)
		return 0
	}
	return v
}

// systemTimeLayouts are the TimeCreated SystemTime shapes: Windows
// ("2024-01-02T03:04:05.1234567Z"), python-evtx ("2024-01-02
// 03:04:05.123456", UTC without a zone), with or without fraction.
var systemTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

func parseSystemTime(s string) (time.Time, bool) {
	for _, l := range systemTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
