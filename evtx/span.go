package evtx

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"
)

// Span is a cheap summary of a log for coverage: how many records it holds,
// the time they cover, and which channel and computer wrote them. It is read
// from the record headers (Windows EVENT_RECORD: "**\0\0", size, identifier,
// written FILETIME) without decoding their binary XML, except for the first
// record(s) that give Channel and Computer.
type Span struct {
	// Records is the number of record headers a Records pass walks in the
	// chunks it parses (well-formed ones, and those whole but for a
	// damaged end, see Record.Partial): each is a record that the full
	// decode either yields or reports as failed (a decode error, or beyond
	// Options.MaxRecordsPerChunk). Records + Damaged equals the full
	// decode's Stats.RecordsAttempted, which is RecordsDecoded +
	// RecordsRecovered + RecordsFailed.
	Records int
	// Damaged is the number of damaged regions between records (bytes
	// that are neither a well-formed record nor zero): each counts as one
	// failed record in a Records pass.
	Damaged int
	// ChunksParsed and ChunksSkipped count the chunk slots whose records
	// are walked, and the non-empty slots that are not (no "ElfChnk\0"
	// magic, a short read, a partial chunk header), as Stats does.
	ChunksParsed  int
	ChunksSkipped int
	// First and Last are the earliest and latest written FILETIME of the
	// record headers counted in Records (a zero FILETIME is ignored), in UTC
	// and exact to 100 ns; zero when there is none. Records beyond
	// Options.MaxRecordsPerChunk are counted but their times are not used,
	// since the full decode does not decode them. The written time is the
	// one Windows stores in the record header; it is normally the event's
	// TimeCreated (the record's TimeCreated falls back to it when absent).
	First, Last time.Time
	// Decoded reports that a record decoded within the first spanProbes
	// attempts (in file order, as Records attempts them); Channel and
	// Computer are then that record's, which is the first record a
	// Records pass yields.
	Decoded           bool
	Channel, Computer string
	// Channels and Computers are the distinct non-empty channels and
	// computers (exact strings, in the order met) of the records Span
	// decoded: the first decodable record, the first decodable record of
	// up to spanSamples chunks spread evenly over the file (the first and
	// last slots included), then the newest record (the first with the
	// highest identifier) and the records before it in its chunk, so that
	// the computer's current name is among them. A native Windows log has
	// one channel, and one computer unless the host was renamed; more than
	// one value means a mixed log (forwarded events, a renamed host, a
	// generated log) whose coverage cannot be told from one record: see
	// Mixed. One value does not prove the log pure: the records between the
	// samples are not decoded.
	Channels, Computers []string
}

// Mixed reports whether the sampled records name more than one channel or
// more than one computer (compared exactly): the log's coverage is then not
// that of its first record, and only a full decode can tell it per channel
// and computer.
func (s Span) Mixed() bool { return len(s.Channels) > 1 || len(s.Computers) > 1 }

// spanProbes is the number of records Span decodes at most, in file order,
// looking for one that decodes and gives Channel and Computer.
const spanProbes = 8

// spanSamples is the number of chunks whose first records Span decodes to
// sample Channels and Computers; it tries at most spanSampleTries records
// in each.
const spanSamples = 16

const spanSampleTries = 2

