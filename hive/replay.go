package hive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/hvic/hvic/internal/marvin"
)

// parsedLog is a transaction log whose header passed the checks. Its
// content is read in place through r: only the header and the entries
// replay looks at are read.
type parsedLog struct {
	name   string
	r      io.ReaderAt
	size   int64 // bytes considered: the log's size, at most MaxLogBytes
	full   int64 // the log's size
	bb     baseBlock
	format LogFormat
	rank   int // 0 .LOG1, 1 .LOG2, 2 .LOG, 3 other: the tie-break order
}

// readAt reads exactly n bytes at off into buf (grown as needed).
func (p *parsedLog) readAt(buf []byte, off, n int64) ([]byte, error) {
	if int64(cap(buf)) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	// A ReaderAt may return io.EOF with every byte read; fewer bytes are
	// an error whatever it says (buf may hold an earlier entry).
	if k, err := p.r.ReadAt(buf, off); int64(k) < n {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return buf, fmt.Errorf("reading %d bytes at 0x%x: %w", n, off, err)
	}
	return buf, nil
}

func logRank(name string) int {
	u := strings.ToUpper(name)
	switch {
	case strings.HasSuffix(u, ".LOG1"):
		return 0
	case strings.HasSuffix(u, ".LOG2"):
		return 1
	case strings.HasSuffix(u, ".LOG"):
		return 2
	}
	return 3
}

// seqBefore reports whether sequence number a precedes b, allowing for
// wrap-around (serial-number arithmetic, as Windows compares them).
func seqBefore(a, b uint32) bool { return int32(a-b) < 0 }

func (h *Hive) refuse(l LogFile, format LogFormat, seq uint32, problem bool, format2 string, args ...any) {
	// The refusal is the kind (Recovery.Refused, the log problem): the
	// text is why ("header checksum mismatch"), the log named by File.
	err := &FormatError{File: l.Name, Offset: -1, Err: &reasonError{kind: ErrBadLog, text: fmt.Sprintf(format2, args...)}}
	h.recovery.Refused = append(h.recovery.Refused, LogResult{Name: l.Name, Format: format, Sequence: seq, Err: err})
	if problem {
		h.problems = append(h.problems, err)
	}
}

// classify checks a log's header and returns it parsed, or records why it
// was refused.
func (h *Hive) classify(l LogFile) (parsedLog, bool) {
	r, size := l.source()
	if size == 0 {
		// Empty .LOG2 (old format) and unused .LOG files are normal.
		h.refuse(l, LogUnknown, 0, false, "empty file")
		return parsedLog{}, false
	}
	p := parsedLog{name: l.Name, r: r, full: size, size: min(size, h.logLimit), rank: logRank(l.Name)}
	head, err := p.readAt(nil, 0, min(size, logHeaderSize+4))
	if err != nil {
		h.refuse(l, LogUnknown, 0, true, "%v", err)
		return parsedLog{}, false
	}
	bb, ok := parseBaseBlock(head)
	if !ok {
		h.refuse(l, LogUnknown, 0, true, "no regf header")
		return parsedLog{}, false
	}
	p.bb = bb
	switch bb.fileType {
	case fileTypeLogNew:
		p.format = LogNew
	case fileTypeLogOld, fileTypeLogVeryOld:
		p.format = LogOld
	}
	switch {
	case !bb.checksumOK:
		h.refuse(l, p.format, bb.seq1, true, "header checksum mismatch")
		return parsedLog{}, false
	case p.format == LogUnknown:
		h.refuse(l, p.format, bb.seq1, true, "file type %d is not a log", bb.fileType)
		return parsedLog{}, false
	case bb.seq1 != bb.seq2:
		h.refuse(l, p.format, bb.seq1, true, "log header is itself dirty (sequence %d != %d)", bb.seq1, bb.seq2)
		return parsedLog{}, false
	case bb.major != 1 || bb.minor < 2 || bb.minor > 6:
		h.refuse(l, p.format, bb.seq1, true, "version %d.%d", bb.major, bb.minor)
		return parsedLog{}, false
	case p.format == LogNew && size <= logHeaderSize+40:
		h.refuse(l, p.format, bb.seq1, true, "no room for a log entry")
		return parsedLog{}, false
	case p.format == LogOld && (len(head) < logHeaderSize+4 || string(head[logHeaderSize:logHeaderSize+4]) != "DIRT"):
		h.refuse(l, p.format, bb.seq1, true, "no DIRT signature at offset 512")
		return parsedLog{}, false
	}
	return p, true
}

