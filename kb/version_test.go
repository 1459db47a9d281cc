package kb

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in    string
		want  Version
		str   string
		isErr bool
	}{
		{in: "6.3.9600.18398", want: Version{6, 3, 9600, 18398, 4}, str: "6.3.9600.18398"},
		{in: "6.2.9200.16433\x00", want: Version{6, 2, 9200, 16433, 4}, str: "6.2.9200.16433"},
		{in: "6.2.9200.16433\x00\x00", want: Version{6, 2, 9200, 16433, 4}, str: "6.2.9200.16433"},
		{in: "  6.1.7601.17514  ", want: Version{6, 1, 7601, 17514, 4}, str: "6.1.7601.17514"},
		{in: "\t6.1.7601.17514\r\n", want: Version{6, 1, 7601, 17514, 4}, str: "6.1.7601.17514"},
		{in: "6.3.9600.18398 (winblue_ltsb.160701-0600)", want: Version{6, 3, 9600, 18398, 4}, str: "6.3.9600.18398"},
		{in: "6.3.9600.18398(winblue_ltsb.160701-0600)", want: Version{6, 3, 9600, 18398, 4}, str: "6.3.9600.18398"},
		{in: "6.3", want: Version{6, 3, 0, 0, 2}, str: "6.3"},
		{in: "6.3.9600", want: Version{6, 3, 9600, 0, 3}, str: "6.3.9600"},
		{in: "10.0.17763.1", want: Version{10, 0, 17763, 1, 4}, str: "10.0.17763.1"},
		{in: "0.0", want: Version{0, 0, 0, 0, 2}, str: "0.0"},
		{in: "4294967295.4294967295.4294967295.4294967295", want: Version{4294967295, 4294967295, 4294967295, 4294967295, 4}, str: "4294967295.4294967295.4294967295.4294967295"},
		{in: "06.03", want: Version{6, 3, 0, 0, 2}, str: "6.3"},
		{in: "", isErr: true},
		{in: "   ", isErr: true},
		{in: "\x00", isErr: true},
		{in: "6", isErr: true},
		{in: "6.3.9600.18398.1", isErr: true},
		{in: "6..9600", isErr: true},
		{in: ".6.3", isErr: true},
		{in: "6.3.", isErr: true},
		{in: "6.x", isErr: true},
		{in: "-6.3", isErr: true},
		{in: "+6.3", isErr: true},
		{in: "6.3a", isErr: true},
		{in: "4294967296.0", isErr: true},
		{in: "99999999999.0", isErr: true},
		{in: "6.3\x00garbage", isErr: true},
		{in: "(6.3)", isErr: true},
		{in: "６.３", isErr: true},
		{in: "Microsoft-Hyper-V-Guest-Installer-Win6x-Package", isErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, err := ParseVersion(tt.in)
			if tt.isErr {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrVersion)
				assert.True(t, v.IsZero())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, v)
			assert.Equal(t, tt.str, v.String())
			assert.False(t, v.IsZero())
		})
	}
}

func TestVersionCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"6.3.9600.18398", "6.3.9600.17831", 1},
		{"6.3.9600.17831", "6.3.9600.18398", -1},
		{"6.10", "6.9", 1},
		{"6.9", "6.10", -1},
		{"6.2.9200.16433", "6.2.9200.16433\x00", 0},
		{"6.2.9200.16433 ", " 6.2.9200.16433", 0},
		{"6.2", "6.2.0.0", 0},
		{"6.2.0", "6.2.0.1", -1},
		{"6.2.1", "6.2.0.9", 1},
		{"10.0", "6.3.9600.19456", 1},
		{"6.1.7601.17514", "6.1.7600.20542", 1},
		{"6.1.7600.16385", "6.1.7600.20542", -1},
		{"6.3.9600.16384", "6.2.9200.16433", 1},
		{"4294967295.0", "4294967294.4294967295", 1},
		{"0.0.0.1", "0.0", 1},
	}
	for _, tt := range tests {
		t.Run(tt.a+" vs "+tt.b, func(t *testing.T) {
			a, err := ParseVersion(tt.a)
			require.NoError(t, err)
			b, err := ParseVersion(tt.b)
			require.NoError(t, err)
			assert.Equal(t, tt.want, a.Compare(b))
			assert.Equal(t, -tt.want, b.Compare(a), "antisymmetric")
			assert.Equal(t, tt.want == 0, a.Equal(b))
		})
	}
}

// TestVersionCompareExhaustive checks every pair over small parts against
// a lexicographic reference, for all part counts.
func TestVersionCompareExhaustive(t *testing.T) {
	vals := []uint32{0, 1, 9, 10, 4294967295}
	var all []Version
	for _, a := range vals {
		for _, b := range vals {
			for _, c := range vals {
				for _, d := range vals {
					all = append(all, Version{a, b, c, d, 4})
				}
			}
		}
	}
	ref := func(x, y Version) int {
		xs := [4]uint32{x.Major, x.Minor, x.Build, x.Revision}
		ys := [4]uint32{y.Major, y.Minor, y.Build, y.Revision}
		for i := range xs {
			if xs[i] != ys[i] {
				if xs[i] < ys[i] {
					return -1
				}
				return 1
			}
		}
		return 0
	}
	for _, x := range all {
		for _, y := range all {
			require.Equal(t, ref(x, y), x.Compare(y), "%s vs %s", x, y)
		}
		back, err := ParseVersion(x.String())
		require.NoError(t, err)
		require.Equal(t, x, back)
	}
}