// Span reads the record headers of every chunk slot and returns the log's
// Span, decoding at most spanProbes records, plus at most spanSampleTries
// records in each of spanSamples chunks, plus the newest record's chunk up
// to that record (at most one chunk's decode). Chunks and records are found
// exactly as Records finds them (slots by file size and "ElfChnk\0" magic,
// record headers up to the chunk's free-space offset plus the records that
// continue the identifier sequence), so the counts agree with a full decode;
// checksums are not verified and no Problem is produced: damage shows as
// Damaged and ChunksSkipped (ScanIC reports the problems).
//
// Span reads the input once (and the newest record's chunk again), one
// 64 KiB chunk at a time (none for FromBytes), on the caller's goroutine; the few records it decodes are
// decoded inside recover(). It only reads the File: it does not change
// Stats and may run concurrently with ScanIC, but not with Records or
// ParallelRecords, which update Stats. The error is non-nil only when ctx
// is cancelled (checked before each chunk); the Span then covers the chunks
// read so far.
func (f *File) Span(ctx context.Context) (Span, error) {
	s := spanner{f: *f, sample: spanSampleSlots(f.slots()), newestChunk: -1}
	s.f.stats = Stats{}
	s.f.headerP = nil
	s.dec = newDecoder(&s.f)
	if _, inMem := f.r.(bytesReaderAt); !inMem {
		s.buf = make([]byte, chunkSize)
	}
	for i := 0; i < f.slots(); i++ {
		if err := ctx.Err(); err != nil {
			return s.span, err
		}
		off, data, ok := s.read(i)
		if !ok {
			// Records reports the short read as ProblemChunkSkipped.
			s.span.ChunksSkipped++
			continue
		}
		s.chunk(i, off, data)
	}
	if s.newestChunk >= 0 {
		// The newest record (highest identifier) names the computer as it
		// is now; it is decoded with the records before it in its chunk,
		// as Records decodes them.
		if off, data, ok := s.read(s.newestChunk); ok {
			s.final = true
			s.records(s.newestChunk, off, data)
		}
	}
	return s.span, nil
}

// read returns the bytes of chunk slot i and its file offset; false on a
// short read.
func (s *spanner) read(i int) (int64, []byte, bool) {
	f := &s.f
	off := int64(fileHeaderBlock) + int64(i)*chunkSize
	n := min(int64(chunkSize), f.size-off)
	if mem, ok := f.r.(bytesReaderAt); ok {
		if off > int64(len(mem)) || int64(len(mem))-off < n {
			return off, nil, false // cannot happen: size is len(mem)
		}
		return off, mem[off : off+n], true
	}
	if got, _ := f.r.ReadAt(s.buf[:n], off); int64(got) != n {
		return off, nil, false
	}
	return off, s.buf[:n], true
}

// spanSampleSlots returns the chunk slots whose first records Span
// samples: spanSamples slots (or every slot, if fewer) evenly spread from
// the first to the last.
func spanSampleSlots(slots int) map[int]bool {
	n := min(slots, spanSamples)
	out := make(map[int]bool, n)
	for k := 0; k < n; k++ {
		if n == 1 {
			out[0] = true
			break
		}
		out[int(int64(k)*int64(slots-1)/int64(n-1))] = true
	}
	return out
}

// spanner is the state of one Span pass. f is a copy of the caller's File
// so that decoding the probes never touches the caller's Stats.
type spanner struct {
	f      File
	dec    *decoder
	buf    []byte
	probes int          // records decoded looking for the first decodable one
	sample map[int]bool // chunk slots sampled for Channels and Computers
	span   Span
	// The newest record: the first with the highest identifier among
	// those Records would decode (under MaxRecordsPerChunk).
	newestID    uint64
	newestChunk int // -1: none
	newestPos   int
	// final is the last pass over the newest record's chunk: decode every
	// record up to the newest, count nothing.
	final bool
}

// chunk mirrors File.chunk: the same slots are empty, skipped or parsed.
func (s *spanner) chunk(i int, off int64, data []byte) {
	if allZero(data) {
		return
	}
	if len(data) < len(chunkMagic) || string(data[:len(chunkMagic)]) != string(chunkMagic) || len(data) < chunkHeaderSize {
		s.span.ChunksSkipped++
		return
	}
	s.span.ChunksParsed++
	s.records(i, off, data)
}

