package hive

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// subkeyWalker enumerates the nk offsets of a subkey list (lf, lh, li, or
// ri over those), with a visited set over list cells and a nesting cap.
type subkeyWalker struct {
	h       *Hive
	visited map[uint32]bool
	n       int
	limit   int
}

// errStop ends a walk early without an error.
var errStop = errors.New("stop")

// each calls fn for each nk offset of the list at off, in stored order.
func (w *subkeyWalker) each(off uint32, depth int, fn func(nk uint32) error) error {
	h := w.h
	if depth > h.opts.MaxDepth || depth > 8 {
		return h.errAt(off, "ri list", ErrCorrupt, "index lists nested %d deep", depth)
	}
	if w.visited[off] {
		return h.errAt(off, "subkey list", ErrCorrupt, "subkey list cell referenced twice (loop)")
	}
	w.visited[off] = true
	c, err := h.cell(off, "subkey list")
	if err != nil {
		return err
	}
	if len(c) < 4 {
		return h.errAt(off, "subkey list", ErrCorrupt, "list cell of %d bytes", len(c))
	}
	count := int64(le.Uint16(c[2:]))
	kind := sig(c)
	var stride int64
	switch kind {
	case "lf", "lh":
		stride = 8
	case "li", "ri":
		stride = 4
	default:
		return h.errAt(off, "subkey list", ErrCorrupt, "unknown list signature %q", kind)
	}
	if count*stride > int64(len(c))-4 {
		return h.errAt(off, kind+" list", ErrCorrupt, "%d elements overrun the %d-byte cell", count, len(c))
	}
	for i := int64(0); i < count; i++ {
		elem := le.Uint32(c[4+i*stride:])
		if kind == "ri" {
			if err := w.each(elem, depth+1, fn); err != nil {
				return err
			}
			continue
		}
		w.n++
		if w.n > w.limit {
			return h.errAt(off, kind+" list", ErrTooLarge, "more than %d subkeys", w.limit)
		}
		if err := fn(elem); err != nil {
			return err
		}
	}
	return nil
}

// subkeys calls fn for each subkey nk offset of k.
func (h *Hive) subkeys(k keyNode, fn func(nk uint32) error) error {
	if k.subkeyCount == 0 || k.subkeyList == nilOffset {
		return nil
	}
	w := subkeyWalker{h: h, visited: make(map[uint32]bool), limit: h.opts.MaxSubkeys}
	return w.each(k.subkeyList, 0, fn)
}

// lookup resolves path from the root: the nk offset and the stored
// spelling of each component. A component not found where the parent's
// subkey list is damaged (a bad list or cell, an entry that is the key
// itself, the root or another key's child, fewer entries than the key
// declares) is ErrCorrupt, "unreadable", never ErrKeyNotFound: the key
// may exist and be unreachable.
func (h *Hive) lookup(path string) (uint32, []string, error) {
	parts := splitPath(path)
	if len(parts) > h.opts.MaxDepth {
		return 0, nil, fmt.Errorf("hive: %q: %w: deeper than %d keys", path, ErrTooLarge, h.opts.MaxDepth)
	}
	cur, err := h.keyNode(h.root)
	if err != nil {
		return 0, nil, err
	}
	names := make([]string, 0, len(parts))
	for i, want := range parts {
		next, found, damage := h.child(cur, want)
		if !found {
			where := strings.Join(parts[:i+1], `\`)
			if damage != nil {
				// The key asked for is named once, with the key whose
				// subkey list hid it: its parent or an ancestor on the path.
				in := "its parent"
				switch {
				case i == 0:
					in = "the root"
				case i < len(parts)-1:
					in = "its ancestor " + quoteKey(names[len(names)-1:])
				}
				return 0, nil, &FormatError{File: h.name, Offset: -1, What: "key " + strings.Join(parts, `\`), Err: &nestedError{kind: ErrCorrupt, what: "unreadable: damaged subkey list in " + in, inner: damage}}
			}
			return 0, nil, &FormatError{File: h.name, Offset: -1, What: where, Err: ErrKeyNotFound}
		}
		names = append(names, next.name)
		cur = next
	}
	return cur.off, names, nil
}

// child finds the subkey of cur named want. damage is the first sign that
// the list is damaged, so that a miss may not mean absence.
func (h *Hive) child(cur keyNode, want string) (next keyNode, found bool, damage error) {
	listed := 0
	err := h.subkeys(cur, func(nk uint32) error {
		listed++
		k, err := h.keyNode(nk)
		switch {
		case err != nil:
			damage = cmp.Or(damage, err) // a bad sibling does not hide a good match
			return nil
		case nk == cur.off || nk == h.root || k.parent != cur.off:
			damage = cmp.Or(damage, h.errAt(nk, "nk cell", ErrCorrupt, "subkey list entry %q is the key itself, the root or another key's subkey", k.name))
		}
		if equalFold(k.name, want) {
			next, found = k, true
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		damage = err
	}
	if !found && damage == nil && uint32(listed) != cur.subkeyCount {
		damage = h.errAt(cur.off, "nk cell", ErrCorrupt, "says %d subkeys, lists hold %d", cur.subkeyCount, listed)
	}
	return next, found, damage
}

// quoteKey names a key path for messages ("the root" for none).
func quoteKey(names []string) string {
	if len(names) == 0 {
		return "the root"
	}
	return fmt.Sprintf("%q", strings.Join(names, `\`))
}

// walk visits the key at off and its subtree depth first.
func (h *Hive) walk(off uint32, path string, fn func(*Key, error) error) error {
	visited := make(map[uint32]bool)
	var rec func(off uint32, path string, depth int) error
	rec = func(off uint32, path string, depth int) error {
		if visited[off] {
			return fn(nil, h.errAt(off, path, ErrCorrupt, "key node reached twice (loop or duplicate)"))
		}
		visited[off] = true
		if depth > h.opts.MaxDepth {
			return fn(nil, h.errAt(off, path, ErrTooLarge, "keys nested deeper than %d", h.opts.MaxDepth))
		}
		key, err := h.readKey(off, path)
		if err != nil {
			return fn(nil, err)
		}
		if err := fn(key, nil); err != nil {
			if errors.Is(err, fs.SkipDir) {
				return nil
			}
			return err
		}
		k, err := h.keyNode(off)
		if err != nil {
			return fn(nil, err)
		}
		var kids []uint32
		if err := h.subkeys(k, func(nk uint32) error {
			kids = append(kids, nk)
			return nil
		}); err != nil {
			if err := fn(nil, err); err != nil {
				return err
			}
		}
		for _, nk := range kids {
			sk, err := h.childNode(off, nk)
			if err != nil {
				if err := fn(nil, err); err != nil {
					return err
				}
				continue
			}
			p := sk.name
			if path != "" {
				p = path + `\` + sk.name
			}
			if err := rec(nk, p, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return rec(off, path, 0)
}
