package evtx

import (
	"strings"
	"time"
)

// fill sets the typed System fields and the event data of rec from the
// Event element.
func (d *decoder) fill(rec *Record, ev *xnode) {
	if sys := ev.child("System"); sys != nil {
		for _, c := range sys.children {
			text := strings.TrimSpace(c.text.String())
			switch c.name {
			case "Provider":
				rec.Provider, _ = c.attr("Name")
				if g, ok := c.attr("Guid"); ok {
					rec.ProviderGUID = normGUIDBraced(g)
				}
				rec.EventSourceName, _ = c.attr("EventSourceName")
			case "EventID":
				rec.EventID = uint16(parseUint(text, 16))
				if q, ok := c.attr("Qualifiers"); ok {
					rec.Qualifiers = uint16(parseUint(q, 16))
					rec.HasQualifiers = true
				}
			case "Version":
				rec.Version = uint8(parseUint(text, 8))
			case "Level":
				rec.Level = uint8(parseUint(text, 8))
			case "Task":
				rec.Task = uint16(parseUint(text, 16))
			case "Opcode":
				rec.Opcode = uint8(parseUint(text, 8))
			case "Keywords":
				rec.Keywords = parseUint(text, 64)
			case "TimeCreated":
				if s, ok := c.attr("SystemTime"); ok {
					if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
						rec.TimeCreated = t.UTC()
					}
				}
			case "Channel":
				rec.Channel = text
			case "Computer":
				rec.Computer = text
			case "Security":
				rec.UserID, _ = c.attr("UserID")
			case "Execution":
				if s, ok := c.attr("ProcessID"); ok {
					rec.ProcessID = uint32(parseUint(s, 32))
				}
				if s, ok := c.attr("ThreadID"); ok {
					rec.ThreadID = uint32(parseUint(s, 32))
				}
			}
		}
	}
	if ed := ev.child("EventData"); ed != nil {
		for _, c := range ed.children {
			if c.name == "Binary" {
				d.binary(rec, strings.TrimSpace(c.text.String()))
				continue
			}
			if c.name != "Data" {
				continue
			}
			name, _ := c.attr("Name")
			if c.array != nil {
				if name == "" {
					if c.shifted {
						rec.DataMayBeShifted = true
					}
					for _, s := range c.array {
						d.add(rec, "", s)
					}
					continue
				}
				d.add(rec, name, strings.Join(c.array, ", "))
				continue
			}
			d.add(rec, name, c.text.String())
		}
	}
	if ud := ev.child("UserData"); ud != nil {
		d.leaves(rec, ud, 0)
	}
}

// leaves adds the leaf elements under x (UserData) as named fields.
func (d *decoder) leaves(rec *Record, x *xnode, depth int) {
	if depth > maxTreeDepth {
		return
	}
	for _, c := range x.children {
		if len(c.children) == 0 {
			if c.array != nil {
				for _, s := range c.array {
					d.add(rec, c.name, s)
				}
				continue
			}
			d.add(rec, c.name, c.text.String())
			continue
		}
		d.leaves(rec, c, depth+1)
	}
}

// add appends a field; once a limit is hit the rest of the record's data is
// dropped (not just the oversized field), so positions stay meaningful.
// binary keeps the hex text of EventData's <Binary> element, within the
// record's MaxDataSize budget; beyond it the text is cut (at a whole byte)
// and reported like dropped fields.
func (d *decoder) binary(rec *Record, hexText string) {
	left := d.f.opts.MaxDataSize - d.bytes
	if left < len(hexText) {
		hexText = hexText[:max(left, 0)&^1]
		d.truncated = true
	}
	d.bytes += len(hexText)
	rec.Binary = hexText
}

func (d *decoder) add(rec *Record, name, value string) {
	if d.truncated || d.fields >= d.f.opts.MaxDataFields || d.bytes+len(name)+len(value) > d.f.opts.MaxDataSize {
		d.truncated = true
		return
	}
	d.fields++
	d.bytes += len(name) + len(value)
	rec.Data = append(rec.Data, Field{Name: name, Value: value})
}
