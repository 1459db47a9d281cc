package hive

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
)

// ErrOutsideSoftware flags a key of an export that does not lie under
// HKEY_LOCAL_MACHINE\SOFTWARE: it is kept under its full path (such as
// `HKEY_LOCAL_MACHINE\SYSTEM\...`) and reported as a problem wrapping this.
var ErrOutsideSoftware = errors.New("hive: key outside the SOFTWARE hive")

// Default limits of the export parsers, used when the ExportOptions field
// is zero.
const (
	DefaultMaxExportSize      = 64 << 20 // bytes of .reg or reg query text
	DefaultMaxExportKeys      = 1 << 20  // keys in one export
	DefaultMaxExportValueSize = 1 << 24  // decoded bytes of one value
	DefaultMaxExportProblems  = 1000     // problems kept; the rest are counted
	DefaultMaxExportDepth     = 512      // key path components (Windows' own limit)
)

// ExportOptions bounds the .reg and reg query parsers. The zero value (or
// a nil pointer) means the documented defaults.
type ExportOptions struct {
	// File is the file name used in errors and problems.
	File string
	// MaxSize caps the input size (default DefaultMaxExportSize); larger
	// input fails with ErrTooLarge.
	MaxSize int64
	// MaxKeys caps the keys kept (default DefaultMaxExportKeys); later keys
	// are dropped and reported.
	MaxKeys int
	// MaxValueSize caps the decoded data of one value (default
	// DefaultMaxExportValueSize); a larger value is dropped and reported.
	MaxValueSize int
	// MaxDepth caps the components of a key path (default
	// DefaultMaxExportDepth); a deeper key is dropped and reported.
	MaxDepth int
	// MaxProblems caps the problems kept (default
	// DefaultMaxExportProblems); one more problem says how many were
	// dropped.
	MaxProblems int
	// Encoding forces the text encoding of input without a byte-order
	// mark. Nil means: UTF-16LE when the text looks like it, UTF-8 when
	// valid, else Shift-JIS when it decodes cleanly, else Windows-1252.
	Encoding encoding.Encoding
}

func (o *ExportOptions) withDefaults() ExportOptions {
	var r ExportOptions
	if o != nil {
		r = *o
	}
	if r.MaxSize <= 0 {
		r.MaxSize = DefaultMaxExportSize
	}
	if r.MaxKeys <= 0 {
		r.MaxKeys = DefaultMaxExportKeys
	}
	if r.MaxValueSize <= 0 {
		r.MaxValueSize = DefaultMaxExportValueSize
	}
	if r.MaxDepth <= 0 {
		r.MaxDepth = DefaultMaxExportDepth
	}
	if r.MaxProblems <= 0 {
		r.MaxProblems = DefaultMaxExportProblems
	}
	return r
}

const (
	regHeader5 = "Windows Registry Editor Version 5.00"
	regHeader4 = "REGEDIT4"
)

// decodeText turns input bytes into text: by byte-order mark, by the NUL
// pattern of BOM-less UTF-16LE, or as UTF-8, Shift-JIS or Windows-1252 (or
// forced). It returns the encoding used for single-byte input (nil for
// Unicode), so REGEDIT4 hex(2)/hex(7) data can be decoded alike.
func decodeText(data []byte, forced encoding.Encoding) (string, encoding.Encoding) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return decodeWith(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), data[2:]), nil
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return decodeWith(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), data[2:]), nil
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return strings.ToValidUTF8(string(data[3:]), "\uFFFD"), nil
	case len(data) >= 4 && data[0] != 0 && data[1] == 0 && data[3] == 0:
		return decodeWith(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), data), nil
	case len(data) >= 4 && data[0] == 0 && data[1] != 0 && data[2] == 0:
		return decodeWith(unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), data), nil
	}
	if forced != nil {
		return decodeWith(forced, data), forced
	}
	if utf8.Valid(data) {
		return string(data), nil
	}
	if s := decodeWith(japanese.ShiftJIS, data); !strings.ContainsRune(s, utf8.RuneError) {
		return s, japanese.ShiftJIS
	}
	return decodeWith(charmap.Windows1252, data), charmap.Windows1252
}

func decodeWith(e encoding.Encoding, data []byte) string {
	out, err := e.NewDecoder().Bytes(data)
	if err != nil {
		// The x/text decoders replace bad input rather than fail; keep what
		// came out, marked.
		return strings.ToValidUTF8(string(out), "\uFFFD")
	}
	return string(out)
}

