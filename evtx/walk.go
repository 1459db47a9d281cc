package evtx

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// On-disk sizes and signatures (libyal EVTX format, sections 2-4).
const (
	fileHeaderBlock = 4096  // the file header occupies the first 4 KiB
	fileHeaderCRC   = 120   // bytes covered by the file header checksum
	chunkSize       = 65536 // every chunk, including its 512-byte header
	chunkHeaderSize = 512   // chunk header + string table + template table
	recordHeader    = 24    // "**\0\0", size, identifier, written FILETIME
	recordMinSize   = recordHeader + 4
)

var (
	fileMagic   = []byte("ElfFile\x00")
	chunkMagic  = []byte("ElfChnk\x00")
	recordMagic = []byte("**\x00\x00")
)

type readerAt interface {
	ReadAt([]byte, int64) (int, error)
}

// newFile parses the file header and checks that the input is an EVTX log.
func newFile(r readerAt, size int64, o Options) (*File, error) {
	silenceLogger()
	f := &File{r: r, size: size, opts: o}
	if size < 0 {
		return nil, f.err(-1, -1, 0, "file", fmt.Errorf("%w: negative size %d", ErrCorrupt, size))
	}
	if size > o.MaxFileSize {
		return nil, f.err(-1, -1, 0, "file", fmt.Errorf("%w: %d bytes > MaxFileSize %d", ErrTooLarge, size, o.MaxFileSize))
	}
	var hdr [128]byte
	n, err := r.ReadAt(hdr[:min(int64(len(hdr)), size)], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, f.err(-1, 0, 0, "file header", fmt.Errorf("%w: %w", ErrTruncated, err))
	}
	if n >= len(hdr) && bytes.Equal(hdr[:8], fileMagic) {
		f.hdrOK = true
		f.header = parseFileHeader(hdr[:])
		if !f.header.ChecksumValid {
			f.headerP = append(f.headerP, f.problem(ProblemHeaderCRC, -1, 0, 0, 0, "file header",
				fmt.Errorf("%w: stored 0x%08x, computed 0x%08x", ErrChecksum, f.header.Checksum, crc32.ChecksumIEEE(hdr[:fileHeaderCRC]))))
		}
		if f.header.MajorVersion != 3 || f.header.HeaderSize != 128 || f.header.HeaderBlock != fileHeaderBlock {
			f.headerP = append(f.headerP, f.problem(ProblemHeader, -1, 0, 0, 0, "file header",
				fmt.Errorf("%w: version %d.%d, header size %d, block %d", ErrCorrupt,
					f.header.MajorVersion, f.header.MinorVersion, f.header.HeaderSize, f.header.HeaderBlock)))
		}
	} else {
		// No file header: accept the input only if some chunk slot holds a chunk.
		if !f.anyChunkMagic() {
			return nil, f.err(-1, 0, 0, "file header", ErrNotEVTX)
		}
		f.headerP = append(f.headerP, f.problem(ProblemHeader, -1, 0, 0, 0, "file header",
			fmt.Errorf("%w: no ElfFile signature; chunks read by slot", ErrCorrupt)))
	}
	f.stats = Stats{ChunkSlots: f.slots(), Problems: append([]Problem(nil), f.headerP...)}
	return f, nil
}

func parseFileHeader(b []byte) Header {
	le := binary.LittleEndian
	h := Header{
		FirstChunk:   le.Uint64(b[8:]),
		LastChunk:    le.Uint64(b[16:]),
		NextRecordID: le.Uint64(b[24:]),
		HeaderSize:   le.Uint32(b[32:]),
		MinorVersion: le.Uint16(b[36:]),
		MajorVersion: le.Uint16(b[38:]),
		HeaderBlock:  le.Uint16(b[40:]),
		ChunkCount:   le.Uint16(b[42:]),
		Flags:        le.Uint32(b[120:]),
		Checksum:     le.Uint32(b[124:]),
	}
	h.ChecksumValid = crc32.ChecksumIEEE(b[:fileHeaderCRC]) == h.Checksum
	return h
}

// slots is the number of chunk slots the file size holds; a partial last
// slot counts.
func (f *File) slots() int {
	if f.size <= fileHeaderBlock {
		return 0
	}
	rest := f.size - fileHeaderBlock
	return int((rest + chunkSize - 1) / chunkSize)
}

