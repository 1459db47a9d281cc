package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/hvic/hvic/report/result"
)

// mdEscape makes s safe inside a Markdown table cell or line: it escapes
// the characters Markdown would interpret and flattens line breaks.
func mdEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;",
		"[", `\[`, "]", `\]`, "#", `\#`, "\r\n", " ", "\n", " ", "\r", " ")
	return r.Replace(s)
}

// mdCell is mdCode for a table cell, where a pipe ends the cell even in a
// code span unless escaped.
func mdCell(s string) string { return strings.ReplaceAll(mdCode(s), "|", `\|`) }

func mdCode(s string) string {
	s = strings.NewReplacer("`", "'", "\n", " ", "\r", " ").Replace(s)
	if s == "" {
		return "-"
	}
	return "`" + s + "`"
}

// Markdown writes a report to paste into a ticket: the header (generation
// time, inputs, tool, rule table, filter), the summary table per host,
// details per VM, problems, and a footer line.
func Markdown(w io.Writer, res *result.Result, opts *Options) error {
	v, err := newView(res, opts, true)
	if err != nil {
		return err
	}
	res = v.res // the escaped copy
	bw := bufio.NewWriter(w)
	l := v.lang
	markdownHeader(bw, v)
	for _, h := range v.hosts {
		fmt.Fprintf(bw, "\n## %s %s\n\n", tr(l, "host"), mdEscape(h.label))
		if h.inv != nil && h.inv.OS != "" {
			fmt.Fprintf(bw, "- %s: %s\n", tr(l, "host.os"), mdEscape(h.inv.OS))
		}
		if o := v.offers(h); o != "" {
			fmt.Fprintf(bw, "- %s: %s\n", tr(l, "host.offers"), mdEscape(o))
		}
		if h.inv != nil && len(h.inv.Logs) > 0 {
			for _, c := range h.inv.Logs {
				fmt.Fprintf(bw, "- %s: %s\n", tr(l, "logs"), mdEscape(v.logLine(c)))
			}
		} else if h.name != "" {
			fmt.Fprintf(bw, "- %s\n", tr(l, "logs.none"))
		}
		if len(h.vms) == 0 {
			continue
		}
		fmt.Fprintf(bw, "\n| %s | %s | %s | %s | %s |\n|---|---|---|---|---|\n",
			tr(l, "col.vm"), tr(l, "col.case"), tr(l, "col.action"), tr(l, "col.hostic"), tr(l, "col.guestic"))
		for _, vm := range h.vms {
			action := mdEscape(vm.actionLabel)
			if vm.needsAction {
				action = "**" + action + "**"
			}
			fmt.Fprintf(bw, "| %s | %s | %s | %s | %s |\n", mdEscape(vm.label), mdEscape(vm.caseLabel), action, mdCell(vm.hostIC), mdCell(vm.guestIC))
		}
	}
	if len(v.vms) > 0 {
		fmt.Fprintf(bw, "\n## %s\n", tr(l, "details"))
	}
	for _, vm := range v.vms {
		markdownVM(bw, v, vm)
	}
	if len(v.other) > 0 {
		fmt.Fprintf(bw, "\n## %s\n\n", tr(l, "findings.other"))
		for _, f := range v.other {
			fmt.Fprintf(bw, "- %s %s — %s\n", mdCode(f.RuleID), mdEscape(orDash(f.Host)), mdEscape(v.ruleText(f.RuleID).Title))
		}
	}
	if hints, steps, ok := v.noHyperV(); ok {
		fmt.Fprintf(bw, "\n## %s\n\n%s:\n\n", tr(l, "nohyperv.title"), tr(l, "nohyperv.hints"))
		for _, h := range hints {
			fmt.Fprintf(bw, "- %s\n", mdEscape(h))
		}
		fmt.Fprintf(bw, "\n%s:\n\n", tr(l, "nohyperv.collect"))
		for _, c := range steps {
			fmt.Fprintf(bw, "- %s\n", mdCode(c))
		}
	}
	markdownProblems(bw, v)
	if len(res.Inventory.Skipped) > 0 {
		fmt.Fprintf(bw, "\n## %s (%d)\n\n", tr(l, "skipped"), len(res.Inventory.Skipped))
		for _, s := range res.Inventory.Skipped {
			fmt.Fprintf(bw, "- %s: %s\n", mdCode(s.Path), mdEscape(skipReason(s)))
		}
	}
	fmt.Fprintf(bw, "\n---\n\n%s\n", mdEscape(v.footer()))
	return bw.Flush()
}