// replay applies the logs to the image (a private copy unless the image
// is already the Hive's own), following the rules Windows uses (see
// doc.go). It returns the header of the log the base block was taken from,
// or nil when no log was applied.
func (h *Hive) replay(ctx context.Context, bb baseBlock, baseTime uint64, logs []LogFile) *baseBlock {
	var news, olds []parsedLog
	for _, l := range logs {
		p, ok := h.classify(l)
		if !ok {
			continue
		}
		if p.format == LogNew {
			news = append(news, p)
		} else {
			olds = append(olds, p)
		}
	}
	if len(news) > 0 {
		if from := h.replayNew(ctx, bb, news); from != nil {
			for _, o := range olds {
				h.refuse(LogFile{Name: o.name}, LogOld, o.bb.seq1, false, "new-format logs applied instead")
			}
			return from
		}
	}
	if len(olds) > 0 && ctx.Err() == nil {
		return h.replayOld(ctx, bb, baseTime, olds)
	}
	return nil
}

// replayNew applies new-format logs: in sequence order, each continuing
// the previous one; with a bad base block only the latest log.
func (h *Hive) replayNew(ctx context.Context, bb baseBlock, logs []parsedLog) *baseBlock {
	sort.SliceStable(logs, func(i, j int) bool { return seqBefore(logs[i].bb.seq1, logs[j].bb.seq1) })
	if !bb.checksumOK {
		for _, l := range logs[:len(logs)-1] {
			h.refuse(LogFile{Name: l.name}, LogNew, l.bb.seq1, false, "base block invalid: only the latest log (%s) is used", logs[len(logs)-1].name)
		}
		logs = logs[len(logs)-1:]
	}
	var from *baseBlock
	var last uint32
	applied := false
	for i := range logs {
		l := &logs[i]
		switch {
		case ctx.Err() != nil:
			return from
		case bb.checksumOK && seqBefore(l.bb.seq1, bb.seq2):
			h.refuse(LogFile{Name: l.name}, LogNew, l.bb.seq1, false, "stale: starts at sequence %d, the base is at %d", l.bb.seq1, bb.seq2)
			continue
		case applied && l.bb.seq1 != last+1:
			h.refuse(LogFile{Name: l.name}, LogNew, l.bb.seq1, false, "starts at sequence %d, does not continue %d", l.bb.seq1, last)
			continue
		}
		res := h.applyNew(ctx, l)
		if errors.Is(res.Stop, ErrTooLarge) || errors.Is(res.Stop, ErrTruncated) {
			// A limit or a read failure, not the normal end of the
			// entries: evidence may be missing.
			h.problems = append(h.problems, res.Stop)
		}
		if res.Entries == 0 {
			h.refuse(LogFile{Name: l.name}, LogNew, l.bb.seq1, true, "no valid entry: %v", res.Stop)
			continue
		}
		h.recovery.Applied = append(h.recovery.Applied, res)
		h.recovery.Recovered = true
		applied = true
		last = res.LastSequence
		h.root, h.minor = l.bb.root, l.bb.minor
		from = &l.bb
	}
	return from
}

// ensure makes the image the Hive's own and at least n bytes long (n is
// at most h.limit, checked by the callers). The first copy is allocated
// with room for the bound, so the image is never copied twice.
func (h *Hive) ensure(n int64) {
	if !h.private {
		img := make([]byte, len(h.img), max(n, h.limit, int64(len(h.img))))
		copy(img, h.img)
		h.img = img
		h.private = true
	}
	if have := int64(len(h.img)); have < n {
		if n <= int64(cap(h.img)) {
			h.img = h.img[:n]
			clear(h.img[have:])
		} else {
			h.img = append(h.img, make([]byte, n-have)...)
		}
	}
	if h.fromLog == nil {
		h.fromLog = []bool{}
	}
}

// write copies data to the image at bins offset off and marks its pages.
func (h *Hive) write(off int64, data []byte) {
	end := baseBlockSize + off + int64(len(data))
	h.ensure(end)
	copy(h.img[baseBlockSize+off:], data)
	for p := off / pageSize; p*pageSize < off+int64(len(data)); p++ {
		for int64(len(h.fromLog)) <= p {
			h.fromLog = append(h.fromLog, false)
		}
		h.fromLog[p] = true
	}
}

