package evtx

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fuzzSelection is a catalogue-like selection for ExtractICFor.
var fuzzSelection = []EventKey{
	{Provider: "Microsoft-Windows-Hyper-V-Integration", Prefix: true, ID: 4000},
	{Provider: "storvsp", ID: 6},
	{Provider: "Microsoft-Windows-Hyper-V-StorageVSP", ID: 6},
	{Provider: "Microsoft-Windows-Kernel-Power", ID: 41},
}

// FuzzExtractIC feeds ExtractIC and ExtractICFor records with arbitrary
// provider, event ID and data (fields separated by "|", "name=value" when
// named). Seeds: the IC shapes of ic_test.go.
func FuzzExtractIC(f *testing.F) {
	f.Add("storvsp", uint16(6), "|web01|"+vmGUIDUpper+"|5.1|4.2", false)
	f.Add("Microsoft-Windows-Hyper-V-Integration-KvpExchange", uint16(4010), "web01|"+vmGUIDUpper+"|Negotiated (3.0) - Expected (3.0)|4.0", true)
	f.Add("Microsoft-Windows-Hyper-V-VmSwitch", uint16(27), "VMName=web01|ServerVersion=4.0|ClientVersion=3.2|VMId="+vmGUIDNorm, false)
	f.Add("VMSMP", uint16(26), "web01|"+vmGUIDUpper+"|2.0", true)
	f.Add("Microsoft-Windows-Hyper-V-Worker", uint16(23014), "VmName=l|VmId=x", false)
	f.Add("Microsoft-Windows-Hyper-V-StorageVSP", uint16(6), "", false)
	f.Add("Microsoft-Windows-Kernel-Power", uint16(41), "x|"+vmGUIDUpper, false)
	f.Fuzz(func(t *testing.T, provider string, id uint16, data string, shifted bool) {
		rec := Record{Provider: provider, EventID: id, DataMayBeShifted: shifted}
		if data != "" {
			for _, s := range strings.Split(data, "|") {
				name, value, ok := strings.Cut(s, "=")
				if !ok {
					name, value = "", s
				}
				rec.Data = append(rec.Data, Field{Name: name, Value: value})
			}
		}
		sel, selOK := ExtractICFor(rec, fuzzSelection)
		require.Equal(t, selOK, selected(fuzzSelection, provider, id), "ExtractICFor returns exactly the selected records")
		ev, ok := ExtractIC(rec)
		if selOK && ok {
			require.Equal(t, ev, sel, "a known layout reads the same whether selected or not")
		}
		if selOK && !ok {
			require.Equal(t, ShapeOther, sel.Shape)
		}
		if !ok {
			require.Equal(t, ICEvent{}, ev)
			return
		}
		require.NotEqual(t, ShapeNone, ev.Shape)
		require.Equal(t, provider, ev.Provider)
		require.Equal(t, id, ev.EventID)
		if ev.VMID != "" {
			g, valid := ParseGUID(ev.VMID)
			require.True(t, valid)
			require.Equal(t, g, ev.VMID)
		}
		require.Equal(t, ev.Ambiguous, ev.Note != "")
		for _, v := range []ProtocolVersion{ev.FrameworkVersion, ev.MessageVersion} {
			if v.Raw != "" {
				_, valid := ParseProtocolVersion(v.Raw)
				require.True(t, valid)
			}
		}
	})
}
