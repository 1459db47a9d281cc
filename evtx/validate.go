package evtx

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// golang-evtx v1.2.9 writes a "PANIC -" line with a stack trace to the
// standard library's default logger whenever a parse error reaches
// checkParsingError (parser.go); no log level silences it. Its other log
// calls are level-gated (silenceLogger). An error reaches checkParsingError
// from these tokens only:
//
//   - a substitution, character reference, end, close or EOF token: only
//     when a read fails, and budgetReader never returns a failed read (it
//     panics, past the record's end or past the budget);
//   - a value-text token whose value type is not a string;
//   - an entity reference whose name fails (one of 0xffff characters:
//     golang-evtx allocates Size+1 = 0 of them, "Not initialized slice");
//   - a template instance parsed without the chunk's template cache (every
//     one inside a definition, a BinXML value or an attribute), when any
//     token of its definition fails (unknown token, bad attribute or close
//     token, bad fragment header, failing name, a nested failure), when its
//     value count is negative or too large, or when its last value fails
//     (a 1-byte string, an empty ANSI string, a SID without
//     sub-authorities, an array whose size is not a multiple of its
//     element size; earlier failing values are dropped silently).
//
// budgetReader notices each token peek golang-evtx makes (a 1-byte read
// followed by a seek of -1) and the validator checks here, before
// golang-evtx parses it, every structure on that list, exactly as
// golang-evtx would read it (value-text type, entity name, the whole
// template: definition walked token by token with a depth cap, a step cap
// and a loop check, value array, value sizes). A structure golang-evtx
// would reject makes the reader panic instead (caught by decode's
// recover: the record fails with ErrDecode, silently). Seeks before the
// chunk, whose errors golang-evtx ignores, fail the record the same way.

var errMalformed = errors.New("evtx: malformed binary XML")

const maxValidateDepth = 32

// BinXML tokens (MS-EVEN6 2.2.12), as golang-evtx dispatches them.
const (
	tokEOF          = 0x00
	tokOpenStart1   = 0x01
	tokOpenStart2   = 0x41
	tokCloseStart   = 0x02
	tokCloseEmpty   = 0x03
	tokEnd          = 0x04
	tokValue1       = 0x05
	tokValue2       = 0x45
	tokAttr1        = 0x06
	tokAttr2        = 0x46
	tokCharRef      = 0x08
	tokEntityRef1   = 0x09
	tokEntityRef2   = 0x49
	tokTemplate     = 0x0c
	tokNormalSubst  = 0x0d
	tokOptionalSubs = 0x0e
	tokFragment     = 0x0f
)

// validator checks BinXML structures in one chunk. defs memoises template
// definitions already checked (they do not change within a chunk).
type validator struct {
	data  []byte
	limit int             // reads stop here
	defs  map[int]defInfo // definition offset -> what checking it found
	busy  map[int]bool
	steps int
	// extra accumulates, while a structure is checked, the bytes its
	// expansion reads outside its own span: the definitions its template
	// instances point at, expanded in turn (see template).
	extra int64
}

// defInfo is a checked template definition: the position after its EOF
// token and the bytes its nested template instances expand to elsewhere.
type defInfo struct {
	end   int
	extra int64
}

// maxWeight caps expansion weights (fan-out multiplies them).
const maxWeight = int64(1) << 48

func (v *validator) addExtra(n int64) {
	if n < 0 || v.extra > maxWeight-n {
		v.extra = maxWeight
		return
	}
	v.extra += n
}

func (v *validator) fail(pos int, format string, args ...any) error {
	return fmt.Errorf("%w at chunk offset 0x%x: %s", errMalformed, pos, fmt.Sprintf(format, args...))
}

// need checks that n bytes can be read at pos.
func (v *validator) need(pos, n int) error {
	if pos < 0 || n < 0 || pos > v.limit || v.limit-pos < n {
		return v.fail(pos, "%d bytes needed, structure runs past the record", n)
	}
	return nil
}

func (v *validator) u16(pos int) int { return int(binary.LittleEndian.Uint16(v.data[pos:])) }
func (v *validator) i16(pos int) int { return int(int16(binary.LittleEndian.Uint16(v.data[pos:]))) }
func (v *validator) i32(pos int) int { return int(int32(binary.LittleEndian.Uint32(v.data[pos:]))) }

