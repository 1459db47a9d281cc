package collect

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
)

// Local file header (APPNOTE.TXT 4.3.7) and data descriptor (4.3.9).
const (
	localHeaderLen = 30
	localSig       = "PK\x03\x04"
	centralSig     = "PK\x01\x02"
	endSig         = "PK\x05\x06"
	end64Sig       = "PK\x06\x06"
	descriptorSig  = "PK\x07\x08"
	flagDescriptor = 0x8
	flagUTF8       = 0x800
	zip64ExtraID   = 0x0001
	maxUint32      = 1<<32 - 1
)

// recoverEntries lists the entries of an archive whose central directory
// cannot be read, from the local file headers that follow one another
// from offset 0. It stops at the first thing that is not an intact local
// header (the central directory, the cut, garbage) and says why in stop
// when that is damage. An entry whose sizes are only in a data descriptor
// is measured by inflating it (deflate) within maxSize; a stored one ends
// the recovery (its end cannot be found).
func recoverEntries(ctx context.Context, ra io.ReaderAt, size int64, maxEntries int, maxSize int64) (entries []entry, stop string) {
	off := int64(0)
	for len(entries) < maxEntries {
		if ctx.Err() != nil {
			return entries, "cancelled"
		}
		if off == size {
			return entries, ""
		}
		e, next, why := localEntry(ctx, ra, size, off, maxSize)
		if why != "" {
			return entries, why
		}
		if e == nil {
			return entries, "" // central directory reached
		}
		entries = append(entries, *e)
		off = next
	}
	return entries, ""
}

// localEntry reads the local header at off; e is nil at a central
// directory or end record.
func localEntry(ctx context.Context, ra io.ReaderAt, size, off, maxSize int64) (e *entry, next int64, why string) {
	var h [localHeaderLen]byte
	if n, _ := ra.ReadAt(h[:], off); n < 4 {
		return nil, 0, fmt.Sprintf("cut at offset %d", off)
	} else if sig := string(h[:4]); sig == centralSig || sig == endSig || sig == end64Sig {
		return nil, 0, ""
	} else if sig != localSig {
		return nil, 0, fmt.Sprintf("no local header at offset %d", off)
	} else if n < localHeaderLen {
		return nil, 0, fmt.Sprintf("local header cut at offset %d", off)
	}
	le := binary.LittleEndian
	flags, method := le.Uint16(h[6:]), le.Uint16(h[8:])
	crc := le.Uint32(h[14:])
	csize, usize := uint64(le.Uint32(h[18:])), uint64(le.Uint32(h[22:]))
	nameLen, extraLen := int64(le.Uint16(h[26:])), int64(le.Uint16(h[28:]))
	ne := make([]byte, nameLen+extraLen)
	if n, _ := ra.ReadAt(ne, off+localHeaderLen); int64(n) < nameLen+extraLen {
		return nil, 0, fmt.Sprintf("local header cut at offset %d", off)
	}
	if csize == maxUint32 || usize == maxUint32 {
		usize, csize = zip64Sizes(ne[nameLen:], usize, csize)
	}
	raw := string(ne[:nameLen])
	dataOff := off + localHeaderLen + nameLen + extraLen
	e = &entry{name: decodeName(raw, flags&flagUTF8 == 0), raw: raw, method: method,
		csize: csize, usize: usize, dataOff: dataOff, dir: len(raw) > 0 && raw[len(raw)-1] == '/'}
	checkCRC := true
	next = dataOff + clampSize(csize)
	if flags&flagDescriptor != 0 {
		if method != zip.Deflate {
			return nil, 0, fmt.Sprintf("entry at offset %d: sizes only in a data descriptor after stored data: its end cannot be found", off)
		}
		c, u, err := measureDeflate(ctx, ra, dataOff, size, maxSize)
		if err != nil {
			return nil, 0, fmt.Sprintf("entry at offset %d: %v", off, err)
		}
		e.csize, e.usize = uint64(c), uint64(u)
		next = dataOff + c + descriptorLen(ra, dataOff+c)
		checkCRC = false // the CRC is in the descriptor
	}
	if next > size || next < dataOff {
		e.open = func() (io.ReadCloser, error) {
			return nil, fmt.Errorf("zip: entry cut: %d bytes of data past the end of the archive", next-size)
		}
		return e, size, ""
	}
	e.open = entryOpener(ra, *e, crc, checkCRC)
	return e, next, ""
}

