package evtxwriter

import (
	"encoding/binary"
	"fmt"
)

// Binary XML tokens (libyal: "Token types").
const (
	tokEOF            = 0x00
	tokOpenStart      = 0x01
	tokCloseStart     = 0x02
	tokCloseEmpty     = 0x03
	tokEndElement     = 0x04
	tokValue          = 0x05
	tokAttribute      = 0x06
	tokTemplate       = 0x0c
	tokNormalSubst    = 0x0d
	tokOptionalSubst  = 0x0e
	tokFragmentHeader = 0x0f
	tokMoreFlag       = 0x40
)

// Chunk layout.
const (
	fileHeaderSize   = 128
	fileHeaderBlock  = 4096
	chunkSize        = 65536
	chunkHeaderSize  = 128
	chunkRecordsFrom = 512
	stringTableAt    = 128
	templateTableAt  = 384
	numStringBuckets = 64
	numTmplBuckets   = 32
)

// values is the template instance data of one template instance: value
// types and their encoded bytes, kept in one buffer.
type values struct {
	types []byte
	ends  []int
	data  []byte
}

func (v *values) reset(n int) {
	v.types = v.types[:0]
	v.ends = v.ends[:0]
	v.data = v.data[:0]
	for i := 0; i < n; i++ {
		v.types = append(v.types, typeNull)
		v.ends = append(v.ends, 0)
	}
}

// mark records that value i has type t and ends where data ends now;
// values are appended in increasing index order, those never marked stay
// NULL and empty.
func (v *values) mark(i int, t byte) {
	v.types[i] = t
	for j := i; j < len(v.ends); j++ {
		v.ends[j] = len(v.data)
	}
}

func (v *values) size(i int) int {
	if i == 0 {
		return v.ends[0]
	}
	return v.ends[i] - v.ends[i-1]
}

// chunkState is a chunk under construction.
type chunkState struct {
	buf        []byte // chunkSize bytes
	free       int    // free space offset (end of the last record)
	lastRecOff int
	nrec       int
	firstNum   uint64
	lastNum    uint64
	firstID    uint64
	lastID     uint64
	names      map[string]uint32
	tmpls      map[string]uint32
	nameHeads  [numStringBuckets]uint32
	tmplHeads  [numTmplBuckets]uint32
}

func newChunk() *chunkState {
	return &chunkState{
		buf:   make([]byte, chunkSize),
		free:  chunkRecordsFrom,
		names: make(map[string]uint32),
		tmpls: make(map[string]uint32),
	}
}

// txn is the encoding of one record into a chunk; its string and template
// definitions become part of the chunk only when the record fits.
type txn struct {
	c         *chunkState
	nameHeads [numStringBuckets]uint32
	tmplHeads [numTmplBuckets]uint32
	newNames  []string
	newTmpls  []string
}

func (x *txn) begin(c *chunkState) {
	x.c = c
	x.nameHeads = c.nameHeads
	x.tmplHeads = c.tmplHeads
	x.newNames = x.newNames[:0]
	x.newTmpls = x.newTmpls[:0]
}

func (x *txn) rollback() {
	for _, n := range x.newNames {
		delete(x.c.names, n)
	}
	for _, k := range x.newTmpls {
		delete(x.c.tmpls, k)
	}
}

func (x *txn) commit() {
	c := x.c
	if len(x.newNames) > 0 {
		c.nameHeads = x.nameHeads
		for i, o := range c.nameHeads {
			binary.LittleEndian.PutUint32(c.buf[stringTableAt+4*i:], o)
		}
	}
	if len(x.newTmpls) > 0 {
		c.tmplHeads = x.tmplHeads
		for i, o := range c.tmplHeads {
			binary.LittleEndian.PutUint32(c.buf[templateTableAt+4*i:], o)
		}
	}
}

// nameHash is the hash Windows stores with chunk strings: h = h*65599 + c
// over the UTF-16 code units, low 16 bits kept.
func nameHash(s string) uint16 {
	var h uint32
	for _, r := range s {
		if r >= 0x10000 {
			r1, r2 := utf16Surrogates(r)
			h = h*65599 + uint32(r1)
			h = h*65599 + uint32(r2)
			continue
		}
		h = h*65599 + uint32(r)
	}
	return uint16(h)
}

func utf16Surrogates(r rune) (rune, rune) {
	r -= 0x10000
	return 0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff
}

