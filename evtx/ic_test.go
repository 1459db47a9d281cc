package evtx

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/internal/evtxwriter"
)

const (
	vmGUIDUpper = "{5E0B5B3A-1B2C-4D3E-8F90-ABCDEF012345}"
	vmGUIDNorm  = "5e0b5b3a-1b2c-4d3e-8f90-abcdef012345"
)

// readOne writes e with the test writer and reads it back.
func readOne(t *testing.T, e evtxwriter.Event) Record {
	t.Helper()
	w := evtxwriter.New(evtxwriter.Options{})
	require.NoError(t, w.Add(e))
	b, err := w.Bytes()
	require.NoError(t, err)
	f, err := FromBytes(b, &Options{Name: "t.evtx"})
	require.NoError(t, err)
	var recs []Record
	for r, err := range f.Records(context.Background()) {
		require.NoError(t, err)
		recs = append(recs, r)
	}
	require.Len(t, recs, 1)
	return recs[0]
}

func strs(vals ...string) []evtxwriter.Field {
	out := make([]evtxwriter.Field, len(vals))
	for i, v := range vals {
		out[i] = evtxwriter.Field{Value: v}
	}
	return out
}

func namedFields(kv ...string) []evtxwriter.Field {
	var out []evtxwriter.Field
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, evtxwriter.Field{Name: kv[i], Value: kv[i+1]})
	}
	return out
}