// records mirrors the record walk of File.records without decoding: the
// same positions are records, damaged regions, or the end of the walk.
func (s *spanner) records(i int, off int64, data []byte) {
	le := binary.LittleEndian
	fso := recordsEnd(data)
	// Records are decoded from the chunk's first one on, in order and
	// without gaps, as Records decodes them, so the decoder's template
	// cache is the one the full decode has at each of them.
	c := spanChunk{i: i, off: off, data: data}
	if !s.sample[i] {
		c.tries = spanSampleTries
	}
	done := 0
	var lastID uint64
	for pos := chunkHeaderSize; len(data)-pos >= recordHeader; {
		size, ok := recordAt(data, pos)
		if pos >= fso && (!ok || lastID == 0 || le.Uint64(data[pos+8:]) != lastID+1) {
			return
		}
		partial := false
		if !ok {
			next := nextRecord(data[:fso], pos+1)
			end := next
			if next < 0 {
				end = fso
			}
			if ps, pok := partialAt(data, pos, end); pok && done < s.f.opts.MaxRecordsPerChunk {
				// A record whose end is damaged: Records attempts it
				// (Record.Partial, or one failed record) and walks the
				// rest of the region after it.
				size, partial = ps, true
			} else {
				if !s.final && !allZero(data[pos:end]) {
					s.span.Damaged++
				}
				if next < 0 {
					return
				}
				pos = next
				continue
			}
		}
		lastID = le.Uint64(data[pos+8:])
		if !partial && done >= s.f.opts.MaxRecordsPerChunk {
			s.countRest(data, pos)
			return
		}
		done++
		if s.visit(&c, pos, size, partial) {
			return
		}
		pos += size
	}
}

// spanChunk is the state of records' walk through one chunk.
type spanChunk struct {
	i       int
	off     int64
	data    []byte
	started bool // the decoder is at this chunk
	tries   int  // records probed to sample this chunk
}

// start moves the decoder to the chunk, once.
func (s *spanner) start(c *spanChunk) {
	if !c.started {
		s.dec.startChunk(c.i, c.off, c.data)
		c.started = true
	}
}

// countRest counts, as Records does past MaxRecordsPerChunk, every
// well-formed header from pos to the chunk's end (slack included) as a
// record attempted and failed.
func (s *spanner) countRest(data []byte, pos int) {
	for p := pos; ; {
		j := nextRecord(data, p)
		if j < 0 {
			return
		}
		sz, _ := recordAt(data, j)
		s.span.Records++
		p = j + sz
	}
}

// visit takes the record of size bytes at pos (partial: its end is
// damaged). In the final pass it decodes it and reports whether it is the
// newest record, where the walk stops. Otherwise it counts the record, its
// time and identifier, and probes it if the span still needs a first
// decoded record or this chunk is sampled.
func (s *spanner) visit(c *spanChunk, pos, size int, partial bool) (stop bool) {
	if s.final {
		s.start(c)
		s.probe(pos, size, false, partial)
		return pos >= s.newestPos
	}
	le := binary.LittleEndian
	if id := le.Uint64(c.data[pos+8:]); s.newestChunk < 0 || id > s.newestID {
		s.newestID, s.newestChunk, s.newestPos = id, c.i, pos
	}
	s.span.Records++
	if t := filetime(int64(le.Uint64(c.data[pos+16:]))); !t.IsZero() {
		if s.span.First.IsZero() || t.Before(s.span.First) {
			s.span.First = t
		}
		if t.After(s.span.Last) {
			s.span.Last = t
		}
	}
	first := !s.span.Decoded && s.probes < spanProbes
	if first || c.tries < spanSampleTries {
		s.start(c)
		if first {
			s.probes++
		}
		c.tries++
		if s.probe(pos, size, first, partial) {
			c.tries = spanSampleTries // this chunk is sampled
		}
	}
	return false
}

// probe decodes the record at pos for its channel and computer and reports
// whether it decoded; first says that no earlier record decoded (within
// spanProbes attempts), so that this one gives Channel and Computer; partial
// says that the record's end is damaged (decoded as Records decodes such a
// record, keeping none of its templates). A panic
// (golang-evtx is called inside decode's own recover; this one guards the
// conversion) counts as a failed probe.
func (s *spanner) probe(pos, size int, first, partial bool) bool {
	rec, err := func() (rec Record, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("%w: internal error: %v", ErrDecode, p)
			}
		}()
		if partial {
			return s.dec.decodePartial(pos, size)
		}
		return s.dec.decode(pos, size)
	}()
	if err != nil {
		return false
	}
	if first {
		s.span.Decoded = true
		s.span.Channel = rec.Channel
		s.span.Computer = rec.Computer
	}
	s.span.Channels = appendNew(s.span.Channels, rec.Channel)
	s.span.Computers = appendNew(s.span.Computers, rec.Computer)
	return true
}

// appendNew appends v to list unless it is empty or already there.
func appendNew(list []string, v string) []string {
	if v == "" {
		return list
	}
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}
