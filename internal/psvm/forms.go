package psvm

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// reader collects objects and problems, bounded by MaxRows.
type reader struct {
	o        Options
	objs     []object
	seen     map[string]bool
	problems []Problem
	full     bool
}

func (r *reader) add(ob object) {
	if len(ob.props) == 0 {
		return
	}
	if len(r.objs) >= r.o.MaxRows {
		if !r.full {
			r.full = true
			r.problems = append(r.problems, Problem{Line: ob.line,
				What: fmt.Sprintf("more than %d objects: the rest are not read", r.o.MaxRows)})
		}
		return
	}
	for k := range ob.props {
		r.seen[k] = true
	}
	r.objs = append(r.objs, ob)
}

func (r *reader) problem(line int, format string, args ...any) {
	if len(r.problems) < 1000 {
		r.problems = append(r.problems, Problem{Line: line, What: fmt.Sprintf(format, args...)})
	}
}

// list reads Format-List text: "Key : value" lines, objects separated by
// blank lines (or by a key seen twice), long values wrapped onto indented
// continuation lines.
func (r *reader) list(ls []string) {
	var cur object
	last := ""
	flush := func() {
		r.add(cur)
		cur, last = object{}, ""
	}
	for i, l := range ls {
		s := strings.TrimSpace(l)
		if s == "" {
			flush()
			continue
		}
		if m := reListLine.FindStringSubmatch(s); m != nil && !strings.HasPrefix(l, " ") {
			k := strings.ToLower(m[1])
			if _, dup := cur.props[k]; dup {
				flush()
			}
			if cur.props == nil {
				cur.line = i + 1
			}
			cur.set(k, m[2])
			last = k
			continue
		}
		if last != "" && strings.HasPrefix(l, " ") {
			// A wrapped value: the console broke it at its width.
			if len(cur.props[last]) < maxValue {
				cur.props[last] = strings.TrimSpace(cur.props[last] + " " + s)
			}
			continue
		}
		r.problem(i+1, "line is not \"Property : value\"")
	}
	flush()
}

// maxValue caps a wrapped Format-List value, so that appending its
// continuation lines stays linear.
const maxValue = 64 << 10

// column is one Format-Table column, in display cells.
type column struct {
	key        string
	start, end int // end < 0: to the end of the line
}

// table reads Format-Table text: a header line, a line of dashes under
// each column, rows; a header repeated later starts a new table.
func (r *reader) table(ls []string) {
	var cols []column
	for i := 0; i < len(ls); i++ {
		l := ls[i]
		if strings.TrimSpace(l) == "" {
			continue
		}
		if i+1 < len(ls) && reDashes.MatchString(ls[i+1]) {
			cols = r.columns(l, ls[i+1], i+1)
			i++
			continue
		}
		if cols == nil {
			r.problem(i+1, "text before the table header")
			continue
		}
		ob := object{line: i + 1}
		for j, v := range splitRow(l, cols) {
			if cols[j].key != "" {
				ob.set(cols[j].key, v)
			}
		}
		r.add(ob)
	}
}

// columns reads the column positions from the dashes line and names them
// from the header line.
func (r *reader) columns(head, dashes string, line int) []column {
	var cols []column
	w := 0
	in := false
	for _, c := range dashes {
		switch {
		case c == '-' && !in:
			cols = append(cols, column{start: w, end: -1})
			in = true
		case c != '-' && in:
			in = false
		}
		w += cellWidth(c)
	}
	for i := range cols {
		if i+1 < len(cols) {
			cols[i].end = cols[i+1].start
		}
		h := cells(head, cols[i].start, cols[i].end)
		if k, ok := matchHeader(h); ok {
			cols[i].key = k
			r.seen[k] = true
		}
	}
	if len(cols) == 0 {
		r.problem(line, "table header without columns")
	}
	return cols
}

// splitRow cuts a table row into its columns' text, trimmed, in one pass.
func splitRow(l string, cols []column) []string {
	out := make([]string, len(cols))
	j, w, from := 0, 0, 0
	for i, c := range l {
		for j+1 < len(cols) && w >= cols[j+1].start {
			out[j] = strings.TrimSpace(l[from:i])
			j, from = j+1, i
		}
		w += cellWidth(c)
	}
	if j < len(cols) && len(cols) > 0 {
		out[j] = strings.TrimSpace(l[from:])
	}
	return out
}

