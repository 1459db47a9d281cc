package hvic_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/internal/evtxwriter"
	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report"
	"github.com/hvic/hvic/report/result"
)

// guestDrivers is a record of a guest's Hyper-V Guest-Drivers log.
func guestDrivers(host string) evtxwriter.Event {
	return evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-Guest-Drivers", EventID: 1, Level: 4, Time: mar,
		Channel: "Microsoft-Windows-Hyper-V-Guest-Drivers/Admin", Computer: host, Layout: evtxwriter.Manifest,
		Data: []evtxwriter.Field{{Name: "Message", Value: "started"}}}
}

// guestDriver is a record a Hyper-V guest driver (netvsc, storvsc) writes
// in the guest's System log, as a classic event source.
func guestDriver(provider string, id uint16, host string) evtxwriter.Event {
	return evtxwriter.Event{Provider: provider, EventID: id, Level: 4, Time: mar, Channel: "System", Computer: host,
		Layout: evtxwriter.Classic, Data: []evtxwriter.Field{{Value: "Microsoft Hyper-V Network Adapter"}}}
}

// TestScanNoHyperVEvidence (issue 12 item 7): a collection with no IC
// evidence says so, lists the Hyper-V traces seen with the side they point
// to, and gives kb's collection commands; every renderer shows it. A
// collection with VMs carries none of it.
func TestScanNoHyperVEvidence(t *testing.T) {
	tests := []struct {
		name  string
		c     collection
		hints []result.Hint // nil: the Result has VMs, no NoHyperV
	}{
		{"guest Guest-Drivers log", collection{
			"pc/Microsoft-Windows-Hyper-V-Guest-Drivers%4Admin.evtx": evtxOf(t, guestDrivers("web01")),
			"pc/System.evtx": evtxOf(t, scm("web01", mar)),
		}, []result.Hint{{File: "pc/Microsoft-Windows-Hyper-V-Guest-Drivers%4Admin.evtx", What: "guest-drivers-log", Side: "guest"}}},
		{"host hive without VMs", collection{
			"HV01/SOFTWARE": hostHive(t, shapeNamed(t, "2012R2"), map[string]string{"Win6x": ic2012R2}),
		}, []result.Hint{{File: "HV01/SOFTWARE", What: "host-hive-without-vms", Side: "host"}}},
		{"guest System log with netvsc and storvsc events", collection{
			"pc/System.evtx": evtxOf(t, scm("web01", mar), guestDriver("netvsc", 12, "web01"), guestDriver("storvsc", 3, "web01")),
		}, []result.Hint{{File: "pc/System.evtx", What: "guest-driver-events", Side: "guest"}}},
		{"no trace", collection{"desk/System.evtx": evtxOf(t, scm("desk01", mar))}, []result.Hint{}},
		{"VMs assessed", standard(t, mar, evtxOf(t, other(e2eHostA, feb))), nil},
	}
	checklist := kb.Default().Commands()
	require.NotEmpty(t, checklist)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scanCollection(t, tt.c, nil)
			if tt.hints == nil {
				assert.NotEmpty(t, res.VMs)
				assert.Nil(t, res.NoHyperV)
				assert.NotContains(t, textOf(t, res), "No Hyper-V integration services evidence")
				return
			}
			assert.Empty(t, res.VMs)
			require.NotNil(t, res.NoHyperV)
			assert.Equal(t, tt.hints, res.NoHyperV.Hints)
			require.Len(t, res.NoHyperV.Collect, len(checklist))
			for i, c := range checklist {
				assert.Equal(t, result.CollectStep{ID: c.ID, Side: c.Side, Shell: c.Shell, Line: c.Line}, res.NoHyperV.Collect[i])
			}
			first := checklist[0].Line
			for name, render := range map[string]func(*bytes.Buffer) error{
				"text":     func(b *bytes.Buffer) error { return report.Text(b, res, nil) },
				"markdown": func(b *bytes.Buffer) error { return report.Markdown(b, res, nil) },
				"html":     func(b *bytes.Buffer) error { return report.HTML(b, res, nil) },
			} {
				var b bytes.Buffer
				require.NoError(t, render(&b), name)
				out := b.String()
				assert.Contains(t, out, "No Hyper-V integration services evidence", name)
				assert.Contains(t, out, "What to collect", name)
				assert.Contains(t, out, strings.Fields(first)[0], name)
				for _, h := range tt.hints {
					assert.Contains(t, out, h.File, name)
				}
			}
			var b bytes.Buffer
			require.NoError(t, report.JSON(&b, res, nil))
			var doc struct {
				NoHyperV *result.NoHyperV `json:"no_hyperv"`
			}
			require.NoError(t, json.Unmarshal(b.Bytes(), &doc))
			require.NotNil(t, doc.NoHyperV)
			assert.ElementsMatch(t, res.NoHyperV.Hints, doc.NoHyperV.Hints, "an empty list is absent")
			assert.Len(t, doc.NoHyperV.Collect, len(checklist))
		})
	}
}