func (f *File) anyChunkMagic() bool {
	var m [8]byte
	for i := 0; i < f.slots(); i++ {
		off := int64(fileHeaderBlock) + int64(i)*chunkSize
		if f.size-off < int64(len(m)) {
			break
		}
		if n, _ := f.r.ReadAt(m[:], off); n == len(m) && bytes.Equal(m[:], chunkMagic) {
			return true
		}
	}
	return false
}

func (f *File) err(chunk int, off int64, id uint64, what string, err error) *FormatError {
	return &FormatError{File: f.opts.Name, Chunk: chunk, Offset: off, RecordID: id, What: what, Err: err}
}

func (f *File) problem(k ProblemKind, chunk int, off int64, id uint64, lost int, what string, err error) Problem {
	return Problem{Kind: k, Chunk: chunk, Offset: off, RecordID: id, Lost: lost, Err: f.err(chunk, off, id, what, err)}
}

// walk is the body of Records.
func (f *File) walk(ctx context.Context, yield func(Record, error) bool) {
	f.stats = Stats{ChunkSlots: f.slots(), Problems: append([]Problem(nil), f.headerP...)}
	f.maxChunkWork = 0
	buf := make([]byte, chunkSize)
	d := newDecoder(f)
	for i := 0; i < f.stats.ChunkSlots; i++ {
		if err := ctx.Err(); err != nil {
			yield(Record{}, err)
			return
		}
		if !f.chunk(i, buf, d, yield) {
			return
		}
	}
}

// chunk reads slot i and yields its records; false means the consumer
// stopped.
func (f *File) chunk(i int, buf []byte, d *decoder, yield func(Record, error) bool) bool {
	off := int64(fileHeaderBlock) + int64(i)*chunkSize
	n := int64(chunkSize)
	if f.size-off < n {
		n = f.size - off
	}
	data := buf[:n]
	if got, err := f.r.ReadAt(data, off); int64(got) != n {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		p := f.problem(ProblemChunkSkipped, i, off, 0, 0, "chunk", fmt.Errorf("%w: read %d of %d bytes: %w", ErrTruncated, got, n, err))
		f.stats.ChunksSkipped++
		return f.lose(p, yield)
	}
	if allZero(data) {
		f.stats.ChunksEmpty++
		return true
	}
	if len(data) < 8 || !bytes.Equal(data[:8], chunkMagic) {
		lost := countRecordHeaders(data)
		p := f.problem(ProblemChunkSkipped, i, off, 0, lost, "chunk header",
			fmt.Errorf("%w: bad chunk signature %q%s", ErrCorrupt, data[:min(8, len(data))], headersLost(lost)))
		f.stats.ChunksSkipped++
		return f.lose(p, yield)
	}
	f.stats.ChunksPresent++
	if len(data) < chunkHeaderSize {
		p := f.problem(ProblemChunkSkipped, i, off, 0, 0, "chunk header",
			fmt.Errorf("%w: %d bytes left of a %d-byte chunk header", ErrTruncated, len(data), chunkHeaderSize))
		f.stats.ChunksSkipped++
		return f.lose(p, yield)
	}
	ch := parseChunkHeader(data)
	f.checkChunkCRCs(i, off, data, ch)
	if len(data) < chunkSize {
		f.addProblem(f.problem(ProblemChunkTruncated, i, off, 0, 0, "chunk",
			fmt.Errorf("%w: file ends %d bytes into the chunk", ErrTruncated, len(data))))
	}
	f.stats.ChunksParsed++
	return f.records(i, off, data, d, yield)
}

// chunkHeader is the part of the chunk header (ElfChnk) used here.
type chunkHeader struct {
	firstID, lastID uint64
	headerSize      uint32
	lastRecordOff   uint32
	freeSpaceOff    uint32
	dataCRC         uint32
	headerCRC       uint32
}

func parseChunkHeader(b []byte) chunkHeader {
	le := binary.LittleEndian
	return chunkHeader{
		firstID:       le.Uint64(b[24:]),
		lastID:        le.Uint64(b[32:]),
		headerSize:    le.Uint32(b[40:]),
		lastRecordOff: le.Uint32(b[44:]),
		freeSpaceOff:  le.Uint32(b[48:]),
		dataCRC:       le.Uint32(b[52:]),
		headerCRC:     le.Uint32(b[124:]),
	}
}

