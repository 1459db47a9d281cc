package evtxwriter

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// chunkAt returns the file offset of chunk (0-based) in b, checking that
// its header is present.
func chunkAt(b []byte, chunk int) (int, error) {
	if chunk < 0 || chunk > (len(b)-fileHeaderBlock)/chunkSize {
		return 0, fmt.Errorf("%w: chunk %d", ErrNoSuch, chunk)
	}
	off := fileHeaderBlock + chunk*chunkSize
	if len(b)-off < chunkRecordsFrom {
		return 0, fmt.Errorf("%w: chunk %d", ErrNoSuch, chunk)
	}
	return off, nil
}

// RecordOffset returns the file offset of the rec-th record (0-based) of
// chunk (0-based) in b, found by walking record sizes from the chunk's
// first record up to its free space offset.
func RecordOffset(b []byte, chunk, rec int) (int64, error) {
	co, err := chunkAt(b, chunk)
	if err != nil {
		return 0, err
	}
	end := co + chunkSize
	if end > len(b) {
		end = len(b)
	}
	if free := int(binary.LittleEndian.Uint32(b[co+48:])); free >= chunkRecordsFrom && free <= chunkSize && co+free < end {
		end = co + free
	}
	off := co + chunkRecordsFrom
	for i := 0; ; i++ {
		if rec < 0 || end-off < 28 {
			return 0, fmt.Errorf("%w: record %d of chunk %d", ErrNoSuch, rec, chunk)
		}
		if i == rec {
			return int64(off), nil
		}
		size := int(binary.LittleEndian.Uint32(b[off+4:]))
		if size < 28 || size > end-off {
			return 0, fmt.Errorf("%w: record %d of chunk %d", ErrNoSuch, rec, chunk)
		}
		off += size
	}
}

// CorruptRecordMagic overwrites the "**\0\0" signature of the rec-th record
// (0-based) of chunk (0-based) in b, in place. Chunk CRCs are left as they
// were, so the data CRC no longer matches.
func CorruptRecordMagic(b []byte, chunk, rec int) error {
	off, err := RecordOffset(b, chunk, rec)
	if err != nil {
		return err
	}
	copy(b[off:], "BAD!")
	return nil
}

// CorruptRecordData makes the rec-th record (0-based) of chunk (0-based)
// in b undecodable while keeping its signature, sizes and the template
// and string definitions it may hold for later records: the number of
// values of its template instance becomes 0xffffffff. Chunk CRCs are left
// as they were.
func CorruptRecordData(b []byte, chunk, rec int) error {
	off, err := RecordOffset(b, chunk, rec)
	if err != nil {
		return err
	}
	co := int64(fileHeaderBlock) + int64(chunk)*chunkSize
	size := int64(binary.LittleEndian.Uint32(b[off+4:]))
	if size > int64(len(b))-off {
		return fmt.Errorf("%w: record %d of chunk %d overruns the input", ErrNoSuch, rec, chunk)
	}
	// fragment header (4), template instance token, version, identifier (6),
	// then the template definition offset.
	at := off + 24 + 4 + 6
	if size < 24+4+10+4 || b[off+24] != tokFragmentHeader || b[off+28] != tokTemplate {
		return fmt.Errorf("%w: record %d of chunk %d holds no template instance", ErrNoSuch, rec, chunk)
	}
	def := int64(binary.LittleEndian.Uint32(b[at:]))
	count := at + 4
	if co+def == at+4 { // definition follows: next offset, GUID, data size, data
		if off+size-(at+4) < 24 {
			return fmt.Errorf("%w: record %d of chunk %d is too short", ErrNoSuch, rec, chunk)
		}
		count = at + 4 + 24 + int64(binary.LittleEndian.Uint32(b[at+4+20:]))
	}
	if off+size-count < 4 {
		return fmt.Errorf("%w: record %d of chunk %d is too short", ErrNoSuch, rec, chunk)
	}
	binary.LittleEndian.PutUint32(b[count:], 0xffffffff)
	return nil
}

// ZeroAcross zeroes n bytes across the end of the rec-th record (0-based) of
// chunk (0-based) in b, in place: its last tail bytes (its trailing size
// copy among them) and the n-tail bytes that follow it (the next record's
// signature first). It is the damage of a copy taken while Windows was
// writing, as in omerbenamram/evtx's sample_with_a_bad_chunk_magic.evtx.
// Chunk CRCs are left as they were.
func ZeroAcross(b []byte, chunk, rec, tail, n int) error {
	off, err := RecordOffset(b, chunk, rec)
	if err != nil {
		return err
	}
	size := int64(binary.LittleEndian.Uint32(b[off+4:]))
	start := off + size - int64(tail)
	if tail < 4 || int64(tail) > size-24 || n < tail || start+int64(n) > int64(len(b)) {
		return fmt.Errorf("%w: %d bytes from %d before the end of record %d of chunk %d", ErrNoSuch, n, tail, rec, chunk)
	}
	clear(b[start : start+int64(n)])
	return nil
}

// CorruptChunkMagic overwrites the "ElfChnk\0" signature of chunk (0-based)
// in b, in place.
func CorruptChunkMagic(b []byte, chunk int) error {
	co, err := chunkAt(b, chunk)
	if err != nil {
		return err
	}
	copy(b[co:], "ElfJunk\x00")
	return nil
}

// CorruptChunkCRC makes the stored CRC32 of the records data of chunk
// (0-based) in b wrong, in place, and recomputes the header CRC32 so that
// only the data CRC mismatches. The records themselves are intact.
func CorruptChunkCRC(b []byte, chunk int) error {
	co, err := chunkAt(b, chunk)
	if err != nil {
		return err
	}
	c := b[co : co+chunkRecordsFrom]
	binary.LittleEndian.PutUint32(c[52:], ^binary.LittleEndian.Uint32(c[52:]))
	h := crc32.NewIEEE()
	h.Write(c[:120])
	h.Write(c[128:chunkRecordsFrom])
	binary.LittleEndian.PutUint32(c[124:], h.Sum32())
	return nil
}

// CorruptChunkHeaderCRC makes the stored header CRC32 of chunk (0-based)
// in b wrong, in place. Header fields and records are intact.
func CorruptChunkHeaderCRC(b []byte, chunk int) error {
	co, err := chunkAt(b, chunk)
	if err != nil {
		return err
	}
	binary.LittleEndian.PutUint32(b[co+124:], ^binary.LittleEndian.Uint32(b[co+124:]))
	return nil
}

// CorruptFileHeaderCRC makes the file header's stored CRC32 in b wrong, in
// place.
func CorruptFileHeaderCRC(b []byte) error {
	if len(b) < fileHeaderSize {
		return fmt.Errorf("%w: file header", ErrNoSuch)
	}
	binary.LittleEndian.PutUint32(b[124:], ^binary.LittleEndian.Uint32(b[124:]))
	return nil
}

// Truncate returns b cut to n bytes (b itself when n >= len(b), an empty
// slice when n <= 0). It shares b's storage.
func Truncate(b []byte, n int) []byte {
	if n >= len(b) {
		return b
	}
	if n <= 0 {
		return b[:0]
	}
	return b[:n]
}
