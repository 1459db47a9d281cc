package hive

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hvic/hvic/internal/marvin"
)

// parsedLog is a transaction log whose header passed the checks.
type parsedLog struct {
	name   string
	data   []byte
	bb     baseBlock
	format LogFormat
	rank   int // 0 .LOG1, 1 .LOG2, 2 .LOG, 3 other: the tie-break order
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
	err := &FormatError{File: l.Name, Offset: -1, What: "transaction log", Err: fmt.Errorf("%w: "+format2, append([]any{ErrBadLog}, args...)...)}
	h.recovery.Refused = append(h.recovery.Refused, LogResult{Name: l.Name, Format: format, Sequence: seq, Err: err})
	if problem {
		h.problems = append(h.problems, err)
	}
}

// classify checks a log's header and returns it parsed, or records why it
// was refused.
func (h *Hive) classify(l LogFile) (parsedLog, bool) {
	if len(l.Data) == 0 {
		// Empty .LOG2 (old format) and unused .LOG files are normal.
		h.refuse(l, LogUnknown, 0, false, "empty file")
		return parsedLog{}, false
	}
	if int64(len(l.Data)) > h.opts.MaxLogSize {
		h.refuse(l, LogUnknown, 0, true, "%d bytes, limit %d (%v)", len(l.Data), h.opts.MaxLogSize, ErrTooLarge)
		return parsedLog{}, false
	}
	bb, ok := parseBaseBlock(l.Data)
	if !ok {
		h.refuse(l, LogUnknown, 0, true, "no regf header")
		return parsedLog{}, false
	}
	p := parsedLog{name: l.Name, data: l.Data, bb: bb, rank: logRank(l.Name)}
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
	case p.format == LogNew && len(l.Data) <= logHeaderSize+40:
		h.refuse(l, p.format, bb.seq1, true, "no room for a log entry")
		return parsedLog{}, false
	case p.format == LogOld && (len(l.Data) < logHeaderSize+4 || string(l.Data[logHeaderSize:logHeaderSize+4]) != "DIRT"):
		h.refuse(l, p.format, bb.seq1, true, "no DIRT signature at offset 512")
		return parsedLog{}, false
	}
	return p, true
}

// replay applies the logs to a private copy of the image, following the
// rules Windows uses (see doc.go). It returns the header of the log the
// base block was taken from, or nil when no log was applied.
func (h *Hive) replay(bb baseBlock, baseTime uint64, logs []LogFile) *baseBlock {
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
		if from := h.replayNew(bb, news); from != nil {
			for _, o := range olds {
				h.refuse(LogFile{Name: o.name}, LogOld, o.bb.seq1, false, "new-format logs applied instead")
			}
			return from
		}
	}
	if len(olds) > 0 {
		return h.replayOld(bb, baseTime, olds)
	}
	return nil
}

// replayNew applies new-format logs: in sequence order, each continuing
// the previous one; with a bad base block only the latest log.
func (h *Hive) replayNew(bb baseBlock, logs []parsedLog) *baseBlock {
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
		case bb.checksumOK && seqBefore(l.bb.seq1, bb.seq2):
			h.refuse(LogFile{Name: l.name}, LogNew, l.bb.seq1, false, "stale: starts at sequence %d, the base is at %d", l.bb.seq1, bb.seq2)
			continue
		case applied && l.bb.seq1 != last+1:
			h.refuse(LogFile{Name: l.name}, LogNew, l.bb.seq1, false, "starts at sequence %d, does not continue %d", l.bb.seq1, last)
			continue
		}
		res := h.applyNew(l)
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

