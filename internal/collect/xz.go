package collect

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/ulikunitz/xz"
)

// maxDictBytes caps the LZMA dictionary an xz block or a 7z coder may
// declare: the decoders allocate it whole before reading any data. 64 MiB
// is what xz -9 and 7-Zip's -mx9 use.
const maxDictBytes = 64 << 20

// xz container layout (the .xz file format, version 1.0.4).
const (
	xzHeaderLen = 12
	xzFooterLen = 12
	xzMagic     = "\xFD7zXZ\x00"
	xzFooterEnd = "YZ"
	xzLZMA2     = 0x21
	maxXzBlocks = 1 << 20
)

var errXzLayout = errors.New("xz: damaged stream layout (footer, index or block header)")

func newXzReader(r io.Reader) (io.Reader, error) {
	return xz.NewReader(r)
}

// checkXz reads an xz file's layout from its end (footers, indexes and
// block headers, no data) and refuses one whose blocks declare an LZMA2
// dictionary over maxDict, since the decoder allocates it up front.
// Concatenated streams and stream padding are followed.
func checkXz(ra io.ReaderAt, size int64, maxDict int64) error {
	if size < xzHeaderLen+xzFooterLen {
		return errXzLayout
	}
	end := size
	for end > 0 {
		var f [xzFooterLen]byte
		if end < xzHeaderLen+xzFooterLen {
			return errXzLayout
		}
		if _, err := ra.ReadAt(f[:], end-xzFooterLen); err != nil {
			return fmt.Errorf("xz: %w", err)
		}
		if [4]byte(f[8:]) == [4]byte{} { // stream padding
			end -= 4
			continue
		}
		if string(f[10:]) != xzFooterEnd {
			return errXzLayout
		}
		backward := (int64(binary.LittleEndian.Uint32(f[4:])) + 1) * 4
		indexOff := end - xzFooterLen - backward
		if indexOff < xzHeaderLen {
			return errXzLayout
		}
		blocks, err := xzIndex(io.NewSectionReader(ra, indexOff, backward))
		if err != nil {
			return err
		}
		var total int64
		for _, b := range blocks {
			total += (b + 3) &^ 3
		}
		start := indexOff - total - xzHeaderLen
		var h [6]byte
		if total < 0 || start < 0 {
			return errXzLayout
		}
		if _, err := ra.ReadAt(h[:], start); err != nil || string(h[:]) != xzMagic {
			return errXzLayout
		}
		off := start + xzHeaderLen
		for _, b := range blocks {
			if err := checkXzBlock(ra, off, maxDict); err != nil {
				return err
			}
			off += (b + 3) &^ 3
		}
		end = start
	}
	return nil
}

// xzIndex returns the unpadded sizes of the blocks an xz index lists.
func xzIndex(r io.Reader) ([]int64, error) {
	br := bufio.NewReader(r)
	if c, err := br.ReadByte(); err != nil || c != 0 {
		return nil, errXzLayout
	}
	n, err := xzVarint(br)
	if err != nil {
		return nil, err
	}
	if n > maxXzBlocks {
		return nil, fmt.Errorf("xz: %d blocks in one stream (limit %d)", n, maxXzBlocks)
	}
	var sizes []int64
	for i := uint64(0); i < n; i++ {
		unpadded, err := xzVarint(br)
		if err != nil {
			return nil, err
		}
		if _, err := xzVarint(br); err != nil {
			return nil, err
		}
		if unpadded == 0 || unpadded > 1<<62 {
			return nil, errXzLayout
		}
		sizes = append(sizes, int64(unpadded))
	}
	return sizes, nil
}

func xzVarint(br io.ByteReader) (uint64, error) {
	var v uint64
	for i := 0; i < 9; i++ {
		c, err := br.ReadByte()
		if err != nil {
			return 0, errXzLayout
		}
		v |= uint64(c&0x7F) << (7 * i)
		if c&0x80 == 0 {
			return v, nil
		}
	}
	return 0, errXzLayout
}

// checkXzBlock reads the block header at off and checks its LZMA2
// dictionary size.
func checkXzBlock(ra io.ReaderAt, off int64, maxDict int64) error {
	var sz [1]byte
	if _, err := ra.ReadAt(sz[:], off); err != nil || sz[0] == 0 {
		return errXzLayout
	}
	hdr := make([]byte, (int(sz[0])+1)*4)
	if _, err := ra.ReadAt(hdr, off); err != nil {
		return errXzLayout
	}
	br := bytes.NewReader(hdr[2:])
	flags := hdr[1]
	for _, bit := range []byte{0x40, 0x80} {
		if flags&bit != 0 {
			if _, err := xzVarint(br); err != nil {
				return err
			}
		}
	}
	for i := 0; i <= int(flags&3); i++ {
		id, err := xzVarint(br)
		if err != nil {
			return err
		}
		n, err := xzVarint(br)
		if err != nil || n > uint64(br.Len()) {
			return errXzLayout
		}
		props := make([]byte, n)
		_, _ = io.ReadFull(br, props)
		if id == xzLZMA2 {
			if n != 1 || props[0] > 40 {
				return errXzLayout
			}
			if d := lzma2Dict(props[0]); d > maxDict {
				return fmt.Errorf("xz: block declares a %d-byte dictionary (limit %d)", d, maxDict)
			}
		}
	}
	return nil
}

// lzma2Dict is the dictionary size an LZMA2 property byte (at most 40)
// declares.
func lzma2Dict(p byte) int64 {
	if p >= 40 {
		return 1<<32 - 1
	}
	return int64(2|(p&1)) << (p/2 + 11)
}