// exportKey is one key of an Export's in-memory tree. While parsing,
// children live in byName only and deleted values leave nil slots; finish
// builds the sorted children list and compacts the values once, so hostile
// input with many siblings or values costs O(n log n), not O(n²).
type exportKey struct {
	name     string
	values   []*Value
	valIdx   map[string]int        // upper-cased value name -> index in values
	byName   map[string]*exportKey // upper-cased name -> child (nil until the first)
	children []*exportKey          // sorted by upper-cased name, set by finish
}

func newExportKey(name string) *exportKey {
	return &exportKey{name: name}
}

func (k *exportKey) child(name string) *exportKey {
	return k.byName[strings.ToUpper(name)]
}

// Export is a registry tree read from a .reg export or reg query text,
// rooted at the SOFTWARE hive: `HKEY_LOCAL_MACHINE\SOFTWARE\X` and
// `HKLM\Software\X` become `X`. Keys outside SOFTWARE stay under their full
// path and are reported (ErrOutsideSoftware). It implements KeyReader; keys
// carry no last-write time. An Export does not change after parsing.
type Export struct {
	kind     Kind
	file     string
	root     *exportKey
	keys     int
	outside  []string
	problems []error
	dropped  int
	opts     ExportOptions
}

var _ KeyReader = (*Export)(nil)

func newExport(kind Kind, o ExportOptions) *Export {
	return &Export{kind: kind, file: o.File, opts: o, root: newExportKey("")}
}

// Kind returns KindRegExport or KindRegQuery.
func (e *Export) Kind() Kind { return e.kind }

// File returns the file name given in ExportOptions.
func (e *Export) File() string { return e.file }

// Problems returns the lines that could not be parsed, keys outside
// SOFTWARE and dropped input, each an error wrapping a sentinel (mostly
// *FormatError with Line set).
func (e *Export) Problems() []error {
	out := append([]error(nil), e.problems...)
	if e.dropped > 0 {
		out = append(out, fmt.Errorf("%w: %d more problems not kept", ErrTooLarge, e.dropped))
	}
	return out
}

// Outside lists the full paths of keys that are not under SOFTWARE.
func (e *Export) Outside() []string { return append([]string(nil), e.outside...) }

// Len returns the number of keys in the tree (the root not counted).
func (e *Export) Len() int { return e.keys }

func (e *Export) problem(line int, what string, err error) {
	if len(e.problems) >= e.opts.MaxProblems {
		e.dropped++
		return
	}
	e.problems = append(e.problems, &FormatError{File: e.file, Offset: -1, Line: line, What: what, Err: err})
}

