package evtx

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The chunk pre-filter of ScanIC.
//
// ExtractIC accepts a record by its provider name alone: a name starting
// with "Microsoft-Windows-Hyper-V-Integration", or equal to
// "Microsoft-Windows-Hyper-V-VmSwitch", "...-Worker", "...-StorageVSP",
// "VMSMP" or "storvsp", compared with strings.EqualFold; with
// ScanOptions.Events, a record is selected by its provider name (whole or
// prefix, EqualFold) and event ID, so a chunk that holds none of the
// selected names holds no selected record (filterFor). The name is the Name attribute of the
// Provider element, and golang-evtx takes that attribute's value from exactly
// one binary XML token: a value text (UTF-16LE in the template definition) or
// a substitution value (UTF-16LE string, string array, or an 8-bit ANSI
// string that Go reads as raw bytes, i.e. as UTF-8). Template definitions and
// substitution values are chunk-local: golang-evtx resolves them inside the
// chunk's 64 KiB. So a chunk whose bytes hold none of
//
//	"Microsoft-Windows-Hyper-V-", "storvsp", "VMSMP"
//
// contiguously, in UTF-16LE or in UTF-8, in any letter case EqualFold accepts,
// holds no record ExtractIC returns. EqualFold folds with Unicode simple case
// folding, so "s" also matches U+017F (LATIN SMALL LETTER LONG S, "ſ"):
// "Microſoft-Windows-Hyper-V-VmSwitch" is a VmSwitch provider to ExtractIC.
// The filter therefore accepts, for every letter, every member of its case
// folding orbit (computed from the unicode tables, not listed by hand), in
// both encodings, at any byte alignment.
//
// Search: every pattern contains the letter "v", whose orbit is {v, V} (ASCII
// only, checked by a test), so the filter finds the bytes 'v' and 'V' with
// bytes.IndexByte and verifies each pattern around them. A
// chunk of ordinary events holds a few hundred such bytes; most are rejected
// by the byte that follows them ("Service", "Driver"), the others at the
// first mismatching letter.

// filterNames are the provider names (or prefixes) the filter looks for.
var filterNames = [...]string{"Microsoft-Windows-Hyper-V-", "storvsp", "VMSMP"}

// filterAnchor is the letter every filter name contains.
const filterAnchor = 'v'

// foldChar is one pattern letter: the UTF-16 code units and UTF-8 encodings
// of every rune EqualFold takes for it.
type foldChar struct {
	units []uint16
	utf8  [][]byte
}

// foldPattern is one name with the index of its anchor letter.
type foldPattern struct {
	chars  []foldChar
	anchor int
}

// nameFilter decides whether a chunk may hold a relevant provider name. It
// is built once by newNameFilter and never modified; it is safe for
// concurrent use.
type nameFilter struct {
	pats []foldPattern
	// Quick rejection of an anchor byte at p: next8 lists the bytes that may
	// follow it in an 8-bit match (first bytes of the next letter's
	// encodings), next16 the low bytes of the code units that may follow it
	// in a UTF-16LE match. anyNext disables the rejection (a name ends with
	// its anchor).
	next8, next16 [256]bool
	anyNext       bool
}

// orbit returns r and every rune that unicode.SimpleFold cycles to from r:
// the runes strings.EqualFold treats as equal to r.
func orbit(r rune) []rune {
	out := []rune{r}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		out = append(out, f)
	}
	return out
}

func newNameFilter(names []string) *nameFilter {
	nf := &nameFilter{}
	for _, n := range names {
		p := foldPattern{anchor: -1}
		for _, r := range n {
			var c foldChar
			for _, o := range orbit(r) {
				if u := utf16.Encode([]rune{o}); len(u) == 1 {
					c.units = append(c.units, u[0])
				}
				c.utf8 = append(c.utf8, utf8.AppendRune(nil, o))
			}
			if p.anchor < 0 && unicode.SimpleFold(r) != r && (r == filterAnchor || unicode.ToLower(r) == filterAnchor) {
				p.anchor = len(p.chars)
			}
			p.chars = append(p.chars, c)
		}
		nf.pats = append(nf.pats, p)
		if p.anchor < 0 {
			continue
		}
		if p.anchor == len(p.chars)-1 {
			nf.anyNext = true
			continue
		}
		next := p.chars[p.anchor+1]
		for _, e := range next.utf8 {
			nf.next8[e[0]] = true
		}
		for _, u := range next.units {
			nf.next16[byte(u)] = true
		}
	}
	return nf
}

// icFilter is the filter ScanIC uses without ScanOptions.Events. It is
// read-only after initialisation.
var icFilter = newNameFilter(filterNames[:])

