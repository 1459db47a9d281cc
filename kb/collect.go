package kb

import (
	"fmt"
	"strings"
)

// Command is one thing to run on a host or in a guest whose output hvic
// reads: the advice for a kind of missing evidence, as data.
type Command struct {
	ID    string // "guest-reg-query", "host-get-vm", ...
	Side  string // "host" or "guest": where to run it
	Shell string // "cmd" or "powershell"
	// Reads names the form hvic reads the output as: "reg-query" (reg
	// query /s text), "hive" (a saved hive), "evtx" (an exported log),
	// "get-vm-csv" (Get-VM through Export-Csv).
	Reads string
	// Line is the command with the placeholders <host> and <vm> for the
	// output file name; see Command.For.
	Line    string
	Missing []Missing // the missing evidence its output supplies
	texts   texts
}

// Text returns the command's title and description in lang, falling back
// to English.
func (c Command) Text(lang string) Text { return c.texts.pick(lang) }

// For returns Line with <host> and <vm> replaced by the names given, made
// safe as file names (characters other than letters, digits, '.', '-'
// and '_' become '_'); an empty name leaves its placeholder.
func (c Command) For(host, vm string) string {
	s := c.Line
	if n := fileSafe(host); n != "" {
		s = strings.ReplaceAll(s, "<host>", n)
	}
	if n := fileSafe(vm); n != "" {
		s = strings.ReplaceAll(s, "<vm>", n)
	}
	return s
}

func fileSafe(s string) string {
	s = strings.Trim(s, " \t\r\n\x00")
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
}

// Collect returns the commands whose output supplies the missing
// evidence m, in table order (nil when the table has none).
func (t *Table) Collect(m Missing) []Command {
	var out []Command
	for _, c := range t.commands {
		for _, x := range c.Missing {
			if x == m {
				out = append(out, copyCommand(c))
				break
			}
		}
	}
	return out
}

// Commands returns every collection command of the table, in order.
func (t *Table) Commands() []Command {
	out := make([]Command, len(t.commands))
	for i, c := range t.commands {
		out[i] = copyCommand(c)
	}
	return out
}

func copyCommand(c Command) Command {
	c.Missing = append([]Missing(nil), c.Missing...)
	return c
}

type rawCommand struct {
	ID      string          `json:"id"`
	Side    string          `json:"side"`
	Shell   string          `json:"shell"`
	Reads   string          `json:"reads"`
	Missing []Missing       `json:"missing"`
	Command string          `json:"command"`
	Text    map[string]Text `json:"text"`
}

// commands checks and adds the table's collection commands.
func (b *builder) commands(list []rawCommand) error {
	for i, c := range list {
		path := fmt.Sprintf("collect[%d]", i)
		if err := b.claim("collect:"+c.ID, path); err != nil {
			return err
		}
		switch {
		case c.Side != "host" && c.Side != "guest":
			return invalid(path, "side %q, want host or guest", c.Side)
		case c.Shell != "cmd" && c.Shell != "powershell":
			return invalid(path, "shell %q, want cmd or powershell", c.Shell)
		case strings.TrimSpace(c.Command) == "":
			return invalid(path, "no command")
		case strings.TrimSpace(c.Reads) == "":
			return invalid(path, "no reads")
		case len(c.Missing) == 0:
			return invalid(path, "supplies no missing evidence")
		}
		for _, m := range c.Missing {
			if m == 0 {
				return invalid(path, "missing %q", m)
			}
		}
		tx, err := checkText(path, c.Text, false)
		if err != nil {
			return err
		}
		b.t.commands = append(b.t.commands, Command{ID: c.ID, Side: c.Side, Shell: c.Shell, Reads: c.Reads,
			Line: c.Command, Missing: append([]Missing(nil), c.Missing...), texts: tx})
	}
	return nil
}
