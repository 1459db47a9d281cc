package evtx

import (
	"encoding/binary"
	"strings"
	"unicode/utf16"
)

// The record-level pre-filter of ScanIC (issue 15).
//
// On a Hyper-V host almost every chunk of the System log holds a Hyper-V
// provider name (VmSwitch 232/233/234, Hypervisor...), so the chunk filter
// (fastfilter.go) lets it through. Inside such a chunk, the light reader
// learns each record's provider name and event ID without golang-evtx:
//
//   - the record's fragment header and template instance: the definition's
//     offset (inline or earlier in the chunk);
//   - the definition, walked token by token once per chunk and remembered
//     by offset (so definitions of skipped records are known to later
//     records without decoding them): the Name attributes of its Provider
//     elements (static text or a substitution index) and the content of its
//     EventID elements (static text or a substitution index);
//   - the substitution array, walked value by value as golang-evtx reads it
//     (validator.value), for the values those indexes name.
//
// A record is skipped only when it cannot be selected: no provider name the
// full decode could give it (every Provider Name of the definition, or none)
// is selected with any event ID the full decode could give it. And records
// are skipped only in plain chunks (plainChunk): complete, undamaged, every
// record read by the light reader and accepted by the validator
// (validate.go), MaxChunkWork at least its default. A record the light
// reader cannot read (a nested template in its definition, a BinXML value
// that could hold System elements, an array or otherwise typed provider
// name, a value golang-evtx would drop, a value rendered many times, a
// definition whose first element is not Event) makes its chunk decoded
// fully, as do damage and a smaller budget: their problems are exactly the
// full decode's.
//
// What is not exact, by construction: a record in a plain chunk that the
// validator accepts and the light reader reads, but that golang-evtx or
// the conversion would still fail, is counted as decoded instead of failed
// and yields no problem (none is known; FuzzPeekRecord and FuzzScanIC look
// for one). It cannot hide IC evidence: every provider name it could hold
// is unselected. And skipped records spend none of the chunk's
// MaxChunkWork, which the full decode of a plain chunk could exhaust only
// above 2 Mi units of work, 2.5 times the heaviest real chunk.

// peekDef is what the light reader learned from one template definition.
type peekDef struct {
	ok        bool      // the walk succeeded; otherwise decode records that use it
	end       int       // the position after its EOF token
	provNames []peekRef // every Name attribute of every Provider element
	eventIDs  []peekRef // the content items of every EventID element
	sys       bool      // an element is named Event, System, Provider or EventID
	refs      []int     // substitution index -> references to it
	event     bool      // the first top-level element is named Event
	top       int       // top-level elements met
}

// sysNames are the element names decode's fill reads the provider name and
// event ID through. A BinXML value whose expansion holds one of them could
// change what fill finds: such records are decoded fully.
var sysNames = map[string]bool{"Event": true, "System": true, "Provider": true, "EventID": true}

// ref counts a reference to a substitution value.
func (d *peekDef) ref(r peekRef) {
	if r.sub < 0 {
		return
	}
	if r.sub >= len(d.refs) {
		d.refs = append(d.refs, make([]int, r.sub+1-len(d.refs))...)
	}
	d.refs[r.sub]++
}

// peekRef is a static string or a substitution index.
type peekRef struct {
	text  string
	sub   int // -1: text
	multi bool
}

// peeker is the light reader of one chunk. defs is reset per chunk.
type peeker struct {
	data  []byte
	limit int
	defs  map[int]*peekDef
	steps int
	// Reused per record: the top-level values, the decoded provider
	// names (by their bytes and type), the result's slices.
	vals  peekValues
	names [2]map[string]string // UTF-16 and ANSI values -> names
	prov  []string
	ids   []uint16
	known map[string]bool // provider name -> providerMayMatch (keys fixed per decoder)
}

const peekMaxSteps = 1 << 14

func (p *peeker) u16(pos int) int { return int(binary.LittleEndian.Uint16(p.data[pos:])) }
func (p *peeker) i32(pos int) int { return int(int32(binary.LittleEndian.Uint32(p.data[pos:]))) }

func (p *peeker) has(pos, n int) bool {
	return pos >= 0 && n >= 0 && pos <= p.limit && p.limit-pos >= n
}

