package hivewriter

import (
	"encoding/binary"
	"fmt"
	"time"
	"unicode/utf16"
)

// Bytes serialises the tree as a clean hive: base block (primary and
// secondary sequence numbers equal, checksum set) followed by the hive bins.
func (b *Builder) Bytes() ([]byte, error) {
	bins, root, err := b.bins()
	if err != nil {
		return nil, err
	}
	return b.assemble(bins, root, b.Sequence, b.Sequence), nil
}

func (b *Builder) assemble(bins []byte, root uint32, primary, secondary uint32) []byte {
	out := make([]byte, baseBlockSize, baseBlockSize+len(bins))
	b.baseBlock(out, root, uint32(len(bins)), primary, secondary, 0)
	return append(out, bins...)
}

const (
	baseBlockSize = 4096
	binAlign      = 4096
	binHeaderSize = 32
	bigDataLimit  = 16344 // largest value data stored in one cell
)

// baseBlock fills a 4096-byte REGF base block (HBASE_BLOCK) in dst.
func (b *Builder) baseBlock(dst []byte, root, binsSize, primary, secondary, fileType uint32) {
	le := binary.LittleEndian
	copy(dst[0:], "regf")
	le.PutUint32(dst[4:], primary)
	le.PutUint32(dst[8:], secondary)
	le.PutUint64(dst[12:], Filetime(b.Timestamp))
	le.PutUint32(dst[20:], b.MajorVersion)
	le.PutUint32(dst[24:], b.MinorVersion)
	le.PutUint32(dst[28:], fileType)
	le.PutUint32(dst[32:], 1) // file format: direct memory load
	le.PutUint32(dst[36:], root)
	le.PutUint32(dst[40:], binsSize)
	le.PutUint32(dst[44:], 1) // clustering factor
	name := utf16.Encode([]rune(b.FileName))
	if len(name) > 31 {
		name = name[len(name)-31:]
	}
	for i, c := range name {
		le.PutUint16(dst[48+2*i:], c)
	}
	le.PutUint32(dst[508:], Checksum(dst))
}

// Checksum computes the base-block checksum: the XOR of the first 127
// little-endian uint32s, with 0 mapped to 1 and 0xFFFFFFFF to 0xFFFFFFFE.
func Checksum(base []byte) uint32 {
	var x uint32
	for i := 0; i < 508; i += 4 {
		x ^= binary.LittleEndian.Uint32(base[i:])
	}
	switch x {
	case 0:
		return 1
	case 0xFFFFFFFF:
		return 0xFFFFFFFE
	}
	return x
}

// Filetime converts t to a Windows FILETIME (100 ns ticks since 1601);
// the zero time gives 0.
func Filetime(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	const epochDiff = 116444736000000000
	return uint64(t.Unix())*10000000 + uint64(t.Nanosecond()/100) + epochDiff
}

// writer lays cells out into hive bins.
type writer struct {
	b      *Builder
	buf    []byte // hive bins data; offsets are relative to its start
	binEnd int
	sk     uint32
	nkeys  uint32
	layout map[string]Cells // upper-cased path -> cells (BytesLayout)
}

func (b *Builder) bins() (bins []byte, root uint32, err error) {
	if b.MaxLeaf <= 0 || b.MaxLeaf > 0xFFFF {
		return nil, 0, fmt.Errorf("%w: MaxLeaf %d out of range", ErrBuild, b.MaxLeaf)
	}
	w := &writer{b: b}
	w.newBin(binAlign)
	root, err = w.key(b.root, 0xFFFFFFFF, "", true)
	if err != nil {
		return nil, 0, err
	}
	// Patch the shared sk cell's reference count.
	binary.LittleEndian.PutUint32(w.buf[w.sk+4+12:], w.nkeys)
	w.closeBin()
	return w.buf, root, nil
}

func (w *writer) newBin(size int) {
	start := len(w.buf)
	w.buf = append(w.buf, make([]byte, size)...)
	h := w.buf[start:]
	copy(h, "hbin")
	binary.LittleEndian.PutUint32(h[4:], uint32(start))
	binary.LittleEndian.PutUint32(h[8:], uint32(size))
	if start == 0 {
		binary.LittleEndian.PutUint64(h[20:], Filetime(w.b.Timestamp))
	}
	w.binEnd = len(w.buf)
	w.buf = w.buf[:start+binHeaderSize]
}

// closeBin marks the rest of the current bin as one free cell.
func (w *writer) closeBin() {
	rest := w.binEnd - len(w.buf)
	if rest > 0 {
		off := len(w.buf)
		w.buf = w.buf[:w.binEnd]
		clear(w.buf[off:])
		binary.LittleEndian.PutUint32(w.buf[off:], uint32(rest))
	}
}

// alloc reserves an allocated cell with room for n bytes of payload and
// returns its offset (the cell's size field) and its payload.
func (w *writer) alloc(n int) (uint32, []byte, error) {
	size := (n + 4 + 7) &^ 7
	if size > 0x7FFFFFF0 || len(w.buf)+size > 0x7FFFF000 {
		return 0, nil, fmt.Errorf("%w: hive larger than 2 GiB", ErrBuild)
	}
	if len(w.buf)+size > w.binEnd {
		w.closeBin()
		w.newBin((size + binHeaderSize + binAlign - 1) &^ (binAlign - 1))
	}
	off := len(w.buf)
	w.buf = w.buf[:off+size]
	cell := w.buf[off : off+size]
	clear(cell)
	binary.LittleEndian.PutUint32(cell, uint32(-int32(size)))
	return uint32(off), cell[4 : 4+n], nil
}