// name appends a 32-bit chunk offset of the name string s and, the first
// time s is used in the chunk, its definition (BinXmlName: next offset,
// hash, character count, UTF-16LE with terminator) right after it.
func (x *txn) name(b []byte, base int, s string) []byte {
	if off, ok := x.c.names[s]; ok {
		return binary.LittleEndian.AppendUint32(b, off)
	}
	off := uint32(base + len(b) + 4)
	b = binary.LittleEndian.AppendUint32(b, off)
	h := nameHash(s)
	bucket := h % numStringBuckets
	b = binary.LittleEndian.AppendUint32(b, x.nameHeads[bucket])
	b = binary.LittleEndian.AppendUint16(b, h)
	b = binary.LittleEndian.AppendUint16(b, uint16(utf16Len(s)))
	b = appendUTF16(b, s)
	b = append(b, 0, 0)
	x.nameHeads[bucket] = off
	x.c.names[s] = off
	x.newNames = append(x.newNames, s)
	return b
}

// element appends a BinXMLElement: open start element (token, dependency
// identifier 0xffff, data size, name), attribute list, then close empty
// element, or close start element, content and end element.
func (x *txn) element(b []byte, base int, e *element) []byte {
	start := len(b)
	tok := byte(tokOpenStart)
	if len(e.attrs) > 0 {
		tok |= tokMoreFlag
	}
	b = append(b, tok, 0xff, 0xff, 0, 0, 0, 0)
	b = x.name(b, base, e.name)
	if len(e.attrs) > 0 {
		at := len(b)
		b = append(b, 0, 0, 0, 0)
		for i, a := range e.attrs {
			t := byte(tokAttribute)
			if i < len(e.attrs)-1 {
				t |= tokMoreFlag
			}
			b = append(b, t)
			b = x.name(b, base, a.name)
			b = x.piece(b, base, a.value)
		}
		binary.LittleEndian.PutUint32(b[at:], uint32(len(b)-at-4))
	}
	if len(e.content) == 0 {
		b = append(b, tokCloseEmpty)
	} else {
		b = append(b, tokCloseStart)
		for _, p := range e.content {
			b = x.piece(b, base, p)
		}
		b = append(b, tokEndElement)
	}
	binary.LittleEndian.PutUint32(b[start+3:], uint32(len(b)-start-7))
	return b
}

func (x *txn) piece(b []byte, base int, p piece) []byte {
	switch p.kind {
	case pieceText:
		b = append(b, tokValue, typeString)
		b = binary.LittleEndian.AppendUint16(b, uint16(utf16Len(p.text)))
		return appendUTF16(b, p.text)
	case pieceSubst:
		t := byte(tokNormalSubst)
		if p.optional {
			t = tokOptionalSubst
		}
		b = append(b, t)
		b = binary.LittleEndian.AppendUint16(b, p.index)
		return append(b, p.typ)
	}
	return x.element(b, base, p.elem)
}

// instance appends a fragment header and a template instance of t with
// the given values. When nested is not nil it produces the last value
// (binary XML) given the chunk offset where that value will start.
func (x *txn) instance(b []byte, base int, t *template, v *values, nested func(base int) ([]byte, byte, error)) ([]byte, error) {
	b = append(b, tokFragmentHeader, 1, 1, 0)
	b = append(b, tokTemplate, 1)
	b = binary.LittleEndian.AppendUint32(b, t.id)
	if off, ok := x.c.tmpls[t.key]; ok {
		b = binary.LittleEndian.AppendUint32(b, off)
	} else {
		off := uint32(base + len(b) + 4)
		b = binary.LittleEndian.AppendUint32(b, off)
		bucket := t.id % numTmplBuckets
		b = binary.LittleEndian.AppendUint32(b, x.tmplHeads[bucket])
		b = append(b, t.guid[:]...)
		at := len(b)
		b = append(b, 0, 0, 0, 0)
		b = append(b, tokFragmentHeader, 1, 1, 0)
		b = x.element(b, base, t.root)
		b = append(b, tokEOF)
		binary.LittleEndian.PutUint32(b[at:], uint32(len(b)-at-4))
		x.tmplHeads[bucket] = off
		x.c.tmpls[t.key] = off
		x.newTmpls = append(x.newTmpls, t.key)
	}
	n := len(v.types)
	var nb []byte
	var nt byte
	if nested != nil {
		valuesAt := base + len(b) + 4 + 4*n
		var err error
		nb, nt, err = nested(valuesAt + len(v.data))
		if err != nil {
			return b, err
		}
		if len(nb) > maxValueSize {
			return b, fmt.Errorf("%w: nested binary XML of %d bytes", ErrTooLarge, len(nb))
		}
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	for i := 0; i < n; i++ {
		size, typ := v.size(i), v.types[i]
		if nested != nil && i == n-1 {
			size, typ = len(nb), nt
		}
		if size > maxValueSize {
			return b, fmt.Errorf("%w: value %d of %d bytes", ErrTooLarge, i, size)
		}
		b = binary.LittleEndian.AppendUint16(b, uint16(size))
		b = append(b, typ, 0)
	}
	b = append(b, v.data...)
	return append(b, nb...), nil
}
