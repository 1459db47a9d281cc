package hive

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"
)

// ValueType is a registry value type (REG_*), as stored in a vk cell or
// written in a .reg export.
type ValueType uint32

// Registry value types.
const (
	TypeNone             ValueType = 0  // REG_NONE
	TypeString           ValueType = 1  // REG_SZ
	TypeExpandString     ValueType = 2  // REG_EXPAND_SZ
	TypeBinary           ValueType = 3  // REG_BINARY
	TypeDword            ValueType = 4  // REG_DWORD (little endian)
	TypeDwordBigEndian   ValueType = 5  // REG_DWORD_BIG_ENDIAN
	TypeLink             ValueType = 6  // REG_LINK
	TypeMultiString      ValueType = 7  // REG_MULTI_SZ
	TypeResourceList     ValueType = 8  // REG_RESOURCE_LIST
	TypeFullResource     ValueType = 9  // REG_FULL_RESOURCE_DESCRIPTOR
	TypeResourceReqsList ValueType = 10 // REG_RESOURCE_REQUIREMENTS_LIST
	TypeQword            ValueType = 11 // REG_QWORD (little endian)
)

var typeNames = map[ValueType]string{
	TypeNone: "REG_NONE", TypeString: "REG_SZ", TypeExpandString: "REG_EXPAND_SZ",
	TypeBinary: "REG_BINARY", TypeDword: "REG_DWORD", TypeDwordBigEndian: "REG_DWORD_BIG_ENDIAN",
	TypeLink: "REG_LINK", TypeMultiString: "REG_MULTI_SZ", TypeResourceList: "REG_RESOURCE_LIST",
	TypeFullResource: "REG_FULL_RESOURCE_DESCRIPTOR", TypeResourceReqsList: "REG_RESOURCE_REQUIREMENTS_LIST",
	TypeQword: "REG_QWORD",
}

// String returns the Windows name of the type ("REG_SZ"), or "REG_0x%X" for
// a type Windows does not define.
func (t ValueType) String() string {
	if s, ok := typeNames[t]; ok {
		return s
	}
	const hexdigits = "0123456789ABCDEF"
	var b []byte
	for v := uint32(t); ; v >>= 4 {
		b = append([]byte{hexdigits[v&0xF]}, b...)
		if v < 16 {
			break
		}
	}
	return "REG_0x" + string(b)
}

// ParseValueType maps a Windows type name ("REG_SZ") to its ValueType.
func ParseValueType(name string) (ValueType, bool) {
	for t, s := range typeNames {
		if strings.EqualFold(s, name) {
			return t, true
		}
	}
	return 0, false
}

// Value is one registry value: its name ("" for the default value), its type
// and its raw data exactly as stored (for strings: UTF-16LE, terminating NULs
// included). The accessors decode the data; they never panic.
type Value struct {
	Name string
	Type ValueType
	Data []byte
}

// Text decodes REG_SZ, REG_EXPAND_SZ and REG_LINK data as UTF-16LE with the
// terminating NULs trimmed; REG_MULTI_SZ yields its entries joined by "\n";
// DWORD and QWORD values their decimal text. ok is false for other types or
// for data that cannot be a string (odd length).
func (v Value) Text() (s string, ok bool) {
	switch v.Type {
	case TypeString, TypeExpandString, TypeLink:
		return decodeUTF16String(v.Data), true
	case TypeMultiString:
		return strings.Join(v.Strings(), "\n"), true
	case TypeDword, TypeDwordBigEndian, TypeQword:
		n, ok := v.Uint64()
		if !ok {
			return "", false
		}
		return uitoa(n), true
	}
	return "", false
}

// String implements fmt.Stringer: Text's string for the types that have
// one, else the type and the data in hex ("REG_BINARY 01 02"), so that a
// value formatted with %v shows as text, never as raw bytes.
func (v Value) String() string {
	if s, ok := v.Text(); ok {
		return s
	}
	var b strings.Builder
	b.WriteString(v.Type.String())
	for i, c := range v.Data {
		if i == 64 {
			fmt.Fprintf(&b, " ... (%d bytes)", len(v.Data))
			break
		}
		fmt.Fprintf(&b, " %02x", c)
	}
	return b.String()
}