func TestExtractICShapes(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 123456700, time.UTC)
	integration := func(comp string, id uint16, layout evtxwriter.Layout, data []evtxwriter.Field) evtxwriter.Event {
		return evtxwriter.Event{
			Provider: "Microsoft-Windows-Hyper-V-Integration-" + comp, ProviderGUID: "{2b74a015-3873-4c56-9928-ea80c58b2787}",
			EventID: id, Level: 3, Time: at, Channel: "Microsoft-Windows-Hyper-V-Integration-Admin",
			Computer: "HV01", Layout: layout, Data: data,
		}
	}
	tests := []struct {
		name  string
		event evtxwriter.Event
		ok    bool
		want  ICEvent // only the fields compared below
	}{}
	for _, comp := range []string{"KvpExchange", "Heartbeat", "Shutdown", "TimeSync", "VSS", "GuestInterface"} {
		for _, id := range []uint16{4000, 4010} {
			tests = append(tests,
				struct {
					name  string
					event evtxwriter.Event
					ok    bool
					want  ICEvent
				}{
					name:  comp + "/named",
					event: integration(comp, id, evtxwriter.Manifest, namedFields("VmName", "web01", "VmId", vmGUIDUpper, "FrameworkVersion", "3.0", "MessageVersion", "4.0")),
					ok:    true,
					want: ICEvent{Shape: ShapeIntegration, Component: comp, VMName: "web01", VMID: vmGUIDNorm,
						FrameworkVersion: ProtocolVersion{Raw: "3.0", Negotiated: "3.0"}, MessageVersion: ProtocolVersion{Raw: "4.0", Negotiated: "4.0"}},
				},
				struct {
					name  string
					event evtxwriter.Event
					ok    bool
					want  ICEvent
				}{
					name:  comp + "/positional",
					event: integration(comp, id, evtxwriter.Classic, strs("web01", vmGUIDUpper, "Negotiated (3.0) - Expected (3.0)", "Negotiated (4.0) - Expected (5.0)")),
					ok:    true,
					want: ICEvent{Shape: ShapeIntegration, Component: comp, VMName: "web01", VMID: vmGUIDNorm,
						FrameworkVersion: ProtocolVersion{Raw: "Negotiated (3.0) - Expected (3.0)", Negotiated: "3.0", Expected: "3.0"},
						MessageVersion:   ProtocolVersion{Raw: "Negotiated (4.0) - Expected (5.0)", Negotiated: "4.0", Expected: "5.0"}},
				})
		}
	}
	more := []struct {
		name  string
		event evtxwriter.Event
		ok    bool
		want  ICEvent
	}{
		{
			name:  "integration 4010 unnamed names, empty VM name kept by position",
			event: integration("KvpExchange", 4010, evtxwriter.Classic, strs("", vmGUIDUpper, "3.0", "4.0")),
			ok:    true,
			want: ICEvent{Shape: ShapeIntegration, Component: "KvpExchange", VMID: vmGUIDNorm,
				FrameworkVersion: ProtocolVersion{Raw: "3.0", Negotiated: "3.0"}, MessageVersion: ProtocolVersion{Raw: "4.0", Negotiated: "4.0"}},
		},
		{
			name:  "integration 4096 is not a mismatch",
			event: integration("KvpExchange", 4096, evtxwriter.Manifest, namedFields("VmName", "web01", "VmId", vmGUIDUpper)),
			ok:    true,
			want:  ICEvent{Shape: ShapeIntegration, Component: "KvpExchange", VMName: "web01", VMID: vmGUIDNorm},
		},
		{
			name:  "any integration event ID has the integration layout",
			event: integration("Heartbeat", 4004, evtxwriter.Manifest, namedFields("VmName", "web01", "VmId", vmGUIDUpper)),
			ok:    true,
			want:  ICEvent{Shape: ShapeIntegration, Component: "Heartbeat", VMName: "web01", VMID: vmGUIDNorm},
		},
		{
			name: "VmSwitch 27 named",
			event: evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-VmSwitch", EventID: 27, Level: 3, Time: at, Channel: "System", Computer: "HV01",
				Data: namedFields("VMName", "web01", "ServerVersion", "4.0", "ClientVersion", "3.2", "VMId", vmGUIDUpper)},
			ok:   true,
			want: ICEvent{Shape: ShapeNetwork, Component: "Network", VMName: "web01", VMID: vmGUIDNorm, ServerVersion: "4.0", ClientVersion: "3.2"},
		},
		{
			name: "VmSwitch 26 named",
			event: evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-VmSwitch", EventID: 26, Level: 2, Time: at, Channel: "System", Computer: "HV01",
				Data: namedFields("VMName", "web01", "ServerVersion", "5.0", "ClientVersion", "2.0", "VMId", vmGUIDUpper)},
			ok:   true,
			want: ICEvent{Shape: ShapeNetwork, Component: "Network", VMName: "web01", VMID: vmGUIDNorm, ServerVersion: "5.0", ClientVersion: "2.0"},
		},
		{
			name: "VMSMP 27 classic, by pattern",
			event: evtxwriter.Event{Provider: "VMSMP", EventID: 27, HasQualifiers: true, Qualifiers: 32768, Level: 3, Time: at, Channel: "System", Computer: "HV01",
				Layout: evtxwriter.Classic, Data: strs("web01", vmGUIDUpper, "2.0", "1.0")},
			ok: true,
			want: ICEvent{Shape: ShapeNetwork, Component: "Network", VMName: "web01", VMID: vmGUIDNorm, ServerVersion: "2.0", ClientVersion: "1.0",
				Ambiguous: true},
		},
		{
			name: "VMSMP 26 classic",
			event: evtxwriter.Event{Provider: "VMSMP", EventID: 26, HasQualifiers: true, Qualifiers: 49152, Level: 2, Time: at, Channel: "System", Computer: "HV01",
				Layout: evtxwriter.Classic, Data: strs("web01", vmGUIDUpper, "2.0", "1.0")},
			ok: true,
			want: ICEvent{Shape: ShapeNetwork, Component: "Network", VMName: "web01", VMID: vmGUIDNorm, ServerVersion: "2.0", ClientVersion: "1.0",
				Ambiguous: true},
		},
		{
			name: "storvsp 6 with qualifiers and an empty %1",
			event: evtxwriter.Event{Provider: "storvsp", EventID: 6, HasQualifiers: true, Qualifiers: 32768, Level: 3, Time: at, Channel: "System", Computer: "HV01",
				Layout: evtxwriter.Classic, Data: strs("", "web01", vmGUIDUpper, "5.1", "4.2")},
			ok:   true,
			want: ICEvent{Shape: ShapeStorvsp, Component: "Storage", VMName: "web01", VMID: vmGUIDNorm, ServerVersion: "5.1", ClientVersion: "4.2"},
		},
		{
			name: "storvsp 5 with qualifiers",
			event: evtxwriter.Event{Provider: "storvsp", EventID: 5, HasQualifiers: true, Qualifiers: 49152, Level: 2, Time: at, Channel: "System", Computer: "HV01",
				Layout: evtxwriter.Classic, Data: strs(`\Device\00000045`, "web01", vmGUIDUpper, "5.1", "2.0")},
			ok:   true,
			want: ICEvent{Shape: ShapeStorvsp, Component: "Storage", VMName: "web01", VMID: vmGUIDNorm, ServerVersion: "5.1", ClientVersion: "2.0"},
		},
		{
			name: "StorageVSP 6 is an I/O error, not storvsp 6",
			event: evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-StorageVSP", EventID: 6, Level: 2, Time: at, Channel: "System", Computer: "HV01",
				Data: namedFields("VmName", "web01", "VmId", vmGUIDUpper, "Status", "0xC0000185")},
			ok:   true,
			want: ICEvent{Shape: ShapeStorageVSP, Component: "StorageVSP", VMName: "web01", VMID: vmGUIDNorm},
		},
		{
			name: "StorageVSP 6 classic shape, still not storvsp",
			event: evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-StorageVSP", EventID: 6, HasQualifiers: true, Qualifiers: 49152, Time: at, Channel: "System",
				Layout: evtxwriter.Classic, Data: strs("", "web01", vmGUIDUpper, "5.1", "4.2")},
			ok:   true,
			want: ICEvent{Shape: ShapeStorageVSP, Component: "StorageVSP", VMID: vmGUIDNorm},
		},
		{
			name: "VmSwitch other event: network layout, nothing to recover",
			event: evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-VmSwitch", EventID: 232, Time: at, Channel: "System",
				Data: namedFields("VMName", "web01")},
			ok:   true,
			want: ICEvent{Shape: ShapeNetwork, Component: "Network", VMName: "web01", Ambiguous: true},
		},
		{
			name: "no known layout",
			event: evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-Hypervisor", EventID: 27, Time: at, Channel: "System",
				Data: namedFields("VMName", "web01")},
			ok: false,
		},
		{
			name: "Worker 23014 degraded",
			event: evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-Worker", EventID: 23014, Level: 3, Time: at, Channel: "Microsoft-Windows-Hyper-V-Worker-Admin", Computer: "HV01",
				Data: namedFields("VmName", "linux01", "VmId", vmGUIDUpper)},
			ok:   true,
			want: ICEvent{Shape: ShapeWorker, Component: "Worker", VMName: "linux01", VMID: vmGUIDNorm},
		},
	}
	tests = append(tests, more...)
	for _, tc := range tests {
		for _, layout := range layoutsFor(tc.event) {
			e := tc.event
			e.Layout = layout
			t.Run(tc.name+"/"+layout.String()+"/"+strconv.Itoa(int(e.EventID)), func(t *testing.T) {
				rec := readOne(t, e)
				assert.Equal(t, e.Provider, rec.Provider)
				assert.Equal(t, e.EventID, rec.EventID)
				assert.Equal(t, e.HasQualifiers, rec.HasQualifiers)
				assert.Equal(t, e.Qualifiers, rec.Qualifiers)
				got, ok := ExtractIC(rec)
				require.Equal(t, tc.ok, ok)
				if !ok {
					assert.Equal(t, ICEvent{}, got)
					return
				}
				assert.Equal(t, tc.want.Shape, got.Shape)
				assert.Equal(t, tc.want.Component, got.Component)
				assert.Equal(t, tc.want.VMName, got.VMName)
				assert.Equal(t, tc.want.VMID, got.VMID)
				assert.Equal(t, tc.want.FrameworkVersion, got.FrameworkVersion)
				assert.Equal(t, tc.want.MessageVersion, got.MessageVersion)
				assert.Equal(t, tc.want.ServerVersion, got.ServerVersion)
				assert.Equal(t, tc.want.ClientVersion, got.ClientVersion)
				assert.Equal(t, tc.want.Ambiguous, got.Ambiguous, got.Note)
				assert.Equal(t, at, got.Time)
				assert.Equal(t, e.Computer, got.Computer)
				assert.Equal(t, "t.evtx", got.File)
				assert.Equal(t, rec.RecordID, got.RecordID)
				assert.Equal(t, e.Provider, got.Provider)
			})
		}
	}
}

