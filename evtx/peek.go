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
