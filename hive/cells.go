package hive

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"unicode/utf16"
)

// Record layouts (offsets inside the cell data, after the 4-byte size).
const (
	nkMinSize    = 76 // CM_KEY_NODE up to the name
	vkMinSize    = 20 // CM_KEY_VALUE up to the name
	nkCompName   = 0x0020
	vkCompName   = 0x0001
	bigDataChunk = 16344 // data segment size of a db record
)

var le = binary.LittleEndian

// errAt builds a positional error. off is relative to the hive bins data;
// the error carries the file offset.
func (h *Hive) errAt(off uint32, what string, sentinel error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	var err error
	if msg == "" {
		err = sentinel
	} else {
		err = fmt.Errorf("%w: %s", sentinel, msg)
	}
	pos := int64(-1)
	if off != nilOffset {
		pos = baseBlockSize + int64(off)
	}
	return &FormatError{File: h.name, Offset: pos, What: what, Err: err}
}

// cell returns the data of the cell at off (relative to the hive bins
// data), without its size field, after checking the offset, the size and
// that the cell lies inside the hive bins present.
func (h *Hive) cell(off uint32, what string) ([]byte, error) {
	if off == nilOffset {
		return nil, h.errAt(off, what, ErrCorrupt, "nil cell offset")
	}
	if off%8 != 0 {
		return nil, h.errAt(off, what, ErrCorrupt, "cell offset 0x%x is not 8-aligned", off)
	}
	pos := baseBlockSize + int64(off)
	declaredEnd := baseBlockSize + h.binsSize
	end := declaredEnd
	if avail := int64(len(h.img)); avail < end {
		end = avail
	}
	if pos < baseBlockSize+32 {
		return nil, h.errAt(off, what, ErrCorrupt, "cell offset 0x%x inside the first hive bin header", off)
	}
	if end-pos < 4 {
		if pos < declaredEnd {
			return nil, h.errAt(off, what, ErrTruncated, "cell lies past the end of the file")
		}
		return nil, h.errAt(off, what, ErrCorrupt, "cell offset 0x%x outside the hive bins (size 0x%x)", off, h.binsSize)
	}
	raw := int32(le.Uint32(h.img[pos:]))
	size := int64(raw)
	if size < 0 {
		size = -size
	}
	if size < 8 {
		return nil, h.errAt(off, what, ErrCorrupt, "cell size %d", raw)
	}
	if size > end-pos {
		if size <= declaredEnd-pos {
			return nil, h.errAt(off, what, ErrTruncated, "cell of %d bytes cut by the end of the file", size)
		}
		return nil, h.errAt(off, what, ErrCorrupt, "cell of %d bytes runs past the hive bins", size)
	}
	return h.img[pos+4 : pos+size], nil
}

// restored reports whether the cell at off lies in a page written by log
// replay.
func (h *Hive) restored(off uint32) bool {
	if h.fromLog == nil || off == nilOffset {
		return false
	}
	p := int64(off) / pageSize
	return p < int64(len(h.fromLog)) && h.fromLog[p]
}

// keyNode is a decoded nk cell (CM_KEY_NODE).
type keyNode struct {
	off         uint32
	flags       uint16
	lastWrite   uint64
	parent      uint32
	subkeyCount uint32
	subkeyList  uint32
	valueCount  uint32
	valueList   uint32
	name        string
}

func (h *Hive) keyNode(off uint32) (keyNode, error) {
	c, err := h.cell(off, "nk cell")
	if err != nil {
		return keyNode{}, err
	}
	if len(c) < nkMinSize || string(c[:2]) != "nk" {
		return keyNode{}, h.errAt(off, "nk cell", ErrCorrupt, "not a key node (signature %q)", sig(c))
	}
	f, err := readNK(h.profile, c)
	if err != nil {
		return keyNode{}, h.errAt(off, "nk cell", ErrCorrupt, "%v", err)
	}
	k := keyNode{
		off:         off,
		flags:       f.flags,
		lastWrite:   le.Uint64(c[4:]), // regparser keeps whole seconds only
		parent:      f.parent,
		subkeyCount: f.subkeyCount,
		subkeyList:  f.subkeyList,
		valueCount:  f.valueCount,
		valueList:   f.valueList,
	}
	n := int(f.nameLength)
	if n > len(c)-nkMinSize {
		return keyNode{}, h.errAt(off, "nk cell", ErrCorrupt, "name of %d bytes overruns the cell", n)
	}
	k.name = decodeName(c[nkMinSize:nkMinSize+n], k.flags&nkCompName != 0)
	return k, nil
}

