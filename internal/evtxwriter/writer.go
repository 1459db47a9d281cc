package evtxwriter

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// errNoFit means a record does not fit in the rest of the current chunk.
var errNoFit = errors.New("evtxwriter: record does not fit")

// Writer accumulates events and produces an EVTX file. It is not safe for
// concurrent use.
type Writer struct {
	opts    Options
	chunks  []*chunkState
	locs    []Location
	tmpls   map[string]*template
	nextID  uint64
	nrec    uint64
	tx      txn
	outer   values
	inner   values
	rec     []byte
	nest    []byte
	types   []byte
	keyBuf  []byte
	classic *template
}

// New returns a Writer with the given options.
func New(opts Options) *Writer {
	return &Writer{opts: opts, tmpls: make(map[string]*template), nextID: 1}
}

func (w *Writer) template(key string, build func() *template) *template {
	if t, ok := w.tmpls[key]; ok {
		return t
	}
	t := build()
	w.tmpls[key] = t
	return t
}

// Add encodes e and appends it to the current chunk, starting a new chunk
// when it does not fit. An error leaves the writer unchanged.
func (w *Writer) Add(e Event) error {
	id := e.RecordID
	if id == 0 {
		id = w.nextID
	}
	ft, err := fileTime(e.Time)
	if err != nil {
		return err
	}
	if err := w.prepare(&e, id, ft); err != nil {
		return err
	}
	c := w.current()
	fresh := false
	if c == nil {
		c, fresh = newChunk(), true
	}
	err = w.encode(c, &e, id, ft)
	if errors.Is(err, errNoFit) && !fresh {
		c, fresh = newChunk(), true
		err = w.encode(c, &e, id, ft)
	}
	if errors.Is(err, errNoFit) {
		return fmt.Errorf("%w: record %d", ErrTooLarge, id)
	}
	if err != nil {
		return err
	}
	if fresh {
		w.chunks = append(w.chunks, c)
	}
	w.nrec++
	w.locs = append(w.locs, Location{
		Chunk:    len(w.chunks) - 1,
		Index:    c.nrec - 1,
		Offset:   int64(fileHeaderBlock) + int64(len(w.chunks)-1)*chunkSize + int64(c.lastRecOff),
		Size:     c.free - c.lastRecOff,
		RecordID: id,
	})
	w.nextID = id + 1
	return nil
}

// encode writes the record for e into c, or returns errNoFit leaving c
// unchanged.
func (w *Writer) encode(c *chunkState, e *Event, id, ft uint64) error {
	_, err := w.encodeRecord(c, e, id, ft, false)
	return err
}

// encodeRecord encodes e for chunk c and returns its size. Unless dry, the
// record is added to c; a dry run, or a record that does not fit, leaves c
// unchanged.
func (w *Writer) encodeRecord(c *chunkState, e *Event, id, ft uint64, dry bool) (int, error) {
	var sys, data *template
	switch e.Layout {
	case Classic:
		w.keyBuf = append(append(append(append(append(append(w.keyBuf[:0], "C\x00"...), e.Provider...), 0), e.Channel...), 0), e.Computer...)
		key := string(w.keyBuf)
		sys = w.template(key, func() *template { return systemTemplate(Classic, e.Provider, e.Channel, e.Computer) })
		data = w.template("c", classicDataTemplate)
	case Manifest:
		w.keyBuf = append(append(w.keyBuf[:0], "M\x00"...), e.Computer...)
		sys = w.template(string(w.keyBuf), func() *template { return systemTemplate(Manifest, "", "", e.Computer) })
		key := dataKey("E", e.Data)
		data = w.template(key, func() *template { return eventDataTemplate(key, e.Data, w.types) })
	case UserData:
		w.keyBuf = append(append(w.keyBuf[:0], "U\x00"...), e.Computer...)
		sys = w.template(string(w.keyBuf), func() *template { return systemTemplate(UserData, "", "", e.Computer) })
		key := dataKey("U", e.Data)
		data = w.template(key, func() *template { return userDataTemplate(key, e.Data, w.types) })
	}
	x := &w.tx
	x.begin(c)
	base := c.free
	b := w.rec[:0]
	b = append(b, '*', '*', 0, 0, 0, 0, 0, 0)
	b = binary.LittleEndian.AppendUint64(b, id)
	b = binary.LittleEndian.AppendUint64(b, ft)
	var nested func(int) ([]byte, byte, error)
	if len(e.Data) > 0 {
		nested = func(at int) ([]byte, byte, error) {
			nb, err := x.instance(w.nest[:0], at, data, &w.inner, nil)
			w.nest = nb
			return nb, typeBinXML, err
		}
	}
	b, err := x.instance(b, base, sys, &w.outer, nested)
	w.rec = b
	if err != nil {
		x.rollback()
		return 0, err
	}
	// end of fragment, then pad so that the record size is a multiple of 8
	b = append(b, tokEOF)
	for (len(b)+4)%8 != 0 {
		b = append(b, 0)
	}
	size := len(b) + 4
	binary.LittleEndian.PutUint32(b[4:], uint32(size))
	b = binary.LittleEndian.AppendUint32(b, uint32(size))
	w.rec = b
	if dry {
		x.rollback()
		return size, nil
	}
	if size > chunkSize-base {
		x.rollback()
		return size, errNoFit
	}
	x.commit()
	copy(c.buf[base:], b)
	c.lastRecOff = base
	c.free = base + size
	w.nrecInChunk(c, id)
	return size, nil
}

