package samplegen_test

import (
	"fmt"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/internal/samplegen"
)

func ExampleVMs() {
	for _, vm := range samplegen.VMs() {
		fmt.Println(vm.Name, vm.Case, vm.Action)
	}
	// Output:
	// APP01 match none
	// DB01 incompatible-mismatch upgrade-required
	// DC01 compatible-mismatch upgrade-recommended
	// FS01 match none
	// LNX01 linux-guest ignore
	// SQL01 compatible-mismatch upgrade-recommended
	// WEB01 compatible-mismatch upgrade-recommended
}

// The generator is deterministic: two runs give the same bytes.
func TestFilesDeterministic(t *testing.T) {
	a, err := samplegen.Files()
	require.NoError(t, err)
	b, err := samplegen.Files()
	require.NoError(t, err)
	require.Equal(t, len(a), len(b))
	names := make([]string, 0, len(a))
	for n := range a {
		names = append(names, n)
		assert.Equal(t, a[n], b[n], n)
	}
	sort.Strings(names)
	assert.Equal(t, []string{
		"HV01/Logs/Microsoft-Windows-Hyper-V-Integration-Admin.evtx", "HV01/Logs/System.evtx", "HV01/Registry/SOFTWARE",
		"guests/APP01/SOFTWARE", "guests/APP01/SOFTWARE.LOG1", "guests/DB01/SOFTWARE", "guests/DC01-reg-query.txt",
		"guests/FS01/SOFTWARE", "guests/SQL01-virtual-machine.reg", "guests/WEB01/SOFTWARE",
	}, names)
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, samplegen.Write(dir))
	files, err := samplegen.Files()
	require.NoError(t, err)
	assert.Len(t, files, 10)
}
