package collect

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind is what a file holds, decided from its first bytes, never from its
// name.
type Kind uint8

// File kinds.
const (
	KindOther     Kind = iota // not recognised
	KindEVTX                  // Windows event log: "ElfFile\0" file header
	KindHive                  // registry hive primary file: "regf" base block, file type 0
	KindHiveLog               // hive transaction log: regf base block of type 1, 2 or 6, or a DIRT/HvLE page
	KindRegExport             // regedit export: "Windows Registry Editor Version 5.00" or "REGEDIT4"
	KindRegQuery              // text output of reg query
	KindZip                   // ZIP archive (descended into)
)

var kindNames = [...]string{"other", "evtx", "hive", "hive-log", "reg-export", "reg-query", "zip"}

// String returns a short stable name: "evtx", "hive", "hive-log",
// "reg-export", "reg-query", "zip" or "other".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "other"
}

// MarshalText implements encoding.TextMarshaler with String.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// HeadSize is how many leading bytes Classify needs to decide.
const HeadSize = 4096

const (
	evtxMagic = "ElfFile\x00"
	regfMagic = "regf"
	// Base block (REGF) field offsets used to tell a primary file from a log.
	regfTypeOffset = 0x1C
	// In a transaction log the base block is 512 bytes long and is followed
	// by the dirty vector ("DIRT", old format) or the first log entry
	// ("HvLE", new format).
	logBodyOffset = 512
)

// Classify decides a file's kind from its first bytes (up to HeadSize). It
// also returns a short reason for KindOther ("unrecognised content",
// "unsupported archive format (7z)").
func Classify(head []byte) (Kind, string) {
	switch {
	case len(head) == 0:
		return KindOther, "empty file"
	case bytes.HasPrefix(head, []byte(evtxMagic)):
		return KindEVTX, ""
	case bytes.HasPrefix(head, []byte(regfMagic)):
		if int64(len(head)) >= regfTypeOffset+4 {
			switch binary.LittleEndian.Uint32(head[regfTypeOffset:]) {
			case 0:
				return KindHive, ""
			case 1, 2, 6:
				return KindHiveLog, ""
			}
		}
		if int64(len(head)) >= logBodyOffset+4 {
			sig := string(head[logBodyOffset : logBodyOffset+4])
			if sig == "DIRT" || sig == "HvLE" {
				return KindHiveLog, ""
			}
		}
		return KindHive, ""
	case bytes.HasPrefix(head, []byte("DIRT")), bytes.HasPrefix(head, []byte("HvLE")):
		return KindHiveLog, ""
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return KindZip, ""
	}
	if name := otherArchive(head); name != "" {
		return KindOther, "unsupported archive format (" + name + ")"
	}
	text, ok := decodeText(head)
	if !ok {
		return KindOther, "unrecognised content"
	}
	if isRegExport(text) {
		return KindRegExport, ""
	}
	if isRegQuery(text) {
		return KindRegQuery, ""
	}
	return KindOther, "unrecognised content"
}

func otherArchive(head []byte) string {
	for _, a := range []struct{ magic, name string }{
		{"7z\xBC\xAF\x27\x1C", "7z"},
		{"Rar!\x1A\x07", "rar"},
		{"\x1F\x8B", "gzip"},
		{"MSCF", "cab"},
		{"\xFD7zXZ\x00", "xz"},
		{"BZh", "bzip2"},
		{"\x28\xB5\x2F\xFD", "zstd"},
	} {
		if bytes.HasPrefix(head, []byte(a.magic)) {
			return a.name
		}
	}
	if len(head) >= 262 && string(head[257:262]) == "ustar" {
		return "tar"
	}
	return ""
}

// decodeText turns the head of a text file into a string: UTF-16LE (with a
// BOM, or without one when every other byte is NUL), UTF-8 (BOM optional),
// or single-byte ANSI (bytes >= 0x80 kept as U+FFFD: only ASCII matters
// here). ok is false when the bytes do not look like text at all.
func decodeText(head []byte) (string, bool) {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return decodeUTF16LE(head[2:]), true
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		head = head[3:]
	case len(head) >= 4 && head[1] == 0 && head[3] == 0 && head[0] != 0:
		return decodeUTF16LE(head), true
	}
	var b strings.Builder
	for len(head) > 0 {
		r, n := utf8.DecodeRune(head)
		if r == 0 {
			return "", false
		}
		if r < 0x20 && r != '\r' && r != '\n' && r != '\t' {
			return "", false
		}
		b.WriteRune(r)
		head = head[n:]
	}
	return b.String(), true
}

func decodeUTF16LE(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

func isRegExport(text string) bool {
	text = strings.TrimLeft(text, " \t\r\n\ufeff")
	return strings.HasPrefix(text, "Windows Registry Editor Version 5.00") ||
		strings.HasPrefix(text, "REGEDIT4")
}

// isRegQuery recognises the text reg query prints: a key line starting
// with HKEY_ (or HKLM\), value lines indented by four spaces ("    Name
// REG_SZ    Data"). Up to maxProse lines of anything (a command prompt, a
// customer's note) may come first; then a value line must confirm it.
func isRegQuery(text string) bool {
	const maxProse = 20
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	seenKey := false
	prose := 0
	for i, l := range lines {
		if i > 400 {
			break
		}
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		u := strings.ToUpper(t)
		switch {
		case strings.HasPrefix(u, "HKEY_") || strings.HasPrefix(u, `HKLM\`) || u == "HKLM":
			seenKey = true
		case seenKey && strings.HasPrefix(l, "    ") && strings.Contains(u, "    REG_"):
			return true
		case !seenKey:
			prose++
			if prose > maxProse {
				return false
			}
		}
	}
	// Key lines only (a query that matched keys but no values): accept
	// when nothing else came first.
	return seenKey && prose == 0
}