// utf16At decodes n UTF-16LE code units at pos as golang-evtx's
// UTF16String.ToString does (trailing NULs trimmed).
func (p *peeker) utf16At(pos, n int) (string, bool) {
	if !p.has(pos, 2*n) {
		return "", false
	}
	u := make([]uint16, n)
	for i := range u {
		u[i] = uint16(p.u16(pos + 2*i))
	}
	return strings.TrimRight(string(utf16.Decode(u)), "\x00"), true
}

// name reads the chunk string at off; cur is the reader's cursor: the
// cursor after it is returned (past an inline name).
func (p *peeker) name(off, cur int) (string, int, bool) {
	if !p.has(off, 8) {
		return "", 0, false
	}
	size := p.u16(off + 6)
	if size == 0xffff {
		return "", 0, false
	}
	s, ok := p.utf16At(off+8, size+1)
	if !ok {
		return "", 0, false
	}
	if off == cur {
		cur = off + 8 + 2*(size+1)
	}
	return s, cur, true
}

// content reads one content token at pos (value text, substitution): its
// reference and the position after it; false for any other token.
func (p *peeker) content(pos int) (peekRef, int, bool) {
	if !p.has(pos, 1) {
		return peekRef{}, 0, false
	}
	switch p.data[pos] {
	case tokValue1, tokValue2:
		if !p.has(pos, 4) || p.data[pos+1] != 0x01 {
			return peekRef{}, 0, false
		}
		n := int(int16(p.u16(pos + 2)))
		if n < 0 {
			return peekRef{}, 0, false
		}
		s, ok := p.utf16At(pos+4, n)
		return peekRef{text: s, sub: -1}, pos + 4 + 2*n, ok
	case tokNormalSubst, tokOptionalSubs:
		if !p.has(pos, 4) {
			return peekRef{}, 0, false
		}
		return peekRef{sub: p.u16(pos + 1)}, pos + 4, true
	}
	return peekRef{}, 0, false
}

// definition returns what the light reader knows of the definition at off,
// walking it the first time.
func (p *peeker) definition(off int) *peekDef {
	if d, ok := p.defs[off]; ok {
		return d
	}
	d := &peekDef{}
	p.defs[off] = d
	if !p.has(off, 28) || p.data[off+24] != tokFragment {
		return d
	}
	end, ok := p.walk(d, off+28)
	if !ok || end != off+24+p.i32(off+20) {
		*d = peekDef{}
		return d
	}
	d.ok, d.end = true, end
	return d
}

// walk reads the definition's tokens from pos to its EOF token, collecting
// the Provider Name attributes and EventID contents; false on any token it
// does not expect in a plain definition or an unbalanced element tree.
func (p *peeker) walk(d *peekDef, pos int) (int, bool) {
	var stack []string
	var idItems int // content items of the open EventID element
	for {
		p.steps++
		if p.steps > peekMaxSteps || !p.has(pos, 1) {
			return 0, false
		}
		switch tok := p.data[pos]; tok {
		case tokEOF:
			return pos + 1, len(stack) == 0
		case tokOpenStart1, tokOpenStart2:
			name, np, ok := p.openStart(d, pos)
			if !ok {
				return 0, false
			}
			if len(stack) == 0 {
				d.top++
				d.event = d.event || (d.top == 1 && name == "Event")
			}
			stack = append(stack, name)
			d.sys = d.sys || sysNames[name]
			pos = np
			if name == "EventID" {
				idItems = 0
			}
		case tokCloseStart:
			if len(stack) == 0 {
				return 0, false
			}
			pos++
		case tokCloseEmpty, tokEnd:
			if len(stack) == 0 {
				return 0, false
			}
			stack = stack[:len(stack)-1]
			pos++
		case tokValue1, tokValue2, tokNormalSubst, tokOptionalSubs:
			ref, np, ok := p.content(pos)
			if !ok || len(stack) == 0 {
				return 0, false
			}
			d.ref(ref)
			if stack[len(stack)-1] == "EventID" {
				idItems++
				ref.multi = idItems > 1
				d.eventIDs = append(d.eventIDs, ref)
			}
			pos = np
		default:
			return 0, false // char or entity references, nested templates...
		}
	}
}

