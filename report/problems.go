package report

import (
	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

// The problems of a Result are shown in three parts, each grouped by file
// (the file once, its problems under it):
//
//   - the problems proper: damage, refusals and gaps in files that may hold
//     IC evidence (warning and error levels);
//   - the guesses the scan made (result.ProblemCode.Guess), apart from
//     damage;
//   - damage in other files, which cannot hold IC evidence (info level): a
//     secondary part, collapsed in HTML.

// problemPart is one of the three parts.
type problemPart struct {
	Key       string // message key of the title: "problems", "problems.guesses", "problems.other"
	Title     string // the title in the report's language
	Note      string // a line under the title ("" for none)
	Count     int    // problems in the part
	Files     []problemFile
	Secondary bool // shown collapsed (HTML) or after the rest
}

// problemFile is one file's problems within a part.
type problemFile struct {
	File  string // the display path; a placeholder for a problem of no file
	Items []problemItem
}

// problemItem is one problem: its level and kind in words, and its
// message (which does not repeat the file).
type problemItem struct {
	Level, Class, Label, Message string
}

// problemParts splits the problems into the main part (always present),
// the guesses and the other files (present when not empty).
func (v *view) problemParts() []problemPart {
	l := v.lang
	parts := []problemPart{
		{Key: "problems"},
		{Key: "problems.guesses", Note: tr(l, "problems.guesses.note")},
		{Key: "problems.other", Note: tr(l, "problems.other.note"), Secondary: true},
	}
	index := map[*problemPart]map[string]int{} // a file's place in its part, in order of first problem
	for i := range parts {
		index[&parts[i]] = map[string]int{}
	}
	for _, p := range v.res.Problems {
		part := &parts[0]
		switch {
		case p.Severity == result.SeverityInfo:
			part = &parts[2]
		case p.Code.Guess():
			part = &parts[1]
		}
		part.Count++
		item := problemItem{Level: tr(l, "sev."+problemLevel(p)), Class: problemLevel(p),
			Label: codeLabel(l, p.Code.String()), Message: p.Message}
		file := p.File
		if file == "" {
			file = tr(l, "problems.nofile")
		}
		if i, ok := index[part][file]; ok {
			part.Files[i].Items = append(part.Files[i].Items, item)
			continue
		}
		index[part][file] = len(part.Files)
		part.Files = append(part.Files, problemFile{File: file, Items: []problemItem{item}})
	}
	out := parts[:1]
	for _, p := range parts[1:] {
		if p.Count > 0 {
			out = append(out, p)
		}
	}
	for i := range out {
		out[i].Title = tr(l, out[i].Key)
	}
	return out
}

// problemLevel is a problem's level for people: "guess" for a guess, else
// its severity as a problem level ("info", "warning", "error"; "unknown"
// for none). The names are message keys ("sev.guess") and CSS classes.
func problemLevel(p result.Problem) string {
	if p.Code.Guess() {
		return "guess"
	}
	switch {
	case p.Severity == 0:
		return "unknown"
	case p.Severity >= kb.SeverityHigh:
		return "error"
	case p.Severity > kb.SeverityInfo:
		return "warning"
	}
	return "info"
}
