package hive

import (
	"errors"
	"fmt"
	"strings"
)

// maxNamed is how many offsets or keys a merged key problem names before
// "and N others".
const maxNamed = 4

// keyDamage is the damage the facts readers met in one key, told as one
// problem: the damaged cells of one kind (FormatError.What) that the
// key's own reading met, and the keys asked for below it that its damaged
// subkey list made unreadable. With no key (key == ""), it gathers the
// lookups one damaged list (the root's, an ancestor's or a parent never
// read) made unreadable.
type keyDamage struct {
	key     string  // the key whose data is damaged, as asked for
	what    string  // what was damaged ("nk cell"): the kind shared by errs
	errs    []error // the damage, as met; errs[0] is named in full
	lookups []error // the errors of the lookups it made fail, as met
	hidden  []string
	// parent and inner say, for a group of lookups, which key's damaged
	// subkey list hid them (when it is their parent) and the first damaged
	// entry met (detailOf): the key's own group absorbs them.
	parent, inner string
	dropped       bool // absorbed by the parent's own group
}

// Error returns "hive: " and Detail.
func (d *keyDamage) Error() string { return "hive: " + d.Detail() }

// Detail names the key, its first damage in full, how many more of that
// kind and where, then the keys below it that could not be read.
func (d *keyDamage) Detail() string {
	if d.key == "" {
		s := detailOf(d.lookups[0])
		if len(d.hidden) > 1 {
			s += "; also unreadable: " + named(d.hidden[1:], "")
		}
		return s
	}
	s := "key " + d.key + ": " + detailOf(d.errs[0])
	if n := len(d.errs) - 1; n > 0 {
		var at []string
		for _, err := range d.errs[1:] {
			var fe *FormatError
			if errors.As(err, &fe) {
				at = append(at, fmt.Sprintf("0x%x", fe.Offset))
			}
		}
		what := d.what + "s"
		if n == 1 {
			what = d.what
		}
		s += fmt.Sprintf("; %d more damaged %s at %s", n, what, named(at, ""))
	}
	if len(d.hidden) > 0 {
		s += "; subkeys unreadable: " + named(d.hidden, d.key)
	}
	return s
}

// Unwrap returns every error merged, the first first: errors.As finds the
// first damage, errors.Is any sentinel among them.
func (d *keyDamage) Unwrap() []error {
	return append(append([]error(nil), d.errs...), d.lookups...)
}

// named lists up to maxNamed names ("a, b, c, d and 3 others"), each
// relative to under when below it.
func named(names []string, under string) string {
	var out []string
	for i, n := range names {
		if i == maxNamed {
			out[len(out)-1] += fmt.Sprintf(" and %d others", len(names)-maxNamed)
			break
		}
		if rel, ok := cutFold(n, under+`\`); ok && under != "" {
			n = rel
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, ", ")
}

// cutFold cuts prefix from s, ignoring case.
func cutFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

// keyDamaged records err, met reading the key at path: damage at an
// offset joins the key's group of that kind; the rest is reported alone.
func (x *extractor) keyDamaged(path string, err error) {
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Offset < 0 {
		x.problems = append(x.problems, keyProblem(path, err))
		return
	}
	id := "key\x00" + strings.ToLower(joinPath(path)) + "\x00" + fe.What
	g := x.group(id)
	g.key, g.what = path, fe.What
	g.errs = append(g.errs, err)
}

// keyUnreadable records the error of a lookup of path: one that a damaged
// subkey list made fail joins the group of that damage (see keyDamage);
// any other is reported alone.
func (x *extractor) keyUnreadable(path string, err error) {
	var fe *FormatError
	ne, ok := (*nestedError)(nil), false
	if errors.As(err, &fe) {
		ne, ok = fe.Err.(*nestedError)
	}
	if !ok || !strings.HasPrefix(ne.what, "unreadable: damaged subkey list in ") {
		x.problems = append(x.problems, keyProblem(path, err))
		return
	}
	inner := detailOf(ne.inner)
	g := x.group("lookup\x00" + strings.ToLower(ne.what) + "\x00" + inner)
	if strings.HasSuffix(ne.what, " its parent") {
		parts := splitPath(path)
		g.parent = strings.Join(parts[:len(parts)-1], `\`)
	}
	g.inner = inner
	g.lookups = append(g.lookups, err)
	g.hidden = append(g.hidden, path)
}

// group returns the group of that id, added to the problems (in the
// place of its first member) when new.
func (x *extractor) group(id string) *keyDamage {
	if g, ok := x.groups[id]; ok {
		return g
	}
	if x.groups == nil {
		x.groups = map[string]*keyDamage{}
	}
	g := &keyDamage{}
	x.groups[id] = g
	x.problems = append(x.problems, g)
	return g
}

// finish merges the lookups a parent's damaged subkey list hid into the
// parent's own group (the one holding the damage that hid them), and
// gives a group of one error as that error.
func (x *extractor) finish() []error {
	for _, p := range x.problems {
		g, ok := p.(*keyDamage)
		if !ok || g.key != "" || g.parent == "" {
			continue
		}
		if own := x.ownGroup(g.parent, g.inner); own != nil {
			own.lookups = append(own.lookups, g.lookups...)
			own.hidden = append(own.hidden, g.hidden...)
			g.dropped = true
		}
	}
	out := make([]error, 0, len(x.problems))
	for _, p := range x.problems {
		g, ok := p.(*keyDamage)
		switch {
		case !ok:
			out = append(out, p)
		case g.dropped:
		case g.key != "" && len(g.errs) == 1 && len(g.hidden) == 0:
			out = append(out, keyProblem(g.key, g.errs[0]))
		case g.key == "" && len(g.lookups) == 1:
			out = append(out, g.lookups[0])
		default:
			out = append(out, g)
		}
	}
	return out
}

// ownGroup is the group of the key at path's own damage that holds the
// damage inner (the entry that hid the lookups), or nil: damage of
// another kind in the key is not what hid them.
func (x *extractor) ownGroup(path, inner string) *keyDamage {
	for _, p := range x.problems {
		g, ok := p.(*keyDamage)
		if !ok || g.key == "" || !strings.EqualFold(joinPath(g.key), path) {
			continue
		}
		for _, err := range g.errs {
			if detailOf(err) == inner {
				return g
			}
		}
	}
	return nil
}

// joinPath is path with its separators as a lookup sees them.
func joinPath(path string) string { return strings.Join(splitPath(path), `\`) }
