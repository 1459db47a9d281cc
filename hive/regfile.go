package hive

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/text/encoding"
)

// ParseReg reads a .reg export: "Windows Registry Editor Version 5.00"
// (UTF-16LE with BOM as regedit writes it, or UTF-8 with or without BOM)
// or "REGEDIT4" (ANSI). It understands [key] and [-key] lines, "name"=
// and @= values as quoted strings (\\ and \" escapes), dword:, hex:,
// hex(N): (hex(2) REG_EXPAND_SZ, hex(7) REG_MULTI_SZ, hex(b) REG_QWORD,
// hex(0) REG_NONE...), value deletion ("x"=-), line continuations (a
// trailing backslash) and ; comments. Keys are mapped onto the SOFTWARE
// hive (see Export).
//
// A missing header fails with a *FormatError wrapping ErrSyntax (the input
// is not a .reg file); input over ExportOptions.MaxSize fails with
// ErrTooLarge. Any other bad line is skipped and reported in Problems as a
// *FormatError with its line number, the rest kept. A done ctx (checked
// every 4096 lines) fails with ctx's error.
func ParseReg(ctx context.Context, data []byte, opts *ExportOptions) (*Export, error) {
	o := opts.withDefaults()
	if int64(len(data)) > o.MaxSize {
		return nil, &FormatError{File: o.File, Offset: -1, What: "input size", Err: fmt.Errorf("%w: larger than %d bytes", ErrTooLarge, o.MaxSize)}
	}
	text, ansi := decodeText(data, o.Encoding)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("hive: %s: %w", o.File, err)
	}
	lines := strings.Split(text, "\n")
	e := newExport(KindRegExport, o)
	i, version4, err := regHeader(lines, o.File)
	if err != nil {
		return nil, err
	}
	p := regParser{e: e, ansi: ansi, version4: version4}
	for steps := 0; i < len(lines); steps++ {
		if steps%4096 == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("hive: %s: %w", o.File, ctx.Err())
		}
		start := i
		var line string
		line, i = logicalLine(lines, i)
		p.line(start+1, strings.TrimSpace(line))
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("hive: %s: %w", o.File, err)
	}
	e.finish()
	return e, nil
}

// regHeader finds the header line (blank lines and a BOM before it are
// allowed) and returns the index of the line after it and whether it is
// REGEDIT4; a missing or unknown header is a *FormatError.
func regHeader(lines []string, file string) (next int, version4 bool, err error) {
	for i, raw := range lines {
		l := strings.TrimSpace(strings.TrimPrefix(raw, "\ufeff"))
		switch l {
		case "":
			continue
		case regHeader5:
		case regHeader4:
			version4 = true
		default:
			return 0, false, &FormatError{File: file, Offset: -1, Line: i + 1, What: "header", Err: fmt.Errorf("%w: want %q or %q", ErrSyntax, regHeader5, regHeader4)}
		}
		return i + 1, version4, nil
	}
	return 0, false, &FormatError{File: file, Offset: -1, Line: 1, What: "header", Err: fmt.Errorf("%w: empty input", ErrSyntax)}
}