// markdownHeader writes the title, the header (Run and filter), the
// status and the summary.
func markdownHeader(bw *bufio.Writer, v *view) {
	l := v.lang
	fmt.Fprintf(bw, "# %s\n\n", tr(l, "title"))
	for _, h := range v.header() {
		fmt.Fprintf(bw, "- %s: %s\n", h.label, mdCode(h.value))
	}
	fmt.Fprintln(bw)
	fmt.Fprintf(bw, "**%s:** %s  \n%s\n", tr(l, "status"), mdEscape(v.statusLabel()), mdEscape(v.summary()))
}

// markdownVM writes one VM's details.
func markdownVM(bw *bufio.Writer, v *view, vm *vmView) {
	l := v.lang
	fmt.Fprintf(bw, "\n### %s — %s\n\n", mdEscape(vm.label), mdEscape(vm.caseLabel))
	if vm.id != "" {
		fmt.Fprintf(bw, "- %s: %s\n", tr(l, "col.id"), mdCode(vm.id))
	}
	fmt.Fprintf(bw, "- %s: %s\n", tr(l, "col.host"), mdEscape(vm.hostLabel))
	guest := mdCode(vm.guestIC)
	if vm.replayed {
		guest += " (" + mdEscape(tr(l, "replayed")) + ")"
	}
	fmt.Fprintf(bw, "- %s: %s → %s: %s\n", tr(l, "col.hostic"), mdCode(vm.hostIC), tr(l, "col.guestic"), guest)
	if os := vm.a.GuestOS.Name; os != "" {
		fmt.Fprintf(bw, "- %s: %s\n", tr(l, "guest.os"), mdEscape(os))
	}
	fmt.Fprintf(bw, "- %s: **%s** (%s)\n", tr(l, "col.action"), mdEscape(vm.actionLabel), mdEscape(vm.sevLabel))
	fmt.Fprintf(bw, "- %s: %s — %s\n", tr(l, "col.rules"), mdCode(vm.rule), mdEscape(vm.title))
	if why := v.explanation(vm); len(why) > 0 {
		fmt.Fprintf(bw, "- %s:\n", tr(l, "why"))
		for _, line := range why {
			fmt.Fprintf(bw, "  - %s\n", mdEscape(line))
		}
	}
	if vm.description != "" {
		fmt.Fprintf(bw, "- %s: %s\n", tr(l, "what"), mdEscape(vm.description))
	}
	if vm.todo != "" {
		fmt.Fprintf(bw, "- %s: %s\n", tr(l, "todo"), mdEscape(vm.todo))
	}
	if vm.howTo != "" {
		fmt.Fprintf(bw, "- %s: %s\n", tr(l, "howto"), mdEscape(vm.howTo))
	}
	for _, f := range vm.findings {
		if f.RuleID != vm.rule {
			fmt.Fprintf(bw, "- %s — %s\n", mdCode(f.RuleID), mdEscape(v.ruleText(f.RuleID).Title))
		}
	}
	if m := v.missing(vm.a); len(m) > 0 {
		fmt.Fprintf(bw, "- %s: %s\n", tr(l, "missing"), mdEscape(strings.Join(m, "; ")))
	}
	if refs := vm.refs(); len(refs) > 0 {
		fmt.Fprintf(bw, "- %s:\n", tr(l, "evidence"))
		for _, r := range refs {
			fmt.Fprintf(bw, "  - %s\n", mdCode(v.vmRefText(vm, r)))
		}
	}
}

// markdownProblems writes the problems, the guesses and the other files'
// damage (inside a collapsed <details>), each as a list of files with
// their problems under them.
func markdownProblems(bw *bufio.Writer, v *view) {
	for _, part := range v.problemParts() {
		fmt.Fprintf(bw, "\n## %s (%d)\n\n", part.Title, part.Count)
		if part.Secondary {
			fmt.Fprintf(bw, "<details><summary>%s</summary>\n\n", mdEscape(part.Note))
		} else if part.Note != "" {
			fmt.Fprintf(bw, "*%s*\n\n", mdEscape(part.Note))
		}
		if part.Count == 0 {
			fmt.Fprintf(bw, "%s\n", tr(v.lang, "problems.none"))
		}
		for _, f := range part.Files {
			fmt.Fprintf(bw, "- %s\n", mdCode(f.File))
			for _, it := range f.Items {
				fmt.Fprintf(bw, "  - **%s** %s: %s\n", mdEscape(it.Level), mdEscape(it.Label), mdCode(it.Message))
			}
		}
		if part.Secondary {
			fmt.Fprintf(bw, "\n</details>\n")
		}
	}
}
