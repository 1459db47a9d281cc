package hive

import (
	"fmt"
	"strings"
)

// readKey decodes the key at nk offset off with its values and the names
// of its subkeys; damage to parts is recorded in Key.Problems.
func (h *Hive) readKey(off uint32, path string) (*Key, error) {
	k, err := h.keyNode(off)
	if err != nil {
		return nil, err
	}
	key := &Key{
		Path:      path,
		Name:      k.name,
		LastWrite: filetime(k.lastWrite),
		FromLog:   h.restored(off),
	}
	var seen map[string]bool
	if k.subkeyCount > 1 {
		seen = make(map[string]bool)
	}
	if err := h.subkeys(k, func(nk uint32) error {
		sk, err := h.childNode(k.off, nk)
		if err != nil {
			key.Problems = append(key.Problems, err)
			return nil
		}
		if seen != nil {
			folded := strings.ToUpper(sk.name)
			if seen[folded] {
				key.Problems = append(key.Problems, h.errAt(nk, "nk cell", ErrCorrupt, "duplicate subkey name %q", sk.name))
			}
			seen[folded] = true
		}
		key.Subkeys = append(key.Subkeys, sk.name)
		return nil
	}); err != nil {
		key.Problems = append(key.Problems, err)
	}
	if uint64(len(key.Subkeys)) != uint64(k.subkeyCount) && len(key.Problems) == 0 {
		key.Problems = append(key.Problems, h.errAt(off, "nk cell", ErrCorrupt, "says %d subkeys, lists hold %d", k.subkeyCount, len(key.Subkeys)))
	}
	h.readValues(k, key)
	return key, nil
}

// readValues fills key.Values from the values list of k.
func (h *Hive) readValues(k keyNode, key *Key) {
	if k.valueCount == 0 {
		return
	}
	count := int64(k.valueCount)
	if count > int64(h.opts.MaxValues) {
		key.Problems = append(key.Problems, h.errAt(k.off, "nk cell", ErrTooLarge, "%d values, limit %d", count, h.opts.MaxValues))
		count = int64(h.opts.MaxValues)
	}
	list, err := h.cell(k.valueList, "values list")
	if err != nil {
		key.Problems = append(key.Problems, err)
		return
	}
	if count*4 > int64(len(list)) {
		key.Problems = append(key.Problems, h.errAt(k.valueList, "values list", ErrCorrupt, "%d values overrun the %d-byte list", count, len(list)))
		count = int64(len(list)) / 4
	}
	seen := make(map[uint32]bool, count)
	budget := int64(len(h.img)) // big data copied for this key: at most the bytes present
	for i := int64(0); i < count; i++ {
		voff := le.Uint32(list[i*4:])
		if seen[voff] {
			key.Problems = append(key.Problems, h.errAt(voff, "vk cell", ErrCorrupt, "value listed twice"))
			continue
		}
		seen[voff] = true
		v, fromLog, err := h.value(voff, &budget)
		if err != nil {
			key.Problems = append(key.Problems, err)
			continue
		}
		key.FromLog = key.FromLog || fromLog
		key.Values = append(key.Values, v)
	}
}

