package collect

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// github.com/bodgit/sevenzip allocates every table of a 7z header from the
// count the header declares, before reading the items: a 59-byte archive
// declaring 2^33 files makes the runtime fail with a fatal, unrecoverable
// out-of-memory error. check7z walks the header first (7zFormat.txt's
// grammar, the way sevenzip reads it) and refuses any count over the
// limit; an encoded (compressed) header is decoded with the LZMA/LZMA2
// decoders of sevenzip.go, within maxHeaderBytes, and checked the same way.

// 7z property IDs (7zFormat.txt).
const (
	k7zEnd = iota
	k7zHeader
	k7zArchiveProperties
	k7zAdditionalStreamsInfo
	k7zMainStreamsInfo
	k7zFilesInfo
	k7zPackInfo
	k7zUnpackInfo
	k7zSubStreamsInfo
	k7zSize
	k7zCRC
	k7zFolder
	k7zCodersUnpackSize
	k7zNumUnpackStream
	k7zEncodedHeader = 0x17
)

const (
	sigHeaderLen   = 32
	maxHeaderBytes = 16 << 20
	maxCoders      = 32 // per folder, and streams per coder
)

var err7zHeader = errors.New("7z: damaged or implausible header")

// check7z refuses a 7z archive whose header declares more than maxItems
// files, folders or streams, or is over maxHeaderBytes.
func check7z(ra io.ReaderAt, size int64, maxItems uint64) error {
	var sig [sigHeaderLen]byte
	if _, err := ra.ReadAt(sig[:], 0); err != nil {
		return fmt.Errorf("7z: %w", err)
	}
	off := binary.LittleEndian.Uint64(sig[12:])
	n := binary.LittleEndian.Uint64(sig[20:])
	if n == 0 {
		return nil // an empty archive
	}
	if n > maxHeaderBytes || off > uint64(size) || sigHeaderLen+off+n > uint64(size) {
		return fmt.Errorf("%w: header of %d bytes at %d (archive %d bytes, limit %d)", err7zHeader, n, off, size, maxHeaderBytes)
	}
	hdr := make([]byte, n)
	if _, err := ra.ReadAt(hdr, int64(sigHeaderLen+off)); err != nil {
		return fmt.Errorf("7z: %w", err)
	}
	c := &check7{r: bytes.NewReader(hdr), max: maxItems}
	id := c.byte()
	switch {
	case c.err != nil:
		return c.err
	case id == k7zHeader:
		c.header()
		return c.err
	case id != k7zEncodedHeader:
		return fmt.Errorf("%w: unknown header type %#x", err7zHeader, id)
	}
	si := c.streamsInfo()
	if c.err != nil {
		return c.err
	}
	plain, err := si.decodeHeader(ra, size)
	if err != nil {
		return err
	}
	c = &check7{r: bytes.NewReader(plain), max: maxItems}
	if c.byte() != k7zHeader {
		return fmt.Errorf("%w: encoded header does not decode to a header", err7zHeader)
	}
	c.header()
	return c.err
}

// check7 reads a header; the first error sticks and stops the walk.
type check7 struct {
	r   *bytes.Reader
	max uint64
	err error
}

func (c *check7) fail(format string, a ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("%w: "+format, append([]any{err7zHeader}, a...)...)
	}
}

func (c *check7) byte() byte {
	if c.err != nil {
		return 0
	}
	b, err := c.r.ReadByte()
	if err != nil {
		c.fail("cut short")
	}
	return b
}

// number reads a 7z NUMBER (the first byte's high bits say how many bytes
// follow).
func (c *check7) number() uint64 {
	first := c.byte()
	var v uint64
	mask := byte(0x80)
	for i := 0; i < 8; i++ {
		if first&mask == 0 {
			return v | uint64(first&(mask-1))<<(8*i)
		}
		v |= uint64(c.byte()) << (8 * i)
		mask >>= 1
	}
	return v
}