// Strings decodes REG_MULTI_SZ data: the list of strings, without the empty
// terminator. For a single-string type it returns a one-element list.
func (v Value) Strings() []string {
	switch v.Type {
	case TypeMultiString:
	case TypeString, TypeExpandString, TypeLink:
		return []string{decodeUTF16String(v.Data)}
	default:
		return nil
	}
	u := bytesToUTF16(v.Data)
	var out []string
	start := 0
	for i, c := range u {
		if c == 0 {
			if i == start {
				// An empty string ends the list (the double NUL).
				break
			}
			out = append(out, string(utf16.Decode(u[start:i])))
			start = i + 1
		}
	}
	if start < len(u) && u[len(u)-1] != 0 {
		out = append(out, string(utf16.Decode(u[start:])))
	}
	return out
}

// Uint64 decodes REG_DWORD (little endian), REG_DWORD_BIG_ENDIAN and
// REG_QWORD data. ok is false for other types or data of the wrong size.
func (v Value) Uint64() (n uint64, ok bool) {
	switch v.Type {
	case TypeDword:
		if len(v.Data) < 4 {
			return 0, false
		}
		return uint64(binary.LittleEndian.Uint32(v.Data)), true
	case TypeDwordBigEndian:
		if len(v.Data) < 4 {
			return 0, false
		}
		return uint64(binary.BigEndian.Uint32(v.Data)), true
	case TypeQword:
		if len(v.Data) < 8 {
			return 0, false
		}
		return binary.LittleEndian.Uint64(v.Data), true
	}
	return 0, false
}

// Key is one registry key with its values, as read from a hive, a .reg
// export or reg query text. Path is relative to the hive root, components
// separated by `\`, in the spelling the source used ("" for the root).
type Key struct {
	Path      string
	Name      string
	LastWrite time.Time // zero when the source does not record it (.reg, reg query)
	Values    []Value
	Subkeys   []string // names of the direct subkeys, in stored order
	// FromLog is true when the key's cell, or one of its values, was read
	// from a page restored by transaction-log replay.
	FromLog bool
	// Problems lists damage met while reading this key from a hive (a bad
	// value cell, a cut or looping subkey list): the key is returned with
	// what could be read. Each wraps one of the sentinels.
	Problems []error
}

// Value returns the value with the given name, compared case-insensitively
// as Windows does ("" or "(Default)" is the default value).
func (k *Key) Value(name string) (Value, bool) {
	if k == nil {
		return Value{}, false
	}
	if name == "(Default)" {
		name = ""
	}
	for _, v := range k.Values {
		if equalFold(v.Name, name) {
			return v, true
		}
	}
	return Value{}, false
}

// KeyReader is what fact extraction needs from any source of keys: a hive
// file, a .reg export or reg query text. Key returns ErrKeyNotFound
// (wrapped) when the path does not exist.
type KeyReader interface {
	Key(path string) (*Key, error)
}

// equalFold compares two key or value names the way Windows does: case-
// insensitively by simple Unicode upper-casing.
func equalFold(a, b string) bool {
	return strings.EqualFold(a, b)
}

// splitPath splits a key path into its components, dropping empty ones, so
// `\A\\B\` and `A\B` name the same key.
func splitPath(p string) []string {
	parts := strings.Split(p, `\`)
	out := parts[:0]
	for _, s := range parts {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func bytesToUTF16(b []byte) []uint16 {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return u
}

// decodeUTF16String decodes UTF-16LE and trims everything from the first
// NUL (REG_SZ data keeps its terminator; some writers leave garbage after it).
func decodeUTF16String(b []byte) string {
	u := bytesToUTF16(b)
	for i, c := range u {
		if c == 0 {
			u = u[:i]
			break
		}
	}
	return string(utf16.Decode(u))
}

func uitoa(n uint64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
