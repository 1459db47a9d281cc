package hivewriter

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/hvic/hvic/internal/marvin"
)

// Cells are the offsets (relative to the first hive bin, as in the hive's
// own references) of one key's cells, for tests that damage a hive.
type Cells struct {
	NK         uint32            // the key node (nk)
	SubkeyList uint32            // its subkey list (0xFFFFFFFF when none)
	ValueList  uint32            // its value list (0xFFFFFFFF when none)
	Values     map[string]uint32 // vk cell by upper-cased value name
}

// BytesLayout is Bytes plus the cells of every key, by upper-cased path
// from the root ("" is the root).
func (b *Builder) BytesLayout() ([]byte, map[string]Cells, error) {
	w := &writer{b: b, layout: map[string]Cells{}}
	w.newBin(binAlign)
	root, err := w.key(b.root, 0xFFFFFFFF, "", true)
	if err != nil {
		return nil, nil, err
	}
	binary.LittleEndian.PutUint32(w.buf[w.sk+4+12:], w.nkeys)
	w.closeBin()
	return b.assemble(w.buf, root, b.Sequence, b.Sequence), w.layout, nil
}

func (w *writer) record(path string, off uint32) {
	if w.layout == nil {
		return
	}
	c := w.layout[strings.ToUpper(path)]
	nk := w.buf[off+4:]
	c.NK = off
	c.SubkeyList = binary.LittleEndian.Uint32(nk[28:])
	c.ValueList = binary.LittleEndian.Uint32(nk[40:])
	w.layout[strings.ToUpper(path)] = c
}

func (w *writer) recordValue(path, name string, vk uint32) {
	if w.layout == nil {
		return
	}
	c := w.layout[strings.ToUpper(path)]
	if c.Values == nil {
		c.Values = map[string]uint32{}
	}
	c.Values[strings.ToUpper(name)] = vk
	w.layout[strings.ToUpper(path)] = c
}

// cellAt returns the payload of the cell at bins offset off in hive.
func cellAt(hive []byte, off uint32) ([]byte, error) {
	pos := baseBlockSize + int(off)
	if off == 0xFFFFFFFF || pos+4 > len(hive) {
		return nil, fmt.Errorf("%w: cell 0x%x outside the hive", ErrBuild, off)
	}
	size := -int(int32(binary.LittleEndian.Uint32(hive[pos:])))
	if size < 8 || pos+size > len(hive) {
		return nil, fmt.Errorf("%w: cell 0x%x is not an allocated cell", ErrBuild, off)
	}
	return hive[pos+4 : pos+size], nil
}

// PointSubkey rewrites entry i of the subkey list (lf, lh or li) at list
// to name the nk cell at target: with target the key itself or the root,
// a list that loops back.
func PointSubkey(hive []byte, list uint32, i int, target uint32) error {
	c, err := cellAt(hive, list)
	if err != nil {
		return err
	}
	stride := 8
	switch string(c[:2]) {
	case "lf", "lh":
	case "li":
		stride = 4
	default:
		return fmt.Errorf("%w: cell 0x%x is a %q, not a leaf", ErrBuild, list, c[:2])
	}
	if n := int(binary.LittleEndian.Uint16(c[2:])); i < 0 || i >= n {
		return fmt.Errorf("%w: entry %d of a %d-entry list", ErrBuild, i, n)
	}
	binary.LittleEndian.PutUint32(c[4+stride*i:], target)
	return nil
}

// SetValueSize rewrites the data size of the vk cell at vk (the high bit
// kept clear: data in a cell of its own).
func SetValueSize(hive []byte, vk uint32, size uint32) error {
	c, err := cellAt(hive, vk)
	if err != nil {
		return err
	}
	if string(c[:2]) != "vk" {
		return fmt.Errorf("%w: cell 0x%x is not a vk", ErrBuild, vk)
	}
	binary.LittleEndian.PutUint32(c[4:], size&^0x80000000)
	return nil
}

// Page is one dirty page run of a log entry: its offset in the hive bins
// and its data (a multiple of 4096 bytes).
type Page struct {
	Offset uint32
	Data   []byte
}

// LogEntry builds one valid HvLE entry (sizes and both Marvin32 hashes
// right) with sequence number seq, declaring binsSize bytes of hive bins
// and carrying pages: the raw material of hostile logs.
func LogEntry(seq, binsSize uint32, pages []Page) []byte {
	le := binary.LittleEndian
	size := logEntryHeader + 8*len(pages)
	for _, p := range pages {
		size += len(p.Data)
	}
	size = (size + 511) &^ 511
	e := make([]byte, logEntryHeader, size)
	copy(e, "HvLE")
	le.PutUint32(e[4:], uint32(size))
	le.PutUint32(e[12:], seq)
	le.PutUint32(e[16:], binsSize)
	le.PutUint32(e[20:], uint32(len(pages)))
	for _, p := range pages {
		e = le.AppendUint32(e, p.Offset)
		e = le.AppendUint32(e, uint32(len(p.Data)))
	}
	for _, p := range pages {
		e = append(e, p.Data...)
	}
	e = e[:size]
	le.PutUint64(e[24:], marvin.Sum64(marvin.RegistrySeed, e[logEntryHeader:]))
	le.PutUint64(e[32:], marvin.Sum64(marvin.RegistrySeed, e[:32]))
	return e
}

// EmptyBin is a 4096-byte hive bin at bins offset off: header and one free
// cell, the page a growing hive appends.
func EmptyBin(off uint32) []byte {
	b := make([]byte, binAlign)
	copy(b, "hbin")
	binary.LittleEndian.PutUint32(b[4:], off)
	binary.LittleEndian.PutUint32(b[8:], binAlign)
	binary.LittleEndian.PutUint32(b[binHeaderSize:], binAlign-binHeaderSize)
	return b
}
