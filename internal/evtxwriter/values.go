package evtxwriter

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// Binary XML value types (libyal: "Value types").
const (
	typeNull       = 0x00
	typeString     = 0x01
	typeInt32      = 0x07
	typeUInt8      = 0x04
	typeUInt16     = 0x06
	typeUInt32     = 0x08
	typeUInt64     = 0x0a
	typeBool       = 0x0d
	typeBinary     = 0x0e
	typeGUID       = 0x0f
	typeFileTime   = 0x11
	typeSystemTime = 0x12
	typeSID        = 0x13
	typeHex32      = 0x14
	typeHex64      = 0x15
	typeBinXML     = 0x21
	typeStringArr  = 0x81
)

// maxValueSize is the largest value a template value descriptor can hold
// (its size is a 16-bit field).
const maxValueSize = 0xffff

// wireType maps a ValueType to its binary XML type byte.
func (t ValueType) wireType() (byte, error) {
	switch t {
	case String:
		return typeString, nil
	case UInt8:
		return typeUInt8, nil
	case UInt16:
		return typeUInt16, nil
	case UInt32:
		return typeUInt32, nil
	case UInt64:
		return typeUInt64, nil
	case Int32:
		return typeInt32, nil
	case Hex32:
		return typeHex32, nil
	case Hex64:
		return typeHex64, nil
	case GUID:
		return typeGUID, nil
	case SID:
		return typeSID, nil
	case FileTime:
		return typeFileTime, nil
	case SystemTime:
		return typeSystemTime, nil
	case Bool:
		return typeBool, nil
	case Binary:
		return typeBinary, nil
	}
	return 0, fmt.Errorf("%w: unknown value type %d", ErrValue, int(t))
}

// appendUTF16 appends s as UTF-16LE without a terminator.
func appendUTF16(b []byte, s string) []byte {
	for _, r := range s {
		if r < 0x10000 {
			b = binary.LittleEndian.AppendUint16(b, uint16(r))
			continue
		}
		r1, r2 := utf16.EncodeRune(r)
		b = binary.LittleEndian.AppendUint16(b, uint16(r1))
		b = binary.LittleEndian.AppendUint16(b, uint16(r2))
	}
	return b
}

// utf16Len is the number of UTF-16 code units of s.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// appendValue appends the binary form of a field value of type t.
func appendValue(b []byte, t ValueType, v string) ([]byte, error) {
	bad := func(err error) ([]byte, error) {
		return b, fmt.Errorf("%w: %q as %v: %v", ErrValue, v, t, err)
	}
	switch t {
	case String:
		return appendUTF16(b, v), nil
	case UInt8, UInt16, UInt32, UInt64, Hex32, Hex64:
		bits := 64
		switch t {
		case UInt8:
			bits = 8
		case UInt16:
			bits = 16
		case UInt32, Hex32:
			bits = 32
		}
		n, err := strconv.ParseUint(v, 0, bits)
		if err != nil {
			return bad(err)
		}
		switch bits {
		case 8:
			return append(b, byte(n)), nil
		case 16:
			return binary.LittleEndian.AppendUint16(b, uint16(n)), nil
		case 32:
			return binary.LittleEndian.AppendUint32(b, uint32(n)), nil
		}
		return binary.LittleEndian.AppendUint64(b, n), nil
	case Int32:
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil {
			return bad(err)
		}
		return binary.LittleEndian.AppendUint32(b, uint32(int32(n))), nil
	case Bool:
		switch strings.ToLower(v) {
		case "true", "1":
			return binary.LittleEndian.AppendUint32(b, 1), nil
		case "false", "0":
			return binary.LittleEndian.AppendUint32(b, 0), nil
		}
		return bad(fmt.Errorf("not a boolean"))
	case Binary:
		raw, err := hex.DecodeString(v)
		if err != nil {
			return bad(err)
		}
		return append(b, raw...), nil
	case GUID:
		return appendGUID(b, v)
	case SID:
		return appendSID(b, v)
	case FileTime:
		tm, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return bad(err)
		}
		ft, err := fileTime(tm)
		if err != nil {
			return b, err
		}
		return binary.LittleEndian.AppendUint64(b, ft), nil
	case SystemTime:
		tm, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return bad(err)
		}
		tm = tm.UTC()
		if tm.Year() < 1601 || tm.Year() > 30827 {
			return bad(fmt.Errorf("year out of range"))
		}
		for _, x := range []int{tm.Year(), int(tm.Month()), int(tm.Weekday()), tm.Day(), tm.Hour(), tm.Minute(), tm.Second(), tm.Nanosecond() / 1e6} {
			b = binary.LittleEndian.AppendUint16(b, uint16(x))
		}
		return b, nil
	}
	return bad(fmt.Errorf("unknown type"))
}