func (f *File) checkChunkCRCs(i int, off int64, data []byte, ch chunkHeader) {
	h := crc32.NewIEEE()
	_, _ = h.Write(data[:120])
	_, _ = h.Write(data[128:chunkHeaderSize])
	if got := h.Sum32(); got != ch.headerCRC {
		f.addProblem(f.problem(ProblemChunkHeaderCRC, i, off, 0, 0, "chunk header",
			fmt.Errorf("%w: stored 0x%08x, computed 0x%08x", ErrChecksum, ch.headerCRC, got)))
	}
	end := int64(ch.freeSpaceOff)
	if end < chunkHeaderSize || end > int64(len(data)) {
		f.addProblem(f.problem(ProblemChunkDataCRC, i, off, 0, 0, "chunk header",
			fmt.Errorf("%w: free space offset %d outside the chunk; records checksum not verified", ErrCorrupt, ch.freeSpaceOff)))
		return
	}
	if got := crc32.ChecksumIEEE(data[chunkHeaderSize:end]); got != ch.dataCRC {
		f.addProblem(f.problem(ProblemChunkDataCRC, i, off, 0, 0, "chunk records",
			fmt.Errorf("%w: stored 0x%08x, computed 0x%08x", ErrChecksum, ch.dataCRC, got)))
	}
}

// lose records a data-losing problem and yields it.
func (f *File) lose(p Problem, yield func(Record, error) bool) bool {
	f.addProblem(p)
	return yield(Record{}, p.Err)
}

// recordAt reports whether a well-formed record header starts at pos in
// data: the signature, a size that fits, and the trailing copy of the size.
func recordAt(data []byte, pos int) (size int, ok bool) {
	if pos < 0 || len(data)-pos < recordMinSize || !bytes.Equal(data[pos:pos+4], recordMagic) {
		return 0, false
	}
	s := int64(binary.LittleEndian.Uint32(data[pos+4:]))
	if s < recordMinSize || s > int64(len(data)-pos) {
		return 0, false
	}
	if int64(binary.LittleEndian.Uint32(data[pos+int(s)-4:])) != s {
		return 0, false
	}
	return int(s), true
}

// nextRecord finds the next well-formed record header at or after pos.
func nextRecord(data []byte, pos int) int {
	for pos < len(data) {
		j := bytes.Index(data[pos:], recordMagic)
		if j < 0 {
			return -1
		}
		if _, ok := recordAt(data, pos+j); ok {
			return pos + j
		}
		pos += j + 1
	}
	return -1
}