// openStart reads an open start element token (with its attributes) at
// pos in a definition and returns its name and the position of its close
// token.
func (p *peeker) openStart(d *peekDef, pos int) (string, int, bool) {
	tok := p.data[pos]
	q := pos + 3 // token, dependency identifier
	if !p.has(q, 8) {
		return "", 0, false
	}
	name, q, ok := p.name(p.i32(q+4), q+8)
	if !ok {
		return "", 0, false
	}
	if tok == tokOpenStart2 {
		if !p.has(q, 4) {
			return "", 0, false
		}
		q += 4
		for {
			if !p.has(q, 5) || (p.data[q] != tokAttr1 && p.data[q] != tokAttr2) {
				return "", 0, false
			}
			last := p.data[q] == tokAttr1
			var an string
			an, q, ok = p.name(p.i32(q+1), q+5)
			if !ok {
				return "", 0, false
			}
			var ref peekRef
			ref, q, ok = p.content(q)
			if !ok {
				return "", 0, false
			}
			d.ref(ref)
			if name == "Provider" && an == "Name" {
				d.provNames = append(d.provNames, ref)
			}
			if last {
				break
			}
		}
	}
	if !p.has(q, 1) || (p.data[q] != tokCloseStart && p.data[q] != tokCloseEmpty) {
		return "", 0, false
	}
	return name, q, true
}

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

// mayBeSelected reports whether a record the light reader read may be
// returned by extractIC with keys: some provider name it may have is
// selected with some event ID it may have (any, when the ID is unknown).
// known, when not nil, remembers which provider names some key (or, without
// keys, a known shape) accepts whatever the event ID.
func (in peekInfo) mayBeSelected(keys []EventKey, known map[string]bool) bool {
	for _, prov := range in.providers {
		ok, seen := known[prov]
		if !seen {
			ok = providerMayMatch(prov, keys)
			if known != nil && len(known) < 4096 {
				known[prov] = ok
			}
		}
		if !ok {
			continue
		}
		if keys == nil || in.ids == nil {
			return true
		}
		for _, id := range in.ids {
			if selected(keys, prov, id) {
				return true
			}
		}
	}
	return false
}

// providerMayMatch reports whether some key selects provider prov with
// some event ID (without keys: whether ExtractIC knows its shape).
func providerMayMatch(prov string, keys []EventKey) bool {
	if keys == nil {
		return shapeOf(prov) != ShapeNone
	}
	for _, k := range keys {
		if (k.Prefix && hasPrefixFold(prov, k.Provider)) || (!k.Prefix && strings.EqualFold(prov, k.Provider)) {
			return true
		}
	}
	return false
}

// plainChunk is the pre-pass of the record-level filter over one chunk:
// it returns the offsets of the records keys cannot select, or nil (decode
// every record) unless the whole chunk is plain: complete, its record
// headers a clean chain from the first record to the free space offset
// (no damage, no resynchronisation, no records past it, within
// MaxRecordsPerChunk), every record read by the light reader, and
// MaxChunkWork at least its default. In a plain chunk no record is damaged
// or template-heavy, so skipping records changes neither the problems nor
// (below the default budget, which is 2.5 times the heaviest real chunk)
// what the chunk's work budget lets through.
func (d *decoder) plainChunk(data []byte) map[int]bool {
	if len(data) != chunkSize || d.f.opts.MaxChunkWork < DefaultMaxChunkWork {
		return nil
	}
	fso := int(parseChunkHeader(data).freeSpaceOff)
	if fso < chunkHeaderSize || fso > len(data) {
		return nil
	}
	p := &d.pk
	p.data = data
	if p.defs == nil {
		p.defs = map[int]*peekDef{}
	}
	clear(p.defs)
	if p.known == nil {
		p.known = map[string]bool{}
	}
	var skip map[int]bool
	n := 0
	var lastID uint64
	pos := chunkHeaderSize
	for ; pos < fso; n++ {
		size, ok := recordAt(data, pos)
		if !ok || pos+size > fso || n >= d.f.opts.MaxRecordsPerChunk {
			return nil
		}
		info, ok := p.record(&d.v, pos+recordHeader, pos+size)
		if !ok {
			return nil
		}
		if !info.mayBeSelected(d.keys, p.known) {
			if skip == nil {
				skip = map[int]bool{}
			}
			skip[pos] = true
		}
		lastID = binary.LittleEndian.Uint64(data[pos+8:])
		pos += size
	}
	if pos != fso {
		return nil
	}
	if _, ok := recordAt(data, fso); ok && binary.LittleEndian.Uint64(data[fso+8:]) == lastID+1 {
		return nil // a dirty chunk: records past the free space offset are read
	}
	return skip
}
