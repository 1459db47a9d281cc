package hvic

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/hvic/hvic/evtx"
	"github.com/hvic/hvic/internal/collect"
	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

// Each evtx problem kind the reader reports has its own code, and the
// collection walk's refusal reasons map to the codes of the same name.
func TestProblemCodeMaps(t *testing.T) {
	for k, c := range evtxCodes {
		if k == evtx.ProblemDamagedRegions {
			assert.Equal(t, result.CodeEVTXDamage, c) // the regions Survey counts
			continue
		}
		assert.Equal(t, "evtx-"+k.String(), c.String(), k.String())
	}
	assert.Equal(t, result.CodeEVTXDamage, evtxCode(evtx.ProblemUnknown))
	for r, c := range refusalCodes {
		assert.Equal(t, string(r), c.String())
	}
	assert.Equal(t, result.CodeUnreadable, refusalCode(collect.ReasonUnreadable))
}

// kb.NormalizeVMID is the one VM-ID normaliser; evtx.ParseGUID, which
// tells a GUID from other data, agrees with it on every GUID it accepts,
// whatever the braces, case, NULs and spaces around it.
func TestVMIDNormalisersAgree(t *testing.T) {
	for _, in := range []string{
		"0C6D3E55-1A2B-4C3D-8E9F-0000000000A1",
		"{0C6D3E55-1A2B-4C3D-8E9F-0000000000A1}",
		"{0c6d3e55-1a2b-4c3d-8e9f-0000000000a1}\x00",
		" 0c6d3e55-1a2b-4c3d-8e9f-0000000000a1 ",
	} {
		g, ok := evtx.ParseGUID(in)
		if !ok {
			continue // not a GUID to evtx: kb keeps it as a name-like ID
		}
		assert.Equal(t, kb.NormalizeVMID(in), g, "%q", in)
	}
	g, ok := evtx.ParseGUID("0C6D3E55-1A2B-4C3D-8E9F-0000000000A1")
	assert.True(t, ok)
	assert.Equal(t, "0c6d3e55-1a2b-4c3d-8e9f-0000000000a1", g)
}

// Workers bounds the CPUs in use: files read at once times the goroutines
// decoding each event log never exceeds Workers, and spare workers go to
// the event logs.
func TestInnerWorkers(t *testing.T) {
	tests := []struct{ workers, files, want int }{
		{1, 10, 1}, {1, 1, 1}, {4, 1, 4}, {4, 2, 2}, {4, 3, 1}, {4, 100, 1}, {8, 0, 8}, {2, 1, 2},
	}
	for _, tt := range tests {
		got := innerWorkers(tt.workers, tt.files)
		assert.Equal(t, tt.want, got, "%d workers, %d files", tt.workers, tt.files)
		assert.LessOrEqual(t, got*min(tt.workers, max(tt.files, 1)), tt.workers)
	}
}

// EventOf maps every field of an evtx.ICEvent that kb reads, the event ID
// widened and the record's channel kept.
func TestEventOf(t *testing.T) {
	at := time.Date(2024, 2, 12, 8, 0, 0, 0, time.UTC)
	ic := evtx.ICEvent{Provider: "Microsoft-Windows-Hyper-V-Integration-Heartbeat", EventID: 4000, Component: "Heartbeat",
		VMName: "VM1", VMID: "0c6d3e55-1a2b-4c3d-8e9f-0000000000a1", Time: at, Computer: "HV01",
		Channel: "Microsoft-Windows-Hyper-V-Integration-Admin", File: "HV01/i.evtx", RecordID: 7,
		FrameworkVersion: evtx.ProtocolVersion{Raw: "3.0"}, MessageVersion: evtx.ProtocolVersion{Raw: "4.0"},
		Ambiguous: true, Note: "n"}
	e := EventOf(ic)
	assert.Equal(t, uint32(4000), e.EventID)
	assert.Equal(t, ic.Channel, e.Channel)
	assert.Equal(t, ic.Computer, e.Host)
	assert.Equal(t, ic.VMID, e.VMID)
	assert.Equal(t, "3.0", e.FrameworkVersion)
	assert.Equal(t, "4.0", e.MessageVersion)
	assert.Equal(t, kb.Ref{File: "HV01/i.evtx", RecordID: 7, Time: at, What: ic.Provider + " 4000"}, e.Ref)
	assert.True(t, e.Ambiguous)
	assert.Equal(t, kb.EventUnknown, e.Kind, "kb classifies")
}
