package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/width"

	"github.com/hvic/hvic/report/result"
)

// dispWidth is the number of terminal columns s takes: two for East Asian
// wide and full-width characters (Japanese), one otherwise.
func dispWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

func pad(s string, w int) string {
	if d := w - dispWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// table writes rows as aligned columns, the first row a header underlined
// with dashes.
func table(w io.Writer, indent string, rows [][]string) {
	if len(rows) == 0 {
		return
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			if i < len(widths) && dispWidth(c) > widths[i] {
				widths[i] = dispWidth(c)
			}
		}
	}
	line := func(r []string) {
		var b strings.Builder
		b.WriteString(indent)
		for i, c := range r {
			if i == len(r)-1 {
				b.WriteString(c)
			} else {
				b.WriteString(pad(c, widths[i]))
				b.WriteString("  ")
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(rows[0])
	dash := make([]string, len(widths))
	for i, n := range widths {
		dash[i] = strings.Repeat("-", n)
	}
	line(dash)
	for _, r := range rows[1:] {
		line(r)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Text writes a plain-text report: a header (generation time, inputs,
// tool, rule table, filter), a summary table per host (VM, case, action,
// host IC, guest IC), then the details of every VM with its evidence, then
// problems and skipped files, and a footer line.
func Text(w io.Writer, res *result.Result, opts *Options) error {
	v, err := newView(res, opts, true)
	if err != nil {
		return err
	}
	res = v.res // the escaped copy
	bw := bufio.NewWriter(w)
	l := v.lang
	textHeader(bw, v)
	for _, h := range v.hosts {
		fmt.Fprintf(bw, "\n%s %s\n", tr(l, "host"), h.label)
		if h.inv != nil && h.inv.OS != "" {
			fmt.Fprintf(bw, "  %s: %s\n", tr(l, "host.os"), h.inv.OS)
		}
		if o := v.offers(h); o != "" {
			fmt.Fprintf(bw, "  %s: %s\n", tr(l, "host.offers"), o)
		}
		if h.inv != nil && len(h.inv.Logs) > 0 {
			fmt.Fprintf(bw, "  %s:\n", tr(l, "logs"))
			for _, c := range h.inv.Logs {
				fmt.Fprintf(bw, "    %s\n", v.logLine(c))
			}
		} else if h.name != "" {
			fmt.Fprintf(bw, "  %s\n", tr(l, "logs.none"))
		}
		if len(h.vms) == 0 {
			continue
		}
		fmt.Fprintln(bw)
		rows := [][]string{{tr(l, "col.vm"), tr(l, "col.case"), tr(l, "col.action"), tr(l, "col.hostic"), tr(l, "col.guestic")}}
		for _, vm := range h.vms {
			rows = append(rows, []string{vm.label, vm.caseLabel, vm.actionLabel, orDash(vm.hostIC), orDash(vm.guestIC)})
		}
		table(bw, "  ", rows)
	}
	if len(v.vms) > 0 {
		fmt.Fprintf(bw, "\n%s\n", tr(l, "details"))
	}
	for _, vm := range v.vms {
		textVM(bw, v, vm)
	}
	if len(v.other) > 0 {
		fmt.Fprintf(bw, "\n%s\n", tr(l, "findings.other"))
		for _, f := range v.other {
			fmt.Fprintf(bw, "* %s %s: %s\n", f.RuleID, orDash(f.Host), v.ruleText(f.RuleID).Title)
			for _, r := range f.Refs {
				fmt.Fprintf(bw, "    - %s\n", v.refText(r))
			}
		}
	}
	if hints, steps, ok := v.noHyperV(); ok {
		fmt.Fprintf(bw, "\n%s\n  %s:\n", tr(l, "nohyperv.title"), tr(l, "nohyperv.hints"))
		for _, h := range hints {
			fmt.Fprintf(bw, "    - %s\n", h)
		}
		fmt.Fprintf(bw, "  %s:\n", tr(l, "nohyperv.collect"))
		for _, c := range steps {
			fmt.Fprintf(bw, "    - %s\n", c)
		}
	}
	textProblems(bw, v)
	fmt.Fprintf(bw, "\n%s (%d)\n", tr(l, "skipped"), len(res.Inventory.Skipped))
	for _, s := range res.Inventory.Skipped {
		fmt.Fprintf(bw, "  %s: %s\n", s.Path, skipReason(s))
	}
	fmt.Fprintf(bw, "\n-- %s\n", v.footer())
	return bw.Flush()
}

// textHeader writes the title, the header (Run and filter), the status
// and the summary.
func textHeader(bw *bufio.Writer, v *view) {
	l := v.lang
	fmt.Fprintf(bw, "%s\n", tr(l, "title"))
	for _, h := range v.header() {
		fmt.Fprintf(bw, "%s: %s\n", h.label, h.value)
	}
	fmt.Fprintf(bw, "%s: %s\n", tr(l, "status"), v.statusLabel())
	fmt.Fprintf(bw, "%s\n", v.summary())
}

// textVM writes one VM's details.
func textVM(bw *bufio.Writer, v *view, vm *vmView) {
	l := v.lang
	fmt.Fprintf(bw, "\n* %s", vm.label)
	if vm.id != "" {
		fmt.Fprintf(bw, " {%s}", vm.id)
	}
	fmt.Fprintf(bw, " @ %s\n", vm.hostLabel)
	fmt.Fprintf(bw, "  %s / %s / %s: %s\n", vm.caseLabel, vm.actionLabel, vm.rule, vm.title)
	fmt.Fprintf(bw, "  %s: %s → %s: %s\n", tr(l, "col.hostic"), orDash(vm.hostIC), tr(l, "col.guestic"), v.guestICText(vm))
	if os := vm.a.GuestOS.Name; os != "" {
		fmt.Fprintf(bw, "  %s: %s\n", tr(l, "guest.os"), os)
	}
	if why := v.explanation(vm); len(why) > 0 {
		fmt.Fprintf(bw, "  %s:\n", tr(l, "why"))
		for _, line := range why {
			fmt.Fprintf(bw, "    - %s\n", line)
		}
	}
	if vm.description != "" {
		fmt.Fprintf(bw, "  %s: %s\n", tr(l, "what"), vm.description)
	}
	if vm.todo != "" {
		fmt.Fprintf(bw, "  %s: %s\n", tr(l, "todo"), vm.todo)
	}
	if vm.howTo != "" {
		fmt.Fprintf(bw, "  %s: %s\n", tr(l, "howto"), vm.howTo)
	}
	for _, f := range vm.findings {
		if f.RuleID == vm.rule {
			continue
		}
		fmt.Fprintf(bw, "  + %s: %s\n", f.RuleID, v.ruleText(f.RuleID).Title)
	}
	if m := v.missing(vm.a); len(m) > 0 {
		fmt.Fprintf(bw, "  %s: %s\n", tr(l, "missing"), strings.Join(m, "; "))
	}
	if refs := vm.refs(); len(refs) > 0 {
		fmt.Fprintf(bw, "  %s:\n", tr(l, "evidence"))
		for _, r := range refs {
			fmt.Fprintf(bw, "    - %s\n", v.vmRefText(vm, r))
		}
	}
}

// textProblems writes the problems, the guesses and the other files'
// damage, each grouped by file.
func textProblems(bw *bufio.Writer, v *view) {
	for _, part := range v.problemParts() {
		fmt.Fprintf(bw, "\n%s (%d)\n", part.Title, part.Count)
		if part.Note != "" {
			fmt.Fprintf(bw, "  (%s)\n", part.Note)
		}
		for _, f := range part.Files {
			fmt.Fprintf(bw, "  %s\n", f.File)
			for _, it := range f.Items {
				fmt.Fprintf(bw, "    [%s] %s: %s\n", it.Level, it.Label, it.Message)
			}
		}
	}
}
