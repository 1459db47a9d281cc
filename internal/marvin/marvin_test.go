package marvin

import (
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// Vectors published with the .NET runtime (src/libraries/Common/tests/Tests/
// System/MarvinTests.cs, MIT licence).
const (
	seed1 uint64 = 0x4FB61A001BDBCC
	seed2 uint64 = 0x804FB61A001BDBCC
	seed3 uint64 = 0x804FB61A801BDBCC
)

var vectors = []struct {
	seed uint64
	hex  string
	want uint64
}{
	{seed1, "", 0x30ED35C100CD3C7D},
	{seed1, "af", 0x48E73FC77D75DDC1},
	{seed1, "e70f", 0xB5F6E1FC485DBFF8},
	{seed1, "37f495", 0xF0B07C789B8CF7E8},
	{seed1, "8642dc59", 0x7008F2E87E9CF556},
	{seed1, "153fb79826", 0xE6C08C6DA2AFA997},
	{seed1, "0932e6246c47", 0x6F04BF1A5EA24060},
	{seed1, "ab427ea8d10fc7", 0xE11847E4F0678C41},
	{seed2, "", 0x10A9D5D3996FD65D},
	{seed2, "af", 0x68201F91960EBF91},
	{seed2, "e70f", 0x64B581631F6AB378},
	{seed2, "37f495", 0xE1F2DFA6E5131408},
	{seed2, "8642dc59", 0x36289D9654FB49F6},
	{seed2, "153fb79826", 0x0A06114B13464DBD},
	{seed2, "0932e6246c47", 0xD6DD5E40AD1BC2ED},
	{seed2, "ab427ea8d10fc7", 0xE203987DBA252FB3},
	{seed3, "00", 0xA37FB0DA2ECAE06C},
	{seed3, "ff", 0xFECEF370701AE054},
	{seed3, "00ff", 0xA638E75700048880},
	{seed3, "ff00", 0xBDFB46D969730E2A},
	{seed3, "ff00ff", 0x9D8577C0FE0D30BF},
	{seed3, "00ff00", 0x4F9FBDDE15099497},
	{seed3, "00ff00ff", 0x24EAA279D9A529CA},
	{seed3, "ff00ff00", 0xD3BEC7726B057943},
	{seed3, "ff00ff00ff", 0x920B62BBCA3E0B72},
	{seed3, "00ff00ff00", 0x1D7DDF9DFDF3C1BF},
	{seed3, "00ff00ff00ff", 0xEC21276A17E821A5},
	{seed3, "ff00ff00ff00", 0x6911A53CA8C12254},
	{seed3, "ff00ff00ff00ff", 0xFDFD187B1D3CE784},
	{seed3, "00ff00ff00ff00", 0x71876F2EFB1B0EE8},
}

func TestSum64(t *testing.T) {
	for _, v := range vectors {
		t.Run(fmt.Sprintf("%x/%s", v.seed, v.hex), func(t *testing.T) {
			data, err := hex.DecodeString(v.hex)
			require.NoError(t, err)
			require.Equal(t, v.want, Sum64(v.seed, data))
		})
	}
}

func TestSum32(t *testing.T) {
	// The .NET ComputeHash32 vectors for seed1: the halves XORed.
	tests := []struct {
		hex  string
		want uint32
	}{
		{"", 0x302009BC},
		{"af", 0x3592E206},
	}
	for _, tc := range tests {
		data, err := hex.DecodeString(tc.hex)
		require.NoError(t, err)
		require.Equal(t, tc.want, Sum32(seed1, data))
	}
	for _, v := range vectors {
		data, err := hex.DecodeString(v.hex)
		require.NoError(t, err)
		require.Equal(t, uint32(v.want)^uint32(v.want>>32), Sum32(v.seed, data))
	}
}

func ExampleSum32() {
	fmt.Printf("0x%08X\n", Sum32(0x4FB61A001BDBCC, nil))
	// Output: 0x302009BC
}
