package hive

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/internal/hivewriter"
)

// builderReader serves a hivewriter tree through KeyReader, so facts can be
// tested without the hive reader.
type builderReader struct{ b *hivewriter.Builder }

func (r builderReader) Key(path string) (*Key, error) {
	k := r.b.Root()
	var names []string
	for _, p := range splitPath(path) {
		var next *hivewriter.Key
		for _, s := range k.Subkeys() {
			if equalFold(s.Name, p) {
				next = s
			}
		}
		if next == nil {
			return nil, fmt.Errorf("%w: %s", ErrKeyNotFound, path)
		}
		k = next
		names = append(names, k.Name)
	}
	out := &Key{Path: strings.Join(names, `\`), Name: k.Name, LastWrite: k.LastWrite}
	for _, v := range k.Values() {
		out.Values = append(out.Values, Value{Name: v.Name, Type: ValueType(v.Type), Data: v.Data})
	}
	for _, s := range k.Subkeys() {
		out.Subkeys = append(out.Subkeys, s.Name)
	}
	return out, nil
}

func TestFactsOnBuiltHives(t *testing.T) {
	host := hivewriter.Shapes()[2]
	for _, s := range hivewriter.Shapes() {
		g := hivewriter.Guest{VMID: "VMID-" + s.Name, VMName: "vm " + s.Name, HostName: "hv.example", PhysicalHostName: "HV",
			HostMajor: "6", HostMin: host.CurrentVersion[2:], HostEditionID: "8"}
		for _, tc := range []struct {
			side Side
			b    *hivewriter.Builder
		}{
			{SideHost, hivewriter.HostSoftware(s)},
			{SideGuest, hivewriter.GuestSoftware(s, s.ICVersion+"\x00 ", g)},
		} {
			t.Run(tc.side.String()+"-"+s.Name, func(t *testing.T) {
				f := ExtractFacts(builderReader{tc.b}, "x.hiv")
				require.Empty(t, f.Problems)
				require.Equal(t, tc.side, f.Side)
				var os OSFacts
				if tc.side == SideHost {
					require.NotNil(t, f.Host)
					require.Nil(t, f.Guest)
					v, ok := f.Host.GuestInstallerVersion(false)
					require.True(t, ok)
					assert.Equal(t, s.ICVersion, v.Value)
					assert.Equal(t, Source{File: "x.hiv", Key: PathGuestInstallerVersion, Value: GuestInstallerWin6x}, v.Source)
					v5, ok := f.Host.GuestInstallerVersion(true)
					require.True(t, ok)
					assert.Equal(t, s.ICVersion, v5.Value)
					assert.Len(t, f.Host.GuestInstallerVersions, 2)
					assert.Equal(t, s.ICVersion, f.Host.VirtualizationVersion.Value)
					os = f.Host.OS
				} else {
					require.NotNil(t, f.Guest)
					require.Nil(t, f.Host)
					assert.Equal(t, s.ICVersion, f.Guest.IntegrationServicesVersion.Value, "NUL and space trimmed")
					assert.Equal(t, g.VMID, f.Guest.VirtualMachineID.Value)
					assert.Equal(t, g.VMName, f.Guest.VirtualMachineName.Value)
					assert.Equal(t, g.HostName, f.Guest.HostName.Value)
					assert.Equal(t, g.PhysicalHostName, f.Guest.PhysicalHostName.Value)
					assert.Equal(t, g.HostName, f.Guest.PhysicalHostNameFullyQualified.Value)
					assert.Equal(t, g.HostMajor, f.Guest.HostingSystemOsMajor.Value)
					assert.Equal(t, g.HostMin, f.Guest.HostingSystemOsMinor.Value)
					assert.Equal(t, g.HostEditionID, f.Guest.HostingSystemEditionID.Value)
					assert.Equal(t, "1", f.Guest.BackupType.Value)
					assert.Equal(t, s.CurrentBuild, f.Guest.AutoValue("osbuildnumber").Value)
					assert.Equal(t, tc.b.Lookup(PathAuto).LastWrite, f.Guest.AutoLastWrite.Time)
					assert.Equal(t, tc.b.Lookup(PathGuestParameters).LastWrite, f.Guest.ParametersLastWrite.Time)
					assert.True(t, f.Guest.AutoLastWrite.Present)
					os = f.Guest.OS
				}
				assert.Equal(t, s.ProductName, os.ProductName.Value)
				assert.Equal(t, s.CurrentVersion, os.CurrentVersion.Value)
				assert.Equal(t, s.CurrentBuild, os.CurrentBuild.Value)
				assert.Equal(t, s.CSDVersion, os.CSDVersion.Value)
				assert.Equal(t, s.CSDVersion != "", os.CSDVersion.Present)
				assert.Equal(t, s.EditionID, os.EditionID.Value)
				assert.Equal(t, "Server", os.InstallationType.Value)
				assert.False(t, os.UBR.Present)
			})
		}
	}
}

func TestFactsSides(t *testing.T) {
	both := hivewriter.HostSoftware(hivewriter.Shapes()[1])
	both.Key(PathAuto).SetString("IntegrationServicesVersion", "6.3.9600.16384")
	system := hivewriter.New()
	system.Key(`ControlSet001\Services\vmicheartbeat`).SetDword("Start", 3)
	ntuser := hivewriter.New()
	ntuser.Key(`Software\Microsoft\Windows\CurrentVersion\Run`).SetString("x", "y")
	onlyParams := hivewriter.New()
	onlyParams.Key(PathGuestParameters).SetString("VirtualMachineName", "vm")
	spellings := hivewriter.New()
	gi := spellings.Key(PathGuestInstallerVersion)
	gi.SetString(GuestInstaller, "6.0.6001.18016")
	gi.SetString(GuestInstallerWin60, "6.0.6002.18005")
	emptyGI := hivewriter.New()
	emptyGI.Key(PathGuestInstallerVersion)

	for _, tc := range []struct {
		name string
		b    *hivewriter.Builder
		want Side
	}{
		{"both", both, SideBoth},
		{"system", system, SideNone},
		{"ntuser", ntuser, SideNone},
		{"params only", onlyParams, SideGuest},
		{"old spellings", spellings, SideHost},
		{"empty GuestInstaller key", emptyGI, SideNone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := ExtractFacts(builderReader{tc.b}, tc.name)
			assert.Equal(t, tc.want, f.Side)
			assert.Empty(t, f.Problems)
			assert.Equal(t, tc.want == SideHost || tc.want == SideBoth, f.Host != nil)
			assert.Equal(t, tc.want == SideGuest || tc.want == SideBoth, f.Guest != nil)
		})
	}
	f := ExtractFacts(builderReader{spellings}, "s")
	v, ok := f.Host.GuestInstallerVersion(false)
	require.True(t, ok)
	assert.Equal(t, "6.0.6002.18005", v.Value, "Win60 preferred over the unsuffixed name")
	_, ok = f.Host.GuestInstallerVersion(true)
	assert.False(t, ok)
}

// failingReader fails every lookup with a corrupt-hive error, or panics.
type failingReader struct{ panics bool }

func (r failingReader) Key(path string) (*Key, error) {
	if r.panics {
		panic("boom")
	}
	return nil, &FormatError{Offset: 0x20, What: "nk cell", Err: ErrCorrupt}
}

func TestFactsProblems(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  KeyReader
		want error
	}{
		{"corrupt", failingReader{}, ErrCorrupt},
		{"panic", failingReader{panics: true}, ErrCorrupt},
		{"nil", nil, ErrKeyNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := ExtractFacts(tc.src, "bad")
			assert.Equal(t, SideNone, f.Side)
			require.NotEmpty(t, f.Problems)
			for _, p := range f.Problems {
				assert.ErrorIs(t, p, tc.want)
			}
		})
	}

	b := hivewriter.New()
	b.Key(PathAuto).SetDword("IntegrationServicesVersion", 6)
	f := ExtractFacts(builderReader{b}, "typed")
	require.Len(t, f.Problems, 1)
	assert.ErrorIs(t, f.Problems[0], ErrCorrupt)
	assert.Equal(t, "6", f.Guest.IntegrationServicesVersion.Value)
	assert.Equal(t, TypeDword, f.Guest.IntegrationServicesVersion.Type)
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "hivefacts", name))
	require.NoError(t, err)
	return data
}

// TestFactsThroughReader reads every committed fixture hive with the hive
// reader (the dirty one with its LOG1) and checks the facts against the
// generator's description of it.
func TestFactsThroughReader(t *testing.T) {
	fixtures, err := hivewriter.Fixtures()
	require.NoError(t, err)
	for _, fx := range fixtures {
		t.Run(fx.Name, func(t *testing.T) {
			var logs []LogFile
			if fx.Log1 != nil {
				logs = []LogFile{{Name: fx.Name + ".LOG1", Data: fx.Log1}}
			}
			h, err := FromBytes(context.Background(), fx.Data, logs, nil)
			require.NoError(t, err)
			f := ExtractFacts(h, fx.Name)
			assert.Empty(t, f.Problems)
			rec := h.Recovery()
			assert.Equal(t, fx.Log1 != nil, rec.Dirty)
			assert.Equal(t, fx.Log1 != nil, rec.Recovered)
			if fx.Side == "host" {
				require.Equal(t, SideHost, f.Side)
				v, ok := f.Host.GuestInstallerVersion(false)
				require.True(t, ok)
				assert.Equal(t, fx.ICVersion, v.Value)
				assert.Equal(t, fx.Shape.ProductName, f.Host.OS.ProductName.Value)
				return
			}
			require.Equal(t, SideGuest, f.Side)
			assert.Equal(t, fx.ICVersion, f.Guest.IntegrationServicesVersion.Value)
			assert.Equal(t, fx.Log1 != nil, f.Guest.IntegrationServicesVersion.Source.FromLog)
			assert.Equal(t, fx.Guest.VMID, f.Guest.VirtualMachineID.Value)
			assert.Equal(t, fx.Guest.VMName, f.Guest.VirtualMachineName.Value)
			assert.True(t, f.Guest.AutoLastWrite.Present)
			assert.True(t, f.Guest.ParametersLastWrite.Present)
			assert.Equal(t, fx.Shape.ProductName, f.Guest.OS.ProductName.Value)

			// Without replay the stale version shows.
			stale, err := FromBytes(context.Background(), fx.Data, logs, &Options{NoReplay: true})
			require.NoError(t, err)
			sf := ExtractFacts(stale, fx.Name)
			require.Equal(t, SideGuest, sf.Side)
			if fx.Log1 != nil {
				assert.NotEqual(t, fx.ICVersion, sf.Guest.IntegrationServicesVersion.Value)
			}
		})
	}
}

// TestCommittedFixturesMatchGenerator guards testdata/hivefacts against
// drift: regenerate with go run ./internal/hivewriter/cmd/genfixtures.
func TestCommittedFixturesMatchGenerator(t *testing.T) {
	fixtures, err := hivewriter.Fixtures()
	require.NoError(t, err)
	for _, fx := range fixtures {
		assert.Equal(t, fx.Data, readTestdata(t, fx.Name), fx.Name)
		if fx.Log1 != nil {
			assert.Equal(t, fx.Log1, readTestdata(t, fx.Name+".LOG1"), fx.Name+".LOG1")
		}
	}
}

func TestSideText(t *testing.T) {
	for r, want := range map[Side]string{SideNone: "none", SideHost: "host", SideGuest: "guest", SideBoth: "both", Side(9): "none"} {
		b, err := r.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, want, string(b))
		assert.Equal(t, want, r.String())
	}
	assert.Equal(t, []string{"A", "B", "a"}, SortedNames(map[string]Fact{"a": {}, "B": {}, "A": {}}))
	assert.Empty(t, SortedNames(nil))
	var g *GuestFacts
	assert.False(t, g.AutoValue("x").Present)
	var h *HostFacts
	_, ok := h.GuestInstallerVersion(false)
	assert.False(t, ok)
}

func TestExportUnicodeAndDefaults(t *testing.T) {
	in := "Windows Registry Editor Version 5.00\n[HKLM\\SOFTWARE\\k]\n\"emoji\"=\"🙂 ok\"\n\"x\"=\"1\"\n\"X\"=\"2\"\n\"x\"=-\n\"x\"=\"3\"\n[-HKLM\\SOFTWARE\\missing]\n[-HKLM\\SOFTWARE\\a\\missing]\n"
	e, err := ParseReg(context.Background(), []byte(in), &ExportOptions{File: "u.reg"})
	require.NoError(t, err)
	assert.Equal(t, "u.reg", e.File())
	k, err := e.Key("k")
	require.NoError(t, err)
	assert.Equal(t, "🙂 ok", mustString(t, k, "emoji"), "surrogate pairs")
	require.Len(t, k.Values, 2, "x set, replaced, deleted and set again")
	assert.Equal(t, "3", mustString(t, k, "x"))
}

// TestFactsOnRealHives runs fact extraction over every real hive of
// testdata/hive (SYSTEM, NTUSER, SAM, damaged test hives): none is a
// Hyper-V SOFTWARE hive, so each must read as role none, without panics.
func TestFactsOnRealHives(t *testing.T) {
	root := filepath.Join("..", "testdata", "hive")
	n := 0
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := strings.ToUpper(d.Name())
		if d.IsDir() || strings.HasSuffix(name, ".GZ") || strings.HasSuffix(name, ".MD") || strings.Contains(name, ".LOG") {
			return nil
		}
		t.Run(strings.TrimPrefix(p, root), func(t *testing.T) {
			h, err := Open(context.Background(), p, nil)
			if err != nil {
				assert.True(t, errors.Is(err, ErrNotHive) || errors.Is(err, ErrTruncated) || errors.Is(err, ErrBadBaseBlock) || errors.Is(err, ErrCorrupt), err)
				return
			}
			n++
			f := ExtractFacts(h, d.Name())
			assert.Equal(t, SideNone, f.Side)
			assert.Nil(t, f.Host)
			assert.Nil(t, f.Guest)
		})
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, n, 10)
}

// Value satisfies fmt.Stringer: fmt prints its text, or its type and data
// in hex, never raw bytes; Text keeps the (string, ok) form.
func TestValueStringer(t *testing.T) {
	var _ fmt.Stringer = Value{}
	sz := Value{Type: TypeString, Data: []byte{'h', 0, 'i', 0, 0, 0}}
	assert.Equal(t, "hi", fmt.Sprint(sz))
	s, ok := sz.Text()
	assert.True(t, ok)
	assert.Equal(t, "hi", s)
	bin := Value{Type: TypeBinary, Data: []byte{1, 0xab}}
	assert.Equal(t, "REG_BINARY 01 ab", fmt.Sprint(bin))
	_, ok = bin.Text()
	assert.False(t, ok)
	big := Value{Type: TypeBinary, Data: make([]byte, 100)}
	assert.Contains(t, big.String(), "(100 bytes)")
}