// filterFor returns the pre-filter for a selection: icFilter for nil, and
// also when every selected provider name contains one of icFilter's names
// (kb's catalogue: the Hyper-V providers, storvsp, VMSMP), so that a chunk
// holding a selected name holds one of those; else a filter on the selected
// names themselves (a name containing another one is dropped), or nil
// (decode every chunk) when a name lacks the anchor letter (or is empty)
// and so cannot be searched for.
func filterFor(keys []EventKey) *nameFilter {
	if keys == nil {
		return icFilter
	}
	covered := true
	for _, k := range keys {
		if !strings.ContainsAny(k.Provider, "vV") {
			return nil
		}
		if !containsAnyFold(k.Provider, filterNames[:]) {
			covered = false
		}
	}
	if covered {
		return icFilter
	}
	var names []string
	for _, k := range keys {
		names = append(names, k.Provider)
	}
	var kept []string
	for i, n := range names {
		redundant := false
		for j, m := range names {
			if i != j && containsFold(n, m) && (!strings.EqualFold(n, m) || j < i) {
				redundant = true
				break
			}
		}
		if !redundant {
			kept = append(kept, n)
		}
	}
	return newNameFilter(kept)
}

// containsFold reports whether sub occurs in s under strings.EqualFold,
// comparing equal byte lengths (conservative: a fold that changes the
// length is not found, which only keeps a name in the filter).
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

func containsAnyFold(s string, subs []string) bool {
	for _, sub := range subs {
		if containsFold(s, sub) {
			return true
		}
	}
	return false
}

// mayHold reports whether data may hold one of the filter's names: it finds
// each anchor byte ('v', 'V') with bytes.IndexByte and verifies the names
// around it. (A SWAR loop over 64-bit words was measured at half the speed.)
func (nf *nameFilter) mayHold(data []byte) bool {
	for _, a := range [2]byte{filterAnchor, filterAnchor - 0x20} {
		for pos := 0; pos < len(data); {
			j := bytes.IndexByte(data[pos:], a)
			if j < 0 {
				break
			}
			p := pos + j
			if nf.matchAt(data, p) {
				return true
			}
			pos = p + 1
		}
	}
	return false
}

// matchAt reports whether a name whose anchor letter is at byte p occurs.
func (nf *nameFilter) matchAt(data []byte, p int) bool {
	if !nf.anyNext {
		ok8 := len(data)-p > 1 && nf.next8[data[p+1]]
		ok16 := len(data)-p > 3 && data[p+1] == 0 && nf.next16[data[p+2]]
		if !ok8 && !ok16 {
			return false
		}
	}
	for i := range nf.pats {
		pt := &nf.pats[i]
		if pt.anchor < 0 {
			continue
		}
		if matchUTF16(data, p, pt) || matchUTF8(data, p, pt) {
			return true
		}
	}
	return false
}

// matchUTF16 checks the UTF-16LE form: the anchor's code unit starts at p.
func matchUTF16(data []byte, p int, pt *foldPattern) bool {
	start := int64(p) - 2*int64(pt.anchor)
	end := start + 2*int64(len(pt.chars))
	if start < 0 || end > int64(len(data)) {
		return false
	}
	for k := range pt.chars {
		u := binary.LittleEndian.Uint16(data[start+2*int64(k):])
		if !hasUnit(pt.chars[k].units, u) {
			return false
		}
	}
	return true
}

func hasUnit(units []uint16, u uint16) bool {
	for _, x := range units {
		if x == u {
			return true
		}
	}
	return false
}

// matchUTF8 checks the 8-bit form: the anchor's byte is at p; the letters
// before it are matched backwards, those after it forwards. UTF-8 is
// prefix-free and no valid encoding is a suffix of another, so at most one
// alternative fits at each step and no backtracking is needed.
func matchUTF8(data []byte, p int, pt *foldPattern) bool {
	if !hasEncodingAt(pt.chars[pt.anchor].utf8, data, p) {
		return false
	}
	end := p
	for k := pt.anchor - 1; k >= 0; k-- {
		n := encodingEndingAt(pt.chars[k].utf8, data, end)
		if n == 0 {
			return false
		}
		end -= n
	}
	pos := p + len(pt.chars[pt.anchor].utf8[0])
	for k := pt.anchor + 1; k < len(pt.chars); k++ {
		n := encodingStartingAt(pt.chars[k].utf8, data, pos)
		if n == 0 {
			return false
		}
		pos += n
	}
	return true
}

func hasEncodingAt(encs [][]byte, data []byte, p int) bool {
	for _, e := range encs {
		if len(e) == 1 && p >= 0 && p < len(data) && data[p] == e[0] {
			return true
		}
	}
	return false
}

// encodingStartingAt returns the length of the alternative found at
// data[pos:], or 0.
func encodingStartingAt(encs [][]byte, data []byte, pos int) int {
	if pos < 0 || pos > len(data) {
		return 0
	}
	for _, e := range encs {
		if len(data)-pos >= len(e) && bytes.Equal(data[pos:pos+len(e)], e) {
			return len(e)
		}
	}
	return 0
}

// encodingEndingAt returns the length of the alternative that ends just
// before data[end], or 0.
func encodingEndingAt(encs [][]byte, data []byte, end int) int {
	if end < 0 || end > len(data) {
		return 0
	}
	for _, e := range encs {
		if end >= len(e) && bytes.Equal(data[end-len(e):end], e) {
			return len(e)
		}
	}
	return 0
}
