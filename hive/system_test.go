package hive

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hvic/hvic/internal/hivewriter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var updateSystem = flag.Bool("update-system", false, "rewrite testdata/systemhive from hivewriter.SystemFixtures")

const systemDir = "../testdata/systemhive"

// systemExpect is testdata/systemhive/expect.json: per file, what a
// reader must find (scripts/crosscheck-system-hive.sh checks the same
// file with reglookup and hivexregedit).
type systemExpect struct {
	ControlSet   string            `json:"control_set"`
	ComputerName string            `json:"computer_name"`
	Services     map[string]uint32 `json:"services"`
	// BaseServices: a dirty hive's primary file alone.
	BaseServices map[string]uint32 `json:"base_services,omitempty"`
}

func systemFixtures(t testing.TB) []hivewriter.SystemFixture {
	t.Helper()
	fx, err := hivewriter.SystemFixtures()
	require.NoError(t, err)
	return fx
}

func openSystem(t testing.TB, data, log1 []byte) *Hive {
	t.Helper()
	var logs []LogFile
	if log1 != nil {
		logs = []LogFile{{Name: "SYSTEM.LOG1", Data: log1}}
	}
	h, err := FromBytes(context.Background(), data, logs, nil)
	require.NoError(t, err)
	return h
}

// TestSystemFixtures: the committed SYSTEM hives are the generator's, and
// their facts (the dirty one's after replay) are the ones it wrote.
func TestSystemFixtures(t *testing.T) {
	fx := systemFixtures(t)
	expect := map[string]systemExpect{}
	for _, f := range fx {
		expect[f.Name] = systemExpect{ControlSet: f.ControlSet, ComputerName: f.ComputerName, Services: f.Services, BaseServices: f.BaseServices}
		if *updateSystem {
			require.NoError(t, os.WriteFile(filepath.Join(systemDir, f.Name), f.Data, 0o644))
			if f.Log1 != nil {
				require.NoError(t, os.WriteFile(filepath.Join(systemDir, f.Name+".LOG1"), f.Log1, 0o644))
			}
		}
	}
	js, err := json.MarshalIndent(expect, "", "  ")
	require.NoError(t, err)
	js = append(js, '\n')
	if *updateSystem {
		require.NoError(t, os.WriteFile(filepath.Join(systemDir, "expect.json"), js, 0o644))
	}
	committed, err := os.ReadFile(filepath.Join(systemDir, "expect.json"))
	require.NoError(t, err)
	assert.JSONEq(t, string(js), string(committed), "expect.json drifted from the generator: go test ./hive -run TestSystemFixtures -update-system")

	for _, f := range fx {
		t.Run(f.Name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(systemDir, f.Name))
			require.NoError(t, err)
			assert.Equal(t, f.Data, data, "committed hive drifted from the generator")
			var log1 []byte
			if f.Log1 != nil {
				log1, err = os.ReadFile(filepath.Join(systemDir, f.Name+".LOG1"))
				require.NoError(t, err)
			}
			s := ExtractSystemFacts(openSystem(t, data, log1), f.Name)
			assert.Empty(t, s.Problems)
			require.True(t, s.IsSystem)
			assert.Equal(t, f.ControlSet, s.ControlSet)
			assert.Equal(t, f.ComputerName, s.ComputerName.Value)
			assert.Equal(t, f.ControlSet+`\Control\ComputerName\ComputerName`, s.ComputerName.Source.Key)
			require.Len(t, s.Services, len(ICServiceNames))
			var disabled []string
			for i, svc := range s.Services {
				assert.Equal(t, ICServiceNames[i], svc.Name)
				start, ok := f.Services[svc.Name]
				assert.Equal(t, ok, svc.Present, svc.Name)
				if ok {
					assert.Equal(t, fmt.Sprint(start), svc.Start.Value, svc.Name)
					if start == StartDisabled {
						disabled = append(disabled, svc.Name)
					}
				}
			}
			assert.Equal(t, disabled, s.Disabled())
			// ExtractFacts sees no host or guest IC facts in a SYSTEM hive.
			assert.Equal(t, SideNone, ExtractFacts(openSystem(t, data, log1), f.Name).Side)
		})
	}
}

// TestSystemDirtyReplay: the dirty fixture's base says Data Exchange is
// manual; its LOG1 disables it, and the fact says it came from the log.
func TestSystemDirtyReplay(t *testing.T) {
	var dirty hivewriter.SystemFixture
	for _, f := range systemFixtures(t) {
		if f.Log1 != nil {
			dirty = f
		}
	}
	require.NotNil(t, dirty.Log1)
	before := ExtractSystemFacts(openSystem(t, dirty.Data, nil), "base")
	for _, svc := range before.Services {
		assert.Equal(t, fmt.Sprint(dirty.BaseServices[svc.Name]), svc.Start.Value, svc.Name)
	}
	kvp, ok := before.Service("VMICKVPEXCHANGE")
	require.True(t, ok)
	assert.Equal(t, "manual", kvp.StartMode())
	assert.False(t, kvp.Start.Source.FromLog)
	assert.Equal(t, []string{"vmicguestinterface"}, before.Disabled())

	after := ExtractSystemFacts(openSystem(t, dirty.Data, dirty.Log1), "replayed")
	kvp, ok = after.Service("vmickvpexchange")
	require.True(t, ok)
	assert.Equal(t, "disabled", kvp.StartMode())
	assert.True(t, kvp.Disabled())
	assert.True(t, kvp.Start.Source.FromLog)
	assert.Equal(t, []string{"vmickvpexchange", "vmicguestinterface"}, after.Disabled())
}