// count reads a NUMBER that sizes a table, within limit.
func (c *check7) count(what string, limit uint64) uint64 {
	n := c.number()
	if c.err == nil && n > limit {
		c.fail("%d %s declared (limit %d)", n, what, limit)
		return 0
	}
	return n
}

func (c *check7) skip(n uint64) {
	if c.err == nil && n > uint64(c.r.Len()) {
		c.fail("item of %d bytes past the end", n)
		return
	}
	_, _ = c.r.Seek(int64(n), io.SeekCurrent)
}

// digests reads n optional CRCs and returns which are defined.
func (c *check7) digests(n uint64) []bool {
	all := c.byte()
	def := make([]bool, n)
	var b byte
	for i := range def {
		if all != 0 {
			def[i] = true
		} else {
			if i%8 == 0 {
				b = c.byte()
			}
			def[i] = b&(0x80>>(i%8)) != 0
		}
		if def[i] {
			c.skip(4)
		}
	}
	return def
}

func (c *check7) header() {
	id := c.byte()
	if id == k7zArchiveProperties {
		for t := c.byte(); t != 0 && c.err == nil; t = c.byte() {
			c.skip(c.number())
		}
		id = c.byte()
	}
	if id == k7zAdditionalStreamsInfo {
		c.streamsInfo()
		id = c.byte()
	}
	if id == k7zMainStreamsInfo {
		c.streamsInfo()
		id = c.byte()
	}
	if id == k7zFilesInfo {
		c.count("files", c.max)
		for t := c.byte(); t != k7zEnd && c.err == nil; t = c.byte() {
			c.skip(c.number())
		}
		id = c.byte()
	}
	if c.err == nil && id != k7zEnd {
		c.fail("unexpected property %#x", id)
	}
}

// folder7 is what check7z keeps of a folder: enough to decode an encoded
// header.
type folder7 struct {
	method, props []byte
	coders        int
	unpack        []uint64
}

type streams7 struct {
	packPos   uint64
	packSizes []uint64
	folders   []folder7
}

func (c *check7) streamsInfo() *streams7 {
	s := &streams7{}
	id := c.byte()
	if id == k7zPackInfo {
		s.packPos = c.number()
		n := c.count("pack streams", c.max)
		for id = c.byte(); id != k7zEnd && c.err == nil; id = c.byte() {
			switch id {
			case k7zSize:
				s.packSizes = make([]uint64, n)
				for i := range s.packSizes {
					s.packSizes[i] = c.number()
				}
			case k7zCRC:
				c.digests(n)
			default:
				c.fail("unexpected pack info property %#x", id)
			}
		}
		id = c.byte()
	}
	if id == k7zUnpackInfo {
		s.folders = c.unpackInfo()
		id = c.byte()
	}
	if id == k7zSubStreamsInfo {
		c.subStreams(s.folders)
		id = c.byte()
	}
	if c.err == nil && id != k7zEnd {
		c.fail("unexpected streams property %#x", id)
	}
	return s
}

func (c *check7) unpackInfo() []folder7 {
	if c.byte() != k7zFolder {
		c.fail("folders expected")
		return nil
	}
	n := c.count("folders", c.max)
	if c.byte() != 0 {
		c.fail("external folders")
		return nil
	}
	folders := make([]folder7, 0, n)
	for i := uint64(0); i < n && c.err == nil; i++ {
		folders = append(folders, c.folder())
	}
	if c.byte() != k7zCodersUnpackSize {
		c.fail("unpack sizes expected")
		return nil
	}
	for i := range folders {
		for j := range folders[i].unpack {
			folders[i].unpack[j] = c.number()
		}
	}
	id := c.byte()
	if id == k7zCRC {
		c.digests(uint64(len(folders)))
		id = c.byte()
	}
	if c.err == nil && id != k7zEnd {
		c.fail("unexpected unpack info property %#x", id)
	}
	return folders
}