// cells returns the text of l between display cells start and end (end < 0:
// to the end), trimmed. East Asian wide characters take two cells, as on
// the console.
func cells(l string, start, end int) string {
	var b strings.Builder
	w := 0
	for _, c := range l {
		if end >= 0 && w >= end {
			break
		}
		if w >= start {
			b.WriteRune(c)
		}
		w += cellWidth(c)
	}
	return strings.TrimSpace(b.String())
}

// cellWidth is the console width of c: 2 for East Asian wide and
// full-width characters, 1 otherwise.
func cellWidth(c rune) int {
	switch {
	case c >= 0x1100 && c <= 0x115F, c >= 0x2E80 && c <= 0xA4CF, c >= 0xAC00 && c <= 0xD7A3,
		c >= 0xF900 && c <= 0xFAFF, c >= 0xFE30 && c <= 0xFE4F, c >= 0xFF00 && c <= 0xFF60,
		c >= 0xFFE0 && c <= 0xFFE6, c >= 0x20000 && c <= 0x3FFFD:
		return 2
	}
	return 1
}

// csvText reads Export-Csv / ConvertTo-Csv output, with or without the
// "#TYPE" line, delimited by comma, semicolon or tab.
func (r *reader) csvText(text string) {
	ls := lines(text)
	skip := 0
	for skip < len(ls) && (strings.TrimSpace(ls[skip]) == "" || strings.HasPrefix(strings.TrimSpace(ls[skip]), "#")) {
		skip++
	}
	if skip >= len(ls) {
		return
	}
	cr := csv.NewReader(strings.NewReader(strings.Join(ls[skip:], "\n")))
	cr.Comma = delimiter(ls[skip])
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	head, err := cr.Read()
	if err != nil {
		r.problem(skip+1, "csv header: %v", err)
		return
	}
	keys := make([]string, len(head))
	for i, h := range head {
		if k, ok := matchHeader(h); ok {
			keys[i] = k
			r.seen[k] = true
		}
	}
	for {
		rec, err := cr.Read()
		line, _ := cr.FieldPos(0)
		if err == io.EOF {
			return
		}
		if err != nil {
			r.problem(skip+line, "csv: %v", err)
			if errors.Is(err, csv.ErrFieldCount) {
				continue
			}
			return
		}
		ob := object{line: skip + line}
		for i, v := range rec {
			if i < len(keys) && keys[i] != "" {
				ob.set(keys[i], v)
			}
		}
		r.add(ob)
	}
}

// delimiter picks the most frequent of comma, semicolon and tab in the
// header line.
func delimiter(head string) rune {
	best, n := ',', strings.Count(head, ",")
	for _, c := range []rune{';', '\t'} {
		if k := strings.Count(head, string(c)); k > n {
			best, n = c, k
		}
	}
	return best
}

// jsonText reads ConvertTo-Json output: one object or an array of them.
func (r *reader) jsonText(text string) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		r.problem(0, "json: %v", err)
		return
	}
	raw = bytes.TrimSpace(raw)
	var items []json.RawMessage
	if len(raw) > 0 && raw[0] == '[' {
		if err := json.Unmarshal(raw, &items); err != nil {
			r.problem(0, "json: %v", err)
			return
		}
	} else {
		items = []json.RawMessage{raw}
	}
	for i, it := range items {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(it, &m); err != nil {
			r.problem(i+1, "json item is not an object")
			continue
		}
		ob := object{line: i + 1}
		names := make([]string, 0, len(m))
		for k := range m {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			v := m[k]
			lk := strings.ToLower(k)
			if _, ok := matchHeader(lk); !ok {
				continue
			}
			if s, ok := jsonValue(lk, v); ok {
				ob.set(lk, s)
			} else {
				r.problem(i+1, "json property %s: value not understood", k)
			}
		}
		r.add(ob)
	}
}