func countRecordHeaders(data []byte) int {
	n := 0
	for pos := chunkHeaderSize; pos < len(data); {
		j := nextRecord(data, pos)
		if j < 0 {
			break
		}
		s, _ := recordAt(data, j)
		n++
		pos = j + s
	}
	return n
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// records walks the record headers of one chunk. Bytes between records that
// are not all zero count as one damaged record.
//
// A record is counted as recovered (Record.Recovered, Stats.RecordsRecovered)
// rather than decoded when a sequential reader, which follows the record
// sizes from the chunk's first record to its free space offset and stops at
// the first bad header (python-evtx, libevtx), would not reach it: it lies
// after a resynchronisation (the walk had to search for it), beyond the free
// space offset, or in a chunk cut short by the end of the file.
func (f *File) records(i int, off int64, data []byte, d *decoder, yield func(Record, error) bool) bool {
	d.startChunk(i, off, data)
	// Records end at the chunk's free space offset; what follows is slack
	// (old records of a reused chunk) and is not read, except records that
	// continue the identifier sequence: the header of the chunk Windows was
	// writing to (a dirty log) lags behind its records. An impossible free
	// space offset means the whole chunk is walked.
	fso := recordsEnd(data)
	done := 0
	var lastID uint64
	var skip skipRun
	recovering := len(data) < chunkSize
	expect := chunkHeaderSize // where a sequential reader looks next
	for pos := chunkHeaderSize; len(data)-pos >= recordHeader; {
		size, ok := recordAt(data, pos)
		if pos >= fso {
			if !ok || lastID == 0 || binary.LittleEndian.Uint64(data[pos+8:]) != lastID+1 {
				break
			}
			recovering = true
		}
		if pos != expect {
			recovering = true
		}
		if !ok {
			next := nextRecord(data[:fso], pos+1)
			end := next
			if next < 0 {
				end = fso
			}
			if ps, pok := partialAt(data, pos, end); pok && done < f.opts.MaxRecordsPerChunk {
				// The header is whole but the record's end is damaged:
				// decode what is left, then walk the rest of the region.
				done++
				lastID = binary.LittleEndian.Uint64(data[pos+8:])
				if !f.partialOrSkip(i, off, pos, ps, recovering, d, &skip, yield) {
					return false
				}
				pos += ps
				expect = pos
				continue
			}
			if !allZero(data[pos:end]) && (!f.flushSkip(i, off, &skip, yield) || !f.damaged(i, off, data, pos, end, next, lastID, yield)) {
				return false
			}
			if next < 0 {
				break
			}
			pos = next
			continue
		}
		lastID = binary.LittleEndian.Uint64(data[pos+8:])
		f.stats.RecordsAttempted++
		if done >= f.opts.MaxRecordsPerChunk {
			return f.flushSkip(i, off, &skip, yield) &&
				f.stopChunk(i, off, data, pos, ProblemRecordLimit, fmt.Sprintf("more than MaxRecordsPerChunk (%d) records", f.opts.MaxRecordsPerChunk), yield)
		}
		done++
		if !f.decodeOrSkip(i, off, data, pos, size, recovering, d, &skip, yield) {
			return false
		}
		pos += size
		expect = pos
	}
	return f.flushSkip(i, off, &skip, yield)
}

// recordsEnd returns where a chunk's records end: its free space offset,
// or the chunk's end when that offset is impossible.
func recordsEnd(data []byte) int {
	if v := int64(parseChunkHeader(data).freeSpaceOff); v >= chunkHeaderSize && v <= int64(len(data)) {
		return int(v)
	}
	return len(data)
}

// decodeOrSkip decodes the whole record of size bytes at pos and yields
// it, or its failure as a ProblemRecordFailed; once the chunk's budget is
// spent it only adds the record to the skipped run. It returns false when
// yield stops the walk.
func (f *File) decodeOrSkip(i int, off int64, data []byte, pos, size int, recovering bool, d *decoder, skip *skipRun, yield func(Record, error) bool) bool {
	if d.chunkSpent() {
		// Counted, not decoded: the walk goes on so that damaged
		// regions after this point are still reported in order.
		skip.add(f, pos)
		return true
	}
	rec, err := d.decode(pos, size)
	if err != nil {
		f.stats.RecordsFailed++
		p := f.problem(ProblemRecordFailed, i, off+int64(pos), binary.LittleEndian.Uint64(data[pos+8:]), 1, "record", err)
		return f.lose(p, yield)
	}
	return f.yieldRecord(rec, recovering, yield)
}

// partialOrSkip attempts the record at pos whose end is damaged (ps bytes
// left) as partial does; once the chunk's budget is spent it counts the
// record as attempted and adds it to the skipped run. It returns false
// when yield stops the walk.
func (f *File) partialOrSkip(i int, off int64, pos, ps int, recovering bool, d *decoder, skip *skipRun, yield func(Record, error) bool) bool {
	if d.chunkSpent() {
		f.stats.RecordsAttempted++
		skip.add(f, pos)
		return true
	}
	return f.partial(i, off, pos, ps, recovering, d, yield)
}

// damaged reports the damaged bytes data[pos:end] (not all zero) before the
// next well-formed record header (next, -1 when none) as one failed record
// whose Lost is estimated from the identifier gap.
func (f *File) damaged(i int, off int64, data []byte, pos, end, next int, lastID uint64, yield func(Record, error) bool) bool {
	f.stats.RecordsAttempted++
	f.stats.RecordsFailed++
	var id uint64
	cause := fmt.Errorf("%w: no valid record header (%d bytes skipped)", ErrCorrupt, end-pos)
	if bytes.Equal(data[pos:pos+4], recordMagic) {
		id = binary.LittleEndian.Uint64(data[pos+8:])
		cause = fmt.Errorf("%w: record size %d inconsistent with its trailing copy or the chunk end (%d bytes skipped)",
			ErrCorrupt, binary.LittleEndian.Uint32(data[pos+4:]), end-pos)
	}
	lost := 1
	if next >= 0 && lastID > 0 {
		// Estimate what the damaged bytes held from the identifier gap.
		if nid := binary.LittleEndian.Uint64(data[next+8:]); nid > lastID+1 && nid-lastID-1 <= uint64(end-pos)/recordMinSize {
			lost = int(nid - lastID - 1)
		}
	}
	return f.lose(f.problem(ProblemRecordFailed, i, off+int64(pos), id, lost, "record", cause), yield)
}

// skipRun is a run of records not decoded because the chunk's decoding
// work budget was spent: where it starts and how many records it holds.
type skipRun struct {
	at, n int
}

// add counts the record at pos (already counted as attempted) as failed.
func (s *skipRun) add(f *File, pos int) {
	if s.n == 0 {
		s.at = pos
	}
	s.n++
	f.stats.RecordsFailed++
}

// flushSkip reports the pending run of records skipped for the chunk's
// budget, if any, as one ProblemChunkBudget.
func (f *File) flushSkip(i int, off int64, s *skipRun, yield func(Record, error) bool) bool {
	if s.n == 0 {
		return true
	}
	p := f.problem(ProblemChunkBudget, i, off+int64(s.at), 0, s.n, "chunk",
		fmt.Errorf("%w: decoding work budget MaxChunkWork (%d units) spent; %d records not decoded", ErrTooLarge, f.opts.MaxChunkWork, s.n))
	*s = skipRun{}
	return f.lose(p, yield)
}

// stopChunk ends the walk of chunk i at the record at pos (already counted
// as attempted): it and every record header after it are counted as failed
// and reported in one problem of kind k, because of why.
func (f *File) stopChunk(i int, off int64, data []byte, pos int, k ProblemKind, why string, yield func(Record, error) bool) bool {
	left := 0
	for p := pos; ; {
		j := nextRecord(data, p)
		if j < 0 {
			break
		}
		s, _ := recordAt(data, j)
		left++
		p = j + s
	}
	left = max(left, 1)
	f.stats.RecordsAttempted += left - 1
	f.stats.RecordsFailed += left
	p := f.problem(k, i, off+int64(pos), 0, left, "chunk",
		fmt.Errorf("%w: %s; %d records not decoded", ErrTooLarge, why, left))
	return f.lose(p, yield)
}

// yieldRecord counts a decoded record as decoded or recovered and yields it.
func (f *File) yieldRecord(rec Record, recovered bool, yield func(Record, error) bool) bool {
	rec.Recovered = recovered
	if recovered {
		f.stats.RecordsRecovered++
	} else {
		f.stats.RecordsDecoded++
	}
	return yield(rec, nil)
}

// partialAt reports whether a record with a damaged end starts at pos: its
// signature and identifier are in place and its declared size ends within
// the damaged region (before end, the next well-formed record header or the
// free space offset), but the trailing copy of the size is wrong. Windows
// writes the header first; zeroed or overwritten runs usually take the end
// of one record and the start of the next.
func partialAt(data []byte, pos, end int) (size int, ok bool) {
	if pos < 0 || end-pos < recordMinSize || !bytes.Equal(data[pos:pos+4], recordMagic) {
		return 0, false
	}
	s := int64(binary.LittleEndian.Uint32(data[pos+4:]))
	if s < recordMinSize || s > int64(end-pos) {
		return 0, false
	}
	return int(s), true
}

// partial decodes the record with a damaged end at pos (ps bytes as its
// header declares). It counts as one attempt: a Record with Partial set and a
// ProblemRecordPartial when a provider name can still be decoded, else one
// failed record.
func (f *File) partial(i int, off int64, pos, ps int, recovering bool, d *decoder, yield func(Record, error) bool) bool {
	le := binary.LittleEndian
	id := le.Uint64(d.data[pos+8:])
	trailer := le.Uint32(d.data[pos+ps-4:])
	f.stats.RecordsAttempted++
	rec, err := d.decodePartial(pos, ps)
	if err != nil {
		f.stats.RecordsFailed++
		p := f.problem(ProblemRecordFailed, i, off+int64(pos), id, 1, "record",
			fmt.Errorf("%w: record end damaged (size %d, trailing copy %d): %w", ErrCorrupt, ps, trailer, err))
		return f.lose(p, yield)
	}
	rec.Partial = true
	f.addProblem(f.problem(ProblemRecordPartial, i, off+int64(pos), id, 0, "record",
		fmt.Errorf("%w: record end damaged (size %d, trailing copy %d); fields decoded up to the damage", ErrCorrupt, ps, trailer)))
	return f.yieldRecord(rec, recovering, yield)
}