// applyNew applies the HvLE entries of one log, from its header's sequence
// number on, until the first invalid entry. Each entry is read, checked
// whole (hashes, page references, the image bound), then written.
func (h *Hive) applyNew(ctx context.Context, l *parsedLog) LogResult {
	res := LogResult{Name: l.name, Format: LogNew, Sequence: l.bb.seq1}
	expected := l.bb.seq1
	stop := func(off int64, sentinel error, format string, args ...any) LogResult {
		res.Stop = &FormatError{File: l.name, Offset: off, What: fmt.Sprintf("HvLE entry %d", res.Entries+1), Err: fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)}
		return res
	}
	var buf []byte
	for off := int64(logHeaderSize); ; {
		if err := ctx.Err(); err != nil {
			return stop(off, ErrBadLog, "%v", err)
		}
		rest := l.full - off
		if rest == 0 {
			return res
		}
		if rest < 40 {
			return stop(off, ErrBadLog, "%d trailing bytes", rest)
		}
		hdr, err := l.readAt(buf, off, 40)
		if err != nil {
			return stop(off, ErrTruncated, "%v", err)
		}
		if string(hdr[:4]) != "HvLE" {
			return stop(off, ErrBadLog, "no HvLE signature (end of the entries)")
		}
		size := int64(le.Uint32(hdr[4:]))
		if size < 512 || size%512 != 0 || size > rest {
			return stop(off, ErrBadLog, "entry size %d (%d bytes left)", size, rest)
		}
		if off+size > l.size {
			return stop(off, ErrTooLarge, "entry ends past the %d bytes of the log read for this hive (MaxLogBytes)", l.size)
		}
		e, err := l.readAt(hdr, off, size)
		if err != nil {
			return stop(off, ErrTruncated, "%v", err)
		}
		buf = e
		if why, sentinel := h.checkEntry(e, expected); why != "" {
			return stop(off, sentinel, "%s", why)
		}
		bins := int64(le.Uint32(e[16:]))
		count := int64(le.Uint32(e[20:]))
		pos := 40 + count*8
		for i := int64(0); i < count; i++ {
			po := int64(le.Uint32(e[40+i*8:]))
			ps := int64(le.Uint32(e[44+i*8:]))
			h.write(po, e[pos:pos+ps])
			pos += ps
			res.Bytes += ps
		}
		h.ensure(baseBlockSize + bins)
		h.binsSize = bins
		res.Entries++
		res.Pages += int(count)
		res.LastSequence = expected
		expected++
		off += size
	}
}

// checkEntry checks one whole HvLE entry before anything of it is
// written: header fields, both hashes, the sequence number, every page
// reference and the image bound. It returns "" when the entry applies.
func (h *Hive) checkEntry(e []byte, expected uint32) (string, error) {
	size := int64(len(e))
	bins := int64(le.Uint32(e[16:]))
	if bins < pageSize || bins%pageSize != 0 {
		return fmt.Sprintf("hive bins data size %d", bins), ErrBadLog
	}
	count := int64(le.Uint32(e[20:]))
	if count == 0 || count > (size-40)/8 {
		return fmt.Sprintf("dirty page count %d", count), ErrBadLog
	}
	if marvin.Sum64(marvin.RegistrySeed, e[:32]) != le.Uint64(e[32:]) {
		return "hash-2 mismatch", ErrBadLog
	}
	if marvin.Sum64(marvin.RegistrySeed, e[40:]) != le.Uint64(e[24:]) {
		return "hash-1 mismatch", ErrBadLog
	}
	if seq := le.Uint32(e[12:]); seq != expected {
		return fmt.Sprintf("sequence %d, expected %d", seq, expected), ErrBadLog
	}
	if baseBlockSize+bins > h.limit {
		return fmt.Sprintf("hive bins data size %d: the image would grow past %d bytes, the base file plus its logs (or MaxHiveSize)", bins, h.limit), ErrTooLarge
	}
	pos := 40 + count*8
	for i := int64(0); i < count; i++ {
		po := int64(le.Uint32(e[40+i*8:]))
		ps := int64(le.Uint32(e[44+i*8:]))
		if ps == 0 || ps%pageSize != 0 || po%pageSize != 0 || ps > size-pos || po > bins-ps {
			return fmt.Sprintf("dirty page %d: offset 0x%x size %d", i, po, ps), ErrBadLog
		}
		pos += ps
	}
	return "", nil
}