// logicalLine returns line i without its "\r", joined with the lines it
// continues onto (a value line ending with a backslash), and the index of
// the line after it. The parts are collected, then joined once: linear in
// the input.
func logicalLine(lines []string, i int) (string, int) {
	line := strings.TrimRight(lines[i], "\r")
	i++
	if !cont(line) || strings.HasPrefix(strings.TrimSpace(line), "[") || i >= len(lines) {
		return line, i
	}
	parts := []string{strings.TrimSuffix(strings.TrimRight(line, " \t"), `\`)}
	for i < len(lines) {
		next := strings.TrimSpace(strings.TrimRight(lines[i], "\r"))
		i++
		if !cont(next) {
			parts = append(parts, next)
			break
		}
		parts = append(parts, strings.TrimSuffix(next, `\`))
	}
	return strings.Join(parts, ""), i
}

// cont reports whether a .reg line continues on the next one.
func cont(line string) bool {
	return strings.HasSuffix(strings.TrimRight(line, " \t"), `\`)
}

type regParser struct {
	e        *Export
	ansi     encoding.Encoding
	version4 bool
	cur      *exportKey // the key the value lines apply to
	skip     bool       // inside a deleted, outside-limit or bad key section
}

// line applies logical line n (trimmed text t): a comment, a key line or
// a value line of the current key.
func (p *regParser) line(n int, t string) {
	switch {
	case t == "" || strings.HasPrefix(t, ";"):
	case strings.HasPrefix(t, "["):
		p.cur, p.skip = p.key(n, t)
	case p.skip:
	case p.cur == nil:
		p.e.problem(n, "value line", fmt.Errorf("%w: value before any [key]", ErrSyntax))
	default:
		if err := p.value(p.cur, t); err != nil {
			p.e.problem(n, "value line", err)
		}
	}
}

// key applies key line n ([path] or [-path]) and returns the key its
// value lines apply to, and whether they are skipped (a deleted key, a
// bad line, or a key outside the limits).
func (p *regParser) key(n int, t string) (*exportKey, bool) {
	end := strings.LastIndex(t, "]")
	if end < 1 {
		p.e.problem(n, "key line", fmt.Errorf("%w: no closing ]", ErrSyntax))
		return nil, true
	}
	path := t[1:end]
	if strings.HasPrefix(path, "-") {
		p.e.remove(path[1:])
		return nil, true
	}
	if len(splitPath(path)) == 0 {
		p.e.problem(n, "key line", fmt.Errorf("%w: empty key path", ErrSyntax))
		return nil, true
	}
	cur := p.e.ensure(path, n)
	return cur, cur == nil
}

// value parses one logical value line and applies it to k.
func (p *regParser) value(k *exportKey, t string) error {
	var name, rest string
	switch {
	case strings.HasPrefix(t, "@"):
		rest = strings.TrimSpace(t[1:])
	case strings.HasPrefix(t, `"`):
		n, r, err := unquote(t)
		if err != nil {
			return err
		}
		name, rest = n, strings.TrimSpace(r)
	default:
		return fmt.Errorf("%w: value name must be quoted or @", ErrSyntax)
	}
	if !strings.HasPrefix(rest, "=") {
		return fmt.Errorf("%w: missing = after value name", ErrSyntax)
	}
	rest = strings.TrimSpace(rest[1:])
	switch {
	case rest == "-":
		k.deleteValue(name)
		return nil
	case strings.HasPrefix(rest, `"`):
		s, tail, err := unquote(rest)
		if err != nil {
			return err
		}
		if strings.TrimSpace(tail) != "" {
			return fmt.Errorf("%w: text after string value", ErrSyntax)
		}
		data := utf16z(s)
		if len(data) > p.e.opts.MaxValueSize {
			return fmt.Errorf("%w: value larger than %d bytes", ErrTooLarge, p.e.opts.MaxValueSize)
		}
		k.setValue(Value{Name: name, Type: TypeString, Data: data})
		return nil
	case hasPrefixFold(rest, "dword:"):
		digits := strings.TrimSpace(rest[len("dword:"):])
		n, err := strconv.ParseUint(digits, 16, 32)
		if err != nil || len(digits) == 0 || len(digits) > 8 {
			return fmt.Errorf("%w: bad dword %q", ErrSyntax, digits)
		}
		k.setValue(Value{Name: name, Type: TypeDword, Data: binary.LittleEndian.AppendUint32(nil, uint32(n))})
		return nil
	case hasPrefixFold(rest, "hex"):
		typ := TypeBinary
		r := rest[3:]
		if strings.HasPrefix(r, "(") {
			end := strings.Index(r, ")")
			if end < 0 {
				return fmt.Errorf("%w: bad hex(type)", ErrSyntax)
			}
			n, err := strconv.ParseUint(r[1:end], 16, 32)
			if err != nil {
				return fmt.Errorf("%w: bad hex type %q", ErrSyntax, r[1:end])
			}
			typ = ValueType(n)
			r = r[end+1:]
		}
		if !strings.HasPrefix(r, ":") {
			return fmt.Errorf("%w: missing : after hex", ErrSyntax)
		}
		data, err := p.hexBytes(r[1:])
		if err != nil {
			return err
		}
		if p.version4 && p.ansi != nil && (typ == TypeExpandString || typ == TypeMultiString) {
			// REGEDIT4 writes these as ANSI bytes; the model wants UTF-16LE.
			data = p.ansiToUTF16(data)
		}
		k.setValue(Value{Name: name, Type: typ, Data: data})
		return nil
	}
	return fmt.Errorf("%w: unknown value data %q", ErrSyntax, clip(rest, 40))
}

func (p *regParser) hexBytes(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return []byte{}, nil
	}
	if (len(s)+1)/3 > p.e.opts.MaxValueSize {
		return nil, fmt.Errorf("%w: value larger than %d bytes", ErrTooLarge, p.e.opts.MaxValueSize)
	}
	parts := strings.Split(s, ",")
	out := make([]byte, 0, len(parts))
	for _, h := range parts {
		h = strings.TrimSpace(h)
		if h == "" {
			continue // a trailing comma
		}
		if len(h) > 2 {
			return nil, fmt.Errorf("%w: bad hex byte %q", ErrSyntax, clip(h, 10))
		}
		b, err := hex.DecodeString(strings.Repeat("0", 2-len(h)) + h)
		if err != nil {
			return nil, fmt.Errorf("%w: bad hex byte %q", ErrSyntax, clip(h, 10))
		}
		out = append(out, b[0])
	}
	return out, nil
}

func (p *regParser) ansiToUTF16(b []byte) []byte {
	var out []byte
	for _, part := range strings.Split(decodeWith(p.ansi, b), "\x00") {
		out = append(out, utf16z(part)...)
	}
	// Each NUL of the ANSI data became one UTF-16 NUL; drop the extra one
	// the final segment added.
	if len(out) >= 2 {
		out = out[:len(out)-2]
	}
	return out
}

// unquote reads a .reg quoted string at the start of s (\\ and \"
// escapes) and returns it with the text after the closing quote.
func unquote(s string) (val, rest string, err error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
				continue
			}
			return "", "", fmt.Errorf("%w: unterminated string", ErrSyntax)
		case '"':
			return b.String(), s[i+1:], nil
		}
		b.WriteByte(c)
	}
	return "", "", fmt.Errorf("%w: unterminated string", ErrSyntax)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
