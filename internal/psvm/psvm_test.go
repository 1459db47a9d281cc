package psvm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

const (
	id1 = "5e0b5b3a-0000-4000-8000-000000000001"
	id2 = "5e0b5b3a-0000-4000-8000-000000000002"
)

func TestParseGetVM(t *testing.T) {
	web := VM{Name: "web01", VMID: id1, State: "Running", ICVersion: "6.3.9600.16384",
		ICStateRaw: "Update required", ICState: ICStateUpdateRequired, ComputerName: "HV01"}
	db := VM{Name: "db01", VMID: id2, State: "Off", ICVersion: "6.3.9600.18692",
		ICStateRaw: "Up to date", ICState: ICStateUpToDate, ComputerName: "HV01"}
	noHost := func(v VM) VM { v.ComputerName = ""; return v }
	noID := func(v VM) VM { v.VMID = ""; return noHost(v) }
	tests := []struct {
		file   string
		format Format
		enc    string
		want   []VM
	}{
		{"getvm-list.txt", FormatList, "utf-8", []VM{web, db}},
		{"getvm-list-utf16.txt", FormatList, "utf-16le", []VM{web, db}},
		{"getvm-table.txt", FormatTable, "utf-8", []VM{noID(web), noID(db)}},
		{"getvm-table-autosize.txt", FormatTable, "utf-8", []VM{web, db}},
		{"getvm-type.csv", FormatCSV, "utf-8", []VM{web, db}},
		{"getvm-type-bom.csv", FormatCSV, "utf-8-bom", []VM{web, db}},
		{"getvm-notype.csv", FormatCSV, "utf-8", []VM{noHost(web), noHost(db)}},
		{"getvm-array.json", FormatJSON, "utf-8", []VM{web, func(v VM) VM { v.ICStateRaw = "Up to date"; return v }(db)}},
		{"getvm-object.json", FormatJSON, "utf-8", []VM{func(v VM) VM { v.ICStateRaw = "Update required"; return v }(web)}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b := readFixture(t, tt.file)
			require.True(t, Sniff(b))
			res, err := Parse(b, nil)
			require.NoError(t, err)
			assert.Equal(t, KindVM, res.Kind)
			assert.Equal(t, tt.format, res.Format)
			assert.Equal(t, tt.enc, res.Encoding)
			assert.Empty(t, res.Problems)
			require.Len(t, res.VMs, len(tt.want))
			for i, w := range tt.want {
				got := res.VMs[i]
				got.Line = 0
				assert.Equal(t, w, got)
			}
		})
	}
}

func TestParseTruncatedTable(t *testing.T) {
	for _, f := range []string{"getvm-table-truncated.txt", "getvm-table-truncated-utf16.txt"} {
		t.Run(f, func(t *testing.T) {
			res, err := Parse(readFixture(t, f), nil)
			require.NoError(t, err)
			require.Len(t, res.VMs, 4)
			assert.Equal(t, "web01", res.VMs[0].Name)
			assert.Equal(t, "6.3.9600.16384", res.VMs[0].ICVersion)
			assert.Equal(t, ICStateUpdateRequired, res.VMs[0].ICState)
			// A wide (Japanese) name takes two console cells per character.
			assert.Equal(t, "ウェブ02", res.VMs[1].Name)
			assert.Equal(t, "6.2.9200.16384", res.VMs[1].ICVersion)
			assert.Equal(t, "long-vm", res.VMs[2].Name)
			assert.Equal(t, []string{pName}, res.VMs[2].Truncated)
			assert.Equal(t, ICStateUpToDate, res.VMs[2].ICState)
			assert.ElementsMatch(t, []string{pICVersion, pICState}, res.VMs[3].Truncated)
			assert.Equal(t, ICStateUnknown, res.VMs[3].ICState)
			assert.Len(t, res.Problems, 3, "one per value cut short")
		})
	}
}

func TestParseDefaultTable(t *testing.T) {
	res, err := Parse(readFixture(t, "getvm-default-table.txt"), nil)
	require.NoError(t, err)
	require.Len(t, res.VMs, 2)
	assert.Equal(t, VM{Name: "web01", State: "Running", Line: 4}, res.VMs[0])
}

