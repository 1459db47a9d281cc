package hivewriter

import (
	"encoding/binary"
	"errors"
	"strings"
	"time"
	"unicode/utf16"
)

// Value types, as stored in a vk cell (REG_*).
const (
	TypeNone           uint32 = 0
	TypeString         uint32 = 1
	TypeExpandString   uint32 = 2
	TypeBinary         uint32 = 3
	TypeDword          uint32 = 4
	TypeDwordBigEndian uint32 = 5
	TypeMultiString    uint32 = 7
	TypeQword          uint32 = 11
)

// ListKind selects the subkey-list cell a Builder writes for keys whose
// subkeys fit in one list.
type ListKind int

const (
	// ListLH writes hash leaves (lh, Windows XP and later); the default.
	ListLH ListKind = iota
	// ListLF writes fast leaves (lf, NT 4.0).
	ListLF
	// ListLI writes index leaves (li, no hints).
	ListLI
)

// ErrBuild is wrapped by every error the builder returns.
var ErrBuild = errors.New("hivewriter: cannot build hive")

// Value is one value of a Key as the builder will write it.
type Value struct {
	Name string
	Type uint32
	Data []byte
}

// Key is one key of the tree being built. Set LastWrite directly; the
// zero time means the Builder's Timestamp.
type Key struct {
	Name      string
	LastWrite time.Time
	// Class is the optional class name (written as a UTF-16LE data cell).
	Class   string
	values  []Value
	subkeys []*Key
	byName  map[string]*Key
}

// Builder assembles a registry hive (regf) in memory. The zero value is
// not usable: call New.
type Builder struct {
	// Timestamp is written into the base block, the first hbin and every
	// key whose LastWrite is zero. New sets 2013-06-01 00:00:00 UTC.
	Timestamp time.Time
	// MajorVersion and MinorVersion of the format (default 1.5). Big-data
	// (db) cells are written only for minor version 4 and above.
	MajorVersion, MinorVersion uint32
	// Sequence is the primary and secondary sequence number of a clean
	// hive (default 1).
	Sequence uint32
	// FileName is written (UTF-16LE, at most 31 characters) into the base
	// block; Windows stores the tail of the hive's path there.
	FileName string
	// List selects lh, lf or li leaves.
	List ListKind
	// MaxLeaf is the number of entries per leaf above which a subkey list
	// is split into an ri index of leaves (default 1000).
	MaxLeaf int
	// UTF16Names writes every key and value name as UTF-16LE even when it
	// could be compressed (Latin-1). Names outside Latin-1 are always
	// UTF-16LE.
	UTF16Names bool
	// SelfReferencingRI names a key (path from the root) whose subkey list
	// is written as an ri index that lists itself after a leaf holding the
	// real subkeys: a damaged hive that sends naive recursive readers into
	// infinite recursion. The key needs at least one subkey.
	SelfReferencingRI string

	root *Key
}

// New returns a Builder with an empty root key named "ROOT".
func New() *Builder {
	return &Builder{
		Timestamp:    time.Date(2013, 6, 1, 0, 0, 0, 0, time.UTC),
		MajorVersion: 1,
		MinorVersion: 5,
		Sequence:     1,
		MaxLeaf:      1000,
		root:         newKey("ROOT"),
	}
}

func newKey(name string) *Key {
	return &Key{Name: name, byName: map[string]*Key{}}
}

// Root returns the root key.
func (b *Builder) Root() *Key { return b.root }