// peek checks the token golang-evtx is about to parse at pos. For a
// template instance it also returns its expansion weight: the bytes of the
// instance plus those of every definition its expansion reaches, each
// counted as many times as it is instantiated (a lower bound of what
// golang-evtx reads to parse it without its template cache, and of the
// elements decode converts). Definitions are memoised, so the weight of a
// fan-out chain costs one walk of each definition, not its expansion.
func (v *validator) peek(pos int) (weight int64, err error) {
	if err := v.need(pos, 1); err != nil {
		return 0, err
	}
	switch v.data[pos] {
	case tokValue1, tokValue2:
		if err := v.need(pos, 2); err != nil {
			return 0, err
		}
		if v.data[pos+1] != 0x01 {
			return 0, v.fail(pos, "value text of type 0x%02x", v.data[pos+1])
		}
	case tokTemplate:
		v.extra = 0
		end, err := v.template(pos, 0)
		if err != nil {
			return 0, err
		}
		w := v.extra
		v.extra = 0
		return min(w+int64(end-pos), maxWeight), nil
	case tokEntityRef1, tokEntityRef2:
		// BinXMLEntityReference.Parse reports a failing name (one of
		// 0xffff characters: "Not initialized slice") to checkParsingError.
		if err := v.need(pos, 5); err != nil {
			return 0, err
		}
		_, err := v.name(v.i32(pos+1), false)
		return 0, err
	}
	return 0, nil
}

// name checks a Name (chunk string) at pos and returns the position after
// it. golang-evtx allocates Size+1 characters in a uint16, so a name of
// 0xffff characters fails after its 8-byte header ("Not initialized
// slice"): an error, unless loose (golang-evtx ignores the error of an
// attribute's name and reads on after the header).
func (v *validator) name(pos int, loose bool) (int, error) {
	if err := v.need(pos, 8); err != nil {
		return 0, err
	}
	size := v.u16(pos + 6)
	if size == 0xffff {
		if loose {
			return pos + 8, nil
		}
		return 0, v.fail(pos, "name of 0xffff characters")
	}
	n := (size + 1) * 2
	if err := v.need(pos+8, n); err != nil {
		return 0, err
	}
	return pos + 8 + n, nil
}

// nameRef checks a name referenced by offset off from a structure whose
// cursor is at cur; it returns the cursor afterwards (after an inline name,
// or cur when the name lies elsewhere).
func (v *validator) nameRef(off, cur int, loose bool) (int, error) {
	end, err := v.name(off, loose)
	if err != nil {
		return 0, err
	}
	if off == cur {
		return end, nil
	}
	return cur, nil
}

// token checks one element as golang-evtx's Parse(reader, c, tiFlag) reads
// it and returns the position after it and its token.
func (v *validator) token(pos int, tiFlag bool, depth int) (int, byte, error) {
	v.steps++
	if depth > maxValidateDepth || v.steps > 1<<17 {
		return 0, 0, v.fail(pos, "nested too deep")
	}
	if err := v.need(pos, 1); err != nil {
		return 0, 0, err
	}
	tok := v.data[pos]
	var p int
	var err error
	switch tok {
	case tokFragment:
		p, err = v.fragment(pos, tiFlag, depth)
	case tokOpenStart1, tokOpenStart2:
		p, err = v.openStart(pos, tok, tiFlag, depth)
	case tokCloseStart, tokCloseEmpty, tokEnd, tokEOF:
		return pos + 1, tok, nil
	case tokValue1, tokValue2:
		p, err = v.valueText(pos)
	case tokCharRef:
		err = v.need(pos, 3)
		p = pos + 3
	case tokEntityRef1, tokEntityRef2:
		if err = v.need(pos, 5); err == nil {
			p, err = v.nameRef(v.i32(pos+1), pos+5, false)
		}
	case tokTemplate:
		p, err = v.template(pos, depth+1)
		return p, tok, err
	case tokNormalSubst, tokOptionalSubs:
		err = v.need(pos, 4)
		p = pos + 4
	default:
		return 0, 0, v.fail(pos, "unknown token 0x%02x", tok)
	}
	if err != nil {
		return 0, 0, err
	}
	return p, tok, nil
}

// fragment checks a fragment header and the element (or token) after it,
// with the element's content up to its end-of-fragment token.
func (v *validator) fragment(pos int, tiFlag bool, depth int) (int, error) {
	if err := v.need(pos, 4); err != nil {
		return 0, err
	}
	p, t, err := v.token(pos+4, tiFlag, depth+1)
	if err != nil {
		return 0, err
	}
	if t != tokOpenStart1 && t != tokOpenStart2 {
		return p, nil
	}
	for {
		var t2 byte
		p, t2, err = v.token(p, tiFlag, depth+1)
		if err != nil || t2 == tokEOF {
			return p, err
		}
	}
}

