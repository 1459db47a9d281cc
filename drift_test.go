package hvic_test

import (
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"

	"github.com/hvic/hvic"
	"github.com/hvic/hvic/internal/evtxwriter"
	"github.com/hvic/hvic/kb"
)

// Rules that existed twice and drifted apart, each now in one place: these
// collections are the ones on which the copies disagreed.

// A host whose only Hyper-V log is Worker-Admin: on a 2012 R2 host the
// file is not its integration log (kb reports that log missing for the
// VM, and the inventory agrees); on a 2019 host it is, for both.
func TestWorkerAdminOnlyHost(t *testing.T) {
	const worker = "HV01/Microsoft-Windows-Hyper-V-Worker-Admin.evtx"
	tests := []struct {
		name        string
		host2019    bool
		wantRole    hvic.Role
		wantMissing bool
	}{
		{"2012 R2 host", false, hvic.RoleOtherLog, true},
		{"2019 host", true, hvic.RoleIntegrationLog, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := standard(t, mar, nil)
			c[worker] = evtxOf(t, workerStarted(e2eHostA, jan), workerStarted(e2eHostA, mar.Add(time.Hour)))
			if tt.host2019 {
				c["HV01/SOFTWARE"] = host2019Hive(t)
			}
			res := scanCollection(t, c, nil)
			var role hvic.Role
			for _, f := range res.Inventory.Files {
				if f.Path == worker {
					role = f.Role
				}
			}
			assert.Equal(t, tt.wantRole, role)
			a := vmNamed(t, res, e2eVM1.name)
			assert.Equal(t, tt.wantMissing, hasMissing(a, kb.MissingIntegrationLog), "%v", a.Missing)
		})
	}
}

// workerStarted is a Worker-Admin record no rule looks at (18500, a VM
// started), naming another VM: the log is read, holds nothing about VM1.
func workerStarted(host string, at time.Time) evtxwriter.Event {
	return evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-Worker", EventID: 18500, Level: 4, Time: at,
		Channel: "Microsoft-Windows-Hyper-V-Worker-Admin", Computer: host, Layout: evtxwriter.Manifest,
		Data: []evtxwriter.Field{{Name: "VmName", Value: "OTHER"}, {Name: "VmId", Value: "0C6D3E55-1A2B-4C3D-8E9F-0000000000FF"}}}
}

func hasMissing(a kb.Assessment, m kb.Missing) bool {
	for _, x := range a.Missing {
		if x == m {
			return true
		}
	}
	return false
}

// A reg query file saved as UTF-16BE (with a byte-order mark, and
// without) is read by the scan, as hivedump reads it: the walk's sniffer is
// hive's.
func TestScanUTF16BERegQuery(t *testing.T) {
	for _, bom := range []bool{true, false} {
		c := standard(t, mar, nil)
		delete(c, "VM1/SOFTWARE")
		c["VM1/query.txt"] = utf16BE(bom, regQueryGuest(e2eVM1, ic2012Upd, e2eHostA, true))
		res := scanCollection(t, c, nil)
		assert.Empty(t, res.Inventory.Skipped, "bom %v", bom)
		a := vmNamed(t, res, e2eVM1.name)
		assert.Equal(t, ic2012Upd, a.GuestIC.Raw, "bom %v", bom)
		found := false
		for _, f := range res.Inventory.Files {
			if f.Path == "VM1/query.txt" {
				found = true
				assert.Equal(t, "reg-query", f.Kind)
				assert.Equal(t, hvic.RoleGuestRegistry, f.Role)
			}
		}
		assert.True(t, found, "bom %v", bom)
	}
}

func utf16BE(bom bool, b []byte) []byte {
	var out []byte
	if bom {
		out = append(out, 0xFE, 0xFF)
	}
	for _, u := range utf16.Encode([]rune(string(b))) {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}