func TestSystemFactsSources(t *testing.T) {
	stale := hivewriter.SystemHive(hivewriter.System{ComputerName: "X", Current: 7})
	stale.DeleteKey(`ControlSet007`)
	badType := hivewriter.SystemHive(hivewriter.System{ComputerName: "Y", Current: 1, Services: map[string]uint32{"vmicheartbeat": 2, "VmicCustom": 4}})
	badType.Key(`Select`).SetString("Current", "1")
	badType.Key(`ControlSet001\Services\vmicvss`).SetString("Start", "3")
	zero := hivewriter.SystemHive(hivewriter.System{ComputerName: "Z", Current: 1})
	zero.Key(`Select`).SetDword("Current", 0)
	tests := []struct {
		name      string
		src       KeyReader
		system    bool
		computer  string
		disabled  []string
		extra     []string // services beyond ICServiceNames
		problems  int
		startMode map[string]string
	}{
		{"software hive", builderReader{hivewriter.HostSoftware(hivewriter.Shapes()[2])}, false, "", nil, nil, 0, nil},
		{"current names a missing set", builderReader{stale}, false, "", nil, nil, 1, nil},
		{"current zero", builderReader{zero}, false, "", nil, nil, 1, nil},
		{"wrong value types", builderReader{badType}, true, "Y", []string{"VmicCustom"}, []string{"VmicCustom"}, 2,
			map[string]string{"vmicheartbeat": "automatic", "vmicvss": "manual", "vmicrdv": ""}},
		{"no source", nil, false, "", nil, nil, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ExtractSystemFacts(tt.src, "f")
			assert.Equal(t, tt.system, s.IsSystem)
			assert.Equal(t, tt.computer, s.ComputerName.Value)
			assert.Equal(t, tt.disabled, s.Disabled())
			assert.Len(t, s.Problems, tt.problems, "%v", s.Problems)
			if tt.system {
				require.Len(t, s.Services, len(ICServiceNames)+len(tt.extra))
				for i, name := range tt.extra {
					assert.Equal(t, name, s.Services[len(ICServiceNames)+i].Name)
				}
			}
			for name, mode := range tt.startMode {
				svc, ok := s.Service(name)
				require.True(t, ok, name)
				assert.Equal(t, mode, svc.StartMode(), name)
			}
		})
	}
}

// TestSystemFactsFromText: reg query output and .reg exports keep SYSTEM
// keys under HKEY_LOCAL_MACHINE\SYSTEM, usually through CurrentControlSet.
func TestSystemFactsFromText(t *testing.T) {
	query := "\r\nHKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\vmickvpexchange\r\n    Start    REG_DWORD    0x4\r\n\r\n" +
		"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\vmicheartbeat\r\n    Start    REG_DWORD    0x3\r\n\r\n" +
		"HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName\r\n    ComputerName    REG_SZ    VM-TEXT\r\n\r\n"
	reg := "Windows Registry Editor Version 5.00\r\n\r\n" +
		"[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\vmickvpexchange]\r\n\"Start\"=dword:00000004\r\n\r\n" +
		"[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\vmicheartbeat]\r\n\"Start\"=dword:00000003\r\n\r\n" +
		"[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName]\r\n\"ComputerName\"=\"VM-TEXT\"\r\n"
	q, err := ParseRegQuery(context.Background(), []byte(query), nil)
	require.NoError(t, err)
	r, err := ParseReg(context.Background(), []byte(reg), nil)
	require.NoError(t, err)
	for name, src := range map[string]KeyReader{"reg query": q, ".reg": r} {
		t.Run(name, func(t *testing.T) {
			s := ExtractSystemFacts(src, name)
			require.True(t, s.IsSystem)
			assert.Equal(t, `HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet`, s.ControlSet)
			assert.Equal(t, "VM-TEXT", s.ComputerName.Value)
			assert.Equal(t, []string{"vmickvpexchange"}, s.Disabled())
			hb, _ := s.Service("vmicheartbeat")
			assert.True(t, hb.Present)
			assert.Equal(t, "manual", hb.StartMode())
			gi, _ := s.Service("vmicguestinterface")
			assert.False(t, gi.Present, "not in the text: unknown, not disabled")
		})
	}
}

// TestSystemCrosscheckReg reads the .reg exports that
// scripts/crosscheck-system-hive.sh makes of the committed SYSTEM hives
// with hivexregedit (an independent hive reader and .reg writer): they
// must give the facts of expect.json (a dirty hive's base state: hivex
// does not replay logs). Skipped unless the script sets
// HVIC_SYSTEM_REG_DIR.
func TestSystemCrosscheckReg(t *testing.T) {
	dir := os.Getenv("HVIC_SYSTEM_REG_DIR")
	if dir == "" {
		t.Skip("run by scripts/crosscheck-system-hive.sh")
	}
	for _, f := range systemFixtures(t) {
		t.Run(f.Name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, f.Name+".reg"))
			require.NoError(t, err)
			e, err := ParseReg(context.Background(), data, nil)
			require.NoError(t, err)
			s := ExtractSystemFacts(e, f.Name)
			require.True(t, s.IsSystem)
			assert.Equal(t, `HKEY_LOCAL_MACHINE\SYSTEM\`+f.ControlSet, s.ControlSet)
			assert.Equal(t, f.ComputerName, s.ComputerName.Value)
			want := f.Services
			if f.BaseServices != nil {
				want = f.BaseServices
			}
			for _, svc := range s.Services {
				start, ok := want[svc.Name]
				assert.Equal(t, ok, svc.Present, svc.Name)
				if ok {
					assert.Equal(t, fmt.Sprint(start), svc.Start.Value, svc.Name)
				}
			}
		})
	}
}
