// Package hostile builds the hostile inputs of issue 11 (collections crafted
// to cost CPU, memory or evidence) at any scale, for tests and for the
// full-size runs of the scripts. It prints nothing and keeps no state.
package hostile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"unicode/utf16"
)

// EVTX layout constants (libyal EVTX format).
const (
	evtxHeaderBlock = 4096
	evtxChunkSize   = 65536
	evtxChunkHeader = 512
	evtxRecordHead  = 24
	dagRecordSize   = 48 // header 24 + BinXML 19 + padding 1 + size copy 4
)

// DAG describes an event log whose template definitions form a fan-out
// chain: definition k holds FanOut template instances of definition k+1,
// down to Depth levels, so a decoder that expands (or re-parses) every
// instance does FanOut^(Depth-1) units of work per record. Every chunk holds
// its own copy of the definitions (they are chunk-local) in its first record,
// followed by as many small records as fit, each a template instance of
// definition 0. The leaf text names a Hyper-V Integration provider so that
// name pre-filters (evtx.ScanIC's) do not skip the chunks.
type DAG struct {
	Depth  int // levels of definitions; default 10
	FanOut int // template instances per definition; default 8
}

func (d DAG) withDefaults() DAG {
	if d.Depth <= 0 {
		d.Depth = 10
	}
	if d.FanOut <= 0 {
		d.FanOut = 8
	}
	return d
}

// ErrShape is returned for a DAG whose definitions do not fit in a chunk.
var ErrShape = errors.New("hostile: DAG definitions do not fit in one chunk")

// dagLeafText is the leaf definitions' text (UTF-16LE in the chunk).
const dagLeafText = "Microsoft-Windows-Hyper-V-Integration-KvpExchange"

// RecordsPerChunk returns the number of records each chunk of the log holds.
func (d DAG) RecordsPerChunk() (int, error) {
	d = d.withDefaults()
	lib := d.libraryRecordSize()
	if lib > evtxChunkSize-evtxChunkHeader {
		return 0, ErrShape
	}
	return 1 + (evtxChunkSize-evtxChunkHeader-lib)/dagRecordSize, nil
}

