package hivewriter

import (
	"encoding/binary"
	"fmt"
)

// values writes the vk cells, their data and the value list of k.
func (w *writer) values(k *Key, path string) (uint32, error) {
	le := binary.LittleEndian
	offs := make([]uint32, len(k.values))
	for i, v := range k.values {
		name, comp := w.encodeName(v.Name)
		if len(name) > 0xFFFF {
			return 0, fmt.Errorf("%w: value name too long at %q", ErrBuild, path)
		}
		if int64(len(v.Data)) > 0x7FFFFFFF {
			return 0, fmt.Errorf("%w: value data too large at %q", ErrBuild, path)
		}
		vo, _, err := w.alloc(20 + len(name))
		if err != nil {
			return 0, err
		}
		var dataOff uint32
		size := uint32(len(v.Data))
		switch {
		case len(v.Data) <= 4:
			var inline [4]byte
			copy(inline[:], v.Data)
			dataOff = le.Uint32(inline[:])
			size |= 0x80000000
		case len(v.Data) > bigDataLimit && w.b.MinorVersion >= 4:
			dataOff, err = w.bigData(v.Data)
		default:
			var d []byte
			dataOff, d, err = w.alloc(len(v.Data))
			if err == nil {
				copy(d, v.Data)
			}
		}
		if err != nil {
			return 0, err
		}
		vk := w.buf[vo+4:]
		copy(vk, "vk")
		le.PutUint16(vk[2:], uint16(len(name)))
		le.PutUint32(vk[4:], size)
		le.PutUint32(vk[8:], dataOff)
		le.PutUint32(vk[12:], v.Type)
		if comp {
			le.PutUint16(vk[16:], 0x0001) // VALUE_COMP_NAME
		}
		copy(vk[20:], name)
		offs[i] = vo
		w.recordValue(path, v.Name, vo)
	}
	lo, l, err := w.alloc(4 * len(offs))
	if err != nil {
		return 0, err
	}
	for i, o := range offs {
		le.PutUint32(l[4*i:], o)
	}
	return lo, nil
}

// bigData writes a db cell, its segment list and the segments.
func (w *writer) bigData(data []byte) (uint32, error) {
	le := binary.LittleEndian
	n := (len(data) + bigDataLimit - 1) / bigDataLimit
	if n > 0xFFFF {
		return 0, fmt.Errorf("%w: value data too large for a db cell", ErrBuild)
	}
	segs := make([]uint32, n)
	for i := range segs {
		chunk := data[i*bigDataLimit:]
		if len(chunk) > bigDataLimit {
			chunk = chunk[:bigDataLimit]
		}
		o, d, err := w.alloc(len(chunk))
		if err != nil {
			return 0, err
		}
		copy(d, chunk)
		segs[i] = o
	}
	lo, l, err := w.alloc(4 * n)
	if err != nil {
		return 0, err
	}
	for i, o := range segs {
		le.PutUint32(l[4*i:], o)
	}
	do, d, err := w.alloc(8)
	if err != nil {
		return 0, err
	}
	copy(d, "db")
	le.PutUint16(d[2:], uint16(n))
	le.PutUint32(d[4:], lo)
	return do, nil
}
