package evtxwriter

// CorruptRecordMagic overwrites the "**\0\0" signature of the rec-th record
// (0-based) of chunk (0-based) in b, in place. Chunk CRCs are left as they
// were, so the data CRC no longer matches.
func CorruptRecordMagic(b []byte, chunk, rec int) error {
	return ErrNoSuch
}

// CorruptChunkMagic overwrites the "ElfChnk\0" signature of chunk (0-based)
// in b, in place.
func CorruptChunkMagic(b []byte, chunk int) error {
	return ErrNoSuch
}

// CorruptChunkCRC flips bits of the stored header CRC32 and data CRC32 of
// chunk (0-based) in b, in place; the records themselves are intact.
func CorruptChunkCRC(b []byte, chunk int) error {
	return ErrNoSuch
}

// CorruptFileHeaderCRC flips bits of the file header's stored CRC32 in b,
// in place.
func CorruptFileHeaderCRC(b []byte) error {
	return ErrNoSuch
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
