package evtx

import (
	"encoding/binary"
	"strings"
	"unicode/utf16"
)

// The light reader's record and value reading: what a record's provider
// names and event IDs may be (see peek.go).

// peekInfo is what the light reader learned of one record: every provider
// name and event ID the full decode could give it.
type peekInfo struct {
	providers []string // always holds "" (no Provider element reached)
	ids       []uint16 // nil when the event ID is unknown
}

// record reads the record whose BinXML starts at pos and ends at end.
// false: the light reader cannot tell.
func (p *peeker) record(v *validator, pos, end int) (peekInfo, bool) {
	p.limit, p.steps = end, 0
	if !p.has(pos, 4+10) || p.data[pos] != tokFragment || p.data[pos+4] != tokTemplate {
		return peekInfo{}, false
	}
	ti := pos + 4
	defOff := p.i32(ti + 6)
	// What golang-evtx reads from this record must pass the validator, as
	// the full decode requires.
	v.limit, v.steps, v.extra = end, 0, 0
	if _, err := v.template(ti, 0); err != nil || v.extra > recordBudgetBase {
		v.extra = 0
		return peekInfo{}, false
	}
	v.extra = 0
	d := p.definition(defOff)
	if !d.ok || !d.event {
		// decode fails a record whose first element is not Event.
		return peekInfo{}, false
	}
	vals := ti + 10
	if defOff == vals {
		vals = d.end
	}
	p.vals.types, p.vals.raw = p.vals.types[:0], p.vals.raw[:0]
	if !p.values(v, vals, 0, d, &p.vals) {
		return peekInfo{}, false
	}
	subs := p.vals
	info := peekInfo{providers: append(p.prov[:0], "")}
	for _, r := range d.provNames {
		s, ok := p.str(subs, r)
		if !ok {
			return peekInfo{}, false
		}
		info.providers = append(info.providers, s)
	}
	p.prov = info.providers
	info.ids = append(p.ids[:0], 0)
	p.ids = info.ids
	for _, r := range d.eventIDs {
		id, ok := subs.id(r)
		if !ok {
			info.ids = nil
			break
		}
		info.ids = append(info.ids, id)
	}
	return info, true
}

// peekValues are the substitution values of one record: type and bytes.
type peekValues struct {
	types []byte
	raw   [][]byte
}

// values walks the substitution array at pos, the values of definition
// d, as golang-evtx reads it; keep (when not nil) receives their types and
// bytes. It refuses arrays holding a value golang-evtx would drop (its
// index would shift), a BinXML value that is not plain (binXMLPlain), or
// values d renders many times: their bytes, counted once per reference,
// beyond twice their total plus 1 KiB (such a definition costs the full
// decode far more than its bytes).
func (p *peeker) values(v *validator, pos, depth int, d *peekDef, keep *peekValues) bool {
	if !p.has(pos, 4) {
		return false
	}
	n := p.i32(pos)
	if n < 0 || !p.has(pos+4, 4*n) {
		return false
	}
	q := pos + 4 + 4*n
	total, used := 0, 0
	for i := 0; i < n; i++ {
		size, t := p.u16(pos+4+4*i), p.data[pos+4+4*i+2]
		if t == vtBinXML && !p.binXMLPlain(v, q, depth+1) {
			return false
		}
		np, bad, err := v.value(q, t, size, 0)
		if err != nil || bad != "" || np < q || np > p.limit {
			return false
		}
		total += np - q
		if i < len(d.refs) {
			used += d.refs[i] * (np - q)
		}
		if keep != nil {
			keep.types = append(keep.types, t)
			keep.raw = append(keep.raw, p.data[q:np])
		}
		q = np
	}
	return used <= 2*total+1024
}

// peekMaxDepth caps the BinXML values inside BinXML values followed.
const peekMaxDepth = 8

// binXMLPlain reports whether the BinXML value at pos (EventData or
// UserData, in Windows' own templates) expands to no element named in
// sysNames: a fragment holding a template instance whose definition the
// light reader walks and whose values are plain in turn, or elements.
func (p *peeker) binXMLPlain(v *validator, pos, depth int) bool {
	if depth > peekMaxDepth || !p.has(pos, 1) {
		return false
	}
	if p.data[pos] == tokFragment {
		pos += 4
	}
	if !p.has(pos, 10) {
		return false
	}
	if p.data[pos] != tokTemplate {
		var d peekDef
		_, ok := p.walk(&d, pos)
		return ok && !d.sys
	}
	defOff := p.i32(pos + 6)
	d := p.definition(defOff)
	if !d.ok || d.sys {
		return false
	}
	vals := pos + 10
	if defOff == vals {
		vals = d.end
	}
	return p.values(v, vals, depth, d, nil)
}

// str resolves a provider Name reference as decode's attrValue would; the
// names decoded are remembered by their bytes for the chunk.
func (p *peeker) str(s peekValues, r peekRef) (string, bool) {
	if r.sub < 0 {
		return r.text, true
	}
	if r.sub >= len(s.types) {
		return "", true // no such value: the attribute is dropped
	}
	b, t := s.raw[r.sub], s.types[r.sub]
	if t != vtString && t != vtAnsi {
		return valueStr(t, b)
	}
	k := 0
	if t == vtAnsi {
		k = 1
	}
	if name, ok := p.names[k][string(b)]; ok {
		return name, true
	}
	name, ok := valueStr(t, b)
	if p.names[k] == nil {
		p.names[k] = map[string]string{}
	}
	if ok && len(p.names[k]) < 4096 {
		p.names[k][string(b)] = name
	}
	return name, ok
}

// valueStr renders a provider name value of type t as valueString would.
func valueStr(t byte, b []byte) (string, bool) {
	switch t {
	case vtNull:
		return "", true
	case vtString:
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(b[2*i:])
		}
		return strings.TrimRight(string(utf16.Decode(u)), "\x00"), true
	case vtAnsi:
		return strings.TrimRight(ansiString(b), "\x00"), true
	}
	return "", false
}

// id resolves an EventID content reference as decode's fill would.
func (s peekValues) id(r peekRef) (uint16, bool) {
	if r.multi {
		return 0, false
	}
	if r.sub < 0 {
		return uint16(parseUint(r.text, 16)), true
	}
	if r.sub >= len(s.types) {
		return 0, true
	}
	switch s.types[r.sub] {
	case vtNull:
		return 0, true
	case vtUInt16:
		if len(s.raw[r.sub]) != 2 {
			return 0, false
		}
		return binary.LittleEndian.Uint16(s.raw[r.sub]), true
	}
	return 0, false
}
