package hvic_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/report/result"
)

// Issue 12 item 7: a guest's System log sent as an event export (Event
// Viewer XML, CSV or text, wevtutil XML, Get-WinEvent CSV) shows its
// guest drivers' events (netvsc, storvsc: kb.HintProviders) as a
// "guest-driver-events" hint exactly as the .evtx it was exported from
// does. The exports are evtx/export's fixtures rendered from
// web01-system.evtx (guest WEB01, no IC event).

// guestSystemForms are web01-system.evtx's exports, with the host's IC
// exports of the same form (TestScanFormsGiveTheBinaryVerdicts' pairs).
var guestSystemForms = []struct{ guest, integration, system string }{
	{"guest-system-viewer.xml", "integration-viewer.xml", "system-viewer-utf8.xml"},
	{"guest-system-wevtutil.xml", "integration-wevtutil.xml", "system-wevtutil-rd.xml"},
	{"guest-system-wevtutil-rd.xml", "integration-wevtutil-rd.xml", "system-wevtutil-rd.xml"},
	{"guest-system-viewer.csv", "integration-viewer.csv", "system-viewer.csv"},
	{"guest-system-viewer-ja.csv", "integration-viewer-ja.csv", "system-viewer.csv"},
	{"guest-system-viewer.txt", "integration-viewer-ja.txt", "system-viewer.txt"},
	{"guest-system-viewer-ja.txt", "integration-viewer-ja.txt", "system-viewer.txt"},
	{"guest-system-winevent.csv", "integration-winevent.csv", "system-winevent.csv"},
}

// TestScanExportGuestDriverHints: each export form of a guest System log
// with netvsc events and no IC evidence gives the .evtx's hint; with the
// host's IC exports beside it, the scan gives the verdicts of the binary
// logs and no NoHyperV.
func TestScanExportGuestDriverHints(t *testing.T) {
	const evtxName = "web01/web01-system.evtx"
	bin := scanCollection(t, collection{evtxName: fixture(t, exportData, "web01-system.evtx")}, nil)
	require.Empty(t, bin.VMs)
	require.NotNil(t, bin.NoHyperV)
	require.Equal(t, []result.Hint{{File: evtxName, What: "guest-driver-events", Side: "guest"}}, bin.NoHyperV.Hints)

	binary := formsBase(t)
	binary["HV01/hv01-integration-admin.evtx"] = fixture(t, exportData, "hv01-integration-admin.evtx")
	binary["HV01/hv01-system.evtx"] = fixture(t, exportData, "hv01-system.evtx")
	binary[evtxName] = fixture(t, exportData, "web01-system.evtx")
	bres := scanCollection(t, binary, nil)
	want := scanVerdicts(bres)
	require.NotEmpty(t, want)
	require.Nil(t, bres.NoHyperV)

	for _, f := range guestSystemForms {
		t.Run(f.guest, func(t *testing.T) {
			name := "web01/" + f.guest
			res := scanCollection(t, collection{name: fixture(t, exportData, f.guest)}, nil)
			assert.Empty(t, res.VMs)
			require.Len(t, res.Inventory.Files, 1)
			assert.Equal(t, "event-export/"+string(hvic.RoleSystemLog), res.Inventory.Files[0].Kind+"/"+string(res.Inventory.Files[0].Role))
			require.NotNil(t, res.NoHyperV)
			hints := []result.Hint{}
			for _, h := range bin.NoHyperV.Hints {
				h.File = name
				hints = append(hints, h)
			}
			assert.Equal(t, hints, res.NoHyperV.Hints)
			assert.NotEmpty(t, res.NoHyperV.Collect)

			c := formsBase(t)
			c["HV01/"+f.integration] = fixture(t, exportData, f.integration)
			c["HV01/"+f.system] = fixture(t, exportData, f.system)
			c[name] = fixture(t, exportData, f.guest)
			res = scanCollection(t, c, nil)
			assert.ElementsMatch(t, want, scanVerdicts(res))
			assert.Nil(t, res.NoHyperV)
		})
	}

	// One wevtutil export holding the host's IC events and the guest's
	// driver events (a query over both machines' forwarded logs).
	t.Run("one export with both", func(t *testing.T) {
		c := formsBase(t)
		both := append(fixture(t, exportData, "integration-wevtutil.xml"), fixture(t, exportData, "guest-system-wevtutil.xml")...)
		c["HV01/forwarded.xml"] = both
		c["HV01/system-wevtutil-rd.xml"] = fixture(t, exportData, "system-wevtutil-rd.xml")
		res := scanCollection(t, c, nil)
		assert.ElementsMatch(t, want, scanVerdicts(res))
		assert.Nil(t, res.NoHyperV)
	})
}
