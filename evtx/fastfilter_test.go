package evtx

import (
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return b
}

func TestFilterAnchor(t *testing.T) {
	assert.ElementsMatch(t, []rune{'v', 'V'}, orbit(filterAnchor), "the anchor's case orbit is ASCII only")
	require.Len(t, icFilter.pats, len(filterNames))
	for i, p := range icFilter.pats {
		require.GreaterOrEqual(t, p.anchor, 0, "%s contains the anchor", filterNames[i])
		for _, e := range p.chars[p.anchor].utf8 {
			assert.Len(t, e, 1)
		}
	}
	// Long s folds to s, the Kelvin sign to k: the orbits come from the
	// Unicode tables.
	assert.ElementsMatch(t, []rune{'s', 'S', '\u017f'}, orbit('s'))
	assert.ElementsMatch(t, []rune{'k', 'K', '\u212a'}, orbit('K'))
}

// TestFilterCoversExtractIC checks the filter's premise: every provider name
// ExtractIC accepts contains one of the filter names, in a case EqualFold
// accepts, so its encodings in a chunk make the chunk a candidate.
func TestFilterCoversExtractIC(t *testing.T) {
	accepted := []struct {
		provider string
		id       uint16
	}{
		{"Microsoft-Windows-Hyper-V-Integration-KvpExchange", 4010},
		{"Microsoft-Windows-Hyper-V-Integration", 4000},
		{"microsoft-windows-hyper-v-integration-heartbeat", 4096},
		{"MICROSOFT-WINDOWS-HYPER-V-INTEGRATION-VSS", 1},
		{"Microsoft-Windows-Hyper-V-VmSwitch", 27},
		{"Micro\u017foft-Window\u017f-Hyper-V-VmSwitch", 26},
		{"vmsmp", 26},
		{"\u017ftorv\u017fp", 6},
		{"StorVsp", 5},
		{"Microsoft-Windows-Hyper-V-Worker", 23014},
	}
	for _, a := range accepted {
		t.Run(a.provider, func(t *testing.T) {
			_, ok := ExtractIC(Record{Provider: a.provider, EventID: a.id})
			require.True(t, ok, "ExtractIC accepts it")
			for _, enc := range map[string][]byte{"utf16": utf16le(a.provider), "utf8": []byte(a.provider)} {
				for pad := 0; pad < 3; pad++ {
					b := append(make([]byte, pad), enc...)
					assert.True(t, icFilter.mayHold(b), "pad %d", pad)
				}
			}
		})
	}
	rejected := []string{"Service Control Manager", "Microsoft-Windows-Kernel-General", "disk", "Ntfs",
		"Microsoft-Windows-Hyper-Hypervisor", "storvs", "torvsp", "VMSM", "MSMP", "Microsoft-Windows-Hyper-V"}
	for _, r := range rejected {
		t.Run("not "+r, func(t *testing.T) {
			for _, id := range []uint16{4000, 4010, 4096, 5, 6, 26, 27, 23014} {
				_, ok := ExtractIC(Record{Provider: r, EventID: id})
				assert.False(t, ok, "ExtractIC rejects it")
			}
			assert.False(t, icFilter.mayHold(utf16le(r)))
			assert.False(t, icFilter.mayHold([]byte(r)))
		})
	}
}

func TestFilterMayHold(t *testing.T) {
	service := utf16le("The Windows Event Log service entered the running state. Driver: vhdmp, devices.")
	tests := []struct {
		name string
		data []byte
		want bool
	}{
		{"empty", nil, false},
		{"one v", []byte("v"), false},
		{"ordinary UTF-16 text", service, false},
		{"UTF-16 storvsp", utf16le("storvsp"), true},
		{"UTF-16 storvsp at an odd offset", append([]byte{1}, utf16le("storvsp")...), true},
		{"UTF-16 STORVSP among text", append(append(append([]byte{}, service...), utf16le("STORVSP")...), service...), true},
		{"UTF-16 storvsp cut by the end", utf16le("storvsp")[:13], false},
		{"UTF-16 storvsp with a high byte", []byte("s\x00t\x00o\x00r\x00v\x01s\x00p\x00"), false},
		{"UTF-16 long s", utf16le("\u017ftorvsp"), true},
		{"UTF-16 prefix", utf16le("Microsoft-Windows-Hyper-V-"), true},
		{"UTF-16 prefix without the last dash", utf16le("Microsoft-Windows-Hyper-V"), false},
		{"UTF-16 vmsmp", utf16le("vMsMp"), true},
		{"UTF-16 vmsmp, V as its last byte", append(utf16le("VMSMP")[:9], 'P'), false},
		{"8-bit storvsp", []byte("xxSTORvsp"), true},
		{"8-bit long s", []byte("\xc5\xbftorv\xc5\xbfp"), true},
		{"8-bit long s, broken", []byte("\xc5torvsp"), false},
		{"8-bit prefix", []byte("MICROSOFT-WINDOWS-HYPER-V-"), true},
		{"8-bit vmsmp at the end", []byte("...vmsmp"), true},
		{"8-bit vmsmp cut", []byte("...vmsm"), false},
		{"mixed encodings", []byte("stor\x00v\x00s\x00p\x00"), false},
		{"many v", []byte(strings.Repeat("vV", 1000)), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, icFilter.mayHold(tc.data))
		})
	}
}