// layoutsFor returns the layout an event is tested in: classic events in
// the classic layout, named ones in the manifest and UserData layouts.
func layoutsFor(e evtxwriter.Event) []evtxwriter.Layout {
	if e.Layout == evtxwriter.Classic {
		return []evtxwriter.Layout{evtxwriter.Classic}
	}
	return []evtxwriter.Layout{evtxwriter.Manifest, evtxwriter.UserData}
}

// TestExtractICShifted covers data that golang-evtx may have shortened:
// positions are not trusted, values are recovered by pattern and flagged.
func TestExtractICShifted(t *testing.T) {
	tests := []struct {
		name string
		rec  Record
		want ICEvent
	}{
		{
			name: "storvsp 6 lost its empty %1",
			rec: Record{Provider: "storvsp", EventID: 6, DataMayBeShifted: true,
				Data: []Field{{Value: "web01"}, {Value: vmGUIDUpper}, {Value: "5.1"}, {Value: "4.2"}}},
			want: ICEvent{Shape: ShapeStorvsp, Component: "Storage", VMName: "web01", VMID: vmGUIDNorm, ServerVersion: "5.1", ClientVersion: "4.2", Ambiguous: true},
		},
		{
			name: "integration 4000 lost its empty VM name",
			rec: Record{Provider: "Microsoft-Windows-Hyper-V-Integration-VSS", EventID: 4000, DataMayBeShifted: true,
				Data: []Field{{Value: "{" + vmGUIDNorm + "}"}, {Value: "3.0"}, {Value: "4.0"}}},
			want: ICEvent{Shape: ShapeIntegration, Component: "VSS", VMID: vmGUIDNorm,
				FrameworkVersion: ProtocolVersion{Raw: "3.0", Negotiated: "3.0"}, MessageVersion: ProtocolVersion{Raw: "4.0", Negotiated: "4.0"}, Ambiguous: true},
		},
		{
			name: "integration 4010 with no GUID at all",
			rec: Record{Provider: "Microsoft-Windows-Hyper-V-Integration-Shutdown", EventID: 4010,
				Data: []Field{{Value: "web01"}, {Value: "not-a-guid"}, {Value: "3.0"}}},
			want: ICEvent{Shape: ShapeIntegration, Component: "Shutdown",
				FrameworkVersion: ProtocolVersion{Raw: "3.0", Negotiated: "3.0"}, Ambiguous: true},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ExtractIC(tc.rec)
			require.True(t, ok)
			assert.Equal(t, tc.want.Shape, got.Shape)
			assert.Equal(t, tc.want.Component, got.Component)
			assert.Equal(t, tc.want.VMName, got.VMName)
			assert.Equal(t, tc.want.VMID, got.VMID)
			assert.Equal(t, tc.want.FrameworkVersion, got.FrameworkVersion)
			assert.Equal(t, tc.want.MessageVersion, got.MessageVersion)
			assert.Equal(t, tc.want.ServerVersion, got.ServerVersion)
			assert.Equal(t, tc.want.ClientVersion, got.ClientVersion)
			assert.Equal(t, tc.want.Ambiguous, got.Ambiguous)
			assert.NotEmpty(t, got.Note)
		})
	}
}