// Key returns the key at path (components separated by `\`, relative to the
// root), creating it and any missing parents. Names compare
// case-insensitively; an existing key keeps its first spelling.
func (b *Builder) Key(path string) *Key {
	k := b.root
	for _, name := range strings.Split(path, `\`) {
		if name == "" {
			continue
		}
		k = k.Subkey(name)
	}
	return k
}

// Lookup returns the key at path, or nil when it does not exist.
func (b *Builder) Lookup(path string) *Key {
	k := b.root
	for _, name := range strings.Split(path, `\`) {
		if name == "" {
			continue
		}
		k = k.byName[strings.ToUpper(name)]
		if k == nil {
			return nil
		}
	}
	return k
}

// DeleteKey removes the key at path and its subtree; it reports whether the
// key existed. The root cannot be deleted.
func (b *Builder) DeleteKey(path string) bool {
	parts := splitPath(path)
	if len(parts) == 0 {
		return false
	}
	parent := b.Lookup(strings.Join(parts[:len(parts)-1], `\`))
	if parent == nil {
		return false
	}
	up := strings.ToUpper(parts[len(parts)-1])
	if parent.byName[up] == nil {
		return false
	}
	delete(parent.byName, up)
	for i, s := range parent.subkeys {
		if strings.ToUpper(s.Name) == up {
			parent.subkeys = append(parent.subkeys[:i], parent.subkeys[i+1:]...)
			break
		}
	}
	return true
}

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(p, `\`) {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Subkey returns the direct subkey called name, creating it if needed.
func (k *Key) Subkey(name string) *Key {
	up := strings.ToUpper(name)
	if c := k.byName[up]; c != nil {
		return c
	}
	c := newKey(name)
	k.byName[up] = c
	k.subkeys = append(k.subkeys, c)
	return c
}

// SetValue sets (or replaces, matching the name case-insensitively) a value
// with raw data of any type. It returns k for chaining.
func (k *Key) SetValue(name string, typ uint32, data []byte) *Key {
	v := Value{Name: name, Type: typ, Data: append([]byte(nil), data...)}
	for i := range k.values {
		if strings.EqualFold(k.values[i].Name, name) {
			k.values[i] = v
			return k
		}
	}
	k.values = append(k.values, v)
	return k
}

// DeleteValue removes a value; it reports whether it existed.
func (k *Key) DeleteValue(name string) bool {
	for i := range k.values {
		if strings.EqualFold(k.values[i].Name, name) {
			k.values = append(k.values[:i], k.values[i+1:]...)
			return true
		}
	}
	return false
}

// Values returns a copy of the key's values in write order.
func (k *Key) Values() []Value { return append([]Value(nil), k.values...) }

// Subkeys returns the direct subkeys in insertion order.
func (k *Key) Subkeys() []*Key { return append([]*Key(nil), k.subkeys...) }

// SetString sets a REG_SZ value (UTF-16LE with a terminating NUL).
func (k *Key) SetString(name, s string) *Key {
	return k.SetValue(name, TypeString, UTF16z(s))
}

// SetExpandString sets a REG_EXPAND_SZ value.
func (k *Key) SetExpandString(name, s string) *Key {
	return k.SetValue(name, TypeExpandString, UTF16z(s))
}

// SetMultiString sets a REG_MULTI_SZ value: each string NUL-terminated,
// then an empty string.
func (k *Key) SetMultiString(name string, ss ...string) *Key {
	var data []byte
	for _, s := range ss {
		data = append(data, UTF16z(s)...)
	}
	data = append(data, 0, 0)
	return k.SetValue(name, TypeMultiString, data)
}

// SetDword sets a REG_DWORD (little endian) value.
func (k *Key) SetDword(name string, v uint32) *Key {
	return k.SetValue(name, TypeDword, binary.LittleEndian.AppendUint32(nil, v))
}

// SetDwordBigEndian sets a REG_DWORD_BIG_ENDIAN value.
func (k *Key) SetDwordBigEndian(name string, v uint32) *Key {
	return k.SetValue(name, TypeDwordBigEndian, binary.BigEndian.AppendUint32(nil, v))
}

// SetQword sets a REG_QWORD value.
func (k *Key) SetQword(name string, v uint64) *Key {
	return k.SetValue(name, TypeQword, binary.LittleEndian.AppendUint64(nil, v))
}

// SetBinary sets a REG_BINARY value.
func (k *Key) SetBinary(name string, data []byte) *Key {
	return k.SetValue(name, TypeBinary, data)
}

// UTF16z encodes s as UTF-16LE with a terminating NUL, as REG_SZ data.
func UTF16z(s string) []byte {
	u := utf16.Encode([]rune(s))
	out := make([]byte, 0, 2*len(u)+2)
	for _, c := range u {
		out = binary.LittleEndian.AppendUint16(out, c)
	}
	return append(out, 0, 0)
}

// Clone returns a deep copy of the builder and its tree, e.g. to keep the
// state a dirty base hive holds before Dirty changes the tree.
func (b *Builder) Clone() *Builder {
	c := *b
	c.root = b.root.clone()
	return &c
}

func (k *Key) clone() *Key {
	c := &Key{Name: k.Name, LastWrite: k.LastWrite, Class: k.Class, byName: make(map[string]*Key, len(k.subkeys))}
	for _, v := range k.values {
		c.values = append(c.values, Value{Name: v.Name, Type: v.Type, Data: append([]byte(nil), v.Data...)})
	}
	for _, s := range k.subkeys {
		sc := s.clone()
		c.subkeys = append(c.subkeys, sc)
		c.byName[strings.ToUpper(sc.Name)] = sc
	}
	return c
}

// Walk calls fn for every key, depth first in insertion order, with its
// path from the root ("" for the root).
func (b *Builder) Walk(fn func(path string, k *Key)) {
	var walk func(path string, k *Key)
	walk = func(path string, k *Key) {
		fn(path, k)
		for _, s := range k.subkeys {
			p := s.Name
			if path != "" {
				p = path + `\` + s.Name
			}
			walk(p, s)
		}
	}
	walk("", b.root)
}