// replayOld applies the old-format log with the latest timestamp among
// those not older than the base.
func (h *Hive) replayOld(ctx context.Context, bb baseBlock, baseTime uint64, logs []parsedLog) *baseBlock {
	var best *parsedLog
	for i := range logs {
		l := &logs[i]
		if l.bb.lastWritten < baseTime {
			h.refuse(LogFile{Name: l.name}, LogOld, l.bb.seq1, false, "older than the base (log timestamp %v, base %v)", filetime(l.bb.lastWritten), filetime(baseTime))
			continue
		}
		if best == nil || l.bb.lastWritten > best.bb.lastWritten || (l.bb.lastWritten == best.bb.lastWritten && l.rank < best.rank) {
			best = l
		}
	}
	if best == nil {
		return nil
	}
	for i := range logs {
		l := &logs[i]
		if l != best && l.bb.lastWritten >= baseTime {
			h.refuse(LogFile{Name: l.name}, LogOld, l.bb.seq1, false, "%s is more recent", best.name)
		}
	}
	res, err := h.applyOld(ctx, best)
	if err != nil {
		h.refuse(LogFile{Name: best.name}, LogOld, best.bb.seq1, true, "%v", err)
		return nil
	}
	h.recovery.Applied = append(h.recovery.Applied, res)
	h.recovery.Recovered = true
	h.root, h.minor = best.bb.root, best.bb.minor
	return &best.bb
}

// applyOld writes the dirty 512-byte sectors of a DIRT log.
func (h *Hive) applyOld(ctx context.Context, l *parsedLog) (LogResult, error) {
	res := LogResult{Name: l.name, Format: LogOld, Sequence: l.bb.seq1, LastSequence: l.bb.seq1}
	bins := int64(l.bb.binsSize)
	if bins < pageSize || bins%pageSize != 0 {
		return res, errors.New("hive bins data size in the header is not a multiple of 4096")
	}
	if baseBlockSize+bins > h.limit {
		return res, fmt.Errorf("hive bins data size %d: the image would grow past %d bytes, the base file plus its logs or MaxHiveSize (%w)", bins, h.limit, ErrTooLarge)
	}
	vec := bins / pageSize // bitmap bytes: one bit per 512-byte sector
	start := int64(logHeaderSize + 4)
	if l.full-start < vec {
		return res, fmt.Errorf("dirty vector of %d bytes cut by the end of the file", vec)
	}
	bitmap, err := l.readAt(nil, start, vec)
	if err != nil {
		return res, err
	}
	pages := start + vec
	if r := pages % sectorSize; r != 0 {
		pages += sectorSize - r
	}
	// Count first, so a log too short for its bitmap applies nothing.
	n := int64(0)
	for _, b := range bitmap {
		for ; b != 0; b &= b - 1 {
			n++
		}
	}
	if n == 0 {
		return res, errors.New("dirty vector marks no sector")
	}
	if (l.full-pages)/sectorSize < n {
		return res, fmt.Errorf("%d dirty sectors marked, %d present", n, (l.full-pages)/sectorSize)
	}
	if pages+n*sectorSize > l.size {
		return res, fmt.Errorf("%d dirty sectors run past the %d bytes of the log read for this hive (MaxLogBytes, %w)", n, l.size, ErrTooLarge)
	}
	return h.writeSectors(ctx, l, bitmap, pages, res)
}

// writeSectors copies the sectors a DIRT bitmap marks, reading the log in
// runs of up to 1 MiB.
func (h *Hive) writeSectors(ctx context.Context, l *parsedLog, bitmap []byte, pages int64, res LogResult) (LogResult, error) {
	bins := int64(len(bitmap)) * pageSize
	h.ensure(baseBlockSize + bins)
	var buf []byte
	k := int64(0) // sectors of the log consumed
	for i := int64(0); i < int64(len(bitmap))*8; {
		if bitmap[i/8]&(1<<(i%8)) == 0 {
			i++
			continue
		}
		// A run of marked sectors is contiguous in both the log and the
		// image.
		j := i
		for j < int64(len(bitmap))*8 && bitmap[j/8]&(1<<(j%8)) != 0 && j-i < 2048 {
			j++
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		run, err := l.readAt(buf, pages+k*sectorSize, (j-i)*sectorSize)
		if err != nil {
			return res, err
		}
		buf = run
		h.write(i*sectorSize, run)
		res.Pages += int(j - i)
		res.Bytes += (j - i) * sectorSize
		k += j - i
		i = j
	}
	h.binsSize = bins
	return res, nil
}
