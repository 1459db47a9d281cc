package hive

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// queryRow matches a value row of reg query output: four spaces (or a tab,
// as reg.exe of Windows XP wrote), the name, a separator, the type, and the
// data after another separator (absent for empty data).
var queryRow = regexp.MustCompile(`^(?: {4}|\t)(.*?)(?: {4}|\t)(REG_[A-Z_]+)(?:(?: {4}|\t)(.*))?$`)

// Names reg.exe prints for the default value, and its "not set" marker,
// in English and Japanese.
var (
	queryDefaultNames = []string{"(Default)", "(既定)", "<NO NAME>"}
	queryNotSet       = []string{"(value not set)", "(値の設定なし)"}
)

// ParseRegQuery reads the text output of reg query (reg.exe), in English or
// Japanese, UTF-16 (LE or BE, with BOM) or UTF-8 or Shift-JIS, CRLF or LF:
// key lines (HKEY_LOCAL_MACHINE\...), value rows
// "    Name    REG_TYPE    Data", (Default)/(既定) names, blank lines,
// several queries pasted one after another with their command prompts,
// and the trailing "End of search: N match(es) found." or "検索の終わり: N
// 件見つかりました。". Data is decoded by type: REG_DWORD/REG_QWORD as
// 0x hex, REG_MULTI_SZ with literal \0 separators, REG_BINARY and other
// types as contiguous hex. Keys are mapped onto the SOFTWARE hive (see
// Export).
//
// Input with no key line and nothing else reg.exe prints fails with a
// *FormatError wrapping ErrSyntax; other bad lines, and reg.exe's own
// "ERROR:" lines, are reported in Problems and the rest kept. A done ctx
// (checked every 4096 lines) fails with ctx's error.
func ParseRegQuery(ctx context.Context, data []byte, opts *ExportOptions) (*Export, error) {
	o := opts.withDefaults()
	if int64(len(data)) > o.MaxSize {
		return nil, &FormatError{File: o.File, Offset: -1, What: "input size", Err: fmt.Errorf("%w: larger than %d bytes", ErrTooLarge, o.MaxSize)}
	}
	text, _ := decodeText(data, o.Encoding)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("hive: %s: %w", o.File, err)
	}
	e := newExport(KindRegQuery, o)
	var cur *exportKey
	skip := false // rows of a key dropped by a limit
	recognised := 0
	firstBad := 0
	for i, raw := range strings.Split(text, "\n") {
		if i%4096 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("hive: %s: %w", o.File, ctx.Err())
		}
		n := i + 1
		line := strings.TrimRight(raw, "\r")
		if i == 0 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		t := strings.TrimSpace(line)
		switch {
		case t == "":
			continue
		case isQueryKeyLine(line):
			recognised++
			cur = e.ensure(t, n)
			skip = cur == nil
			continue
		case isEndOfSearch(t) || isPrompt(t):
			recognised++
			cur, skip = nil, false
			continue
		case isQueryError(t):
			recognised++
			cur, skip = nil, false
			e.problem(n, "reg query", fmt.Errorf("%w: reg.exe said %q", ErrKeyNotFound, clip(t, 120)))
			continue
		}
		m := queryRow.FindStringSubmatch(line)
		if m == nil {
			if firstBad == 0 {
				firstBad = n
			}
			e.problem(n, "line", fmt.Errorf("%w: neither a key line nor a value row: %q", ErrSyntax, clip(t, 60)))
			continue
		}
		recognised++
		if skip {
			continue
		}
		if cur == nil {
			e.problem(n, "value row", fmt.Errorf("%w: value row before any key line", ErrSyntax))
			continue
		}
		v, ok, err := queryValue(m[1], m[2], m[3], o.MaxValueSize)
		if err != nil {
			e.problem(n, "value "+m[1], err)
			continue
		}
		if ok {
			cur.setValue(v)
		}
	}
	if recognised == 0 {
		line := firstBad
		if line == 0 {
			line = 1
		}
		return nil, &FormatError{File: o.File, Offset: -1, Line: line, What: "reg query text", Err: fmt.Errorf("%w: no key line found", ErrSyntax)}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("hive: %s: %w", o.File, err)
	}
	e.finish()
	return e, nil
}

