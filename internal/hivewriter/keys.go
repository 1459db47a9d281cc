package hivewriter

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"unicode/utf16"
)

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
