// Package textenc turns the bytes of a text file as Windows tools write
// them into a Go string: UTF-16LE or UTF-16BE with a byte order mark
// (PowerShell 5.1's ">" and Out-File, Event Viewer, regedit), UTF-16LE
// without one (recognised by the zero high bytes of ASCII text), and UTF-8
// with or without a BOM. Invalid sequences become U+FFFD, so the result is
// always valid UTF-8. BlankPrompts drops the shell prompt lines of pasted
// output. Neither panics; both allocate in proportion to the input.
package textenc

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Encodings Decode reports.
const (
	UTF8    = "utf-8"
	UTF8BOM = "utf-8-bom"
	UTF16LE = "utf-16le"
	UTF16BE = "utf-16be"
)

// Decode returns b as text and the name of the encoding it was read in.
func Decode(b []byte) (text, encoding string) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return strings.ToValidUTF8(string(b[3:]), "\uFFFD"), UTF8BOM
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return utf16Text(b[2:], false), UTF16LE
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return utf16Text(b[2:], true), UTF16BE
	case len(b) >= 4 && b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0:
		return utf16Text(b, false), UTF16LE
	}
	if utf8.Valid(b) {
		return string(b), UTF8
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), UTF8
}

// utf16Text decodes UTF-16 code units; an odd last byte is dropped (a
// head cut mid-unit).
func utf16Text(b []byte, bigEndian bool) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
	}
	return string(utf16.Decode(u))
}

// rePrompt matches a pasted shell prompt line: PowerShell ("PS C:\> ...",
// "PS C:\Users\me> ...") or cmd.exe ("C:\Users\me>...").
var rePrompt = regexp.MustCompile(`^\s*(?:PS [^\r\n>]{1,260}>|[A-Za-z]:\\[^\r\n<>"]{0,260}>)`)

// BlankPrompts replaces each line that starts with a shell prompt (the
// command a customer pasted along with its output) by an empty line, so
// line numbers stay those of the input.
func BlankPrompts(text string) string {
	if !strings.Contains(text, ">") {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if rePrompt.MatchString(l) {
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}