// childNode reads the nk cell at off, listed as a subkey of the key at
// parent, and checks that its parent field points back.
func (h *Hive) childNode(parent, off uint32) (keyNode, error) {
	k, err := h.keyNode(off)
	if err != nil {
		return k, err
	}
	if k.parent != parent {
		return k, h.errAt(off, "nk cell", ErrCorrupt, "subkey %q of the key at 0x%x names 0x%x as its parent", k.name, baseBlockSize+int64(parent), baseBlockSize+int64(k.parent))
	}
	return k, nil
}

func sig(c []byte) string {
	if len(c) < 2 {
		return string(c)
	}
	return string(c[:2])
}

// decodeName decodes a key or value name: Latin-1 when the compressed-name
// flag is set, UTF-16LE otherwise (an odd trailing byte is dropped).
func decodeName(b []byte, compressed bool) string {
	if compressed {
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = le.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// subkeyWalker enumerates the nk offsets of a subkey list (lf, lh, li, or
// ri over those), with a visited set over list cells and a nesting cap.
type subkeyWalker struct {
	h       *Hive
	visited map[uint32]bool
	n       int
	limit   int
}

// errStop ends a walk early without an error.
var errStop = errors.New("stop")

// each calls fn for each nk offset of the list at off, in stored order.
func (w *subkeyWalker) each(off uint32, depth int, fn func(nk uint32) error) error {
	h := w.h
	if depth > h.opts.MaxDepth || depth > 8 {
		return h.errAt(off, "ri list", ErrCorrupt, "index lists nested %d deep", depth)
	}
	if w.visited[off] {
		return h.errAt(off, "subkey list", ErrCorrupt, "subkey list cell referenced twice (loop)")
	}
	w.visited[off] = true
	c, err := h.cell(off, "subkey list")
	if err != nil {
		return err
	}
	if len(c) < 4 {
		return h.errAt(off, "subkey list", ErrCorrupt, "list cell of %d bytes", len(c))
	}
	count := int64(le.Uint16(c[2:]))
	kind := sig(c)
	var stride int64
	switch kind {
	case "lf", "lh":
		stride = 8
	case "li", "ri":
		stride = 4
	default:
		return h.errAt(off, "subkey list", ErrCorrupt, "unknown list signature %q", kind)
	}
	if count*stride > int64(len(c))-4 {
		return h.errAt(off, kind+" list", ErrCorrupt, "%d elements overrun the %d-byte cell", count, len(c))
	}
	for i := int64(0); i < count; i++ {
		elem := le.Uint32(c[4+i*stride:])
		if kind == "ri" {
			if err := w.each(elem, depth+1, fn); err != nil {
				return err
			}
			continue
		}
		w.n++
		if w.n > w.limit {
			return h.errAt(off, kind+" list", ErrTooLarge, "more than %d subkeys", w.limit)
		}
		if err := fn(elem); err != nil {
			return err
		}
	}
	return nil
}

// subkeys calls fn for each subkey nk offset of k.
func (h *Hive) subkeys(k keyNode, fn func(nk uint32) error) error {
	if k.subkeyCount == 0 || k.subkeyList == nilOffset {
		return nil
	}
	w := subkeyWalker{h: h, visited: make(map[uint32]bool), limit: h.opts.MaxSubkeys}
	return w.each(k.subkeyList, 0, fn)
}

// lookup resolves path from the root: the nk offset and the stored
// spelling of each component. A component not found where the parent's
// subkey list is damaged (a bad list or cell, an entry that is the key
// itself, the root or another key's child, fewer entries than the key
// declares) is ErrCorrupt, "key unreadable", never ErrKeyNotFound: the key
// may exist and be unreachable.
func (h *Hive) lookup(path string) (uint32, []string, error) {
	parts := splitPath(path)
	if len(parts) > h.opts.MaxDepth {
		return 0, nil, fmt.Errorf("hive: %q: %w: deeper than %d keys", path, ErrTooLarge, h.opts.MaxDepth)
	}
	cur, err := h.keyNode(h.root)
	if err != nil {
		return 0, nil, err
	}
	names := make([]string, 0, len(parts))
	for i, want := range parts {
		next, found, damage := h.child(cur, want)
		if !found {
			where := strings.Join(parts[:i+1], `\`)
			if damage != nil {
				return 0, nil, &FormatError{File: h.name, Offset: -1, What: where, Err: &nestedError{kind: ErrCorrupt, what: "key unreadable: damaged subkey list of " + quoteKey(names), inner: damage}}
			}
			return 0, nil, &FormatError{File: h.name, Offset: -1, What: where, Err: ErrKeyNotFound}
		}
		names = append(names, next.name)
		cur = next
	}
	return cur.off, names, nil
}

// child finds the subkey of cur named want. damage is the first sign that
// the list is damaged, so that a miss may not mean absence.
func (h *Hive) child(cur keyNode, want string) (next keyNode, found bool, damage error) {
	listed := 0
	err := h.subkeys(cur, func(nk uint32) error {
		listed++
		k, err := h.keyNode(nk)
		switch {
		case err != nil:
			damage = cmp.Or(damage, err) // a bad sibling does not hide a good match
			return nil
		case nk == cur.off || nk == h.root || k.parent != cur.off:
			damage = cmp.Or(damage, h.errAt(nk, "nk cell", ErrCorrupt, "subkey list entry %q is the key itself, the root or another key's subkey", k.name))
		}
		if equalFold(k.name, want) {
			next, found = k, true
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		damage = err
	}
	if !found && damage == nil && uint32(listed) != cur.subkeyCount {
		damage = h.errAt(cur.off, "nk cell", ErrCorrupt, "says %d subkeys, lists hold %d", cur.subkeyCount, listed)
	}
	return next, found, damage
}

// quoteKey names a key path for messages ("the root" for none).
func quoteKey(names []string) string {
	if len(names) == 0 {
		return "the root"
	}
	return fmt.Sprintf("%q", strings.Join(names, `\`))
}

// readKey decodes the key at nk offset off with its values and the names
// of its subkeys; damage to parts is recorded in Key.Problems.
func (h *Hive) readKey(off uint32, path string) (*Key, error) {
	k, err := h.keyNode(off)
	if err != nil {
		return nil, err
	}
	key := &Key{
		Path:      path,
		Name:      k.name,
		LastWrite: filetime(k.lastWrite),
		FromLog:   h.restored(off),
	}
	var seen map[string]bool
	if k.subkeyCount > 1 {
		seen = make(map[string]bool)
	}
	if err := h.subkeys(k, func(nk uint32) error {
		sk, err := h.childNode(k.off, nk)
		if err != nil {
			key.Problems = append(key.Problems, err)
			return nil
		}
		if seen != nil {
			folded := strings.ToUpper(sk.name)
			if seen[folded] {
				key.Problems = append(key.Problems, h.errAt(nk, "nk cell", ErrCorrupt, "duplicate subkey name %q", sk.name))
			}
			seen[folded] = true
		}
		key.Subkeys = append(key.Subkeys, sk.name)
		return nil
	}); err != nil {
		key.Problems = append(key.Problems, err)
	}
	if uint64(len(key.Subkeys)) != uint64(k.subkeyCount) && len(key.Problems) == 0 {
		key.Problems = append(key.Problems, h.errAt(off, "nk cell", ErrCorrupt, "says %d subkeys, lists hold %d", k.subkeyCount, len(key.Subkeys)))
	}
	h.readValues(k, key)
	return key, nil
}

// readValues fills key.Values from the values list of k.
func (h *Hive) readValues(k keyNode, key *Key) {
	if k.valueCount == 0 {
		return
	}
	count := int64(k.valueCount)
	if count > int64(h.opts.MaxValues) {
		key.Problems = append(key.Problems, h.errAt(k.off, "nk cell", ErrTooLarge, "%d values, limit %d", count, h.opts.MaxValues))
		count = int64(h.opts.MaxValues)
	}
	list, err := h.cell(k.valueList, "values list")
	if err != nil {
		key.Problems = append(key.Problems, err)
		return
	}
	if count*4 > int64(len(list)) {
		key.Problems = append(key.Problems, h.errAt(k.valueList, "values list", ErrCorrupt, "%d values overrun the %d-byte list", count, len(list)))
		count = int64(len(list)) / 4
	}
	seen := make(map[uint32]bool, count)
	budget := int64(len(h.img)) // big data copied for this key: at most the bytes present
	for i := int64(0); i < count; i++ {
		voff := le.Uint32(list[i*4:])
		if seen[voff] {
			key.Problems = append(key.Problems, h.errAt(voff, "vk cell", ErrCorrupt, "value listed twice"))
			continue
		}
		seen[voff] = true
		v, fromLog, err := h.value(voff, &budget)
		if err != nil {
			key.Problems = append(key.Problems, err)
			continue
		}
		key.FromLog = key.FromLog || fromLog
		key.Values = append(key.Values, v)
	}
}

// value decodes the vk cell at off and its data. Data in one cell is a
// slice of the image (no copy); big data is assembled into a new slice and
// counted against *budget.
func (h *Hive) value(off uint32, budget *int64) (Value, bool, error) {
	c, err := h.cell(off, "vk cell")
	if err != nil {
		return Value{}, false, err
	}
	if len(c) < vkMinSize || string(c[:2]) != "vk" {
		return Value{}, false, h.errAt(off, "vk cell", ErrCorrupt, "not a key value (signature %q)", sig(c))
	}
	f, err := readVK(h.profile, c)
	if err != nil {
		return Value{}, false, h.errAt(off, "vk cell", ErrCorrupt, "%v", err)
	}
	nameLen := int(f.nameLength)
	size := f.dataLength
	dataOff := f.data
	v := Value{Type: ValueType(f.typ)}
	flags := f.flags
	if nameLen > len(c)-vkMinSize {
		return Value{}, false, h.errAt(off, "vk cell", ErrCorrupt, "name of %d bytes overruns the cell", nameLen)
	}
	v.Name = decodeName(c[vkMinSize:vkMinSize+nameLen], flags&vkCompName != 0)
	fromLog := h.restored(off)
	what := "value " + quoteName(v.Name)
	if size&0x80000000 != 0 {
		// Resident data: up to 4 bytes in the data offset field itself.
		n := size &^ 0x80000000
		if n > 4 {
			return v, fromLog, h.errAt(off, what, ErrCorrupt, "resident data of %d bytes (at most 4)", n)
		}
		var b [4]byte
		le.PutUint32(b[:], dataOff)
		v.Data = append([]byte(nil), b[:n]...)
		return v, fromLog, nil
	}
	if size == 0 {
		v.Data = []byte{}
		return v, fromLog, nil
	}
	if int64(size) > h.opts.MaxValueSize {
		return v, fromLog, h.errAt(off, what, ErrTooLarge, "%d bytes of data, limit %d", size, h.opts.MaxValueSize)
	}
	dc, err := h.cell(dataOff, what+" data")
	if err != nil {
		return v, fromLog, err
	}
	fromLog = fromLog || h.restored(dataOff)
	if size > bigDataChunk && h.minor > 3 && len(dc) >= 8 && string(dc[:2]) == "db" {
		if int64(size) > *budget {
			return v, fromLog, h.errAt(off, what, ErrTooLarge, "big data of this key exceeds the hive's size (shared segments)")
		}
		*budget -= int64(size)
		data, fl, err := h.bigData(dataOff, dc, size, what)
		v.Data = data
		return v, fromLog || fl, err
	}
	if int64(size) > int64(len(dc)) {
		return v, fromLog, h.errAt(dataOff, what+" data", ErrCorrupt, "data size %d exceeds its %d-byte cell", size, len(dc))
	}
	v.Data = dc[:size:size]
	return v, fromLog, nil
}

// bigData assembles the segments of a db record (CM_BIG_DATA).
func (h *Hive) bigData(off uint32, db []byte, size uint32, what string) ([]byte, bool, error) {
	count := int64(le.Uint16(db[2:]))
	listOff := le.Uint32(db[4:])
	list, err := h.cell(listOff, what+" db segment list")
	if err != nil {
		return nil, false, err
	}
	if count*4 > int64(len(list)) {
		return nil, false, h.errAt(listOff, what+" db segment list", ErrCorrupt, "%d segments overrun the %d-byte list", count, len(list))
	}
	if count*bigDataChunk < int64(size) {
		return nil, false, h.errAt(off, what+" db cell", ErrCorrupt, "%d segments cannot hold %d bytes", count, size)
	}
	out := make([]byte, 0, size)
	fromLog := false
	seen := make(map[uint32]bool, count)
	for i := int64(0); i < count && int64(len(out)) < int64(size); i++ {
		so := le.Uint32(list[i*4:])
		if seen[so] {
			return nil, false, h.errAt(so, what+" data segment", ErrCorrupt, "segment used twice")
		}
		seen[so] = true
		seg, err := h.cell(so, what+" data segment")
		if err != nil {
			return nil, false, err
		}
		fromLog = fromLog || h.restored(so)
		need := int64(size) - int64(len(out))
		if need > bigDataChunk {
			need = bigDataChunk
		}
		if need > int64(len(seg)) {
			return nil, false, h.errAt(so, what+" data segment", ErrCorrupt, "segment of %d bytes, %d needed", len(seg), need)
		}
		out = append(out, seg[:need]...)
	}
	return out, fromLog, nil
}

func quoteName(s string) string {
	if s == "" {
		return "(Default)"
	}
	return fmt.Sprintf("%q", s)
}

// walk visits the key at off and its subtree depth first.
func (h *Hive) walk(off uint32, path string, fn func(*Key, error) error) error {
	visited := make(map[uint32]bool)
	var rec func(off uint32, path string, depth int) error
	rec = func(off uint32, path string, depth int) error {
		if visited[off] {
			return fn(nil, h.errAt(off, path, ErrCorrupt, "key node reached twice (loop or duplicate)"))
		}
		visited[off] = true
		if depth > h.opts.MaxDepth {
			return fn(nil, h.errAt(off, path, ErrTooLarge, "keys nested deeper than %d", h.opts.MaxDepth))
		}
		key, err := h.readKey(off, path)
		if err != nil {
			return fn(nil, err)
		}
		if err := fn(key, nil); err != nil {
			if errors.Is(err, fs.SkipDir) {
				return nil
			}
			return err
		}
		k, err := h.keyNode(off)
		if err != nil {
			return fn(nil, err)
		}
		var kids []uint32
		if err := h.subkeys(k, func(nk uint32) error {
			kids = append(kids, nk)
			return nil
		}); err != nil {
			if err := fn(nil, err); err != nil {
				return err
			}
		}
		for _, nk := range kids {
			sk, err := h.childNode(off, nk)
			if err != nil {
				if err := fn(nil, err); err != nil {
					return err
				}
				continue
			}
			p := sk.name
			if path != "" {
				p = path + `\` + sk.name
			}
			if err := rec(nk, p, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return rec(off, path, 0)
}
