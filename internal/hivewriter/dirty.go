package hivewriter

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/hvic/hvic/internal/marvin"
)

const (
	pageSize       = 4096
	logHeaderSize  = 512 // the log's copy of the base block
	logEntryHeader = 40  // HvLE header before the dirty page references
	fileTypeLogNew = 6   // HFILE_TYPE_LOG in the new (Windows 8.1+) format
)

// Dirty produces a dirty hive and its new-format transaction log (.LOG1):
// base is the tree as it is now, written with primary sequence number
// Sequence+1 and secondary Sequence (Windows' "write started, not
// finished"); change then edits the tree, and log1 holds one HvLE entry
// (sequence number Sequence, correct Marvin32 hashes) whose dirty pages turn
// base into the changed hive. After the call the Builder holds the changed
// tree, so b.Bytes() gives what a correct replay must produce (except the
// base block's sequence numbers).
func (b *Builder) Dirty(change func(b *Builder)) (base, log1 []byte, err error) {
	return b.DirtySteps(change)
}

// DirtySteps is Dirty with one log entry per change, applied in order, with
// consecutive sequence numbers starting at Sequence.
func (b *Builder) DirtySteps(changes ...func(b *Builder)) (base, log1 []byte, err error) {
	if len(changes) == 0 {
		return nil, nil, fmt.Errorf("%w: no change for the log", ErrBuild)
	}
	prev, root, err := b.bins()
	if err != nil {
		return nil, nil, err
	}
	base = b.assemble(prev, root, b.Sequence+1, b.Sequence)

	log1 = make([]byte, logHeaderSize)
	hdr := make([]byte, baseBlockSize)
	b.baseBlock(hdr, root, uint32(len(prev)), b.Sequence, b.Sequence, fileTypeLogNew)
	copy(log1, hdr[:logHeaderSize])

	for i, change := range changes {
		if change != nil {
			change(b)
		}
		next, _, err := b.bins()
		if err != nil {
			return nil, nil, err
		}
		log1 = append(log1, logEntry(prev, next, b.Sequence+uint32(i))...)
		prev = next
	}
	return base, log1, nil
}

type pageRef struct{ off, size uint32 }

// logEntry builds one HvLE entry carrying every 4 KiB page of next that
// differs from prev (or lies beyond its end), adjacent pages merged.
func logEntry(prev, next []byte, seq uint32) []byte {
	le := binary.LittleEndian
	var refs []pageRef
	for off := 0; off < len(next); off += pageSize {
		end := min(off+pageSize, len(next))
		if end <= len(prev) && bytes.Equal(prev[off:end], next[off:end]) {
			continue
		}
		if n := len(refs); n > 0 && refs[n-1].off+refs[n-1].size == uint32(off) {
			refs[n-1].size += uint32(end - off)
			continue
		}
		refs = append(refs, pageRef{uint32(off), uint32(end - off)})
	}
	size := logEntryHeader + 8*len(refs)
	for _, r := range refs {
		size += int(r.size)
	}
	size = (size + 511) &^ 511
	e := make([]byte, logEntryHeader, size)
	copy(e, "HvLE")
	le.PutUint32(e[4:], uint32(size))
	le.PutUint32(e[12:], seq)
	le.PutUint32(e[16:], uint32(len(next)))
	le.PutUint32(e[20:], uint32(len(refs)))
	for _, r := range refs {
		e = le.AppendUint32(e, r.off)
		e = le.AppendUint32(e, r.size)
	}
	for _, r := range refs {
		e = append(e, next[r.off:r.off+r.size]...)
	}
	e = e[:size]
	le.PutUint64(e[24:], marvin.Sum64(marvin.RegistrySeed, e[logEntryHeader:]))
	le.PutUint64(e[32:], marvin.Sum64(marvin.RegistrySeed, e[:32]))
	return e
}

const (
	sectorSize     = 512
	fileTypeLogOld = 1 // HFILE_TYPE_LOG (Vista to Windows 8 / 2012)
)

// DirtyOld is Dirty with an old-format transaction log (Windows Vista to
// Windows 8 / Server 2012, as 2008 R2 and 2012 hosts write): a 512-byte
// copy of the base block (file type 1, both sequence numbers Sequence+1),
// then "DIRT", a bitmap with one bit per 512-byte sector of the changed
// hive bins (least significant bit first), padding to 512 bytes, and the
// dirty sectors in order. base is written with sequence numbers
// (Sequence+1, Sequence). After the call the Builder holds the changed
// tree.
func (b *Builder) DirtyOld(change func(b *Builder)) (base, log []byte, err error) {
	prev, root, err := b.bins()
	if err != nil {
		return nil, nil, err
	}
	base = b.assemble(prev, root, b.Sequence+1, b.Sequence)
	if change != nil {
		change(b)
	}
	next, _, err := b.bins()
	if err != nil {
		return nil, nil, err
	}
	hdr := make([]byte, baseBlockSize)
	b.baseBlock(hdr, root, uint32(len(next)), b.Sequence+1, b.Sequence+1, fileTypeLogOld)
	log = append(log, hdr[:sectorSize]...)
	log = append(log, "DIRT"...)
	bitmap := make([]byte, len(next)/(8*sectorSize))
	var sectors []byte
	for i := 0; i < len(next)/sectorSize; i++ {
		off := i * sectorSize
		if off+sectorSize <= len(prev) && bytes.Equal(prev[off:off+sectorSize], next[off:off+sectorSize]) {
			continue
		}
		bitmap[i/8] |= 1 << (i % 8)
		sectors = append(sectors, next[off:off+sectorSize]...)
	}
	log = append(log, bitmap...)
	for len(log)%sectorSize != 0 {
		log = append(log, 0)
	}
	return base, append(log, sectors...), nil
}