func TestParseIntegrationServices(t *testing.T) {
	for _, f := range []string{"vmis-table.txt", "vmis-table-utf16.txt"} {
		t.Run(f, func(t *testing.T) {
			b := readFixture(t, f)
			require.True(t, Sniff(b))
			res, err := Parse(b, nil)
			require.NoError(t, err)
			assert.Equal(t, KindIntegrationService, res.Kind)
			require.Len(t, res.Services, 6)
			s := res.Services[2]
			assert.Equal(t, "web01", s.VMName)
			assert.Equal(t, "Key-Value Pair Exchange", s.Name)
			en, ok := s.EnabledKnown()
			assert.True(t, ok)
			assert.False(t, en)
			assert.Equal(t, "OK", res.Services[1].SecondaryStatusDescription)
		})
	}
	res, err := Parse(readFixture(t, "vmis-list.txt"), nil)
	require.NoError(t, err)
	assert.Equal(t, FormatList, res.Format)
	require.Len(t, res.Services, 2)
	assert.Equal(t, "The protocol version of the component installed in the virtual machine does not match the version expected by the hosting system.",
		res.Services[0].SecondaryStatusDescription)
	assert.Equal(t, "HV01", res.Services[1].ComputerName)
	assert.Equal(t, "", res.Services[1].SecondaryStatusDescription)
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		sniff bool
	}{
		{"empty", "", false},
		{"reg query", "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Auto\r\n    IntegrationServicesVersion    REG_SZ    6.3.9600.16384\r\n", false},
		{"prose", "hello world\nthis is not a table\n", false},
		{"list of other objects", "Path : C:\\\nMode : d----\n", false},
		{"json without properties", `{"a": 1}`, false},
		// A head cut inside JSON is recognised; the whole input must parse.
		{"broken json", `[{"IntegrationServicesVersion": `, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.sniff, Sniff([]byte(tt.in)))
			_, err := Parse([]byte(tt.in), nil)
			require.ErrorIs(t, err, ErrNotPSVM)
		})
	}
}

func TestParseLimits(t *testing.T) {
	b := readFixture(t, "getvm-type.csv")
	_, err := Parse(b, &Options{MaxSize: 10})
	require.ErrorIs(t, err, ErrTooLarge)
	res, err := Parse(b, &Options{MaxRows: 1})
	require.NoError(t, err)
	assert.Len(t, res.VMs, 1)
	require.Len(t, res.Problems, 1)
	assert.Contains(t, res.Problems[0].What, "more than 1 objects")
}

func TestSniffHead(t *testing.T) {
	// A long list cut at 4 KiB is still recognised.
	one := string(readFixture(t, "getvm-list.txt"))
	b := []byte(strings.Repeat(one, 40))[:4096]
	assert.True(t, Sniff(b))
	j := []byte(strings.Repeat(string(readFixture(t, "getvm-array.json")), 10))[:4096]
	assert.True(t, Sniff(j))
}

func TestNames(t *testing.T) {
	assert.Equal(t, "integration-service", KindIntegrationService.String())
	assert.Equal(t, "csv", FormatCSV.String())
	assert.Equal(t, "update-required", ICStateUpdateRequired.String())
	assert.Equal(t, "kind(9)", Kind(9).String())
}

// TestParsePastedWithPrompts: output pasted with the commands around it.
func TestParsePastedWithPrompts(t *testing.T) {
	for _, f := range []string{"getvm-table.txt", "getvm-list.txt", "getvm-array.json"} {
		t.Run(f, func(t *testing.T) {
			body := string(readFixture(t, f))
			in := "PS C:\\Users\\admin> Get-VM | Select-Object * | Out-String\r\n" + body + "\r\nPS C:\\Users\\admin> \r\n"
			require.True(t, Sniff([]byte(in)))
			res, err := Parse([]byte(in), nil)
			require.NoError(t, err)
			assert.Empty(t, res.Problems)
			require.Len(t, res.VMs, 2)
			assert.Equal(t, "web01", res.VMs[0].Name)
			assert.Equal(t, "6.3.9600.16384", res.VMs[0].ICVersion)
		})
	}
}