func TestVersionText(t *testing.T) {
	v := mustParseVersion("6.3.9600.18398")
	b, err := json.Marshal(struct{ V Version }{v})
	require.NoError(t, err)
	assert.JSONEq(t, `{"V":"6.3.9600.18398"}`, string(b))
	var back struct{ V Version }
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, v, back.V)
	require.NoError(t, json.Unmarshal([]byte(`{"V":""}`), &back))
	assert.True(t, back.V.IsZero())
	assert.Error(t, json.Unmarshal([]byte(`{"V":"x"}`), &back))
	assert.Equal(t, "", Version{}.String())
	assert.Equal(t, "6.3.0.1", Version{Major: 6, Minor: 3, Revision: 1}.String(), "hand-built, Parts 0")
	assert.Panics(t, func() { mustParseVersion("bad") })
}

func TestOSInfoKernel(t *testing.T) {
	tests := []struct {
		name   string
		os     OSInfo
		want   string
		family HostFamily
		ok     bool
	}{
		{"2012 R2 current version", OSInfo{Version: "6.3", Build: 9600}, "6.3", Family2012R2, true},
		{"2016 reads 6.3 but build says 10", OSInfo{Version: "6.3", Build: 14393}, "10.0", Family2016Plus, true},
		{"2019 major number", OSInfo{Version: "6.3", Major: 10, Minor: 0, Build: 17763}, "10.0", Family2016Plus, true},
		{"Auto OSVersion", OSInfo{Version: "6.1.7601"}, "6.1", Family2008R2, true},
		{"Auto major/minor", OSInfo{Major: 6, Minor: 2}, "6.2", Family2012, true},
		{"2008", OSInfo{Major: 6, Minor: 0}, "6.0", Family2008, true},
		{"XP", OSInfo{Major: 5, Minor: 1}, "5.1", FamilyUnknown, true},
		{"name only 2012 R2", OSInfo{Name: "Windows Server 2012 R2 Datacenter"}, "6.3", Family2012R2, true},
		{"name only 2012", OSInfo{Name: "Windows Server 2012 Standard"}, "6.2", Family2012, true},
		{"name only 2003", OSInfo{Name: "Microsoft Windows Server 2003 R2"}, "5.2", FamilyUnknown, true},
		{"name only 2019", OSInfo{Name: "Windows Server 2019 Datacenter"}, "10.0", Family2016Plus, true},
		{"unknown", OSInfo{}, "", FamilyUnknown, false},
		{"linux", OSInfo{Name: "Ubuntu 20.04"}, "", FamilyUnknown, false},
		{"garbage version", OSInfo{Version: "abc"}, "", FamilyUnknown, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, ok := tt.os.Kernel()
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, k.String())
			assert.Equal(t, tt.family, tt.os.Family())
		})
	}
	assert.True(t, OSInfo{Name: "CentOS Linux 7"}.IsLinux())
	assert.True(t, OSInfo{Name: "FreeBSD 12"}.IsLinux())
	assert.False(t, OSInfo{Name: "Windows Server 2012"}.IsLinux())
	assert.False(t, OSInfo{}.IsLinux())
}

func TestEnumsText(t *testing.T) {
	for c := CaseMatch; c <= CaseUndetermined; c++ {
		b, err := c.MarshalText()
		require.NoError(t, err)
		var back Case
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, c, back)
	}
	for a := ActionNone; a <= ActionInvestigate; a++ {
		b, err := a.MarshalText()
		require.NoError(t, err)
		var back Action
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, a, back)
	}
	for s := SeverityInfo; s <= SeverityHigh; s++ {
		b, err := s.MarshalText()
		require.NoError(t, err)
		var back Severity
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, s, back)
	}
	assert.Equal(t, "incompatible-mismatch", CaseIncompatibleMismatch.String())
	assert.Equal(t, "upgrade-required", ActionUpgradeRequired.String())
	assert.Equal(t, "high", SeverityHigh.String())
	assert.Equal(t, "severity(42)", Severity(42).String())
	var s Severity
	assert.ErrorIs(t, s.UnmarshalText([]byte("critical")), ErrSyntax)
	var k EventKind
	require.NoError(t, k.UnmarshalText([]byte("storage-io")))
	assert.Equal(t, EventStorageIO, k)
	var m Missing
	require.NoError(t, m.UnmarshalText([]byte("integration-log")))
	assert.Equal(t, MissingIntegrationLog, m)
	assert.Equal(t, "2016+", Family2016Plus.String())
	assert.Equal(t, "setup-disk", MethodSetupDisk.String())
	assert.Equal(t, "seed", ConfidenceSeed.String())
	assert.Equal(t, "win5x", PackageWin5x.String())
	assert.Equal(t, "guest-os-unknown", BasisGuestUnknown.String())
}