// openStart checks an open-element token: its name, its attribute list
// (tokOpenStart2) and the close token after them, onto which it returns,
// as golang-evtx steps back onto the close token.
func (v *validator) openStart(pos int, tok byte, tiFlag bool, depth int) (int, error) {
	p := pos + 1
	if tiFlag {
		p += 2
	}
	if err := v.need(p, 8); err != nil {
		return 0, err
	}
	nameOff := v.i32(p + 4)
	p, err := v.nameRef(nameOff, p+8, false)
	if err != nil {
		return 0, err
	}
	if tok == tokOpenStart2 {
		if p, err = v.attributes(p, depth); err != nil {
			return 0, err
		}
	}
	if err := v.need(p, 1); err != nil {
		return 0, err
	}
	if e := v.data[p]; e != tokCloseStart && e != tokCloseEmpty {
		return 0, v.fail(p, "bad close element token 0x%02x", e)
	}
	return p, nil
}

// attributes checks an attribute list: its size, then attributes up to
// the last one (tokAttr1), each a name and a value token.
func (v *validator) attributes(p, depth int) (int, error) {
	if err := v.need(p, 4); err != nil {
		return 0, err
	}
	p += 4
	for {
		if err := v.need(p, 5); err != nil {
			return 0, err
		}
		at := v.data[p]
		if at != tokAttr1 && at != tokAttr2 {
			return 0, v.fail(p, "attribute token 0x%02x", at)
		}
		aoff := v.i32(p + 1)
		// golang-evtx ignores a failing attribute name: only bounds matter.
		np, err := v.nameRef(aoff, p+5, true)
		if err != nil {
			return 0, err
		}
		np, _, err = v.token(np, false, depth+1)
		if err != nil {
			return 0, err
		}
		p = np
		if at == tokAttr1 {
			return p, nil
		}
	}
}

// valueText checks a value token: UTF-16 text of a given length.
func (v *validator) valueText(pos int) (int, error) {
	if err := v.need(pos, 4); err != nil {
		return 0, err
	}
	if v.data[pos+1] != 0x01 {
		return 0, v.fail(pos, "value text of type 0x%02x", v.data[pos+1])
	}
	n := v.i16(pos + 2)
	p := pos + 4
	if n > 0 {
		if err := v.need(p, 2*n); err != nil {
			return 0, err
		}
		p += 2 * n
	}
	return p, nil
}

// template checks a template instance at pos as golang-evtx's
// TemplateInstance.Parse reads it (definition inline or at its offset, then
// the value array) and returns the position after it.
func (v *validator) template(pos, depth int) (int, error) {
	if depth > maxValidateDepth {
		return 0, v.fail(pos, "nested too deep")
	}
	if err := v.need(pos, 10); err != nil {
		return 0, err
	}
	defOff := v.i32(pos + 6)
	p := pos + 10
	end, dx, err := v.definition(defOff, depth+1)
	if err != nil {
		return 0, err
	}
	if defOff == p {
		p = end // inline: its bytes are in the caller's span
		v.addExtra(dx)
	} else {
		v.addExtra(int64(end-defOff) + dx)
	}
	return v.values(p, depth+1)
}

// definition checks the template definition data at off and returns the
// position after it and the weight its nested instances add (see peek).
// Successes are memoised; a definition reached again while it is being
// checked is a loop.
func (v *validator) definition(off, depth int) (int, int64, error) {
	if di, ok := v.defs[off]; ok {
		return di.end, di.extra, nil
	}
	if v.busy[off] {
		return 0, 0, v.fail(off, "template definition refers to itself")
	}
	v.busy[off] = true
	saved := v.extra
	v.extra = 0
	end, err := v.definitionBody(off, depth)
	dx := v.extra
	v.extra = saved
	delete(v.busy, off)
	if err != nil {
		return 0, 0, err
	}
	v.defs[off] = defInfo{end: end, extra: dx}
	return end, dx, nil
}

