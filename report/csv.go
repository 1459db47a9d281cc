package report

import (
	"encoding/csv"
	"io"
	"strings"

	"github.com/hvic/hvic/report/result"
)

// csvHeader is the CSV column layout: stable English identifiers, whatever
// the language (the label and title columns are localised).
var csvHeader = []string{"host", "vm_name", "vm_id", "case", "case_label", "action", "action_label", "severity",
	"host_ic_version", "guest_ic_version", "package", "linux", "rule_ids", "title", "guest_files", "event_count"}

// csvSafe defuses spreadsheet formula injection: a cell that a spreadsheet
// would evaluate (starting with =, +, -, @, tab or CR) gets a leading
// apostrophe.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// CSV writes one row per VM (RFC 4180, CRLF line ends, UTF-8), with the
// header csvHeader. Unlike the other formats it has no report header or
// footer: every row is data, so that spreadsheets and CSV readers take the
// file as it is. Options.Filter restricts the rows; the JSON report
// carries the Run (time, inputs, tool, rule table) and the filter.
func CSV(w io.Writer, res *result.Result, opts *Options) error {
	v, err := newView(res, opts, true)
	if err != nil {
		return err
	}
	res = v.res // the escaped copy
	if v.bom {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, vm := range v.vms {
		a := vm.a
		linux := "false"
		if a.Linux {
			linux = "true"
		}
		var guests []string
		for _, iv := range res.Inventory.VMs {
			if iv.ID == vm.id && iv.Name == vm.name {
				guests = iv.Guests
			}
		}
		row := []string{vm.host, vm.name, vm.id, a.Case.String(), vm.caseLabel, a.Action.String(), vm.actionLabel,
			a.Severity.String(), vm.hostIC, vm.guestIC, a.Package.String(), linux, strings.Join(a.RuleIDs, " "),
			vm.title, strings.Join(guests, " "), itoa(len(vm.events))}
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
