// Package textsafe shows text that came from the input (file and archive
// entry names, values, error details) so that it cannot act on a
// terminal: control characters are written visibly instead of raw. It has
// no dependency inside hvic, so the CLI and the report renderers can share
// it.
package textsafe

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Escape returns s with every character that a terminal could act on
// written as an escape: C0 controls (newline and tab included: a name
// holding them would forge a line), DEL and C1 controls as \xNN, bytes
// that are not valid UTF-8 as \xNN, and the Unicode line and paragraph
// separators and bidirectional controls (which reorder what is shown) as
// \uNNNN. Other text, backslashes included, is unchanged, so Windows paths
// read as they are; s is returned as is when nothing needs escaping.
func Escape(s string) string { return escape(s, false) }

// Lines is Escape for text of several lines: newlines and tabs are kept,
// every other control is escaped.
func Lines(s string) string { return escape(s, true) }

func escape(s string, lines bool) string {
	if clean(s, lines) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case lines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case control(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeFormat(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// clean reports whether s needs no escape.
func clean(s string, lines bool) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			ascii = false
			continue
		}
		if (c < 0x20 || c == 0x7f) && !(lines && (c == '\n' || c == '\t')) {
			return false
		}
	}
	if ascii {
		return true
	}
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r >= 0x80 && (control(r) || unsafeFormat(r)) {
			return false
		}
	}
	return true
}

// control reports C0 controls, DEL and C1 controls.
func control(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// unsafeFormat reports the line and paragraph separators and the
// bidirectional formatting characters (LRE..RLO, LRI..PDI, LRM, RLM, ALM).
func unsafeFormat(r rune) bool {
	switch {
	case r == 0x2028, r == 0x2029:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}