// current returns the chunk the next record goes to if it fits, or nil
// when a new chunk must start.
func (w *Writer) current() *chunkState {
	n := len(w.chunks)
	if n == 0 {
		return nil
	}
	c := w.chunks[n-1]
	if w.opts.MaxRecordsPerChunk > 0 && c.nrec >= w.opts.MaxRecordsPerChunk {
		return nil
	}
	return c
}

// Remaining returns the bytes left for records in the chunk the next
// record would go to: 0 when that is a new chunk (see [Writer.SizeOf]).
func (w *Writer) Remaining() int {
	if c := w.current(); c != nil {
		return chunkSize - c.free
	}
	return 0
}

// SizeOf returns the size in bytes of the record e would become if added
// now to the current chunk (with that chunk's string and template tables),
// or to a new chunk when [Writer.Remaining] is 0. It changes nothing. A
// generator can use it with Remaining to make a record end exactly at the
// end of a chunk.
func (w *Writer) SizeOf(e Event) (int, error) {
	id := e.RecordID
	if id == 0 {
		id = w.nextID
	}
	ft, err := fileTime(e.Time)
	if err != nil {
		return 0, err
	}
	if err := w.prepare(&e, id, ft); err != nil {
		return 0, err
	}
	c := w.current()
	if c == nil {
		c = newChunk()
	}
	return w.encodeRecord(c, &e, id, ft, true)
}

func (w *Writer) nrecInChunk(c *chunkState, id uint64) {
	num := w.nrec + 1
	if c.nrec == 0 {
		c.firstNum, c.firstID = num, id
	}
	c.lastNum, c.lastID = num, id
	c.nrec++
}

// Locations returns where each added record went, in the order added.
func (w *Writer) Locations() []Location {
	return append([]Location(nil), w.locs...)
}

// finishChunk writes the chunk header fields and both CRCs into c.buf.
func (w *Writer) finishChunk(c *chunkState, open bool) {
	b := c.buf
	le := binary.LittleEndian
	copy(b, "ElfChnk\x00")
	le.PutUint64(b[8:], c.firstNum)
	le.PutUint64(b[16:], c.lastNum)
	le.PutUint64(b[24:], c.firstID)
	le.PutUint64(b[32:], c.lastID)
	le.PutUint32(b[40:], chunkHeaderSize)
	le.PutUint32(b[44:], uint32(c.lastRecOff))
	le.PutUint32(b[48:], uint32(c.free))
	dataCRC := crc32.ChecksumIEEE(b[chunkRecordsFrom:c.free])
	if open {
		dataCRC = 0
	}
	le.PutUint32(b[52:], dataCRC)
	le.PutUint32(b[120:], 1)
	h := crc32.NewIEEE()
	h.Write(b[:120])
	h.Write(b[128:chunkRecordsFrom])
	le.PutUint32(b[124:], h.Sum32())
}

// header builds the file header block.
func (w *Writer) header() []byte {
	b := make([]byte, fileHeaderBlock)
	le := binary.LittleEndian
	n := len(w.chunks)
	var flags uint32
	if w.opts.Dirty {
		flags = 1
		hc := w.opts.HeaderChunks
		if hc <= 0 {
			hc = 1
		}
		if hc < n {
			n = hc
		}
	}
	if w.opts.Full {
		flags |= 2
	}
	copy(b, "ElfFile\x00")
	var last, next uint64
	if n > 0 {
		last = uint64(n - 1)
		next = w.chunks[n-1].lastID + 1
	} else {
		next = 1
	}
	le.PutUint64(b[8:], 0)
	le.PutUint64(b[16:], last)
	le.PutUint64(b[24:], next)
	le.PutUint32(b[32:], fileHeaderSize)
	le.PutUint16(b[36:], 1)
	le.PutUint16(b[38:], 3)
	le.PutUint16(b[40:], fileHeaderBlock)
	le.PutUint16(b[42:], uint16(n))
	le.PutUint32(b[120:], flags)
	le.PutUint32(b[124:], crc32.ChecksumIEEE(b[:120]))
	return b
}

// Bytes returns the complete file: header block and chunks. It may be
// called more than once; later calls include records added since.
func (w *Writer) Bytes() ([]byte, error) {
	total := fileHeaderBlock + (len(w.chunks)+w.opts.TrailingEmptyChunks)*chunkSize
	out := make([]byte, 0, total)
	out = append(out, w.header()...)
	for i, c := range w.chunks {
		w.finishChunk(c, w.opts.OpenLastChunk && i == len(w.chunks)-1)
		out = append(out, c.buf...)
	}
	return out[:total], nil
}

// WriteTo writes the complete file to dst.
func (w *Writer) WriteTo(dst io.Writer) (int64, error) {
	var total int64
	n, err := dst.Write(w.header())
	total += int64(n)
	if err != nil {
		return total, err
	}
	for i, c := range w.chunks {
		w.finishChunk(c, w.opts.OpenLastChunk && i == len(w.chunks)-1)
		n, err := dst.Write(c.buf)
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
	if w.opts.TrailingEmptyChunks > 0 {
		zero := make([]byte, chunkSize)
		for i := 0; i < w.opts.TrailingEmptyChunks; i++ {
			n, err := dst.Write(zero)
			total += int64(n)
			if err != nil {
				return total, err
			}
		}
	}
	return total, nil
}