// Bytes returns a whole log of chunks chunks.
func (d DAG) Bytes(chunks int) ([]byte, error) {
	var b bytes.Buffer
	if err := d.Write(&b, chunks); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Write writes a log of chunks chunks to w, one chunk at a time (memory does
// not grow with chunks).
func (d DAG) Write(w io.Writer, chunks int) error {
	d = d.withDefaults()
	per, err := d.RecordsPerChunk()
	if err != nil {
		return err
	}
	if chunks < 1 || chunks > 1<<24 {
		return fmt.Errorf("hostile: %d chunks", chunks)
	}
	next := uint64(1) + uint64(chunks)*uint64(per)
	if _, err := w.Write(evtxFileHeader(chunks, next)); err != nil {
		return err
	}
	c := make([]byte, evtxChunkSize)
	for i := 0; i < chunks; i++ {
		d.chunk(c, uint64(1)+uint64(i)*uint64(per))
		if _, err := w.Write(c); err != nil {
			return err
		}
	}
	return nil
}

// evtxFileHeader returns the 4 KiB file header of a clean log.
func evtxFileHeader(chunks int, nextID uint64) []byte {
	h := make([]byte, evtxHeaderBlock)
	le := binary.LittleEndian
	copy(h, "ElfFile\x00")
	le.PutUint64(h[16:], uint64(chunks-1))
	le.PutUint64(h[24:], nextID)
	le.PutUint32(h[32:], 128)
	le.PutUint16(h[36:], 1)
	le.PutUint16(h[38:], 3)
	le.PutUint16(h[40:], evtxHeaderBlock)
	le.PutUint16(h[42:], uint16(min(chunks, 0xffff)))
	le.PutUint32(h[124:], crc32.ChecksumIEEE(h[:120]))
	return h
}

// instanceRef is a template instance token with no values whose definition
// lies at defOff: token, unknown byte, template id, definition offset,
// value count.
func instanceRef(defOff int) []byte {
	b := []byte{0x0c, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(b[6:], uint32(defOff))
	return b
}

// definition returns template definition level k placed at chunk offset
// off, whose instances point at next.
func (d DAG) definition(k, off, next int) []byte {
	le := binary.LittleEndian
	var body []byte
	body = append(body, 0x0f, 0x01, 0x01, 0x00) // fragment header
	// <E> open start: token, dependency id, data size, name offset, inline name.
	open := []byte{0x01, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0}
	nameAt := off + 24 + len(body) + len(open)
	le.PutUint32(open[7:], uint32(nameAt))
	body = append(body, open...)
	body = append(body, 0, 0, 0, 0, 0, 0, 1, 0, 'E', 0, 0, 0) // name "E"
	body = append(body, 0x02)                                 // close start
	if k < d.Depth-1 {
		for j := 0; j < d.FanOut; j++ {
			body = append(body, instanceRef(next)...)
		}
	} else {
		u := utf16.Encode([]rune(dagLeafText))
		body = append(body, 0x05, 0x01, byte(len(u)), byte(len(u)>>8))
		for _, c := range u {
			body = append(body, byte(c), byte(c>>8))
		}
	}
	body = append(body, 0x04, 0x00) // end element, EOF
	hdr := make([]byte, 24)
	hdr[4] = byte(k + 1) // template GUID
	le.PutUint32(hdr[20:], uint32(len(body)))
	return append(hdr, body...)
}

// library returns the BinXML of a chunk's first record placed at chunk
// offset at: the instance of definition 0, EOF, then every definition.
func (d DAG) library(at int) []byte {
	defsAt := at + evtxRecordHead + 19
	sizes := make([]int, d.Depth)
	offs := make([]int, d.Depth+1)
	offs[0] = defsAt
	for k := 0; k < d.Depth; k++ {
		sizes[k] = len(d.definition(k, 0, 0))
		offs[k+1] = offs[k] + sizes[k]
	}
	b := append([]byte{0x0f, 0x01, 0x01, 0x00}, instanceRef(defsAt)...)
	b = append(b, 0x00)
	for k := 0; k < d.Depth; k++ {
		b = append(b, d.definition(k, offs[k], offs[k+1])...)
	}
	return b
}

func (d DAG) libraryRecordSize() int {
	n := evtxRecordHead + len(d.library(evtxChunkHeader)) + 4
	return (n + 7) &^ 7
}

// putRecord writes a record of size bytes holding body at pos of c.
func putRecord(c []byte, pos, size int, id uint64, body []byte) {
	le := binary.LittleEndian
	copy(c[pos:], "**\x00\x00")
	le.PutUint32(c[pos+4:], uint32(size))
	le.PutUint64(c[pos+8:], id)
	le.PutUint64(c[pos+16:], 131000000000000000+id*10_000_000)
	copy(c[pos+evtxRecordHead:], body)
	le.PutUint32(c[pos+size-4:], uint32(size))
}

// chunk fills c with a chunk whose first record identifier is first.
func (d DAG) chunk(c []byte, first uint64) {
	clear(c)
	le := binary.LittleEndian
	pos := evtxChunkHeader
	lib := d.libraryRecordSize()
	putRecord(c, pos, lib, first, d.library(pos))
	last, id := pos, first
	pos += lib
	for ; pos+dagRecordSize <= evtxChunkSize; pos += dagRecordSize {
		id++
		ref := append([]byte{0x0f, 0x01, 0x01, 0x00}, instanceRef(evtxChunkHeader+evtxRecordHead+19)...)
		putRecord(c, pos, dagRecordSize, id, append(ref, 0x00))
		last = pos
	}
	copy(c, "ElfChnk\x00")
	le.PutUint64(c[8:], first)
	le.PutUint64(c[16:], id)
	le.PutUint64(c[24:], first)
	le.PutUint64(c[32:], id)
	le.PutUint32(c[40:], 128)
	le.PutUint32(c[44:], uint32(last))
	le.PutUint32(c[48:], uint32(pos))
	le.PutUint32(c[52:], crc32.ChecksumIEEE(c[evtxChunkHeader:pos]))
	h := crc32.NewIEEE()
	_, _ = h.Write(c[:120])
	_, _ = h.Write(c[128:evtxChunkHeader])
	le.PutUint32(c[124:], h.Sum32())
}

// ErrBase is returned by RepeatLog for a base log it cannot repeat.
var ErrBase = errors.New("hostile: base log has no whole chunk")

// RepeatLog writes a valid event log of chunks chunks to w by repeating the
// whole chunks of base (a clean log, such as a benchgen one) in turn, with
// the record identifiers of each copy shifted so that they keep increasing
// across the file (headers, chunk header fields and checksums updated; the
// EventRecordID inside each record's binary XML keeps its base value). It
// holds one chunk at a time beyond base, so a log of any size can be
// written.
func RepeatLog(w io.Writer, base []byte, chunks int) error {
	n := (len(base) - evtxHeaderBlock) / evtxChunkSize
	if len(base) < evtxHeaderBlock || n < 1 {
		return ErrBase
	}
	if chunks < 1 || chunks > 1<<24 {
		return fmt.Errorf("hostile: %d chunks", chunks)
	}
	le := binary.LittleEndian
	chunkAt := func(k int) []byte { return base[evtxHeaderBlock+k*evtxChunkSize:][:evtxChunkSize] }
	first := le.Uint64(chunkAt(0)[24:])
	cycle := le.Uint64(chunkAt(n - 1)[32:]) - first + 1 // identifiers per copy of base
	last := le.Uint64(chunkAt((chunks - 1) % n)[32:]) + uint64((chunks-1)/n)*cycle
	if _, err := w.Write(evtxFileHeader(chunks, last+1)); err != nil {
		return err
	}
	c := make([]byte, evtxChunkSize)
	for i := 0; i < chunks; i++ {
		copy(c, chunkAt(i%n))
		renumberChunk(c, uint64(i/n)*cycle)
		if _, err := w.Write(c); err != nil {
			return err
		}
	}
	return nil
}

// renumberChunk adds shift to the record identifiers of chunk c (record
// headers up to the free space offset and the chunk header), recomputes its
// checksums. A slot without the chunk signature is left as it is.
func renumberChunk(c []byte, shift uint64) {
	le := binary.LittleEndian
	if !bytes.Equal(c[:8], []byte("ElfChnk\x00")) {
		return
	}
	free := int(le.Uint32(c[48:]))
	if free < evtxChunkHeader || free > evtxChunkSize {
		free = evtxChunkSize
	}
	for pos := evtxChunkHeader; pos+evtxRecordHead <= free; {
		size := int(le.Uint32(c[pos+4:]))
		if !bytes.Equal(c[pos:pos+4], []byte("**\x00\x00")) || size < evtxRecordHead+4 || pos+size > free {
			break
		}
		le.PutUint64(c[pos+8:], le.Uint64(c[pos+8:])+shift)
		pos += size
	}
	for _, at := range []int{8, 16, 24, 32} {
		le.PutUint64(c[at:], le.Uint64(c[at:])+shift)
	}
	le.PutUint32(c[52:], crc32.ChecksumIEEE(c[evtxChunkHeader:free]))
	h := crc32.NewIEEE()
	_, _ = h.Write(c[:120])
	_, _ = h.Write(c[128:evtxChunkHeader])
	le.PutUint32(c[124:], h.Sum32())
}