func (v *validator) definitionBody(off, depth int) (int, error) {
	if err := v.need(off, 28); err != nil {
		return 0, err
	}
	if v.data[off+24] != tokFragment {
		return 0, v.fail(off+24, "template fragment header token 0x%02x", v.data[off+24])
	}
	p := off + 28
	for {
		np, t, err := v.token(p, true, depth+1)
		if err != nil {
			return 0, err
		}
		p = np
		if t == tokEOF {
			return p, nil
		}
	}
}

// Value types (MS-EVEN6 2.2.12.x) in golang-evtx's dispatch order.
const (
	vtNull, vtString, vtAnsi, vtInt8, vtUInt8, vtInt16, vtUInt16 = 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06
	vtInt32, vtUInt32, vtInt64, vtUInt64, vtReal64, vtBool       = 0x07, 0x08, 0x09, 0x0a, 0x0c, 0x0d
	vtBinary, vtGUID, vtFileTime, vtSysTime, vtSID               = 0x0e, 0x0f, 0x11, 0x12, 0x13
	vtHex32, vtHex64, vtBinXML, vtArray                          = 0x14, 0x15, 0x21, 0x80
)

// values checks a TemplateInstanceData at pos and returns the position
// after its values.
func (v *validator) values(pos, depth int) (int, error) {
	if err := v.need(pos, 4); err != nil {
		return 0, err
	}
	n := v.i32(pos)
	if n < 0 || n > chunkSize {
		return 0, v.fail(pos, "%d values", n)
	}
	if err := v.need(pos+4, 4*n); err != nil {
		return 0, err
	}
	descs := pos + 4
	p := descs + 4*n
	for i := 0; i < n; i++ {
		size := v.u16(descs + 4*i)
		t := v.data[descs+4*i+2]
		np, bad, err := v.value(p, t, size, depth)
		if err != nil {
			return 0, err
		}
		// golang-evtx keeps only the last value's error (and then prints
		// it); an earlier value that fails is skipped silently.
		if bad != "" && i == n-1 {
			return 0, v.fail(p, "value %d: %s", i, bad)
		}
		p = np
	}
	return p, nil
}

// value checks one value of type t and descriptor size at p as golang-evtx's
// ParseValueReader reads it. It returns the position after the value; bad
// is set when golang-evtx's value parser returns an error there (reading
// on at the position it stops at), err when the value cannot be checked or
// when reading it would print by itself (a nested BinXML value).
func (v *validator) value(p int, t byte, size, depth int) (next int, bad string, err error) {
	var adv int
	switch {
	case t == vtNull:
		return p + size, "", nil // a seek: nothing read
	case t == vtString:
		if size == 1 {
			// make(UTF16String, 0) then UnmarshaInitSlice: "Not initialized slice".
			return p, "string of 1 byte", nil
		}
		adv = size / 2 * 2
	case t == vtAnsi:
		if size == 0 {
			return p, "empty ANSI string", nil
		}
		adv = size
	case t == vtBinary:
		adv = size
	case t == vtInt8, t == vtUInt8:
		adv = 1
	case t == vtInt16, t == vtUInt16:
		adv = 2
	case t == vtInt32, t == vtUInt32, t == vtBool, t == vtHex32:
		adv = 4
	case t == vtInt64, t == vtUInt64, t == vtReal64, t == vtFileTime, t == vtHex64:
		adv = 8
	case t == vtGUID, t == vtSysTime:
		adv = 16
	case t == vtSID:
		if err := v.need(p, 8); err != nil {
			return 0, "", err
		}
		if v.data[p+1] == 0 {
			// no sub-authority: "Not initialized slice" after the 8-byte header.
			return p + 8, "SID without sub-authorities", nil
		}
		adv = 8 + 4*int(v.data[p+1])
	case t == vtBinXML:
		np, _, err := v.token(p, true, depth+1)
		if err != nil {
			return 0, "", err
		}
		return np, "", nil
	case t&vtArray != 0 && t&vtString == vtString:
		adv = size / 2 * 2
	case t&vtArray != 0 && t&vtUInt16 == vtUInt16:
		if size%2 != 0 {
			return p, fmt.Sprintf("uint16 array of %d bytes", size), nil
		}
		adv = size
	case t&vtArray != 0 && t&vtUInt64 == vtUInt64:
		if size%8 != 0 {
			return p, fmt.Sprintf("uint64 array of %d bytes", size), nil
		}
		adv = size
	default:
		// golang-evtx seeks over unknown types.
		return p + size, "", nil
	}
	if err := v.need(p, adv); err != nil {
		return 0, "", err
	}
	return p + adv, "", nil
}
