package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/hvic/hvic/report"
	"github.com/hvic/hvic/report/result"
)

// Render a stored Result (the bundled sample's scan, as JSON) as CSV and
// show the verdict columns. A Result from hvic.Scan renders the same way.
func ExampleCSV() {
	data, err := os.ReadFile("../testdata/report/sample.result.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	var res result.Result
	if err := json.Unmarshal(data, &res); err != nil {
		fmt.Println(err)
		return
	}
	var buf bytes.Buffer
	if err := report.CSV(&buf, &res, nil); err != nil {
		fmt.Println(err)
		return
	}
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\r\n") {
		cols := strings.Split(line, ",")
		fmt.Println(cols[1], cols[3], cols[5])
	}
	// Output:
	// vm_name case action
	// APP01 match none
	// DB01 incompatible-mismatch upgrade-required
	// DC01 compatible-mismatch upgrade-recommended
	// FS01 match none
	// LNX01 linux-guest ignore
	// SQL01 compatible-mismatch upgrade-recommended
	// WEB01 compatible-mismatch upgrade-recommended
}
