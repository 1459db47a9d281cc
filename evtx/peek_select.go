package evtx

import (
	"encoding/binary"
	"strings"
)

// What the light reader's findings select: whether a record may be
// selected, and which records of a plain chunk may be skipped (see
// peek.go).

// mayBeSelected reports whether a record the light reader read may be
// returned by extractIC with keys: some provider name it may have is
// selected with some event ID it may have (any, when the ID is unknown).
// known, when not nil, remembers which provider names some key (or, without
// keys, a known shape) accepts whatever the event ID.
func (in peekInfo) mayBeSelected(keys []EventKey, known map[string]bool) bool {
	for _, prov := range in.providers {
		ok, seen := known[prov]
		if !seen {
			ok = providerMayMatch(prov, keys)
			if known != nil && len(known) < 4096 {
				known[prov] = ok
			}
		}
		if !ok {
			continue
		}
		if keys == nil || in.ids == nil {
			return true
		}
		for _, id := range in.ids {
			if selected(keys, prov, id) {
				return true
			}
		}
	}
	return false
}

// providerMayMatch reports whether some key selects provider prov with
// some event ID (without keys: whether ExtractIC knows its shape).
func providerMayMatch(prov string, keys []EventKey) bool {
	if keys == nil {
		return shapeOf(prov) != ShapeNone
	}
	for _, k := range keys {
		if (k.Prefix && hasPrefixFold(prov, k.Provider)) || (!k.Prefix && strings.EqualFold(prov, k.Provider)) {
			return true
		}
	}
	return false
}

// plainChunk is the pre-pass of the record-level filter over one chunk:
// it returns the offsets of the records keys cannot select, or nil (decode
// every record) unless the whole chunk is plain: complete, its record
// headers a clean chain from the first record to the free space offset
// (no damage, no resynchronisation, no records past it, within
// MaxRecordsPerChunk), every record read by the light reader, and
// MaxChunkWork at least its default. In a plain chunk no record is damaged
// or template-heavy, so skipping records changes neither the problems nor
// (below the default budget, which is 2.5 times the heaviest real chunk)
// what the chunk's work budget lets through.
func (d *decoder) plainChunk(data []byte) map[int]bool {
	if len(data) != chunkSize || d.f.opts.MaxChunkWork < DefaultMaxChunkWork {
		return nil
	}
	fso := int(parseChunkHeader(data).freeSpaceOff)
	if fso < chunkHeaderSize || fso > len(data) {
		return nil
	}
	p := &d.pk
	p.data = data
	if p.defs == nil {
		p.defs = map[int]*peekDef{}
	}
	clear(p.defs)
	if p.known == nil {
		p.known = map[string]bool{}
	}
	var skip map[int]bool
	n := 0
	var lastID uint64
	pos := chunkHeaderSize
	for ; pos < fso; n++ {
		size, ok := recordAt(data, pos)
		if !ok || pos+size > fso || n >= d.f.opts.MaxRecordsPerChunk {
			return nil
		}
		info, ok := p.record(&d.v, pos+recordHeader, pos+size)
		if !ok {
			return nil
		}
		if !info.mayBeSelected(d.keys, p.known) {
			if skip == nil {
				skip = map[int]bool{}
			}
			skip[pos] = true
		}
		lastID = binary.LittleEndian.Uint64(data[pos+8:])
		pos += size
	}
	if pos != fso {
		return nil
	}
	if _, ok := recordAt(data, fso); ok && binary.LittleEndian.Uint64(data[fso+8:]) == lastID+1 {
		return nil // a dirty chunk: records past the free space offset are read
	}
	return skip
}