// value decodes the vk cell at off and its data. Data in one cell is a
// slice of the image (no copy); big data is assembled into a new slice and
// counted against *budget.
func (h *Hive) value(off uint32, budget *int64) (Value, bool, error) {
	c, err := h.cell(off, "vk cell")
	if err != nil {
		return Value{}, false, err
	}
	if len(c) < vkMinSize || string(c[:2]) != "vk" {
		return Value{}, false, h.errAt(off, "vk cell", ErrCorrupt, "not a key value (signature %q)", sig(c))
	}
	f, err := readVK(h.profile, c)
	if err != nil {
		return Value{}, false, h.errAt(off, "vk cell", ErrCorrupt, "%v", err)
	}
	nameLen := int(f.nameLength)
	size := f.dataLength
	dataOff := f.data
	v := Value{Type: ValueType(f.typ)}
	flags := f.flags
	if nameLen > len(c)-vkMinSize {
		return Value{}, false, h.errAt(off, "vk cell", ErrCorrupt, "name of %d bytes overruns the cell", nameLen)
	}
	v.Name = decodeName(c[vkMinSize:vkMinSize+nameLen], flags&vkCompName != 0)
	fromLog := h.restored(off)
	what := "value " + quoteName(v.Name)
	if size&0x80000000 != 0 {
		// Resident data: up to 4 bytes in the data offset field itself.
		n := size &^ 0x80000000
		if n > 4 {
			return v, fromLog, h.errAt(off, what, ErrCorrupt, "resident data of %d bytes (at most 4)", n)
		}
		var b [4]byte
		le.PutUint32(b[:], dataOff)
		v.Data = append([]byte(nil), b[:n]...)
		return v, fromLog, nil
	}
	if size == 0 {
		v.Data = []byte{}
		return v, fromLog, nil
	}
	if int64(size) > h.opts.MaxValueSize {
		return v, fromLog, h.errAt(off, what, ErrTooLarge, "%d bytes of data, limit %d", size, h.opts.MaxValueSize)
	}
	dc, err := h.cell(dataOff, what+" data")
	if err != nil {
		return v, fromLog, err
	}
	fromLog = fromLog || h.restored(dataOff)
	if size > bigDataChunk && h.minor > 3 && len(dc) >= 8 && string(dc[:2]) == "db" {
		if int64(size) > *budget {
			return v, fromLog, h.errAt(off, what, ErrTooLarge, "big data of this key exceeds the hive's size (shared segments)")
		}
		*budget -= int64(size)
		data, fl, err := h.bigData(dataOff, dc, size, what)
		v.Data = data
		return v, fromLog || fl, err
	}
	if int64(size) > int64(len(dc)) {
		return v, fromLog, h.errAt(dataOff, what+" data", ErrCorrupt, "data size %d exceeds its %d-byte cell", size, len(dc))
	}
	v.Data = dc[:size:size]
	return v, fromLog, nil
}

// bigData assembles the segments of a db record (CM_BIG_DATA).
func (h *Hive) bigData(off uint32, db []byte, size uint32, what string) ([]byte, bool, error) {
	count := int64(le.Uint16(db[2:]))
	listOff := le.Uint32(db[4:])
	list, err := h.cell(listOff, what+" db segment list")
	if err != nil {
		return nil, false, err
	}
	if count*4 > int64(len(list)) {
		return nil, false, h.errAt(listOff, what+" db segment list", ErrCorrupt, "%d segments overrun the %d-byte list", count, len(list))
	}
	if count*bigDataChunk < int64(size) {
		return nil, false, h.errAt(off, what+" db cell", ErrCorrupt, "%d segments cannot hold %d bytes", count, size)
	}
	out := make([]byte, 0, size)
	fromLog := false
	seen := make(map[uint32]bool, count)
	for i := int64(0); i < count && int64(len(out)) < int64(size); i++ {
		so := le.Uint32(list[i*4:])
		if seen[so] {
			return nil, false, h.errAt(so, what+" data segment", ErrCorrupt, "segment used twice")
		}
		seen[so] = true
		seg, err := h.cell(so, what+" data segment")
		if err != nil {
			return nil, false, err
		}
		fromLog = fromLog || h.restored(so)
		need := int64(size) - int64(len(out))
		if need > bigDataChunk {
			need = bigDataChunk
		}
		if need > int64(len(seg)) {
			return nil, false, h.errAt(so, what+" data segment", ErrCorrupt, "segment of %d bytes, %d needed", len(seg), need)
		}
		out = append(out, seg[:need]...)
	}
	return out, fromLog, nil
}

func quoteName(s string) string {
	if s == "" {
		return "(Default)"
	}
	return fmt.Sprintf("%q", s)
}