// zip64Sizes reads the ZIP64 extended information field of a local
// header (APPNOTE.TXT 4.5.3): both sizes, uncompressed first.
func zip64Sizes(extra []byte, usize, csize uint64) (uint64, uint64) {
	le := binary.LittleEndian
	for len(extra) >= 4 {
		id, n := le.Uint16(extra), int(le.Uint16(extra[2:]))
		extra = extra[4:]
		if n > len(extra) {
			break
		}
		if id == zip64ExtraID && n >= 16 {
			return le.Uint64(extra), le.Uint64(extra[8:])
		}
		extra = extra[n:]
	}
	return usize, csize
}

// descriptorLen is the length of the data descriptor at off: with or
// without its signature (16 or 12 bytes; ZIP64 descriptors, 24, are
// recognised by the next local header following them).
func descriptorLen(ra io.ReaderAt, off int64) int64 {
	var b [28]byte
	n, _ := ra.ReadAt(b[:], off)
	if n >= 4 && string(b[:4]) == descriptorSig {
		if n >= 28 && string(b[24:28]) == localSig && string(b[16:20]) != localSig {
			return 24
		}
		return 16
	}
	return 12
}

// countingReader counts the bytes flate consumes (it reads through
// io.ByteReader, so exactly what the stream holds).
type countingReader struct {
	r *bufio.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

// measureDeflate inflates the stream at off to find its compressed and
// uncompressed lengths, refusing more than maxSize bytes of output; it
// checks ctx every MiB.
func measureDeflate(ctx context.Context, ra io.ReaderAt, off, size, maxSize int64) (c, u int64, err error) {
	cr := &countingReader{r: bufio.NewReader(io.NewSectionReader(ra, off, size-off))}
	fr := flate.NewReader(cr)
	defer fr.Close()
	u, err = copyCtx(ctx, io.Discard, fr, maxSize)
	switch {
	case errors.Is(err, ErrTooLarge):
		return 0, 0, fmt.Errorf("inflates past %d bytes", maxSize)
	case err != nil:
		return 0, 0, fmt.Errorf("deflate data damaged: %w", err)
	}
	return cr.n, u, nil
}

// entryOpener reads a recovered entry: stored or deflated, checked
// against its size and, when the local header holds it, its CRC-32.
func entryOpener(ra io.ReaderAt, e entry, crc uint32, checkCRC bool) func() (io.ReadCloser, error) {
	if e.dataOff < 0 {
		return openError("no local header where the central directory says")
	}
	return func() (io.ReadCloser, error) {
		sr := io.NewSectionReader(ra, e.dataOff, clampSize(e.csize))
		var rc io.ReadCloser
		switch e.method {
		case zip.Store:
			rc = io.NopCloser(sr)
		case zip.Deflate:
			rc = flate.NewReader(sr)
		default:
			return nil, zip.ErrAlgorithm
		}
		return &checkedReader{rc: rc, h: crc32.NewIEEE(), want: crc, check: checkCRC, size: clampSize(e.usize)}, nil
	}
}

type checkedReader struct {
	rc    io.ReadCloser
	h     hash.Hash32
	want  uint32
	check bool
	size  int64
	n     int64
}

func (r *checkedReader) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	if over := r.n + int64(n) - r.size; over > 0 {
		n -= int(over) // never more than declared
		r.n = r.size
		return n, zip.ErrFormat
	}
	r.h.Write(p[:n])
	r.n += int64(n)
	if errors.Is(err, io.EOF) {
		if r.n != r.size || (r.check && r.h.Sum32() != r.want) {
			return n, zip.ErrChecksum
		}
	}
	return n, err
}

func (r *checkedReader) Close() error { return r.rc.Close() }
