package evtx

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf16"

	gevtx "github.com/0xrawsec/golang-evtx/evtx"
)

// xnode is an element of the decoded event, in document order.
type xnode struct {
	name     string
	attrs    []Field
	text     strings.Builder
	children []*xnode
	array    []string // content was a string array substitution
	shifted  bool     // array may have lost empty strings
}

func (n *xnode) attr(name string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name == name {
			return a.Value, true
		}
	}
	return "", false
}

func (n *xnode) child(name string) *xnode {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// instance appends the elements of a template instance under parent.
func (d *decoder) instance(parent *xnode, ti *gevtx.TemplateInstance, depth int) {
	if d.tooDeep || depth > maxTreeDepth {
		d.tooDeep = true // parse fails the record: nothing more is built
		return
	}
	// Root rebuilds the element tree of the definition: charge it.
	d.br.spend(nodeCost * int64(len(ti.Definition.Data.Elements)+1))
	r := ti.Root()
	d.node(parent, ti, &r, depth)
}

// node converts golang-evtx Node n (whose start element has already been
// turned into parent) by appending its content and children to parent.
func (d *decoder) node(parent *xnode, ti *gevtx.TemplateInstance, n *gevtx.Node, depth int) {
	if d.tooDeep || depth > maxTreeDepth {
		d.tooDeep = true // parse fails the record: nothing more is built
		return
	}
	for _, e := range n.Element {
		d.br.spend(nodeCost)
		d.content(parent, ti, e, depth)
		if d.tooDeep {
			return
		}
	}
	for _, c := range n.Child {
		if c == nil || c.Start == nil {
			continue
		}
		d.br.spend(nodeCost)
		x := &xnode{name: c.Start.Name.String()}
		for _, a := range c.Start.AttributeList.Attributes {
			if v, ok := d.attrValue(ti, a.AttributeData); ok {
				x.attrs = append(x.attrs, Field{Name: a.Name.String(), Value: v})
			}
		}
		d.node(x, ti, c, depth+1)
		if d.tooDeep {
			return
		}
		parent.children = append(parent.children, x)
	}
}

func (d *decoder) substitution(ti *gevtx.TemplateInstance, id int16) (gevtx.Element, int, bool) {
	i := int(id)
	if i < 0 || i >= len(ti.Data.Values) {
		return nil, 0, false
	}
	return ti.Data.Values[i], i, true
}

// content adds one content item (text, substitution, nested fragment).
func (d *decoder) content(x *xnode, ti *gevtx.TemplateInstance, e gevtx.Element, depth int) {
	switch v := e.(type) {
	case *gevtx.ValueText:
		s := v.String()
		d.br.spend(int64(len(s)))
		x.text.WriteString(s)
	case *gevtx.NormalSubstitution:
		if val, i, ok := d.substitution(ti, v.SubID); ok {
			d.value(x, ti, i, val, depth)
		}
	case *gevtx.OptionalSubstitution:
		if val, i, ok := d.substitution(ti, v.SubID); ok {
			d.value(x, ti, i, val, depth)
		}
	case *gevtx.CharEntityRef:
		x.text.WriteRune(rune(uint16(v.Value)))
	case *gevtx.BinXMLEntityReference:
		x.text.WriteString(v.String())
	case *gevtx.Fragment:
		if t, ok := v.BinXMLElement.(*gevtx.TemplateInstance); ok && t != nil {
			d.instance(x, t, depth+1)
		}
	case *gevtx.TemplateInstance:
		d.instance(x, v, depth+1)
	}
}

// value adds substitution value i of ti to x.
func (d *decoder) value(x *xnode, ti *gevtx.TemplateInstance, i int, e gevtx.Element, depth int) {
	switch v := e.(type) {
	case *gevtx.Fragment:
		if t, ok := v.BinXMLElement.(*gevtx.TemplateInstance); ok && t != nil {
			d.instance(x, t, depth+1)
		}
	case *gevtx.TemplateInstance:
		d.instance(x, v, depth+1)
	case *gevtx.ValueStringTable:
		x.array, x.shifted = d.stringArray(ti, i, v)
	default:
		if s, ok := valueString(e); ok {
			d.br.spend(int64(len(s)))
			x.text.WriteString(s)
		}
	}
}

func (d *decoder) attrValue(ti *gevtx.TemplateInstance, e gevtx.Element) (string, bool) {
	switch v := e.(type) {
	case *gevtx.ValueText:
		return v.String(), true
	case *gevtx.NormalSubstitution:
		if val, _, ok := d.substitution(ti, v.SubID); ok {
			return valueString(val)
		}
	case *gevtx.OptionalSubstitution:
		if val, _, ok := d.substitution(ti, v.SubID); ok {
			return valueString(val)
		}
	case *gevtx.CharEntityRef:
		return string(rune(uint16(v.Value))), true
	case *gevtx.BinXMLEntityReference:
		return v.String(), true
	}
	return "", false
}

// stringArray returns the strings of substitution i (a string array),
// re-read from the raw bytes so that empty strings keep their place. When
// the raw bytes cannot be located with certainty it returns golang-evtx's
// list (empty strings dropped) and shifted = true.
func (d *decoder) stringArray(ti *gevtx.TemplateInstance, i int, v *gevtx.ValueStringTable) ([]string, bool) {
	ss, _ := v.Value().([]gevtx.UTF16String)
	lossy := make([]string, 0, len(ss))
	for _, s := range ss {
		lossy = append(lossy, s.ToString())
	}
	raw, ok := d.rawValue(ti, i)
	if !ok {
		return lossy, true
	}
	exact := splitUTF16Strings(raw)
	// Sanity: the non-empty strings must be golang-evtx's list.
	k := 0
	for _, s := range exact {
		if s == "" {
			continue
		}
		if k >= len(lossy) || lossy[k] != s {
			return lossy, true
		}
		k++
	}
	if k != len(lossy) {
		return lossy, true
	}
	return exact, false
}

// rawValue locates the bytes of substitution value i of ti inside the
// current record: it searches the record for the instance's value count and
// descriptor array and requires exactly one match.
func (d *decoder) rawValue(ti *gevtx.TemplateInstance, i int) ([]byte, bool) {
	descs := ti.Data.ValDescs
	if i < 0 || i >= len(descs) || len(descs) > chunkSize/4 {
		return nil, false
	}
	pat := make([]byte, 4+4*len(descs))
	binary.LittleEndian.PutUint32(pat, uint32(len(descs)))
	for j, vd := range descs {
		binary.LittleEndian.PutUint16(pat[4+4*j:], vd.Size)
		pat[4+4*j+2] = byte(vd.ValType)
		pat[4+4*j+3] = byte(vd.Unknown)
	}
	if d.recStart < 0 || d.recEnd > len(d.data) || d.recStart >= d.recEnd {
		return nil, false
	}
	rec := d.data[d.recStart:d.recEnd]
	at := indexUnique(rec, pat)
	if at < 0 {
		return nil, false
	}
	start := int64(at) + int64(len(pat))
	for j := 0; j < i; j++ {
		start += int64(descs[j].Size)
	}
	end := start + int64(descs[i].Size)
	if end > int64(len(rec)) {
		return nil, false
	}
	return rec[start:end], true
}

func indexUnique(b, pat []byte) int {
	at := -1
	for pos := 0; pos <= len(b)-len(pat); {
		j := indexFrom(b, pat, pos)
		if j < 0 {
			break
		}
		if at >= 0 {
			return -1
		}
		at = j
		pos = j + 1
	}
	return at
}

func indexFrom(b, pat []byte, pos int) int {
	j := bytes.Index(b[pos:], pat)
	if j < 0 {
		return -1
	}
	return pos + j
}

// splitUTF16Strings splits a REG_MULTI_SZ-like array of NUL-terminated
// UTF-16LE strings, keeping empty strings.
func splitUTF16Strings(b []byte) []string {
	u := make([]uint16, 0, len(b)/2)
	for k := 0; k+1 < len(b); k += 2 {
		u = append(u, binary.LittleEndian.Uint16(b[k:]))
	}
	var out []string
	startAt := 0
	for k, c := range u {
		if c == 0 {
			out = append(out, string(utf16.Decode(u[startAt:k])))
			startAt = k + 1
		}
	}
	if startAt < len(u) {
		out = append(out, string(utf16.Decode(u[startAt:])))
	}
	return out
}
