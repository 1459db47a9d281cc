package collect

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// End of central directory record (APPNOTE.TXT 4.3.16), its ZIP64
// locator (4.3.15) and record (4.3.14), central directory header
// (4.3.12).
const (
	endLen        = 22
	end64LocSig   = "PK\x06\x07"
	end64LocLen   = 20
	end64Len      = 56
	centralLen    = 46
	maxCommentLen = 65535
	flagEncrypted = 0x1
)

// errNoDirectory: no usable central directory; the caller recovers the
// entries from the local headers.
var errNoDirectory = errors.New("zip: not a valid zip file")

// directory is what the end records say of the central directory.
type directory struct {
	total      uint64 // entries declared
	size, off  int64  // of the directory, base offset applied
	baseOffset int64  // bytes before the archive (a self-extractor's stub)
}

// findDirectory reads the end records at the end of the archive.
func findDirectory(ra io.ReaderAt, size int64) (directory, error) {
	n := min(size, endLen+maxCommentLen)
	buf := make([]byte, n)
	if _, err := ra.ReadAt(buf, size-n); err != nil && !errors.Is(err, io.EOF) {
		return directory{}, err
	}
	i := bytes.LastIndex(buf, []byte(endSig))
	for i >= 0 && int64(i)+endLen > n {
		i = bytes.LastIndex(buf[:i], []byte(endSig))
	}
	if i < 0 {
		return directory{}, errNoDirectory
	}
	le := binary.LittleEndian
	e := buf[i:]
	endPos := size - n + int64(i)
	d := directory{total: uint64(le.Uint16(e[10:])), size: int64(le.Uint32(e[12:])), off: int64(le.Uint32(e[16:]))}
	if d.total == 0xFFFF || d.size == maxUint32 || d.off == maxUint32 {
		var loc [end64LocLen]byte
		if endPos >= end64LocLen {
			if _, err := ra.ReadAt(loc[:], endPos-end64LocLen); err == nil && string(loc[:4]) == end64LocSig {
				var rec [end64Len]byte
				recOff := int64(min(le.Uint64(loc[8:]), 1<<62))
				if _, err := ra.ReadAt(rec[:], recOff); err == nil && string(rec[:4]) == end64Sig {
					d.total, d.size, d.off = le.Uint64(rec[32:]), clampSize(le.Uint64(rec[40:])), clampSize(le.Uint64(rec[48:]))
					endPos = recOff
				}
			}
		}
	}
	// Data prepended to the archive shifts every offset it records.
	if d.off+d.size != endPos && endPos-d.size >= 0 && endPos-d.size-d.off >= 0 {
		d.baseOffset = endPos - d.size - d.off
	}
	d.off += d.baseOffset
	if d.off < 0 || d.size < 0 || d.off > size || d.size > size-d.off {
		return directory{}, errNoDirectory
	}
	return d, nil
}

// readDirectory lists the archive's entries from its central directory,
// at most max of them (total is how many the directory holds, as far as
// known), checking ctx every 1,024 entries. Each entry's local header is
// read for its data offset. An error means the directory cannot be used.
func readDirectory(ctx context.Context, ra io.ReaderAt, size int64, max int) (entries []entry, total int, err error) {
	d, err := findDirectory(ra, size)
	if err != nil {
		return nil, 0, err
	}
	br := bufio.NewReaderSize(io.NewSectionReader(ra, d.off, d.size), 64<<10)
	var h [centralLen]byte
	for len(entries) < max {
		if len(entries)%1024 == 0 && ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		if _, err := io.ReadFull(br, h[:]); err != nil {
			if errors.Is(err, io.EOF) && uint64(len(entries)) >= d.total {
				break
			}
			return nil, 0, errNoDirectory
		}
		if string(h[:4]) != centralSig {
			return nil, 0, errNoDirectory
		}
		e, err := centralEntry(br, h[:], d.baseOffset)
		if err != nil {
			return nil, 0, err
		}
		e.dataOff = dataOffset(ra, size, e.localOff)
		e.open = entryOpener(ra, e.entry, e.crc, true)
		if e.flags&flagEncrypted != 0 {
			e.open = func() (io.ReadCloser, error) { return nil, errors.New("zip: encrypted entry") }
		}
		entries = append(entries, e.entry)
	}
	total = len(entries)
	if uint64(total) < d.total {
		total = int(min(d.total, 1<<31))
	}
	return entries, total, nil
}

type centralHeader struct {
	entry
	flags    uint16
	crc      uint32
	localOff int64
}

// centralEntry parses one central directory header (h, its fixed part)
// and reads its name, extra field and comment from br.
func centralEntry(br *bufio.Reader, h []byte, base int64) (centralHeader, error) {
	le := binary.LittleEndian
	var c centralHeader
	c.flags, c.method, c.crc = le.Uint16(h[8:]), le.Uint16(h[10:]), le.Uint32(h[16:])
	c.csize, c.usize = uint64(le.Uint32(h[20:])), uint64(le.Uint32(h[24:]))
	nameLen, extraLen, commentLen := int(le.Uint16(h[28:])), int(le.Uint16(h[30:])), int(le.Uint16(h[32:]))
	local := uint64(le.Uint32(h[42:]))
	ne := make([]byte, nameLen+extraLen)
	if _, err := io.ReadFull(br, ne); err != nil {
		return c, errNoDirectory
	}
	if _, err := br.Discard(commentLen); err != nil {
		return c, errNoDirectory
	}
	// ZIP64 extended information (4.5.3): only the fields whose 32-bit
	// value is all ones, in this order.
	for extra := ne[nameLen:]; len(extra) >= 4; {
		id, n := le.Uint16(extra), int(le.Uint16(extra[2:]))
		body := extra[4:]
		if n > len(body) {
			break
		}
		body, extra = body[:n], body[n:]
		if id != zip64ExtraID {
			continue
		}
		for _, f := range []*uint64{&c.usize, &c.csize, &local} {
			if *f == maxUint32 && len(body) >= 8 {
				*f, body = le.Uint64(body), body[8:]
			}
		}
	}
	raw := string(ne[:nameLen])
	c.raw, c.name = raw, decodeName(raw, c.flags&flagUTF8 == 0)
	c.dir = len(raw) > 0 && raw[len(raw)-1] == '/'
	c.localOff = clampSize(local) + base
	return c, nil
}

// dataOffset reads the local header at off and returns where its data
// start, or -1 when there is no intact local header there.
func dataOffset(ra io.ReaderAt, size, off int64) int64 {
	var h [localHeaderLen]byte
	if off < 0 || off > size-localHeaderLen {
		return -1
	}
	if _, err := ra.ReadAt(h[:], off); err != nil || string(h[:4]) != localSig {
		return -1
	}
	le := binary.LittleEndian
	d := off + localHeaderLen + int64(le.Uint16(h[26:])) + int64(le.Uint16(h[28:]))
	if d > size {
		return -1
	}
	return d
}

// openError is the opener of an entry whose local header is unusable.
func openError(detail string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return nil, fmt.Errorf("%w: %s", zip.ErrFormat, detail) }
}
