package advicetest

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/hive"
	"github.com/hvic/hvic/internal/psvm"
	"github.com/hvic/hvic/kb"
)

// readers are the forms a command's output is read as, and whether this
// phase has a fixture test for it ("hive" and "evtx" outputs are the
// files the hive and evtx packages are tested on).
var readers = map[string]bool{"reg-query": true, "get-vm-csv": true, "hive": false, "evtx": false}

func TestEveryCommandHasAReader(t *testing.T) {
	cmds := kb.Default().Commands()
	require.NotEmpty(t, cmds)
	for _, c := range cmds {
		_, ok := readers[c.Reads]
		assert.True(t, ok, "%s reads %q", c.ID, c.Reads)
		if readers[c.Reads] {
			_, err := os.Stat(filepath.Join("testdata", c.ID+filepath.Ext(outputFile(c))))
			assert.NoError(t, err, "%s has a fixture", c.ID)
		}
	}
}

// outputFile is the file name the command writes (its last <...> word).
func outputFile(c kb.Command) string {
	m := regexp.MustCompile(`\S*<(host|vm)>\S*`).FindAllString(c.Line, -1)
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1]
}

func command(t *testing.T, id string) kb.Command {
	t.Helper()
	for _, c := range kb.Default().Commands() {
		if c.ID == id {
			return c
		}
	}
	require.FailNow(t, "no command", id)
	return kb.Command{}
}

func TestGuestRegQueryIsAttributed(t *testing.T) {
	c := command(t, "guest-reg-query")
	assert.Equal(t, `reg query "HKLM\SOFTWARE\Microsoft\Virtual Machine" /s > web01-vm.txt`, c.For("HV01", "web01"))
	b, err := os.ReadFile(filepath.Join("testdata", "guest-reg-query.txt"))
	require.NoError(t, err)
	src, err := hive.ParseRegQuery(context.Background(), b, &hive.ExportOptions{File: "web01-vm.txt"})
	require.NoError(t, err)
	f := hive.ExtractFacts(src, "web01-vm.txt")
	require.NotNil(t, f.Guest)
	// The pasted output names its VM and host: it is not "(unknown host)".
	assert.Equal(t, "6.3.9600.16384", f.Guest.IntegrationServicesVersion.Value)
	assert.Equal(t, "web01", f.Guest.VirtualMachineName.Value)
	assert.Equal(t, "5E0B5B3A-0000-4000-8000-000000000001", f.Guest.VirtualMachineID.Value)
	assert.Equal(t, "HV01.contoso.local", f.Guest.HostName.Value)
}

func TestHostGetVMIsRead(t *testing.T) {
	c := command(t, "host-get-vm")
	assert.Equal(t, "Get-VM | Select-Object Name,VMId,State,IntegrationServicesVersion,IntegrationServicesState | Export-Csv HV01-vms.csv -NoTypeInformation",
		c.For("HV01", ""))
	b, err := os.ReadFile(filepath.Join("testdata", "host-get-vm.csv"))
	require.NoError(t, err)
	// The fixture's columns are exactly the command's Select-Object list.
	sel := regexp.MustCompile(`Select-Object (\S+)`).FindStringSubmatch(c.Line)
	require.NotNil(t, sel)
	head := strings.SplitN(string(b), "\r\n", 2)[0]
	assert.Equal(t, sel[1], strings.ReplaceAll(head, `"`, ""))
	require.True(t, psvm.Sniff(b))
	res, err := psvm.Parse(b, nil)
	require.NoError(t, err)
	assert.Equal(t, psvm.KindVM, res.Kind)
	assert.Equal(t, psvm.FormatCSV, res.Format)
	require.Len(t, res.VMs, 2)
	for _, vm := range res.VMs {
		assert.NotEmpty(t, vm.Name)
		assert.NotEmpty(t, vm.VMID)
		assert.NotEmpty(t, vm.ICVersion)
		assert.NotEqual(t, psvm.ICStateUnknown, vm.ICState)
	}
}