// ensure makes the image a private copy at least n bytes long.
func (h *Hive) ensure(n int64) {
	if h.fromLog == nil {
		// First write: copy the caller's bytes.
		c := int64(len(h.img))
		if n > c {
			c = n
		}
		img := make([]byte, len(h.img), c)
		copy(img, h.img)
		h.img = img
		h.fromLog = []bool{}
	}
	if int64(len(h.img)) < n {
		h.img = append(h.img, make([]byte, n-int64(len(h.img)))...)
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
// number on, until the first invalid entry.
func (h *Hive) applyNew(l *parsedLog) LogResult {
	res := LogResult{Name: l.name, Format: LogNew, Sequence: l.bb.seq1}
	d := l.data
	expected := l.bb.seq1
	stop := func(off int64, format string, args ...any) LogResult {
		res.Stop = &FormatError{File: l.name, Offset: off, What: fmt.Sprintf("HvLE entry %d", res.Entries+1), Err: fmt.Errorf("%w: "+format, append([]any{ErrBadLog}, args...)...)}
		return res
	}
	for off := int64(logHeaderSize); ; {
		rest := int64(len(d)) - off
		if rest == 0 {
			return res
		}
		if rest < 40 {
			return stop(off, "%d trailing bytes", rest)
		}
		e := d[off:]
		if string(e[:4]) != "HvLE" {
			return stop(off, "no HvLE signature (end of the entries)")
		}
		size := int64(le.Uint32(e[4:]))
		if size < 512 || size%512 != 0 || size > rest {
			return stop(off, "entry size %d (%d bytes left)", size, rest)
		}
		e = e[:size]
		bins := int64(le.Uint32(e[16:]))
		if bins < pageSize || bins%pageSize != 0 {
			return stop(off, "hive bins data size %d", bins)
		}
		count := int64(le.Uint32(e[20:]))
		if count == 0 || count > (size-40)/8 {
			return stop(off, "dirty page count %d", count)
		}
		if marvin.Sum64(marvin.RegistrySeed, e[:32]) != le.Uint64(e[32:]) {
			return stop(off, "hash-2 mismatch")
		}
		if marvin.Sum64(marvin.RegistrySeed, e[40:]) != le.Uint64(e[24:]) {
			return stop(off, "hash-1 mismatch")
		}
		if seq := le.Uint32(e[12:]); seq != expected {
			return stop(off, "sequence %d, expected %d", seq, expected)
		}
		if baseBlockSize+bins > h.opts.MaxHiveSize {
			return stop(off, "hive bins data size %d over the limit (%v)", bins, ErrTooLarge)
		}
		// Check every page reference before writing any.
		pos := 40 + count*8
		for i := int64(0); i < count; i++ {
			po := int64(le.Uint32(e[40+i*8:]))
			ps := int64(le.Uint32(e[44+i*8:]))
			if ps == 0 || ps%pageSize != 0 || po%pageSize != 0 || ps > size-pos || po > bins-ps {
				return stop(off, "dirty page %d: offset 0x%x size %d", i, po, ps)
			}
			pos += ps
		}
		pos = 40 + count*8
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

// replayOld applies the old-format log with the latest timestamp among
// those not older than the base.
func (h *Hive) replayOld(bb baseBlock, baseTime uint64, logs []parsedLog) *baseBlock {
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
	res, err := h.applyOld(best)
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
func (h *Hive) applyOld(l *parsedLog) (LogResult, error) {
	res := LogResult{Name: l.name, Format: LogOld, Sequence: l.bb.seq1, LastSequence: l.bb.seq1}
	bins := int64(l.bb.binsSize)
	if bins < pageSize || bins%pageSize != 0 {
		return res, errors.New("hive bins data size in the header is not a multiple of 4096")
	}
	if baseBlockSize+bins > h.opts.MaxHiveSize {
		return res, fmt.Errorf("hive bins data size %d over the limit (%w)", bins, ErrTooLarge)
	}
	d := l.data
	vec := bins / pageSize // bitmap bytes: one bit per 512-byte sector
	start := int64(logHeaderSize + 4)
	if int64(len(d))-start < vec {
		return res, fmt.Errorf("dirty vector of %d bytes cut by the end of the file", vec)
	}
	bitmap := d[start : start+vec]
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
	if (int64(len(d))-pages)/sectorSize < n {
		return res, fmt.Errorf("%d dirty sectors marked, %d present", n, (int64(len(d))-pages)/sectorSize)
	}
	h.ensure(baseBlockSize + bins)
	k := int64(0)
	for i := int64(0); i < vec*8; i++ {
		if bitmap[i/8]&(1<<(i%8)) == 0 {
			continue
		}
		src := pages + k*sectorSize
		h.write(i*sectorSize, d[src:src+sectorSize])
		k++
		res.Pages++
		res.Bytes += sectorSize
	}
	h.binsSize = bins
	return res, nil
}
