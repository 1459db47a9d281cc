package report_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/report"
)

// Render the bundled sample as CSV and show the verdict columns.
func ExampleCSV() {
	res, err := hvic.Scan(context.Background(), os.DirFS("../testdata/sample"), &hvic.Options{LinuxVMs: []string{"LNX01"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	var buf bytes.Buffer
	if err := report.CSV(&buf, res, nil); err != nil {
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