// queryValue decodes one row; ok is false for a default value that is not
// set.
func queryValue(name, typeName, text string, limit int) (Value, bool, error) {
	for _, d := range queryDefaultNames {
		if name == d {
			name = ""
			for _, ns := range queryNotSet {
				if text == ns {
					return Value{}, false, nil
				}
			}
		}
	}
	typ, ok := ParseValueType(typeName)
	if !ok {
		return Value{}, false, fmt.Errorf("%w: unknown type %q", ErrSyntax, typeName)
	}
	if len(text) > 2*limit {
		return Value{}, false, fmt.Errorf("%w: value larger than %d bytes", ErrTooLarge, limit)
	}
	v := Value{Name: name, Type: typ}
	switch typ {
	case TypeString, TypeExpandString, TypeLink:
		v.Data = utf16z(text)
	case TypeMultiString:
		for _, s := range strings.Split(text, `\0`) {
			if s != "" {
				v.Data = append(v.Data, utf16z(s)...)
			}
		}
		v.Data = append(v.Data, 0, 0)
	case TypeDword, TypeDwordBigEndian, TypeQword:
		bits := 32
		if typ == TypeQword {
			bits = 64
		}
		digits := strings.TrimSpace(text)
		if !hasPrefixFold(digits, "0x") {
			return Value{}, false, fmt.Errorf("%w: %s without 0x: %q", ErrSyntax, typeName, clip(digits, 20))
		}
		n, err := strconv.ParseUint(digits[2:], 16, bits)
		if err != nil {
			return Value{}, false, fmt.Errorf("%w: bad %s %q", ErrSyntax, typeName, clip(digits, 20))
		}
		switch typ {
		case TypeDword:
			v.Data = binary.LittleEndian.AppendUint32(nil, uint32(n))
		case TypeDwordBigEndian:
			v.Data = binary.BigEndian.AppendUint32(nil, uint32(n))
		default:
			v.Data = binary.LittleEndian.AppendUint64(nil, n)
		}
	default:
		b, err := hex.DecodeString(strings.TrimSpace(text))
		if err != nil {
			return Value{}, false, fmt.Errorf("%w: bad hex data for %s", ErrSyntax, typeName)
		}
		v.Data = append([]byte{}, b...)
	}
	return v, true, nil
}

// isQueryKeyLine reports whether an unindented line names a key
// (HKEY_LOCAL_MACHINE\..., HKLM\..., or a bare root).
func isQueryKeyLine(line string) bool {
	if line == "" || line[0] == ' ' || line[0] == '\t' {
		return false
	}
	line = strings.TrimSpace(line)
	if hasPrefixFold(line, "HKEY_") {
		return !strings.ContainsAny(line, "\t") && !strings.Contains(line, "    ")
	}
	root, _, _ := strings.Cut(line, `\`)
	switch strings.ToUpper(root) {
	case "HKLM", "HKCU", "HKCR", "HKU", "HKCC":
		return !strings.Contains(line, "    ")
	}
	return false
}

func isEndOfSearch(t string) bool {
	return hasPrefixFold(t, "End of search:") || strings.HasPrefix(t, "検索の終わり")
}

func isQueryError(t string) bool {
	return hasPrefixFold(t, "ERROR:") || strings.HasPrefix(t, "エラー:") || strings.HasPrefix(t, "エラー：")
}

// isPrompt recognises a pasted command line (C:\>reg query ..., PS C:\>
// ...) so several queries can share one file.
func isPrompt(t string) bool {
	l := strings.ToLower(t)
	if strings.Contains(l, "reg query") || strings.Contains(l, "reg.exe query") {
		return true
	}
	if strings.HasPrefix(l, "ps ") && strings.Contains(l, ">") {
		return true
	}
	return len(l) >= 3 && l[1] == ':' && l[2] == '\\' && strings.Contains(l, ">")
}