func TestParseProtocolVersion(t *testing.T) {
	tests := []struct {
		in   string
		want ProtocolVersion
		ok   bool
	}{
		{"3.0", ProtocolVersion{Raw: "3.0", Negotiated: "3.0"}, true},
		{" 6.3.9600.16384 ", ProtocolVersion{Raw: "6.3.9600.16384", Negotiated: "6.3.9600.16384"}, true},
		{"Negotiated (3.0) - Expected (3.0)", ProtocolVersion{Raw: "Negotiated (3.0) - Expected (3.0)", Negotiated: "3.0", Expected: "3.0"}, true},
		{"negotiated(4.0)-expected( 5.0 )", ProtocolVersion{Raw: "negotiated(4.0)-expected( 5.0 )", Negotiated: "4.0", Expected: "5.0"}, true},
		{"web01", ProtocolVersion{Raw: "web01"}, false},
		{"3", ProtocolVersion{Raw: "3"}, false},
		{"", ProtocolVersion{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := ParseProtocolVersion(tc.in)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestICShapeNames(t *testing.T) {
	seen := map[string]bool{}
	for k := ShapeNone; k <= ShapeOther; k++ {
		b, err := k.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, k.String(), string(b))
		assert.False(t, seen[k.String()], "duplicate name %s", k)
		seen[k.String()] = true
	}
	assert.Equal(t, "icshape(99)", ICShape(99).String())
}

// TestExtractICFor checks the caller's selection: only the selected
// (provider, event ID) pairs are returned, with their layout, and a
// selected record of an unknown provider as ShapeOther.
func TestExtractICFor(t *testing.T) {
	keys := []EventKey{
		{Provider: "Microsoft-Windows-Hyper-V-Integration", Prefix: true, ID: 4000},
		{Provider: "storvsp", ID: 6},
		{Provider: "Microsoft-Windows-Hyper-V-StorageVSP", ID: 6},
		{Provider: "Microsoft-Windows-Kernel-Power", ID: 41},
	}
	guid := Field{Value: vmGUIDUpper}
	tests := []struct {
		name     string
		provider string
		id       uint16
		ok       bool
		shape    ICShape
	}{
		{"integration 4000 selected by prefix", "microsoft-windows-hyper-v-integration-vss", 4000, true, ShapeIntegration},
		{"integration 4010 not selected", "Microsoft-Windows-Hyper-V-Integration-VSS", 4010, false, ShapeNone},
		{"storvsp 6", "STORVSP", 6, true, ShapeStorvsp},
		{"storvsp 5 not selected", "storvsp", 5, false, ShapeNone},
		{"StorageVSP 6", "Microsoft-Windows-Hyper-V-StorageVSP", 6, true, ShapeStorageVSP},
		{"a prefix of a whole-name key does not match", "Microsoft-Windows-Hyper-V-StorageVSPx", 6, false, ShapeNone},
		{"unknown layout, selected", "Microsoft-Windows-Kernel-Power", 41, true, ShapeOther},
		{"known layout, not selected", "Microsoft-Windows-Hyper-V-Worker", 23014, false, ShapeNone},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ExtractICFor(Record{Provider: tc.provider, EventID: tc.id, Data: []Field{{Value: "web01"}, guid}}, keys)
			require.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.shape, got.Shape)
			if ok {
				assert.Equal(t, vmGUIDNorm, got.VMID)
			}
		})
	}
	_, ok := ExtractICFor(Record{Provider: "storvsp", EventID: 6}, []EventKey{})
	assert.False(t, ok, "an empty selection selects nothing")
	_, ok = ExtractICFor(Record{Provider: "storvsp", EventID: 6}, nil)
	assert.True(t, ok, "nil selects what ExtractIC accepts")
}
