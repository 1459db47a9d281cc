package hive

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf8"
)

// Kind is what a file holds, told by content.
type Kind int

// Kinds of registry sources.
const (
	KindUnknown   Kind = iota // none of the below
	KindHive                  // a regf hive file (primary)
	KindHiveLog               // a hive transaction log (.LOG, .LOG1, .LOG2)
	KindRegExport             // a .reg export (REGEDIT4 or version 5.00)
	KindRegQuery              // the text output of reg query
)

var kindNames = [...]string{"unknown", "hive", "hive-log", "reg-export", "reg-query"}

// String returns "unknown", "hive", "hive-log", "reg-export" or
// "reg-query".
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// MarshalText implements encoding.TextMarshaler with String.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// SniffSize is how many leading bytes Sniff looks at.
const SniffSize = 64 << 10

const (
	regfMagic      = "regf"
	regfTypeOffset = 0x1C // base block file type: 0 primary, 1, 2 or 6 a log
	logBodyOffset  = 512  // in a log, the "DIRT" or "HvLE" after the base block
	maxSniffProse  = 20   // lines of anything allowed before reg query's first key
	maxSniffLines  = 400
)

// Sniff tells the registry's forms apart by content, never by file name:
// a hive's primary file and its transaction logs ("regf" base block of
// type 0, or of type 1, 2 or 6, or a bare "DIRT"/"HvLE" log page), a .reg
// export and reg query text, in any encoding ParseExport reads (UTF-16LE
// or BE with or without a byte-order mark, UTF-8, Shift-JIS,
// Windows-1252). It looks at the first SniffSize bytes only. It is the one
// registry sniffer: the scan's file walk asks it.
//
// Reg query text may follow up to 20 lines of anything (a prompt, a note
// pasted above it); after such lines a key line must be confirmed by a
// value line. Text holding control bytes is not text.
func Sniff(data []byte) Kind {
	if len(data) > SniffSize {
		data = data[:SniffSize]
	}
	switch {
	case bytes.HasPrefix(data, []byte(regfMagic)):
		return sniffRegf(data)
	case bytes.HasPrefix(data, []byte("DIRT")), bytes.HasPrefix(data, []byte("HvLE")):
		return KindHiveLog
	}
	text, _ := decodeText(data, nil)
	if !looksLikeText(text, !isUTF16(data)) {
		return KindUnknown
	}
	return sniffText(text)
}

// isUTF16 reports whether decodeText reads data as UTF-16 (by its
// byte-order mark or its NUL pattern).
func isUTF16(data []byte) bool {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return true
	case len(data) >= 4 && data[0] != 0 && data[1] == 0 && data[3] == 0:
		return true
	case len(data) >= 4 && data[0] == 0 && data[1] != 0 && data[2] == 0:
		return true
	}
	return false
}

func sniffRegf(data []byte) Kind {
	if len(data) >= regfTypeOffset+4 {
		switch binary.LittleEndian.Uint32(data[regfTypeOffset:]) {
		case 0:
			return KindHive
		case 1, 2, 6:
			return KindHiveLog
		}
	}
	if len(data) >= logBodyOffset+4 {
		if sig := string(data[logBodyOffset : logBodyOffset+4]); sig == "DIRT" || sig == "HvLE" {
			return KindHiveLog
		}
	}
	return KindHive
}

// looksLikeText rejects decoded text that holds NULs: binary data, not an
// export. Single-byte input (strict) must also hold no other control
// character than tab, CR and LF; UTF-16 text may (regedit writes any
// character a value holds, escape sequences included).
func looksLikeText(s string, strict bool) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == 0 || (strict && ((r < 0x20 && r != '\t' && r != '\r' && r != '\n') || r == 0x7f)) {
			return false
		}
	}
	return true
}

// sniffText decides between a .reg export, reg query text and neither.
func sniffText(text string) Kind {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	seenKey, prose := false, 0
	for i, l := range lines {
		if i > maxSniffLines {
			break
		}
		t := strings.TrimSpace(strings.TrimPrefix(l, "\ufeff"))
		switch {
		case t == "":
			continue
		case !seenKey && prose == 0 && (strings.HasPrefix(t, regHeader5) || strings.HasPrefix(t, regHeader4)):
			return KindRegExport
		case isQueryKeyLine(strings.TrimPrefix(l, "\ufeff")):
			seenKey = true
		case seenKey && strings.HasPrefix(l, "    ") && strings.Contains(strings.ToUpper(l), "    REG_"):
			return KindRegQuery
		case !seenKey && prose == 0 && (isQueryError(t) || isEndOfSearch(t)):
			return KindRegQuery
		case isPrompt(t):
			continue
		case !seenKey:
			prose++
			if prose > maxSniffProse {
				return KindUnknown
			}
		}
	}
	// Key lines only (a query that matched keys but no values): accepted
	// when nothing else came first.
	if seenKey && prose == 0 {
		return KindRegQuery
	}
	return KindUnknown
}
