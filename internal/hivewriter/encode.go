package hivewriter

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf16"
)

// Bytes serialises the tree as a clean hive: base block (primary and
// secondary sequence numbers equal, checksum set) followed by the hive bins.
func (b *Builder) Bytes() ([]byte, error) {
	bins, root, err := b.bins()
	if err != nil {
		return nil, err
	}
	return b.assemble(bins, root, b.Sequence, b.Sequence), nil
}

func (b *Builder) assemble(bins []byte, root uint32, primary, secondary uint32) []byte {
	out := make([]byte, baseBlockSize, baseBlockSize+len(bins))
	b.baseBlock(out, root, uint32(len(bins)), primary, secondary, 0)
	return append(out, bins...)
}

const (
	baseBlockSize = 4096
	binAlign      = 4096
	binHeaderSize = 32
	bigDataLimit  = 16344 // largest value data stored in one cell
)

// baseBlock fills a 4096-byte REGF base block (HBASE_BLOCK) in dst.
func (b *Builder) baseBlock(dst []byte, root, binsSize, primary, secondary, fileType uint32) {
	le := binary.LittleEndian
	copy(dst[0:], "regf")
	le.PutUint32(dst[4:], primary)
	le.PutUint32(dst[8:], secondary)
	le.PutUint64(dst[12:], Filetime(b.Timestamp))
	le.PutUint32(dst[20:], b.MajorVersion)
	le.PutUint32(dst[24:], b.MinorVersion)
	le.PutUint32(dst[28:], fileType)
	le.PutUint32(dst[32:], 1) // file format: direct memory load
	le.PutUint32(dst[36:], root)
	le.PutUint32(dst[40:], binsSize)
	le.PutUint32(dst[44:], 1) // clustering factor
	name := utf16.Encode([]rune(b.FileName))
	if len(name) > 31 {
		name = name[len(name)-31:]
	}
	for i, c := range name {
		le.PutUint16(dst[48+2*i:], c)
	}
	le.PutUint32(dst[508:], Checksum(dst))
}

// Checksum computes the base-block checksum: the XOR of the first 127
// little-endian uint32s, with 0 mapped to 1 and 0xFFFFFFFF to 0xFFFFFFFE.
func Checksum(base []byte) uint32 {
	var x uint32
	for i := 0; i < 508; i += 4 {
		x ^= binary.LittleEndian.Uint32(base[i:])
	}
	switch x {
	case 0:
		return 1
	case 0xFFFFFFFF:
		return 0xFFFFFFFE
	}
	return x
}

// Filetime converts t to a Windows FILETIME (100 ns ticks since 1601);
// the zero time gives 0.
func Filetime(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	const epochDiff = 116444736000000000
	return uint64(t.Unix())*10000000 + uint64(t.Nanosecond()/100) + epochDiff
}

// writer lays cells out into hive bins.
type writer struct {
	b      *Builder
	buf    []byte // hive bins data; offsets are relative to its start
	binEnd int
	sk     uint32
	nkeys  uint32
	layout map[string]Cells // upper-cased path -> cells (BytesLayout)
}

func (b *Builder) bins() (bins []byte, root uint32, err error) {
	if b.MaxLeaf <= 0 || b.MaxLeaf > 0xFFFF {
		return nil, 0, fmt.Errorf("%w: MaxLeaf %d out of range", ErrBuild, b.MaxLeaf)
	}
	w := &writer{b: b}
	w.newBin(binAlign)
	root, err = w.key(b.root, 0xFFFFFFFF, "", true)
	if err != nil {
		return nil, 0, err
	}
	// Patch the shared sk cell's reference count.
	binary.LittleEndian.PutUint32(w.buf[w.sk+4+12:], w.nkeys)
	w.closeBin()
	return w.buf, root, nil
}

func (w *writer) newBin(size int) {
	start := len(w.buf)
	w.buf = append(w.buf, make([]byte, size)...)
	h := w.buf[start:]
	copy(h, "hbin")
	binary.LittleEndian.PutUint32(h[4:], uint32(start))
	binary.LittleEndian.PutUint32(h[8:], uint32(size))
	if start == 0 {
		binary.LittleEndian.PutUint64(h[20:], Filetime(w.b.Timestamp))
	}
	w.binEnd = len(w.buf)
	w.buf = w.buf[:start+binHeaderSize]
}

// closeBin marks the rest of the current bin as one free cell.
func (w *writer) closeBin() {
	rest := w.binEnd - len(w.buf)
	if rest > 0 {
		off := len(w.buf)
		w.buf = w.buf[:w.binEnd]
		clear(w.buf[off:])
		binary.LittleEndian.PutUint32(w.buf[off:], uint32(rest))
	}
}