func (c *check7) folder() folder7 {
	var f folder7
	f.coders = int(c.count("coders in a folder", maxCoders))
	var in, out uint64
	for i := 0; i < f.coders && c.err == nil; i++ {
		flag := c.byte()
		id := make([]byte, flag&0x0F)
		_, _ = io.ReadFull(c.r, id)
		ni, no := uint64(1), uint64(1)
		if flag&0x10 != 0 {
			ni, no = c.count("coder streams", maxCoders), c.count("coder streams", maxCoders)
		}
		var props []byte
		if flag&0x20 != 0 {
			n := c.count("coder property bytes", 1<<16)
			if c.err == nil && n <= uint64(c.r.Len()) {
				props = make([]byte, n)
				_, _ = io.ReadFull(c.r, props)
			} else {
				c.skip(n)
			}
		}
		if i == 0 {
			f.method, f.props = id, props
		}
		in, out = in+ni, out+no
	}
	if c.err == nil && (out == 0 || in < out-1) {
		c.fail("folder streams do not add up")
		return f
	}
	for i := uint64(0); i < out-1 && c.err == nil; i++ {
		c.number()
		c.number()
	}
	if packed := in - (out - 1); packed > 1 {
		for i := uint64(0); i < packed && c.err == nil; i++ {
			c.number()
		}
	}
	f.unpack = make([]uint64, out)
	return f
}

// subStreams reads SubStreamsInfo: how many files each folder holds, their
// sizes and CRCs.
func (c *check7) subStreams(folders []folder7) {
	streams := make([]uint64, len(folders))
	for i := range streams {
		streams[i] = 1
	}
	id := c.byte()
	if id == k7zNumUnpackStream {
		var total uint64
		for i := range streams {
			streams[i] = c.count("streams in a folder", c.max)
			total += streams[i]
			if c.err == nil && total > c.max {
				c.fail("%d streams declared (limit %d)", total, c.max)
			}
		}
		id = c.byte()
	}
	if id == k7zSize {
		for _, n := range streams {
			for j := uint64(1); j < n && c.err == nil; j++ {
				c.number()
			}
		}
		id = c.byte()
	}
	if id == k7zCRC {
		// sevenzip reads a CRC vector over every stream (7zFormat.txt
		// leaves out those a folder CRC covers): the check reads what
		// sevenzip will read.
		var total uint64
		for _, n := range streams {
			total += n
		}
		c.digests(total)
		id = c.byte()
	}
	if c.err == nil && id != k7zEnd {
		c.fail("unexpected substreams property %#x", id)
	}
}

// decodeHeader decodes an encoded header: one folder of one LZMA, LZMA2
// or copy coder over the first packed stream, at most maxHeaderBytes.
func (s *streams7) decodeHeader(ra io.ReaderAt, size int64) ([]byte, error) {
	if len(s.folders) != 1 || len(s.packSizes) < 1 || s.folders[0].coders != 1 || len(s.folders[0].unpack) != 1 {
		return nil, fmt.Errorf("%w: encoded header is not one folder of one coder (an encrypted header?)", err7zHeader)
	}
	f := s.folders[0]
	want := f.unpack[0]
	if want > maxHeaderBytes {
		return nil, fmt.Errorf("%w: encoded header decodes to %d bytes (limit %d)", err7zHeader, want, maxHeaderBytes)
	}
	start, n := sigHeaderLen+s.packPos, s.packSizes[0]
	if s.packPos > uint64(size) || n > uint64(size) || start+n > uint64(size) {
		return nil, fmt.Errorf("%w: encoded header past the end", err7zHeader)
	}
	in := []io.ReadCloser{io.NopCloser(io.NewSectionReader(ra, int64(start), int64(n)))}
	var r io.ReadCloser
	var err error
	switch {
	case bytes.Equal(f.method, methodLZMA):
		r, err = newLZMA(f.props, want, in)
	case bytes.Equal(f.method, methodLZMA2):
		r, err = newLZMA2(f.props, want, in)
	case bytes.Equal(f.method, []byte{0}):
		r = in[0]
	default:
		return nil, fmt.Errorf("%w: encoded header with coder %X not checked", err7zHeader, f.method)
	}
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, int64(want)))
	if err != nil {
		return nil, fmt.Errorf("7z: encoded header: %w", err)
	}
	return out, nil
}