// parseGUID parses "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" (braces optional)
// into its 16-byte on-disk form (Data1-3 little-endian, Data4 as is).
func parseGUID(s string) ([16]byte, error) {
	var g [16]byte
	t := strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	if len(t) != 36 || t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-' {
		return g, fmt.Errorf("%w: GUID %q", ErrValue, s)
	}
	raw, err := hex.DecodeString(t[0:8] + t[9:13] + t[14:18] + t[19:23] + t[24:36])
	if err != nil {
		return g, fmt.Errorf("%w: GUID %q: %v", ErrValue, s, err)
	}
	g[0], g[1], g[2], g[3] = raw[3], raw[2], raw[1], raw[0]
	g[4], g[5] = raw[5], raw[4]
	g[6], g[7] = raw[7], raw[6]
	copy(g[8:], raw[8:])
	return g, nil
}

func appendGUID(b []byte, s string) ([]byte, error) {
	g, err := parseGUID(s)
	if err != nil {
		return b, err
	}
	return append(b, g[:]...), nil
}

// appendSID appends a SID ("S-1-5-21-...") in its binary form: revision,
// sub-authority count, 48-bit big-endian authority, little-endian
// 32-bit sub-authorities.
func appendSID(b []byte, s string) ([]byte, error) {
	parts := strings.Split(s, "-")
	if len(parts) < 3 || !strings.EqualFold(parts[0], "S") || len(parts)-3 > 15 {
		return b, fmt.Errorf("%w: SID %q", ErrValue, s)
	}
	rev, err := strconv.ParseUint(parts[1], 10, 8)
	if err != nil {
		return b, fmt.Errorf("%w: SID %q: %v", ErrValue, s, err)
	}
	auth, err := strconv.ParseUint(parts[2], 10, 48)
	if err != nil {
		return b, fmt.Errorf("%w: SID %q: %v", ErrValue, s, err)
	}
	b = append(b, byte(rev), byte(len(parts)-3))
	for i := 5; i >= 0; i-- {
		b = append(b, byte(auth>>(8*uint(i))))
	}
	for _, p := range parts[3:] {
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return b, fmt.Errorf("%w: SID %q: %v", ErrValue, s, err)
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(n))
	}
	return b, nil
}

// fileTimeEpoch is 1601-01-01 minus 1970-01-01 in 100 ns units.
const fileTimeEpoch = 116444736000000000

// fileTime converts t to a FILETIME (100 ns units since 1601-01-01 UTC),
// truncating below 100 ns.
func fileTime(t time.Time) (uint64, error) {
	if t.IsZero() {
		return 0, fmt.Errorf("%w: zero time", ErrValue)
	}
	sec := t.Unix()
	// FILETIME covers 1601 to about 60056; keep to what fits without overflow.
	const minSec, maxSec = -11644473600, 900000000000
	if sec < minSec || sec > maxSec {
		return 0, fmt.Errorf("%w: time %v out of FILETIME range", ErrValue, t)
	}
	return uint64((sec-minSec)*10000000 + int64(t.Nanosecond()/100)), nil
}