// alloc reserves an allocated cell with room for n bytes of payload and
// returns its offset (the cell's size field) and its payload.
func (w *writer) alloc(n int) (uint32, []byte, error) {
	size := (n + 4 + 7) &^ 7
	if size > 0x7FFFFFF0 || len(w.buf)+size > 0x7FFFF000 {
		return 0, nil, fmt.Errorf("%w: hive larger than 2 GiB", ErrBuild)
	}
	if len(w.buf)+size > w.binEnd {
		w.closeBin()
		w.newBin((size + binHeaderSize + binAlign - 1) &^ (binAlign - 1))
	}
	off := len(w.buf)
	w.buf = w.buf[:off+size]
	cell := w.buf[off : off+size]
	clear(cell)
	binary.LittleEndian.PutUint32(cell, uint32(-int32(size)))
	return uint32(off), cell[4 : 4+n], nil
}

// encodeName returns the stored form of a key or value name and whether it
// is compressed (Latin-1).
func (w *writer) encodeName(s string) ([]byte, bool) {
	if !w.b.UTF16Names {
		latin := make([]byte, 0, len(s))
		ok := true
		for _, r := range s {
			if r > 0xFF {
				ok = false
				break
			}
			latin = append(latin, byte(r))
		}
		if ok {
			return latin, true
		}
	}
	u := utf16.Encode([]rune(s))
	out := make([]byte, 0, 2*len(u))
	for _, c := range u {
		out = binary.LittleEndian.AppendUint16(out, c)
	}
	return out, false
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// securityDescriptor is a minimal self-relative SECURITY_DESCRIPTOR:
// owner and group BUILTIN\Administrators, a DACL granting Everyone
// KEY_ALL_ACCESS.
func securityDescriptor() []byte {
	le := binary.LittleEndian
	sd := make([]byte, 80)
	sd[0] = 1                      // revision
	le.PutUint16(sd[2:], 0x8004)   // SE_SELF_RELATIVE | SE_DACL_PRESENT
	le.PutUint32(sd[4:], 48)       // owner
	le.PutUint32(sd[8:], 64)       // group
	le.PutUint32(sd[16:], 20)      // DACL
	sd[20] = 2                     // ACL revision
	le.PutUint16(sd[22:], 28)      // ACL size
	le.PutUint16(sd[24:], 1)       // ACE count
	sd[28] = 0                     // ACCESS_ALLOWED_ACE_TYPE
	le.PutUint16(sd[30:], 20)      // ACE size
	le.PutUint32(sd[32:], 0xF003F) // KEY_ALL_ACCESS
	copy(sd[36:], []byte{1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0})
	admins := []byte{1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0}
	copy(sd[48:], admins)
	copy(sd[64:], admins)
	return sd
}

// key writes the nk cell of k and everything below it.
func (w *writer) key(k *Key, parent uint32, path string, isRoot bool) (uint32, error) {
	le := binary.LittleEndian
	name, comp := w.encodeName(k.Name)
	if len(name) > 0xFFFF {
		return 0, fmt.Errorf("%w: key name too long at %q", ErrBuild, path)
	}
	off, _, err := w.alloc(76 + len(name))
	if err != nil {
		return 0, err
	}
	w.nkeys++
	if isRoot {
		if err := w.rootSecurity(); err != nil {
			return 0, err
		}
	}
	var flags uint16
	if comp {
		flags |= 0x0020 // KEY_COMP_NAME
	}
	if isRoot {
		flags |= 0x0004 | 0x0008 // KEY_HIVE_ENTRY | KEY_NO_DELETE
	}
	cell := func() []byte { return w.buf[off+4:] }
	w.fillNK(cell(), k, flags, parent, name)

	if k.Class != "" {
		cls := UTF16z(k.Class)
		cls = cls[:len(cls)-2]
		co, cd, err := w.alloc(len(cls))
		if err != nil {
			return 0, err
		}
		copy(cd, cls)
		le.PutUint32(cell()[48:], co)
		le.PutUint16(cell()[74:], uint16(len(cls)))
	}

	if len(k.values) > 0 {
		vl, err := w.values(k, path)
		if err != nil {
			return 0, err
		}
		le.PutUint32(cell()[40:], vl)
	}

	if len(k.subkeys) > 0 {
		lst, err := w.subkeys(k, off, path)
		if err != nil {
			return 0, err
		}
		le.PutUint32(cell()[28:], lst)
	}
	w.record(path, off)
	return off, nil
}

// rootSecurity writes the one sk cell (the root's security descriptor)
// that every key refers to.
func (w *writer) rootSecurity() error {
	le := binary.LittleEndian
	sd := securityDescriptor()
	skOff, sk, err := w.alloc(20 + len(sd))
	if err != nil {
		return err
	}
	// sk: signature, reserved, flink, blink, refcount, size, descriptor.
	copy(sk, "sk")
	le.PutUint32(sk[4:], skOff)
	le.PutUint32(sk[8:], skOff)
	le.PutUint32(sk[16:], uint32(len(sd)))
	copy(sk[20:], sd)
	w.sk = skOff
	return nil
}

// fillNK writes the fixed fields of k's nk cell: flags, last write,
// parent, counts (lists unset), the sk, the largest names and data, the
// name.
func (w *writer) fillNK(nk []byte, k *Key, flags uint16, parent uint32, name []byte) {
	le := binary.LittleEndian
	lw := k.LastWrite
	if lw.IsZero() {
		lw = w.b.Timestamp
	}
	var maxSubName, maxValName, maxData, maxClass uint32
	for _, s := range k.subkeys {
		maxSubName = max(maxSubName, uint32(2*utf16Len(s.Name)))
		maxClass = max(maxClass, uint32(2*utf16Len(s.Class)))
	}
	for _, v := range k.values {
		maxValName = max(maxValName, uint32(2*utf16Len(v.Name)))
		maxData = max(maxData, uint32(len(v.Data)))
	}
	copy(nk, "nk")
	le.PutUint16(nk[2:], flags)
	le.PutUint64(nk[4:], Filetime(lw))
	le.PutUint32(nk[16:], parent)
	le.PutUint32(nk[20:], uint32(len(k.subkeys)))
	le.PutUint32(nk[28:], 0xFFFFFFFF)
	le.PutUint32(nk[32:], 0xFFFFFFFF)
	le.PutUint32(nk[36:], uint32(len(k.values)))
	le.PutUint32(nk[40:], 0xFFFFFFFF)
	le.PutUint32(nk[44:], w.sk)
	le.PutUint32(nk[48:], 0xFFFFFFFF)
	le.PutUint32(nk[52:], maxSubName)
	le.PutUint32(nk[56:], maxClass)
	le.PutUint32(nk[60:], maxValName)
	le.PutUint32(nk[64:], maxData)
	le.PutUint16(nk[72:], uint16(len(name)))
	copy(nk[76:], name)
}

// subkeys writes k's subkeys (the key at off, at path) in name order and
// their list; it returns the list's offset.
func (w *writer) subkeys(k *Key, off uint32, path string) (uint32, error) {
	ups := make([]string, len(k.subkeys))
	order := make([]int, len(k.subkeys))
	for i, s := range k.subkeys {
		ups[i] = strings.ToUpper(s.Name)
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return ups[order[i]] < ups[order[j]] })
	subs := make([]*Key, len(order))
	for i, o := range order {
		subs[i] = k.subkeys[o]
	}
	offs := make([]uint32, len(subs))
	for i, s := range subs {
		p := s.Name
		if path != "" {
			p = path + `\` + s.Name
		}
		o, err := w.key(s, off, p, false)
		if err != nil {
			return 0, err
		}
		offs[i] = o
	}
	return w.subkeyList(subs, offs, strings.EqualFold(path, w.b.SelfReferencingRI) && w.b.SelfReferencingRI != "")
}

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

// LHHash is the hash an lh leaf stores for a name: h = 37*h + upcase(c)
// over the name's UTF-16 code units.
func LHHash(name string) uint32 {
	var h uint32
	for _, c := range utf16.Encode([]rune(strings.ToUpper(name))) {
		h = h*37 + uint32(c)
	}
	return h
}

// leaf writes one lf/lh/li leaf for subs (sorted) and returns its offset.
func (w *writer) leaf(subs []*Key, offs []uint32) (uint32, error) {
	le := binary.LittleEndian
	stride := 8
	sig := "lh"
	switch w.b.List {
	case ListLF:
		sig = "lf"
	case ListLI:
		sig, stride = "li", 4
	}
	o, c, err := w.alloc(4 + stride*len(subs))
	if err != nil {
		return 0, err
	}
	copy(c, sig)
	le.PutUint16(c[2:], uint16(len(subs)))
	for i, s := range subs {
		e := c[4+stride*i:]
		le.PutUint32(e, offs[i])
		switch w.b.List {
		case ListLH:
			le.PutUint32(e[4:], LHHash(s.Name))
		case ListLF:
			hint := make([]byte, 0, 4)
			for _, r := range s.Name {
				if len(hint) == 4 {
					break
				}
				if r > 0xFF {
					r = 0
				}
				hint = append(hint, byte(r))
			}
			copy(e[4:8], hint)
		}
	}
	return o, nil
}

// subkeyList writes the subkey list of a key: one leaf, or an ri index of
// leaves when there are more than MaxLeaf subkeys (or a self-referencing
// ri when selfRef).
func (w *writer) subkeyList(subs []*Key, offs []uint32, selfRef bool) (uint32, error) {
	le := binary.LittleEndian
	if len(subs) <= w.b.MaxLeaf && !selfRef {
		return w.leaf(subs, offs)
	}
	var leaves []uint32
	for i := 0; i < len(subs); i += w.b.MaxLeaf {
		j := min(i+w.b.MaxLeaf, len(subs))
		o, err := w.leaf(subs[i:j], offs[i:j])
		if err != nil {
			return 0, err
		}
		leaves = append(leaves, o)
	}
	n := len(leaves)
	if selfRef {
		n++
	}
	if n > 0xFFFF {
		return 0, fmt.Errorf("%w: too many subkeys", ErrBuild)
	}
	o, c, err := w.alloc(4 + 4*n)
	if err != nil {
		return 0, err
	}
	copy(c, "ri")
	le.PutUint16(c[2:], uint16(n))
	for i, l := range leaves {
		le.PutUint32(c[4+4*i:], l)
	}
	if selfRef {
		le.PutUint32(c[4+4*len(leaves):], o)
	}
	return o, nil
}