// Key returns the key at path relative to the SOFTWARE root ("" is the
// root), compared case-insensitively. Key.Subkeys are sorted by name.
func (e *Export) Key(path string) (*Key, error) {
	k := e.root
	var names []string
	for _, p := range splitPath(path) {
		k = k.child(p)
		if k == nil {
			return nil, fmt.Errorf("%w: %s", ErrKeyNotFound, path)
		}
		names = append(names, k.name)
	}
	out := &Key{Path: strings.Join(names, `\`), Name: k.name}
	out.Values = make([]Value, 0, len(k.values))
	for _, v := range k.values {
		if v != nil {
			out.Values = append(out.Values, Value{Name: v.Name, Type: v.Type, Data: bytes.Clone(v.Data)})
		}
	}
	for _, c := range k.children {
		out.Subkeys = append(out.Subkeys, c.name)
	}
	return out, nil
}

// Walk calls fn for every key under path (the key itself included), depth
// first, subkeys in name order: the shape of Hive.Walk. An export is held
// in memory, so fn's error argument is always nil. fn returning a non-nil
// error stops the walk and Walk returns it; fs.SkipDir skips the key's
// subtree.
func (e *Export) Walk(path string, fn func(k *Key, err error) error) error {
	k, err := e.Key(path)
	if err != nil {
		return err
	}
	if err := fn(k, nil); err != nil {
		if errors.Is(err, fs.SkipDir) {
			return nil
		}
		return err
	}
	for _, name := range k.Subkeys {
		p := name
		if k.Path != "" {
			p = k.Path + `\` + name
		}
		if err := e.Walk(p, fn); err != nil {
			return err
		}
	}
	return nil
}

// hiveRelative maps an export's full key path onto the SOFTWARE hive:
// it returns the path below SOFTWARE and true, or the cleaned full path and
// false for keys elsewhere.
func hiveRelative(full string) (string, bool) {
	parts := splitPath(strings.TrimSpace(full))
	if len(parts) == 0 {
		return "", false
	}
	switch strings.ToUpper(parts[0]) {
	case "HKEY_LOCAL_MACHINE", "HKLM":
		if len(parts) >= 2 && strings.EqualFold(parts[1], "SOFTWARE") {
			return strings.Join(parts[2:], `\`), true
		}
		parts[0] = "HKEY_LOCAL_MACHINE"
	}
	return strings.Join(parts, `\`), false
}

// ensure returns the key at full (an export path), creating it; nil when
// the key limit is reached. It reports keys outside SOFTWARE once.
func (e *Export) ensure(full string, line int) *exportKey {
	rel, inSoftware := hiveRelative(full)
	parts := splitPath(rel)
	if len(parts) > e.opts.MaxDepth {
		e.problem(line, "key", fmt.Errorf("%w: key path deeper than %d", ErrTooLarge, e.opts.MaxDepth))
		return nil
	}
	k := e.root
	for i, p := range parts {
		c := k.child(p)
		if c == nil {
			if e.keys >= e.opts.MaxKeys {
				e.problem(line, "key", fmt.Errorf("%w: more than %d keys", ErrTooLarge, e.opts.MaxKeys))
				return nil
			}
			c = newExportKey(p)
			if k.byName == nil {
				k.byName = map[string]*exportKey{}
			}
			k.byName[strings.ToUpper(p)] = c
			e.keys++
			if !inSoftware && i == len(parts)-1 {
				e.outside = append(e.outside, rel)
				e.problem(line, "key "+rel, ErrOutsideSoftware)
			}
		}
		k = c
	}
	return k
}

// remove deletes the key at full and its subtree; false when absent.
func (e *Export) remove(full string) bool {
	rel, _ := hiveRelative(full)
	parts := splitPath(rel)
	if len(parts) == 0 {
		return false
	}
	k := e.root
	for _, p := range parts[:len(parts)-1] {
		if k = k.child(p); k == nil {
			return false
		}
	}
	up := strings.ToUpper(parts[len(parts)-1])
	c := k.byName[up]
	if c == nil {
		return false
	}
	delete(k.byName, up)
	e.keys -= countKeys(c)
	return true
}

func countKeys(k *exportKey) int {
	n := 1
	stack := []*exportKey{k}
	for len(stack) > 0 {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n += len(top.byName)
		for _, c := range top.byName {
			stack = append(stack, c)
		}
	}
	return n
}

// setValue sets or replaces a value of k (names compared
// case-insensitively).
func (k *exportKey) setValue(v Value) {
	up := strings.ToUpper(v.Name)
	if i, ok := k.valIdx[up]; ok {
		k.values[i] = &v
		return
	}
	if k.valIdx == nil {
		k.valIdx = map[string]int{}
	}
	k.valIdx[up] = len(k.values)
	k.values = append(k.values, &v)
}

func (k *exportKey) deleteValue(name string) {
	up := strings.ToUpper(name)
	if i, ok := k.valIdx[up]; ok {
		k.values[i] = nil
		delete(k.valIdx, up)
	}
}

// finish sorts every key's children by upper-cased name and drops deleted
// value slots; the tree is read-only afterwards.
func (e *Export) finish() {
	stack := []*exportKey{e.root}
	for len(stack) > 0 {
		k := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		ups := make([]string, 0, len(k.byName))
		for up := range k.byName {
			ups = append(ups, up)
		}
		sort.Strings(ups)
		k.children = make([]*exportKey, len(ups))
		for i, up := range ups {
			k.children[i] = k.byName[up]
		}
		stack = append(stack, k.children...)
		vals := k.values[:0]
		for _, v := range k.values {
			if v != nil {
				vals = append(vals, v)
			}
		}
		k.values = vals
		k.valIdx = nil
	}
}

// utf16z encodes s as UTF-16LE with a terminating NUL (REG_SZ data).
func utf16z(s string) []byte {
	out := make([]byte, 0, 2*len(s)+2)
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			hi, lo := 0xD800+(r>>10), 0xDC00+(r&0x3FF)
			out = append(out, byte(hi), byte(hi>>8), byte(lo), byte(lo>>8))
			continue
		}
		out = append(out, byte(r), byte(r>>8))
	}
	return append(out, 0, 0)
}
