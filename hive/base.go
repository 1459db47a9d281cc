package hive

import (
	"encoding/binary"
	"fmt"
	"time"
	"unicode/utf16"
)

// Sizes and signatures of the regf format.
const (
	baseBlockSize = 4096 // base block of a primary file
	logHeaderSize = 512  // partial base block at the start of a log
	pageSize      = 4096 // hive bin alignment and HvLE page unit
	sectorSize    = 512  // old-format dirty-vector unit
	nilOffset     = 0xFFFFFFFF

	fileTypePrimary    = 0
	fileTypeLogOld     = 1
	fileTypeLogVeryOld = 2
	fileTypeLogNew     = 6
)

// baseBlock is the decoded regf header (the "base block", HBASE_BLOCK).
type baseBlock struct {
	seq1, seq2  uint32
	lastWritten uint64 // FILETIME
	major       uint32
	minor       uint32
	fileType    uint32
	format      uint32
	root        uint32
	binsSize    uint32
	cluster     uint32
	fileName    string
	flags       uint32
	checksumOK  bool
}

// xor32 is the base block checksum: XOR of the first 508 bytes as
// little-endian uint32s, with -1 mapped to -2 and 0 to 1.
func xor32(b []byte) uint32 {
	var c uint32
	for i := 0; i+4 <= 508 && i+4 <= len(b); i += 4 {
		c ^= binary.LittleEndian.Uint32(b[i:])
	}
	switch c {
	case 0xFFFFFFFF:
		c = 0xFFFFFFFE
	case 0:
		c = 1
	}
	return c
}

// parseBaseBlock decodes the first 512 bytes of a primary file or log.
// It checks nothing but the length; callers judge the fields.
func parseBaseBlock(b []byte) (baseBlock, bool) {
	if len(b) < logHeaderSize || string(b[:4]) != "regf" {
		return baseBlock{}, false
	}
	le := binary.LittleEndian
	bb := baseBlock{
		seq1:        le.Uint32(b[4:]),
		seq2:        le.Uint32(b[8:]),
		lastWritten: le.Uint64(b[12:]),
		major:       le.Uint32(b[20:]),
		minor:       le.Uint32(b[24:]),
		fileType:    le.Uint32(b[28:]),
		format:      le.Uint32(b[32:]),
		root:        le.Uint32(b[36:]),
		binsSize:    le.Uint32(b[40:]),
		cluster:     le.Uint32(b[44:]),
		flags:       le.Uint32(b[144:]),
	}
	u := make([]uint16, 0, 32)
	for i := 48; i+2 <= 112; i += 2 {
		c := le.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	bb.fileName = string(utf16.Decode(u))
	bb.checksumOK = xor32(b) == le.Uint32(b[508:])
	return bb, true
}

// plausible reports why a base block with a good checksum still cannot
// describe a hive, or "" when it can.
func (bb baseBlock) implausible() string {
	switch {
	case bb.major != 1:
		return fmt.Sprintf("unsupported major version %d", bb.major)
	case bb.minor < 2 || bb.minor > 6:
		return fmt.Sprintf("unsupported minor version %d", bb.minor)
	case bb.binsSize == 0 || bb.binsSize%pageSize != 0:
		return fmt.Sprintf("hive bins data size %d is not a positive multiple of 4096", bb.binsSize)
	case bb.root%8 != 0:
		return fmt.Sprintf("root cell offset 0x%x is not 8-aligned", bb.root)
	}
	return ""
}

func (bb baseBlock) dirty() bool { return !bb.checksumOK || bb.seq1 != bb.seq2 }

// filetime converts a Windows FILETIME (100 ns ticks since 1601-01-01 UTC)
// to time.Time at full precision; 0 gives the zero time.
func filetime(ft uint64) time.Time {
	if ft == 0 {
		return time.Time{}
	}
	const epochDiff = 116444736000000000 // 1601-01-01 to 1970-01-01 in 100 ns
	secs := int64(ft/10000000) - epochDiff/10000000
	nsec := int64(ft%10000000) * 100
	return time.Unix(secs, nsec).UTC()
}
