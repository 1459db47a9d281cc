package hive

import (
	"encoding/binary"
	"fmt"
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
	if k.parent == parent {
		return k, nil
	}
	if off == parent {
		// The error's offset is the key's own: say so, not the offset again.
		return k, h.errAt(off, "nk cell", ErrCorrupt, "key %q lists itself as its subkey (its parent is at 0x%x)", k.name, baseBlockSize+int64(k.parent))
	}
	return k, h.errAt(off, "nk cell", ErrCorrupt, "subkey %q of the key at 0x%x names 0x%x as its parent", k.name, baseBlockSize+int64(parent), baseBlockSize+int64(k.parent))
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
