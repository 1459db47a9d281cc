package kb

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// HostKey is the one host-name key: every spelling of one computer (case,
// DNS suffix, a leading \\, NULs and white space as read from a hive) has
// the same key, and other computers another.
func TestHostKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"HV01", "hv01"},
		{"hv01.contoso.local", "hv01"},
		{`\\HV01`, "hv01"},
		{"\\\\HV01.contoso.local\x00", "hv01"},
		{" HV01\x00\x00", "hv01"},
		{"HV02", "hv02"},
		{"", ""},
		{".local", ".local"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, HostKey(tt.in), "%q", tt.in)
	}
}

// Findings and events name their VM by its index in Result.VMs, so that no
// renderer matches them again: a VM finding's index holds that VM, a host
// finding has none, and every event of a VM points at it.
func TestFindingsAndEventsIndexTheirVM(t *testing.T) {
	ev := Evidence{
		Hosts: []HostEvidence{hostEv("HV02", os2012R2, v2012R2Jul), hostEv("HV01", os2012R2, v2012R2Jul)},
		Guests: []GuestEvidence{
			guestEv(idA, "web01", "HV01", v2012R2RTM, os2012R2, tChange),
			guestEv(idB, "app01", "HV01", v2012R2Jul, os2012R2, tChange),
			guestEv("aaaaaaaa-2222-3333-4444-555555555555", "alpha", "HV02", v2012R2RTM, os2012R2, tChange),
		},
		Events: []Event{
			event(pInt, 4000, idA, "web01", "HV01", tLate, 1),
			event(pSwitch, 27, "", "app01", "HV01", t0, 2), // by name only
			event(pInt, 4010, "{AAAAAAAA-2222-3333-4444-555555555555}", "alpha", "HV02", tLate, 3),
			event(pSwitch, 27, "", "", "HV02", tLate, 4), // names no VM
		},
		Coverage: append(bothLogs("HV01"), bothLogs("HV02")...),
	}
	res := Default().Evaluate(ev)
	require.Len(t, res.VMs, 3)
	vmFindings := 0
	for _, f := range res.Findings {
		if f.VM == 0 {
			assert.Empty(t, f.VMID, f.RuleID)
			continue
		}
		vmFindings++
		require.LessOrEqual(t, f.VM, len(res.VMs))
		a := res.VMs[f.VM-1]
		assert.Equal(t, a.VMID, f.VMID, f.RuleID)
		assert.Equal(t, a.VMName, f.VMName, f.RuleID)
	}
	assert.GreaterOrEqual(t, vmFindings, 3)
	require.Len(t, res.Events, 4)
	byRecord := map[uint64]string{}
	for _, e := range res.Events {
		if e.VM > 0 {
			byRecord[e.Ref.RecordID] = res.VMs[e.VM-1].VMName
		}
	}
	assert.Equal(t, map[uint64]string{1: "web01", 2: "app01", 3: "alpha"}, byRecord)
	for i := 1; i < len(res.Events); i++ {
		assert.False(t, res.Events[i].Time.Before(res.Events[i-1].Time), "oldest first")
	}
}
